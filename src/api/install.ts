/**
 * Installs Kubernaut's CustomResourceDefinitions (deploy/crds/kubernaut.ai_*.yaml, the single source
 * of truth for the schemas) into a cluster with client-node: create, or replace when already there,
 * then wait until every CRD reports `Established` so custom resources can be written right away.
 * Safe to run any number of times (and by several components at once).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ApiException, ApiextensionsV1Api, loadYaml, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { ScaledClock, type Clock } from '../platform/clock.ts';
import { componentLogger } from '../platform/log.ts';

const log = componentLogger('crd-install');

/** deploy/crds of this checkout, found relative to this module (src/api/install.ts). */
export const KUBERNAUT_CRD_DIR = fileURLToPath(new URL('../../deploy/crds/', import.meta.url));

/** The Kubernaut CRD manifest files (only kubernaut.ai ones, not deploy/crds/third-party), sorted. */
export function kubernautCrdFiles(dir = KUBERNAUT_CRD_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => /^kubernaut\.ai_[a-z]+\.yaml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Parses every Kubernaut CRD manifest into client-node's model. The typed APIs serialize request
 * bodies from their model property names (`x_kubernetes_validations`, `_default`, ...), so a plain
 * YAML parse would silently lose every `x-kubernetes-*` extension; client-node's loadYaml maps them.
 */
export function loadKubernautCrds(dir = KUBERNAUT_CRD_DIR): V1CustomResourceDefinition[] {
  return kubernautCrdFiles(dir).map((file) => {
    const crd = loadYaml<V1CustomResourceDefinition>(readFileSync(file, 'utf8'));
    if (crd?.kind !== 'CustomResourceDefinition' || !crd.metadata?.name) throw new Error(`${file} is not a CustomResourceDefinition`);
    return crd;
  });
}

export interface InstallOptions {
  /** Waits and backoffs go through it (default: real time). */
  clock?: Clock;
  /** How long to wait, in nominal ms, for all CRDs to become Established (default 60 s). */
  establishTimeoutMs?: number;
  /** Where the manifests are (default: deploy/crds of this checkout). */
  dir?: string;
}

function statusCode(e: unknown): number | undefined {
  return e instanceof ApiException ? e.code : undefined;
}

/** Create-or-replace one CRD; a conflict (someone else updated it meanwhile) is retried on a fresh read. */
async function upsert(api: ApiextensionsV1Api, desired: V1CustomResourceDefinition, clock: Clock, keepExisting: boolean): Promise<void> {
  const name = desired.metadata!.name!;
  for (let attempt = 0; ; attempt++) {
    let existing: V1CustomResourceDefinition | undefined;
    try {
      existing = await api.readCustomResourceDefinition({ name });
    } catch (e) {
      if (statusCode(e) !== 404) throw e;
    }
    try {
      if (existing && keepExisting) return;
      if (!existing) {
        await api.createCustomResourceDefinition({ body: desired });
        log.debug({ crd: name }, 'created CRD');
      } else {
        const body: V1CustomResourceDefinition = {
          ...desired,
          metadata: { ...existing.metadata, labels: desired.metadata?.labels ?? existing.metadata?.labels, annotations: { ...existing.metadata?.annotations, ...desired.metadata?.annotations } },
        };
        await api.replaceCustomResourceDefinition({ name, body });
        log.debug({ crd: name }, 'updated CRD');
      }
      return;
    } catch (e) {
      // 409: created by someone else between our read and create, or updated under us — read again.
      if (statusCode(e) !== 409 || attempt >= 5) throw e;
      await clock.sleep(50 * 2 ** attempt);
    }
  }
}

function isEstablished(crd: V1CustomResourceDefinition): boolean {
  return !!crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
}

async function waitEstablished(api: ApiextensionsV1Api, names: string[], clock: Clock, timeoutMs: number): Promise<void> {
  const deadline = clock.nowMs() + clock.scaled(timeoutMs);
  const pending = new Set(names);
  for (let delay = 25; ; delay = Math.min(delay * 2, 1000)) {
    for (const name of [...pending]) {
      if (isEstablished(await api.readCustomResourceDefinition({ name }))) pending.delete(name);
    }
    if (pending.size === 0) return;
    if (clock.nowMs() > deadline) throw new Error(`CRDs not Established in time: ${[...pending].join(', ')}`);
    await clock.sleep(delay);
  }
}

/** Applies every deploy/crds/kubernaut.ai_*.yaml and waits until all are Established. Idempotent. */
export async function installKubernautCrds(kc: KubeConfig, opts: InstallOptions = {}): Promise<void> {
  const crds = loadKubernautCrds(opts.dir);
  await installCrds(kc, crds, opts);
  log.info({ count: crds.length }, 'Kubernaut CRDs installed');
}

/** The prometheus-operator PrometheusRule CRD as far as Kubernaut reads it (for clusters without the operator). */
export const PROMETHEUS_RULE_CRD_FILE = join(KUBERNAUT_CRD_DIR, 'third-party', 'monitoring.coreos.com_prometheusrules.yaml');

/**
 * Makes sure `prometheusrules.monitoring.coreos.com` is served: created from our minimal manifest when
 * absent, left alone when present (on a real cluster it belongs to prometheus-operator, whose schema is
 * richer than ours and must not be replaced).
 */
export async function ensurePrometheusRuleCrd(kc: KubeConfig, opts: Omit<InstallOptions, 'dir'> = {}): Promise<void> {
  const crd = loadYaml<V1CustomResourceDefinition>(readFileSync(PROMETHEUS_RULE_CRD_FILE, 'utf8'));
  await installCrds(kc, [crd], { ...opts, keepExisting: true });
}

/** Create-or-replace (or create-if-absent with keepExisting) the given CRDs and wait until all are Established. */
export async function installCrds(kc: KubeConfig, crds: V1CustomResourceDefinition[], opts: InstallOptions & { keepExisting?: boolean } = {}): Promise<void> {
  const clock = opts.clock ?? new ScaledClock(1);
  const api = kc.makeApiClient(ApiextensionsV1Api);
  await Promise.all(crds.map((crd) => upsert(api, crd, clock, opts.keepExisting ?? false)));
  await waitEstablished(
    api,
    crds.map((c) => c.metadata!.name!),
    clock,
    opts.establishTimeoutMs ?? 60_000,
  );
}
