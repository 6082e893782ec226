/**
 * Status conditions with metav1.Condition semantics: one entry per type; `lastTransitionTime`
 * moves only when the status flips (so "since when is it Ready" stays true across re-reconciles);
 * `observedGeneration` says which spec the condition was computed from.
 */
import type { KubernautCondition } from '../api/v1alpha1/index.ts';

export type ConditionStatus = KubernautCondition['status'];

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

/** A new array with `c` set (never mutates `conditions`); other types keep their order. */
export function setCondition(
  conditions: KubernautCondition[] | undefined,
  c: ConditionInput,
  opts: { observedGeneration?: number; now: Date },
): KubernautCondition[] {
  const list = conditions ?? [];
  const existing = list.find((x) => x.type === c.type);
  const next: KubernautCondition = {
    type: c.type,
    status: c.status,
    reason: c.reason,
    message: c.message,
    lastTransitionTime: existing && existing.status === c.status ? existing.lastTransitionTime : opts.now.toISOString(),
    ...(opts.observedGeneration !== undefined ? { observedGeneration: opts.observedGeneration } : {}),
  };
  return existing ? list.map((x) => (x === existing ? next : x)) : [...list, next];
}

/** A new array without the condition of that type. */
export function removeCondition(conditions: KubernautCondition[] | undefined, type: string): KubernautCondition[] {
  return (conditions ?? []).filter((x) => x.type !== type);
}

export function getCondition(conditions: readonly KubernautCondition[] | undefined, type: string): KubernautCondition | undefined {
  return conditions?.find((x) => x.type === type);
}

export function isConditionTrue(conditions: readonly KubernautCondition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === 'True';
}

export function isConditionFalse(conditions: readonly KubernautCondition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === 'False';
}
