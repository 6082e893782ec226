/**
 * The VolumeBinding (and VolumeRestrictions) plugins: PreFilter checks that every claim the
 * pod uses exists, is not being deleted or lost, and that immediate claims are bound; Filter checks, per node, that bound volumes' node affinity admits the node and that
 * delayed (WaitForFirstConsumer) claims can be provisioned there.
 */
import type { KubeObject } from '../core/types.ts';
import { ANN_SELECTED_NODE, claimClassName, isClaimFullyBound } from '../core/volumes.ts';
import { matchesNodeSelector, matchesTopologyTerms } from './node-affinity.ts';
import type { NodeRejection } from './node-filters.ts';

const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
export const REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';

export interface VolumeLookups {
  claim(namespace: string, name: string): KubeObject | undefined;
  volume(name: string): KubeObject | undefined;
  storageClass(name: string): KubeObject | undefined;
}

export interface PodVolumeClaims {
  /** Fully bound claims. */
  bound: KubeObject[];
  /** Unbound claims of WaitForFirstConsumer classes: bound once the pod's node is chosen. */
  delayed: KubeObject[];
}

export type VolumePreFilterResult =
  | { outcome: 'ok'; claims: PodVolumeClaims }
  /** UnschedulableAndUnresolvable for every node: the message stands for them all. */
  | { outcome: 'unresolvable'; message: string };

export function preFilterVolumes(pod: KubeObject, lookups: VolumeLookups): VolumePreFilterResult {
  const ns = pod.metadata.namespace!;
  const claims: KubeObject[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    const ephemeral = !v.persistentVolumeClaim && !!v.ephemeral;
    if (!v.persistentVolumeClaim && !ephemeral) continue;
    const name: string = ephemeral ? `${pod.metadata.name}-${v.name}` : v.persistentVolumeClaim.claimName;
    const pvc = lookups.claim(ns, name);
    if (!pvc) {
      const message = ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` : `persistentvolumeclaim "${name}" not found`;
      return { outcome: 'unresolvable', message };
    }
    if (ephemeral && !(pvc.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === pod.metadata.uid)) {
      return { outcome: 'unresolvable', message: `PVC ${ns}/${name} was not created for pod ${ns}/${pod.metadata.name} (pod is not owner)` };
    }
    if (pvc.metadata.deletionTimestamp) return { outcome: 'unresolvable', message: `persistentvolumeclaim "${name}" is being deleted` };
    if (pvc.status?.phase === 'Lost') {
      return { outcome: 'unresolvable', message: `persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${pvc.spec?.volumeName ?? ''}"` };
    }
    claims.push(pvc);
  }
  const result: PodVolumeClaims = { bound: [], delayed: [] };
  let unboundImmediate = false;
  for (const pvc of claims) {
    if (isClaimFullyBound(pvc)) {
      result.bound.push(pvc);
      continue;
    }
    // Upstream's IsDelayBindingMode: no class, or a class that does not exist, binds immediately
    // (the PV controller reports the missing class on the claim).
    const className = claimClassName(pvc);
    if (className && lookups.storageClass(className)?.volumeBindingMode === 'WaitForFirstConsumer') {
      result.delayed.push(pvc);
      continue;
    }
    unboundImmediate = true;
  }
  if (unboundImmediate) return { outcome: 'unresolvable', message: 'pod has unbound immediate PersistentVolumeClaims' };
  return { outcome: 'ok', claims: result };
}

export function filterNodeVolumes(claims: PodVolumeClaims, node: KubeObject, lookups: VolumeLookups): NodeRejection | undefined {
  const reasons = new Set<string>();
  for (const pvc of claims.bound) {
    const pv = lookups.volume(pvc.spec.volumeName);
    if (!pv) {
      reasons.add(REASON_PV_NOT_EXIST);
      continue;
    }
    if (!matchesNodeSelector(pv.spec?.nodeAffinity?.required, node)) reasons.add(REASON_NODE_CONFLICT);
  }
  for (const pvc of claims.delayed) {
    const selected = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
    // Already being provisioned for another node: only that node will do.
    if (selected && selected !== node.metadata.name) {
      reasons.add(REASON_BIND_CONFLICT);
      continue;
    }
    const cls = lookups.storageClass(claimClassName(pvc));
    if (!cls?.provisioner || cls.provisioner === NO_PROVISIONER || !matchesTopologyTerms(cls.allowedTopologies, node)) reasons.add(REASON_BIND_CONFLICT);
  }
  return reasons.size ? { reasons: [...reasons], resolvable: false } : undefined;
}
