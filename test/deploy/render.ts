/** Renders deploy/ kustomizations with the real `kubectl kustomize` (offline), as parsed objects. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import YAML from 'yaml';
import { ROOT } from '../helpers/kubernaut-process.ts';

/** The kustomizations a person applies: the CRDs, the base and every overlay. */
export const KUSTOMIZATIONS = ['deploy/crds', 'deploy/kubernetes', ...['with-kube-prometheus-stack', 'with-embedded-alerting', 'with-postgresql', 'dev'].map((o) => `deploy/kustomize/overlays/${o}`)];

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: any;
}

/** `kubectl kustomize <dir>`'s output: throws with kubectl's message when it does not render. */
export function renderText(dir: string): string {
  const r = spawnSync('kubectl', ['kustomize', join(ROOT, dir)], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

export function render(dir: string): K8sObject[] {
  return YAML.parseAllDocuments(renderText(dir))
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => !!o);
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}
