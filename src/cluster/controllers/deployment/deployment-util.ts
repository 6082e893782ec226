/**
 * Pure Deployment arithmetic with upstream's rules: which ReplicaSet is "new", revisions and the
 * annotations copied onto ReplicaSets, maxSurge/maxUnavailable resolution, how far the new
 * ReplicaSet may grow, status totals and the conditions that `kubectl rollout status` reads.
 */
import type { KubeObject } from '../../core/types.ts';
import { scaledValue } from '../../core/int-or-string.ts';
import { byCreation, withoutNulls } from '../shared/controller-utils.ts';
import { canonicalJson } from '../shared/hashing.ts';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

/** Deployment annotations that are not copied onto its ReplicaSets. */
const NOT_COPIED = new Set(['kubectl.kubernetes.io/last-applied-configuration', REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, 'deprecated.deployment.rollback.to']);

export function replicas(obj: KubeObject | undefined): number {
  return obj?.spec?.replicas ?? 0;
}

export function revisionOf(rs: KubeObject): number {
  const v = Number(rs.metadata.annotations?.[REVISION]);
  return Number.isInteger(v) ? v : 0;
}

export function maxRevision(rses: KubeObject[]): number {
  return rses.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

function withoutHash(template: any): string {
  const t = withoutNulls(structuredClone(template ?? {}));
  if (t.metadata?.labels) delete t.metadata.labels[POD_TEMPLATE_HASH];
  return canonicalJson(t);
}

/** Same pod template apart from the pod-template-hash label (upstream EqualIgnoreHash). */
export function templatesEqualIgnoringHash(a: any, b: any): boolean {
  return withoutHash(a) === withoutHash(b);
}

/** The oldest ReplicaSet whose template equals the Deployment's (the "new" one), and the rest. */
export function splitReplicaSets(d: KubeObject, rses: KubeObject[]): { newRS?: KubeObject; oldRSes: KubeObject[] } {
  const sorted = [...rses].sort(byCreation);
  const newRS = sorted.find((rs) => templatesEqualIgnoringHash(rs.spec?.template, d.spec?.template));
  return { newRS, oldRSes: sorted.filter((rs) => rs !== newRS) };
}

/** maxSurge (rounded up) and maxUnavailable (rounded down); both 0 would deadlock, so unavailable becomes 1. */
export function fenceposts(d: KubeObject): { surge: number; unavailable: number } {
  if (d.spec?.strategy?.type !== 'RollingUpdate') return { surge: 0, unavailable: 0 };
  const ru = d.spec.strategy.rollingUpdate ?? {};
  const desired = replicas(d);
  const surge = scaledValue(ru.maxSurge ?? '25%', desired, true);
  let unavailable = scaledValue(ru.maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: KubeObject): number {
  return fenceposts(d).surge;
}

export function maxUnavailable(d: KubeObject): number {
  if (d.spec?.strategy?.type !== 'RollingUpdate' || replicas(d) === 0) return 0;
  return Math.min(fenceposts(d).unavailable, replicas(d));
}

export function sumSpecReplicas(rses: Array<KubeObject | undefined>): number {
  return rses.reduce((n, rs) => n + (rs ? replicas(rs) : 0), 0);
}

export function sumStatus(rses: Array<KubeObject | undefined>, field: 'replicas' | 'readyReplicas' | 'availableReplicas'): number {
  return rses.reduce((n, rs) => n + (rs?.status?.[field] ?? 0), 0);
}

/** How many replicas the new ReplicaSet may have now (upstream NewRSNewReplicas). */
export function newRSReplicas(d: KubeObject, allRSes: KubeObject[], newRS: KubeObject | undefined): number {
  if (d.spec?.strategy?.type !== 'RollingUpdate') return replicas(d);
  const current = sumSpecReplicas(allRSes);
  const maxTotal = replicas(d) + maxSurge(d);
  const newCount = newRS ? replicas(newRS) : 0;
  if (current >= maxTotal) return newCount;
  const scaleUp = Math.min(maxTotal - current, replicas(d) - newCount);
  return newCount + scaleUp;
}

/**
 * Sets the annotations a Deployment gives its (new) ReplicaSet: copied Deployment annotations,
 * the revision (only ever raised; the previous one goes to revision-history) and the
 * desired/max replica counts. Mutates `rs`; returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(d: KubeObject, rs: KubeObject, newRevision: number, exists: boolean): boolean {
  const ann: Record<string, string> = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  const old = ann[REVISION];
  const oldNumber = Number(old ?? 0) || 0;
  if (oldNumber < newRevision) {
    ann[REVISION] = String(newRevision);
    changed = true;
    if (old !== undefined && exists) {
      ann[REVISION_HISTORY] = ann[REVISION_HISTORY] ? `${ann[REVISION_HISTORY]},${old}` : old;
    }
  }
  if (!exists) changed = setReplicasAnnotations(rs, replicas(d), replicas(d) + maxSurge(d)) || changed;
  return changed;
}

export function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): boolean {
  const ann: Record<string, string> = (rs.metadata.annotations ??= {});
  let changed = false;
  if (ann[DESIRED_REPLICAS] !== String(desired)) {
    ann[DESIRED_REPLICAS] = String(desired);
    changed = true;
  }
  if (ann[MAX_REPLICAS] !== String(max)) {
    ann[MAX_REPLICAS] = String(max);
    changed = true;
  }
  return changed;
}

// --- conditions -----------------------------------------------------------------------------

export function condition(status: KubeObject['status'], type: string): any | undefined {
  return (status?.conditions ?? []).find((c: any) => c.type === type);
}

export function newCondition(type: string, status: string, reason: string, message: string, now: string): any {
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

/** Upstream SetDeploymentCondition: no-op for the same status+reason; keeps lastTransitionTime for the same status. */
export function setDeploymentCondition(status: any, cond: any): void {
  const conditions: any[] = status.conditions ?? [];
  const current = conditions.find((c) => c.type === cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  if (current && current.status === cond.status) cond.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...conditions.filter((c) => c.type !== cond.type), cond];
}

export function removeDeploymentCondition(status: any, type: string): void {
  status.conditions = (status.conditions ?? []).filter((c: any) => c.type !== type);
}

export function hasProgressDeadline(d: KubeObject): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== 2147483647;
}

/** The rollout finished: every replica updated and available, and the controller saw this generation. */
export function deploymentComplete(d: KubeObject, status: any): boolean {
  const want = replicas(d);
  return status.updatedReplicas === want && status.replicas === want && status.availableReplicas === want && (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Something moved forward since the last status: more updated/ready/available or fewer old replicas. */
export function deploymentProgressing(d: KubeObject, status: any): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}
