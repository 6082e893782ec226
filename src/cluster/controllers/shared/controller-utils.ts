/**
 * Small pieces every pod-owning workload controller here needs (ReplicaSet, Deployment, Job,
 * DaemonSet, StatefulSet): API error tests, selector matching, pods built from a template,
 * create/delete expectations, slow-start batches, status conditions and ordering.
 */
import type { Clock } from '../../../platform/clock.ts';
import type { KubeObject } from '../../core/types.ts';
import { matchesLabelSelectorObject } from '../../core/selectors.ts';
import { ClientError } from '../../client/cluster-client.ts';
import { newControllerRef } from '../../core/owner-refs.ts';

export function isNotFound(e: unknown): boolean {
  return e instanceof ClientError && e.code === 404;
}

export function isConflict(e: unknown): boolean {
  return e instanceof ClientError && e.code === 409;
}

/** A selector matches; an absent or empty selector matches nothing (as for workloads upstream). */
export function selectorMatches(selector: any, labels: Record<string, string> | undefined): boolean {
  if (!selector || (!Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length)) return false;
  return matchesLabelSelectorObject(selector, labels);
}

/** A new pod from an owner's template (upstream GetPodFromTemplate): labels, annotations, finalizers, spec, controller ref. */
export function podFromTemplate(template: any, owner: KubeObject, extra: { generateName?: string; name?: string; labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[]; spec?: any } = {}): KubeObject {
  const meta = template?.metadata ?? {};
  const annotations = { ...(meta.annotations ?? {}), ...(extra.annotations ?? {}) };
  const finalizers = [...(meta.finalizers ?? []), ...(extra.finalizers ?? [])];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(extra.name ? { name: extra.name } : { generateName: extra.generateName ?? `${owner.metadata.name}-` }),
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}), ...(extra.labels ?? {}) },
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ...(finalizers.length ? { finalizers } : {}),
      ownerReferences: [newControllerRef(owner)],
    },
    spec: extra.spec ?? structuredClone(template?.spec ?? {}),
  };
}

/**
 * What a controller has asked the API server for but not yet seen in its cache (upstream's
 * ControllerExpectations): creates by pod name and deletes by pod name, so a sync that runs before
 * the watch caught up neither creates a duplicate nor deletes twice. Entries expire after a while
 * in case a watch event was never delivered.
 */
export class Expectations {
  private pending = new Map<string, { creates: Set<string>; deletes: Set<string>; sinceMs: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlNominalMs = 5 * 60_000,
  ) {}

  private entry(key: string) {
    let e = this.pending.get(key);
    if (!e) {
      e = { creates: new Set(), deletes: new Set(), sinceMs: this.clock.nowMs() };
      this.pending.set(key, e);
    }
    return e;
  }

  expectCreate(key: string, name: string): void {
    this.entry(key).creates.add(name);
  }

  expectDelete(key: string, name: string): void {
    this.entry(key).deletes.add(name);
  }

  /** A create failed: stop waiting for it. */
  createFailed(key: string, name: string): void {
    this.pending.get(key)?.creates.delete(name);
  }

  deleteFailed(key: string, name: string): void {
    this.pending.get(key)?.deletes.delete(name);
  }

  /** Drops what the cache now shows; true when nothing is outstanding (safe to create/delete again). */
  satisfied(key: string, exists: (name: string) => { present: boolean; terminating: boolean }): boolean {
    const e = this.pending.get(key);
    if (!e) return true;
    for (const n of e.creates) if (exists(n).present) e.creates.delete(n);
    for (const n of e.deletes) {
      const s = exists(n);
      if (!s.present || s.terminating) e.deletes.delete(n);
    }
    if (!e.creates.size && !e.deletes.size) {
      this.pending.delete(key);
      return true;
    }
    if (this.clock.nominal(this.clock.nowMs() - e.sinceMs) > this.ttlNominalMs) {
      this.pending.delete(key);
      return true;
    }
    return false;
  }

  forget(key: string): void {
    this.pending.delete(key);
  }
}

/** Slow-start batches (1, 2, 4, ...): stops at the first batch with a failure. Returns successes and the first error. */
export async function slowStartBatch(count: number, initialBatch: number, fn: () => Promise<void>): Promise<{ created: number; error?: unknown }> {
  let remaining = count;
  let created = 0;
  for (let batch = Math.min(remaining, initialBatch); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    created += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { created, error: failed.reason };
    remaining -= batch;
  }
  return { created };
}

/** A status condition list update like upstream's SetCondition helpers: keeps lastTransitionTime when the status did not change. */
export function setCondition(conditions: any[], cond: any): any[] {
  const current = conditions.find((c) => c.type === cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason && current.message === cond.message) return conditions;
  const next = { ...cond };
  if (current && current.status === cond.status && current.lastTransitionTime) next.lastTransitionTime = current.lastTransitionTime;
  return [...conditions.filter((c) => c.type !== cond.type), next];
}

export function removeCondition(conditions: any[], type: string): any[] {
  return conditions.filter((c) => c.type !== type);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Ready for at least `minReadySeconds` of *nominal* time: the Ready transition time is real, so the
 * real time elapsed since then is scaled back up (a time-scaled stack makes pods available sooner).
 */
export function isPodAvailableScaled(pod: KubeObject, minReadySeconds: number, clock: Clock): boolean {
  const ready = (pod.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  if (ready?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = Date.parse(ready.lastTransitionTime ?? '');
  return Number.isFinite(since) && clock.nominal(clock.nowMs() - since) >= minReadySeconds * 1000;
}

/** Drops `keys` whose value is 0, as Go's `omitempty` does when upstream serializes a status. */
export function omitZero<T extends Record<string, unknown>>(status: T, keys: string[]): T {
  for (const k of keys) if (status[k] === 0) delete status[k];
  return status;
}

/** Creating in a namespace that is being deleted fails by design: not worth an event. */
export function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof ClientError && e.code === 403 && /because it is being terminated/.test(e.message);
}

/** Oldest first by creationTimestamp, then by name (upstream's ByCreationTimestamp orderings). */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

/**
 * A copy without null fields: clients written in Go send `creationTimestamp: null` inside pod
 * templates (kubectl's undo patch does), which upstream decodes as "absent". Comparing and hashing
 * without nulls keeps such a template equal to the one it came from.
 */
export function withoutNulls<T>(v: T): T {
  if (Array.isArray(v)) return v.map(withoutNulls) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== null && x !== undefined) out[k] = withoutNulls(x);
    return out as T;
  }
  return v;
}
