/**
 * Small pieces every pod-owning workload controller here needs (ReplicaSet, Deployment, Job,
 * DaemonSet): cache keys, pods built from a template, adopting/releasing objects by selector,
 * create/delete expectations, metav1.Time stamps and status conditions.
 */
import type { Clock } from '../../../platform/clock.ts';
import type { KubeObject } from '../../apiserver/types.ts';
import { matchesLabelSelectorObject } from '../../apiserver/selectors.ts';
import { ClientError, type ClusterClient, type Gvr } from '../../client/cluster-client.ts';
import { controllerRef, newControllerRef } from '../pod-utils.ts';

/** `namespace/name`, the work-queue key of a namespaced object. */
export function objectKey(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** metav1.Time has second precision. */
export function metaTime(clock: Clock): string {
  return clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

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
 * Claims objects for `owner` like upstream's ControllerRefManager: orphans that match the selector
 * are adopted (unless the owner is being deleted), owned ones that stop matching are released.
 * Returns the objects the owner controls afterwards.
 */
export async function claimObjects(client: ClusterClient, gvr: Gvr, owner: KubeObject, candidates: KubeObject[], matches: (obj: KubeObject) => boolean): Promise<KubeObject[]> {
  const claimed: KubeObject[] = [];
  for (const obj of candidates) {
    const ref = controllerRef(obj);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches(obj) || owner.metadata.deletionTimestamp) {
        claimed.push(obj);
        continue;
      }
      // No longer selected: give it up so another controller (or nobody) owns it.
      const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
      await patchOwners(client, gvr, obj, refs).catch((e) => {
        if (!isNotFound(e)) throw e;
      });
      continue;
    }
    if (!matches(obj) || owner.metadata.deletionTimestamp || obj.metadata.deletionTimestamp) continue;
    try {
      const adopted = await patchOwners(client, gvr, obj, [...(obj.metadata.ownerReferences ?? []), newControllerRef(owner)]);
      claimed.push(adopted);
    } catch (e) {
      // Gone, or changed meanwhile (someone else may have adopted it): the next sync decides.
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
  return claimed;
}

function patchOwners(client: ClusterClient, gvr: Gvr, obj: KubeObject, refs: unknown[]): Promise<KubeObject> {
  // The resourceVersion precondition makes a concurrent adoption fail instead of both winning.
  return client.patch(gvr, obj.metadata.namespace, obj.metadata.name!, { metadata: { ownerReferences: refs, resourceVersion: obj.metadata.resourceVersion } }, 'merge');
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
