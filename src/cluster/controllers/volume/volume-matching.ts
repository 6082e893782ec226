/**
 * Which existing PersistentVolume a claim may bind to, as the PV controller and the scheduler
 * decide it: a volume pre-bound to the claim wins; otherwise the smallest Available volume of
 * the same class and volume mode that offers the requested access modes and capacity and
 * matches the claim's label selector.
 */
import type { KubeObject } from '../../core/types.ts';
import { matchesLabelSelectorObject as matchesLabelSelector } from '../../core/selectors.ts';
import { claimClassName, claimRequest, volumeCapacity, volumeClassName } from '../../core/volumes.ts';

function preBoundTo(pv: KubeObject, pvc: KubeObject): boolean {
  const ref = pv.spec?.claimRef;
  return !!ref && ref.namespace === pvc.metadata.namespace && ref.name === pvc.metadata.name && (!ref.uid || ref.uid === pvc.metadata.uid);
}

/** Static fit of a volume for a claim, ignoring who it is bound to. */
export function volumeSatisfiesClaim(pv: KubeObject, pvc: KubeObject): boolean {
  if (volumeClassName(pv) !== claimClassName(pvc)) return false;
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem')) return false;
  const offered = new Set<string>(pv.spec?.accessModes ?? []);
  if (!(pvc.spec?.accessModes ?? []).every((m: string) => offered.has(m))) return false;
  if (volumeCapacity(pv) < claimRequest(pvc)) return false;
  const selector = pvc.spec?.selector;
  return !selector || matchesLabelSelector(selector, pv.metadata.labels ?? {});
}

/**
 * The volume to bind, or undefined. With delayed binding (WaitForFirstConsumer) only volumes
 * already pre-bound to the claim count: choosing among free volumes needs the pod's node,
 * which is the scheduler's decision.
 */
export function findBestVolumeForClaim(pvc: KubeObject, volumes: KubeObject[], delayed: boolean): KubeObject | undefined {
  let best: KubeObject | undefined;
  for (const pv of volumes) {
    if (pv.metadata.deletionTimestamp) continue;
    if (preBoundTo(pv, pvc)) {
      if (volumeSatisfiesClaim(pv, pvc)) return pv;
      continue;
    }
    if (delayed || pv.spec?.claimRef || pv.status?.phase !== 'Available') continue;
    if (!volumeSatisfiesClaim(pv, pvc)) continue;
    if (!best || volumeCapacity(pv) < volumeCapacity(best)) best = pv;
  }
  return best;
}
