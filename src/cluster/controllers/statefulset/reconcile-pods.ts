/**
 * One pass of the StatefulSet pod algorithm (upstream's updateStatefulSet): bring every ordinal
 * in range to a live, correct pod, delete condemned pods from the highest ordinal down, then
 * delete one outdated pod for a rolling update. Under OrderedReady ("monotonic") each step waits
 * for every predecessor to be Running, Ready and available; under Parallel all pods are handled
 * at once, but rolling updates still go one pod at a time.
 */
import type { KubeObject } from '../../core/types.ts';
import {
  desiredReplicas,
  identityMatches,
  isCreated,
  isRunningAndAvailable,
  isRunningAndReady,
  isUnavailable,
  newPod,
  ordinalOf,
  podRevision,
  startOrdinal,
  storageMatches,
} from './identity.ts';
import type { StatefulPodControl } from './pod-control.ts';
import { templateOf } from './revisions.ts';
import type { SetStatus } from './status.ts';

export interface PodPass {
  set: KubeObject;
  /** Pods the set owns. */
  pods: KubeObject[];
  current: KubeObject;
  update: KubeObject;
  /** Counted before the pass; a pod deleted for update is taken off `currentReplicas`. */
  status: SetStatus;
  control: StatefulPodControl;
  nowMs: number;
  /** spec.minReadySeconds in real seconds (divided by the time scale, as every wait is). */
  minReadySeconds: number;
}

/** Runs `step` over the items: stops at the first that says so under OrderedReady; under Parallel runs all and reports the first error. */
async function runForAll(items: KubeObject[], step: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < items.length; i++) if (await step(i)) return true;
    return false;
  }
  const results = await Promise.allSettled(items.map((_, i) => step(i)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return false;
}

/**
 * The revision a new pod for `ordinal` gets: below the rolling-update partition it keeps the
 * current revision, otherwise it is made at the update revision.
 */
function newVersionedPod(p: PodPass, ordinal: number): KubeObject {
  const strategy = p.set.spec?.updateStrategy ?? { type: 'RollingUpdate' };
  const index = ordinal - startOrdinal(p.set);
  const keepCurrent =
    (strategy.type ?? 'RollingUpdate') === 'RollingUpdate' &&
    (strategy.rollingUpdate ? index < (strategy.rollingUpdate.partition ?? 0) : index < (p.set.status?.currentReplicas ?? 0));
  const revision = keepCurrent ? p.current : p.update;
  return newPod(p.set, templateOf(revision), revision.metadata.name!, ordinal);
}

export async function reconcilePods(p: PodPass): Promise<void> {
  const { set, control } = p;
  const start = startOrdinal(set);
  const count = desiredReplicas(set);
  const minReadySeconds = p.minReadySeconds;
  const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';

  const replicas: KubeObject[] = new Array(count);
  const condemned: KubeObject[] = [];
  for (const pod of p.pods) {
    const ord = ordinalOf(pod);
    if (ord >= start && ord < start + count) replicas[ord - start] = pod;
    else if (ord >= 0) condemned.push(pod);
  }
  for (let i = 0; i < count; i++) replicas[i] ??= newVersionedPod(p, start + i);
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));

  // The first pod that is not healthy: ascending among replicas, then from the lowest condemned.
  const firstUnhealthy = [...replicas, ...[...condemned].reverse()].find((pod) => isUnavailable(pod, minReadySeconds, p.nowMs));

  const processReplica = async (i: number): Promise<boolean> => {
    const pod = replicas[i]!;
    // Failed or Succeeded pods are deleted; a new one is made once the old one is gone from the
    // API (since v1.31 without the former RecreatingFailedPod/RecreatingTerminatedPod events).
    if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') {
      if (!pod.metadata.deletionTimestamp) await control.deletePod(set, pod);
      return true;
    }
    if (!isCreated(pod)) {
      // A claim still owned by the previous pod of this name is about to be collected: wait.
      if (control.podClaimIsStale(set, pod)) return true;
      await control.createPod(set, pod);
      return true;
    }
    // Claims deleted under a pod that has not started yet are made again.
    if (pod.status?.phase === 'Pending') await control.createClaims(set, pod);
    if (monotonic && pod.metadata.deletionTimestamp) return true;
    if (monotonic && !isRunningAndReady(pod)) return true;
    if (monotonic && !isRunningAndAvailable(pod, minReadySeconds, p.nowMs)) return true;
    if (identityMatches(set, pod) && storageMatches(set, pod) && control.claimsMatchRetention(set, pod)) return false;
    await control.updatePodIdentity(set, pod);
    return false;
  };
  if (await runForAll(replicas, processReplica, monotonic)) return;

  // Condemned pods give their claims to themselves first when whenScaled=Delete.
  const fixClaims = async (i: number): Promise<boolean> => {
    if (!control.claimsMatchRetention(set, condemned[i]!)) await control.updateClaimsForRetention(set, condemned[i]!);
    return false;
  };
  if (await runForAll(condemned, fixClaims, monotonic)) return;

  const processCondemned = async (i: number): Promise<boolean> => {
    const pod = condemned[i]!;
    if (pod.metadata.deletionTimestamp) return monotonic;
    if (monotonic && pod !== firstUnhealthy && !isRunningAndReady(pod)) return true;
    if (monotonic && pod !== firstUnhealthy && !isRunningAndAvailable(pod, minReadySeconds, p.nowMs)) return true;
    await control.deletePod(set, pod);
    return monotonic;
  };
  if (await runForAll(condemned, processCondemned, monotonic)) return;

  // OnDelete: pods are updated only when someone deletes them.
  const strategy = set.spec?.updateStrategy ?? { type: 'RollingUpdate' };
  if (strategy.type === 'OnDelete') return;
  const partition: number = strategy.rollingUpdate?.partition ?? 0;
  for (let target = replicas.length - 1; target >= partition; target--) {
    const pod = replicas[target]!;
    if (isCreated(pod) && podRevision(pod) !== p.update.metadata.name && !pod.metadata.deletionTimestamp) {
      await control.deletePod(set, pod);
      p.status.currentReplicas--;
      return;
    }
    // Wait for the pod just replaced (or any unhealthy one) before touching the next.
    if (isUnavailable(pod, minReadySeconds, p.nowMs)) return;
  }
}
