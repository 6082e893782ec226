/**
 * Which pods a ReplicaSet deletes first when it scales down, in upstream's order (cheapest loss
 * first): unassigned before assigned; Pending before Unknown before Running; not ready before
 * ready; lower `controller.kubernetes.io/pod-deletion-cost` first; pods doubled up on a node
 * before lone ones; ready for less time first; more restarts first; newer first. Times compare on
 * a log2 scale (LogarithmicScaleDown), so pods of similar age are not told apart by seconds.
 */
import type { KubeObject } from '../../core/types.ts';
import { isPodReady, podCondition } from '../../core/pods.ts';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: KubeObject): number {
  const v = Number(pod.metadata.annotations?.[POD_DELETION_COST]);
  return Number.isInteger(v) ? v : 0;
}

function restarts(pod: KubeObject): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c: any) => c.restartCount ?? 0));
}

/** floor(log2(seconds since t)); pods younger than a second share bucket 0 ... like upstream's logarithmic comparison. */
function logBucket(time: string | undefined, nowMs: number): number {
  const t = Date.parse(time ?? '');
  if (!Number.isFinite(t)) return Number.POSITIVE_INFINITY;
  const secs = Math.max(0, (nowMs - t) / 1000);
  return secs < 1 ? 0 : Math.floor(Math.log2(secs)) + 1;
}

/**
 * Sorts `pods` so the first ones are deleted first. `rank(pod)` is how many related active pods
 * share the pod's node (higher goes first).
 */
export function rankPodsForDeletion(pods: KubeObject[], rank: (pod: KubeObject) => number, nowMs: number): KubeObject[] {
  const cmp = (a: KubeObject, b: KubeObject): number => {
    const assignedA = a.spec?.nodeName ? 1 : 0;
    const assignedB = b.spec?.nodeName ? 1 : 0;
    if (assignedA !== assignedB) return assignedA - assignedB;
    const phaseA = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
    const phaseB = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
    if (phaseA !== phaseB) return phaseA - phaseB;
    const readyA = isPodReady(a) ? 1 : 0;
    const readyB = isPodReady(b) ? 1 : 0;
    if (readyA !== readyB) return readyA - readyB;
    const costA = deletionCost(a);
    const costB = deletionCost(b);
    if (costA !== costB) return costA - costB;
    const rankA = rank(a);
    const rankB = rank(b);
    if (rankA !== rankB) return rankB - rankA;
    if (readyA && readyB) {
      // Ready for less time first: a smaller age bucket means more recently ready.
      const ra = logBucket(podCondition(a, 'Ready')?.lastTransitionTime, nowMs);
      const rb = logBucket(podCondition(b, 'Ready')?.lastTransitionTime, nowMs);
      if (ra !== rb) return ra - rb;
    }
    const restartsA = restarts(a);
    const restartsB = restarts(b);
    if (restartsA !== restartsB) return restartsB - restartsA;
    const ageA = logBucket(a.metadata.creationTimestamp, nowMs);
    const ageB = logBucket(b.metadata.creationTimestamp, nowMs);
    if (ageA !== ageB) return ageA - ageB;
    // Same age bucket: newer first, then by name so the order is total.
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? 1 : -1;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? 1 : -1;
  };
  return [...pods].sort(cmp);
}
