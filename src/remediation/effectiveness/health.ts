/**
 * Health of the remediation target (crds.md §6), pure: the scoring table over facts about the
 * target and its pods, and how those facts are read from Pod objects. Kinds without pods are not
 * applicable (null), not unhealthy.
 */
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

/** Kinds whose health is the health of their pods (the workload's selector, or the pod itself). */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['StatefulSet', 'Deployment', 'DaemonSet', 'ReplicaSet', 'Pod']);

export function hasPods(kind: string): boolean {
  return WORKLOAD_KINDS.has(kind);
}

export interface PodHealth {
  name: string;
  ready: boolean;
  crashLooping: boolean;
  /** A container was OOM-killed at or after the remediation started. */
  oomKilledSince: boolean;
  /** A container restarted at or after the remediation started. */
  restartedSince: boolean;
}

export interface HealthFacts {
  targetFound: boolean;
  desiredReplicas: number;
  /** Live pods only (not terminating, not Succeeded/Failed). */
  pods: PodHealth[];
}

export interface HealthVerdict {
  score: number;
  /** Which row of the table matched, for the status message. */
  reason: string;
}

/** The scoring table; the first matching row wins. */
export function healthScore(f: HealthFacts): HealthVerdict {
  if (!f.targetFound) return { score: 0, reason: 'target not found' };
  if (f.desiredReplicas <= 0) return { score: 0, reason: 'desired replicas 0' };
  const crashing = f.pods.filter((p) => p.crashLooping);
  if (crashing.length) return { score: 0, reason: `CrashLoopBackOff: ${names(crashing)}` };
  const ready = f.pods.filter((p) => p.ready).length;
  if (ready === 0) return { score: 0, reason: `0/${f.desiredReplicas} ready` };
  if (ready < f.desiredReplicas) return { score: 0.5, reason: `${ready}/${f.desiredReplicas} ready` };
  const oom = f.pods.filter((p) => p.oomKilledSince);
  if (oom.length) return { score: 0.25, reason: `all ready, OOMKilled since the remediation: ${names(oom)}` };
  const restarted = f.pods.filter((p) => p.restartedSince);
  if (restarted.length) return { score: 0.75, reason: `all ready, restarts since the remediation: ${names(restarted)}` };
  return { score: 1, reason: `${ready}/${f.desiredReplicas} ready, no restarts` };
}

function names(pods: PodHealth[]): string {
  const shown = pods.slice(0, 5).map((p) => p.name);
  return pods.length > 5 ? `${shown.join(', ')} and ${pods.length - 5} more` : shown.join(', ');
}

/** Pods that count: not being deleted and not finished. */
export function isLivePod(pod: V1Pod): boolean {
  return !pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

const ms = (t: Date | string | undefined): number | undefined => {
  if (t === undefined) return undefined;
  const v = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(v) ? undefined : v;
};

/** What the table needs from one pod; `sinceMs` = when the remediation started (real time). */
export function podHealth(pod: V1Pod, sinceMs: number): PodHealth {
  const statuses: V1ContainerStatus[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const createdSince = (ms(pod.metadata?.creationTimestamp) ?? 0) >= sinceMs;
  const terminatedSince = (c: V1ContainerStatus, reason?: string): boolean =>
    [c.lastState?.terminated, c.state?.terminated].some((t) => !!t && (reason === undefined || t.reason === reason) && (ms(t.finishedAt) ?? 0) >= sinceMs);
  return {
    name: pod.metadata?.name ?? '',
    ready: (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    crashLooping: statuses.some((c) => c.state?.waiting?.reason === 'CrashLoopBackOff'),
    oomKilledSince: statuses.some((c) => terminatedSince(c, 'OOMKilled')),
    // A pod born after the remediation restarted after it whenever it restarted at all; an older
    // one only if its last termination came after it (restart counts are not kept over time).
    restartedSince: statuses.some((c) => (c.restartCount ?? 0) > 0 && (createdSince || terminatedSince(c))),
  };
}

/** Desired pods of a workload object (Deployment/StatefulSet/ReplicaSet default 1; DaemonSet per scheduling; Pod 1). */
export function desiredReplicas(kind: string, obj: { spec?: { replicas?: number }; status?: { desiredNumberScheduled?: number } }, livePods: number): number {
  if (kind === 'Pod') return 1;
  if (kind === 'DaemonSet') return obj.status?.desiredNumberScheduled ?? livePods;
  return obj.spec?.replicas ?? 1;
}
