/**
 * Detected labels of a remediation target (crds.md §10): facts about the workload that decide
 * which catalog workflows fit it (GitOps-managed, PDB-protected, autoscaled, stateful, Helm,
 * network policies, service mesh). Each lookup that fails with an API error names its label in
 * `failedDetections` and leaves the value out: consumers (DataStorage discovery, the approval
 * policy) then treat it as unknown rather than as false.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { DetectedLabels, ResourceRef } from '../../api/wire.ts';
import { knownApiVersion } from './kinds.ts';
import { selectorMatches, selectorString, type LabelSelector } from './label-selector.ts';
import { ClusterReader, type KubeObject } from './objects.ts';
import { statefulSetOfClaim } from './statefulset-claims.ts';

type Meta = { labels?: Record<string, string>; annotations?: Record<string, string> };
type DetectedLabel = keyof Omit<DetectedLabels, 'failedDetections'>;

const ARGO_TRACKING_ID = 'argocd.argoproj.io/tracking-id';
const ARGO_INSTANCE = 'argocd.argoproj.io/instance';
const ARGO_MANAGED = 'argocd.argoproj.io/managed';
const FLUX_GC_MARK = 'fluxcd.io/sync-gc-mark';
const FLUX_SYNC_STATUS = 'fluxcd.io/sync-status';

/** An object that may already have been read (the root owner), to save a request. */
export interface Preloaded {
  target?: KubeObject | null;
}

/**
 * The labels of `ref` (the root owner); `ownerChain` holds the resources below it that led there
 * (the resource asked about and intermediate owners; the target itself may be included).
 */
export async function detectLabels(kc: KubeConfig, ref: ResourceRef, ownerChain: ResourceRef[], preloaded: Preloaded = {}): Promise<DetectedLabels> {
  const reader = new ClusterReader(kc);
  const failed = new Set<DetectedLabel>();
  const namespace = ref.namespace || undefined;
  const chain = [ref, ...ownerChain.filter((o) => !(o.kind === ref.kind && o.name === ref.name && (o.namespace ?? '') === (ref.namespace ?? '')))];

  const attempt = async <T>(labels: DetectedLabel[], fn: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await fn();
    } catch {
      for (const l of labels) failed.add(l);
      return fallback;
    }
  };

  const apiVersion = knownApiVersion(ref.kind);
  const target =
    preloaded.target !== undefined
      ? (preloaded.target ?? undefined)
      : apiVersion
        ? await attempt(['gitOpsManaged', 'gitOpsTool', 'helmManaged', 'pdbProtected', 'serviceMesh'], () => reader.read({ apiVersion, kind: ref.kind, name: ref.name, namespace }), undefined)
        : undefined;

  const [pods, namespaceObj, pdbs, hpas, netpols, statefulSets] = await Promise.all([
    attempt(['pdbProtected', 'serviceMesh', 'gitOpsManaged', 'gitOpsTool'], () => podsOf(reader, ref, target), [] as Meta[]),
    namespace ? attempt(['gitOpsManaged', 'gitOpsTool'], () => reader.read({ apiVersion: 'v1', kind: 'Namespace', name: namespace }), undefined) : undefined,
    namespace ? attempt(['pdbProtected'], () => reader.list('policy/v1', 'PodDisruptionBudget', namespace), []) : [],
    namespace ? attempt(['hpaEnabled'], () => reader.list('autoscaling/v2', 'HorizontalPodAutoscaler', namespace), []) : [],
    namespace ? attempt(['networkIsolated'], () => reader.list('networking.k8s.io/v1', 'NetworkPolicy', namespace), []) : [],
    namespace && chain.some((c) => c.kind === 'PersistentVolumeClaim')
      ? attempt(['stateful'], () => reader.list('apps/v1', 'StatefulSet', namespace), [])
      : [],
  ]);

  const workload: Meta = target?.metadata ?? {};
  const podMetas: Meta[] = [...pods, ...templateMetas(target)];
  const gitOps = gitOpsOf(podMetas, workload, namespaceObj?.metadata ?? {});
  // A namespace we could not read leaves GitOps unknown unless a pod or workload rule already decided.
  if (gitOps.tool) {
    failed.delete('gitOpsManaged');
    failed.delete('gitOpsTool');
  }

  const detected: Record<DetectedLabel, boolean | string> = {
    gitOpsManaged: gitOps.tool !== '',
    gitOpsTool: gitOps.tool,
    pdbProtected: pdbs.some((pdb) => podMetas.some((p) => selectorMatches(pdb.spec?.selector as LabelSelector | undefined, p.labels))),
    hpaEnabled: hpas.some((hpa) => chain.some((c) => hpa.spec?.scaleTargetRef?.kind === c.kind && hpa.spec?.scaleTargetRef?.name === c.name)),
    stateful:
      chain.some((c) => c.kind === 'StatefulSet') ||
      chain.some((c) => c.kind === 'PersistentVolumeClaim' && statefulSetOfClaim(c.name, statefulSets) !== undefined),
    helmManaged: workload.labels?.['app.kubernetes.io/managed-by'] === 'Helm' || workload.labels?.['helm.sh/chart'] !== undefined,
    networkIsolated: netpols.length > 0,
    serviceMesh: serviceMeshOf(podMetas),
  };
  // Found true despite a failed lookup elsewhere (e.g. stateful from the chain): the value is known.
  if (detected.stateful === true) failed.delete('stateful');
  if (detected.serviceMesh !== '') failed.delete('serviceMesh');
  if (detected.pdbProtected === true) failed.delete('pdbProtected');

  const out: DetectedLabels = {};
  for (const [k, v] of Object.entries(detected) as Array<[DetectedLabel, boolean | string]>) {
    if (!failed.has(k)) (out as Record<string, unknown>)[k] = v;
  }
  if (failed.size > 0) out.failedDetections = [...failed].sort();
  return out;
}

/** The target's pods: the pod itself, or those its selector selects. */
async function podsOf(reader: ClusterReader, ref: ResourceRef, target: KubeObject | undefined): Promise<Meta[]> {
  if (!target) return [];
  if (ref.kind === 'Pod') return [target.metadata ?? {}];
  const selector = selectorString(target.spec?.selector as LabelSelector | undefined);
  if (!selector || !ref.namespace) return [];
  const pods = await reader.list('v1', 'Pod', ref.namespace, selector);
  return pods.map((p) => p.metadata ?? {});
}

/** Pod template metadata stands for pods that do not exist right now (scaled to zero, all Pending-deleted). */
function templateMetas(target: KubeObject | undefined): Meta[] {
  const spec = target?.spec;
  const template = spec?.template?.metadata ?? spec?.jobTemplate?.spec?.template?.metadata;
  return template ? [template as Meta] : [];
}

/** crds.md §10, first match wins: pods, then the workload, then the namespace. */
function gitOpsOf(pods: Meta[], workload: Meta, ns: Meta): { tool: 'argocd' | 'flux' | '' } {
  if (pods.some((p) => has(p.annotations, ARGO_TRACKING_ID) || has(p.annotations, ARGO_INSTANCE))) return { tool: 'argocd' };
  if (has(workload.labels, FLUX_GC_MARK)) return { tool: 'flux' };
  if (has(workload.labels, ARGO_INSTANCE) || has(workload.annotations, ARGO_TRACKING_ID)) return { tool: 'argocd' };
  if (has(ns.labels, ARGO_INSTANCE)) return { tool: 'argocd' };
  if (has(ns.labels, FLUX_GC_MARK)) return { tool: 'flux' };
  if (has(ns.annotations, ARGO_TRACKING_ID) || has(ns.annotations, ARGO_MANAGED)) return { tool: 'argocd' };
  if (has(ns.annotations, FLUX_SYNC_STATUS)) return { tool: 'flux' };
  return { tool: '' };
}

function serviceMeshOf(pods: Meta[]): 'istio' | 'linkerd' | '' {
  if (pods.some((p) => has(p.annotations, 'sidecar.istio.io/status'))) return 'istio';
  if (pods.some((p) => has(p.annotations, 'linkerd.io/proxy-version'))) return 'linkerd';
  return '';
}

function has(map: Record<string, string> | undefined, key: string): boolean {
  return map !== undefined && Object.prototype.hasOwnProperty.call(map, key);
}
