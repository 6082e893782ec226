/**
 * persistentVolumeClaimRetentionPolicy through owner references, so the garbage collector does
 * the deleting: `whenDeleted: Delete` makes the set own its claims; `whenScaled: Delete` makes a
 * condemned pod (ordinal outside the replica range) own its claims, so they go with it. Other
 * owner references on the claims are left alone.
 */
import type { KubeObject, OwnerReference } from '../../core/types.ts';
import { inOrdinalRange, withTypeMeta } from './identity.ts';

export interface RetentionPolicy {
  whenDeleted: 'Retain' | 'Delete';
  whenScaled: 'Retain' | 'Delete';
}

export function retentionPolicy(set: KubeObject): RetentionPolicy {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  return { whenDeleted: p.whenDeleted === 'Delete' ? 'Delete' : 'Retain', whenScaled: p.whenScaled === 'Delete' ? 'Delete' : 'Retain' };
}

function controllerRefTo(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** A reference naming the object (kind and name) with another uid: left by an earlier incarnation. */
function refersToEarlier(r: OwnerReference, kind: string, obj: KubeObject): boolean {
  return r.kind === kind && r.name === obj.metadata.name && r.uid !== obj.metadata.uid;
}

/**
 * The claim's owner references as the policy wants them, for `pod` (which may not exist yet:
 * then it has no uid and is never made an owner). Returns undefined when nothing is to change.
 * Like upstream, a claim still referring to an earlier set or pod of the same name is left alone
 * (the garbage collector is dealing with it), and under another controller our references are
 * only removed, never added.
 */
export function desiredClaimOwnerRefs(set: KubeObject, pod: KubeObject, claim: KubeObject): OwnerReference[] | undefined {
  const current: OwnerReference[] = claim.metadata.ownerReferences ?? [];
  if (current.some((r) => refersToEarlier(r, 'StatefulSet', set) || (pod.metadata.uid && refersToEarlier(r, 'Pod', pod)))) return undefined;
  const policy = retentionPolicy(set);
  const scaledDown = !inOrdinalRange(set, pod);
  const isSetRef = (r: OwnerReference) => r.kind === 'StatefulSet' && r.uid === set.metadata.uid;
  const isPodRef = (r: OwnerReference) => r.kind === 'Pod' && !!pod.metadata.uid && r.uid === pod.metadata.uid;
  const foreignController = current.some((r) => r.controller && !isSetRef(r) && !isPodRef(r));
  const setOwns = !foreignController && policy.whenDeleted === 'Delete' && !(policy.whenScaled === 'Delete' && scaledDown);
  const podOwns = !foreignController && policy.whenScaled === 'Delete' && scaledDown && !!pod.metadata.uid;
  let next = current.filter((r) => !isSetRef(r) && !isPodRef(r));
  if (setOwns) next = [...next, current.find((r) => isSetRef(r) && r.controller) ?? controllerRefTo(withTypeMeta(set), 'apps/v1', 'StatefulSet')];
  if (podOwns) next = [...next, current.find((r) => isPodRef(r) && r.controller) ?? controllerRefTo(pod, 'v1', 'Pod')];
  const key = (refs: OwnerReference[]) => JSON.stringify(refs.map((r) => [r.uid, !!r.controller]).sort());
  return key(next) === key(current) ? undefined : next;
}

/**
 * A claim is stale for a pod about to be created when it is still owned by an earlier pod of the
 * same name: the garbage collector is about to delete it, so the new pod must wait.
 */
export function claimIsStale(claim: KubeObject, pod: KubeObject): boolean {
  return (claim.metadata.ownerReferences ?? []).some((r) => r.kind === 'Pod' && r.name === pod.metadata.name && r.uid !== pod.metadata.uid);
}
