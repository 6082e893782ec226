/**
 * Storage and cluster-scope families: PersistentVolumeClaim, PersistentVolume,
 * Node and Namespace.
 */
import type { KubeObject } from '../core/types.ts';
import { bool01, conditionSeries, gauge, namespaced, obj, arr, sortedObjects, str, type Labels, type MetricFamily, type Sample } from './model.ts';

const PVC_PHASES = ['Pending', 'Bound', 'Lost'] as const;
const PV_PHASES = ['Pending', 'Available', 'Bound', 'Released', 'Failed'] as const;
const NAMESPACE_PHASES = ['Active', 'Terminating'] as const;

/** One series per known phase, 1 for the object's current phase; nothing when the phase is unset. */
function phaseSeries(list: readonly KubeObject[], identity: (o: KubeObject) => Labels, phases: readonly string[], defaultPhase = ''): Sample[] {
  const out: Sample[] = [];
  for (const o of sortedObjects(list)) {
    const phase = str(obj(o.status).phase, defaultPhase) || defaultPhase;
    if (!phase) continue;
    const base = identity(o);
    for (const p of phases) out.push({ labels: [...base, ['phase', p]], value: bool01(phase === p) });
  }
  return out;
}

const pvcIdentity = namespaced('persistentvolumeclaim');
const pvIdentity = (o: KubeObject): Labels => [['persistentvolume', str(o.metadata?.name)]];
const nodeIdentity = (o: KubeObject): Labels => [['node', str(o.metadata?.name)]];
const namespaceIdentity = (o: KubeObject): Labels => [['namespace', str(o.metadata?.name)]];

/** spec.storageClassName, falling back to the legacy beta annotation. */
function storageClassOf(pvc: KubeObject): string {
  const fromSpec = str(obj(pvc.spec).storageClassName);
  if (fromSpec) return fromSpec;
  return str(pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class']);
}

export const persistentVolumeClaimFamilies: MetricFamily[] = [
  gauge('kube_persistentvolumeclaim_status_phase', 'The phase the persistent volume claim is currently in.', (s) =>
    phaseSeries(s.persistentVolumeClaims, pvcIdentity, PVC_PHASES),
  ),
  gauge('kube_persistentvolumeclaim_info', 'Information about persistent volume claim.', (s) =>
    sortedObjects(s.persistentVolumeClaims).map((o) => ({
      labels: [...pvcIdentity(o), ['storageclass', storageClassOf(o)], ['volumename', str(obj(o.spec).volumeName)]],
      value: 1,
    })),
  ),
];

export const persistentVolumeFamilies: MetricFamily[] = [
  gauge('kube_persistentvolume_status_phase', 'The phase indicates if a volume is available, bound to a claim, or released by a claim.', (s) =>
    phaseSeries(s.persistentVolumes, pvIdentity, PV_PHASES),
  ),
  gauge('kube_persistentvolume_claim_ref', 'Information about the Persistent Volume Claim Reference.', (s) => {
    const out: Sample[] = [];
    for (const o of sortedObjects(s.persistentVolumes)) {
      const ref = obj(obj(o.spec).claimRef);
      if (!ref.name) continue;
      out.push({ labels: [...pvIdentity(o), ['name', str(ref.name)], ['claim_namespace', str(ref.namespace)]], value: 1 });
    }
    return out;
  }),
];

export const nodeFamilies: MetricFamily[] = [
  gauge('kube_node_status_condition', 'The condition of a cluster node.', (s) => {
    const out: Sample[] = [];
    for (const o of sortedObjects(s.nodes)) {
      for (const c of arr(obj(o.status).conditions)) {
        const type = str(obj(c).type);
        if (!type) continue;
        out.push(...conditionSeries([...nodeIdentity(o), ['condition', type]], 'status', obj(c).status));
      }
    }
    return out;
  }),
  gauge('kube_node_spec_unschedulable', 'Whether a node can schedule new pods.', (s) =>
    sortedObjects(s.nodes).map((o) => ({ labels: nodeIdentity(o), value: bool01(obj(o.spec).unschedulable === true) })),
  ),
];

export const namespaceFamilies: MetricFamily[] = [
  gauge('kube_namespace_status_phase', 'kubernetes namespace status phase.', (s) =>
    // A namespace without a recorded phase is treated as Active (what the API server sets on create).
    phaseSeries(s.namespaces, namespaceIdentity, NAMESPACE_PHASES, 'Active'),
  ),
];
