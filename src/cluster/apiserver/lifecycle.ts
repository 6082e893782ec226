/**
 * Object lifecycle rules shared by every write: what the server sets on create (uid,
 * creationTimestamp, generation), what an update may change (spec vs status), when
 * generation moves, how deletion with finalizers and graceful pod termination works.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../../platform/clock.ts';
import { errors } from './errors.ts';
import type { KubeObject, ResourceInfo } from '../core/types.ts';

/** Kinds whose objects carry metadata.generation (workloads and custom resources). */
const GENERATION_GROUPS = new Set(['apps', 'batch', 'policy', 'autoscaling', 'networking.k8s.io', 'apiextensions.k8s.io']);

export function tracksGeneration(info: ResourceInfo): boolean {
  return Boolean(info.crd) || GENERATION_GROUPS.has(info.group);
}

/** The latest time RFC 3339 writes with a four-digit year (what every client parses). */
const LATEST_TIMESTAMP_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/**
 * RFC 3339 with second precision, as Kubernetes writes metav1.Time. An offset past year 9999 (a
 * pod deleted with a grace period of millennia) stops there instead of breaking the Date.
 */
export function timestamp(clock: Clock, offsetSeconds = 0): string {
  const ms = Math.min(Math.floor(clock.nowMs() / 1000) * 1000 + offsetSeconds * 1000, LATEST_TIMESTAMP_MS);
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function generateNameSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += NAME_SUFFIX_ALPHABET[Math.floor(Math.random() * NAME_SUFFIX_ALPHABET.length)];
  return s;
}

/** Server-owned metadata of a new object. Status is the status subresource's business, so a create drops it. */
export function prepareForCreate(info: ResourceInfo, obj: KubeObject, clock: Clock): void {
  const m = obj.metadata;
  if (m.resourceVersion) throw errors.badRequest('resourceVersion should not be set on objects to be created');
  if (!m.name && m.generateName) m.name = (m.generateName + generateNameSuffix()).slice(0, 253);
  m.uid = randomUUID();
  m.creationTimestamp = timestamp(clock);
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
  if (tracksGeneration(info)) m.generation = 1;
  else delete m.generation;
  if (info.subresources.status) delete obj.status;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What a write through the main resource or the status subresource may change. */
export function prepareForUpdate(info: ResourceInfo, next: KubeObject, old: KubeObject, subresource: string | undefined): KubeObject {
  let out: KubeObject;
  if (subresource === 'status') {
    // Only status moves; spec and metadata stay as they were (labels etc. go through the main resource).
    out = { ...structuredClone(old), status: next.status };
    if (next.status === undefined) delete out.status;
  } else {
    out = next;
    if (info.subresources.status) {
      if (old.status === undefined) delete out.status;
      else out.status = structuredClone(old.status);
    }
  }
  // A namespace's spec.finalizers change only through its finalize subresource (upstream's strategy):
  // an update dropping `kubernetes` would let a namespace go before its content, or never go at all.
  if (info.group === '' && info.resource === 'namespaces' && subresource !== 'finalize' && (out.spec === undefined || isPlainObject(out.spec))) {
    const spec = { ...(out.spec ?? {}) };
    if (old.spec?.finalizers === undefined) delete spec.finalizers;
    else spec.finalizers = structuredClone(old.spec.finalizers);
    out.spec = spec;
  }
  const m = out.metadata;
  const o = old.metadata;
  m.name = o.name;
  if (o.namespace !== undefined) m.namespace = o.namespace;
  // As upstream: an update that leaves uid out keeps it; one that changes it is refused.
  if (m.uid !== undefined && m.uid !== '' && m.uid !== o.uid) {
    throw errors.invalid(info.kind, info.group, o.name!, [{ reason: 'FieldValueInvalid', field: 'metadata.uid', message: `Invalid value: ${JSON.stringify(m.uid)}: field is immutable` }]);
  }
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  if (o.deletionTimestamp) m.deletionTimestamp = o.deletionTimestamp;
  else delete m.deletionTimestamp;
  if (o.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  else delete m.deletionGracePeriodSeconds;
  if (o.generateName !== undefined) m.generateName = o.generateName;
  delete m.selfLink;
  if (tracksGeneration(info)) m.generation = o.generation ?? 1;
  if (o.deletionTimestamp) {
    const added = (m.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f));
    if (added.length > 0) {
      throw errors.invalid(info.kind, info.group, o.name!, [
        { reason: 'FieldValueForbidden', field: 'metadata.finalizers', message: 'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ' + JSON.stringify(added) },
      ]);
    }
  }
  return out;
}

/**
 * Moves metadata.generation when the desired state changed. Runs after defaulting, so a write
 * that only restates defaults is no change.
 */
export function bumpGeneration(info: ResourceInfo, next: KubeObject, old: KubeObject, subresource: string | undefined): void {
  if (tracksGeneration(info) && subresource !== 'status' && specChanged(info, next, old)) {
    next.metadata.generation = (old.metadata.generation ?? 0) + 1;
  }
}

/** Generation counts changes of everything but metadata (and status, which has its own writer). */
function specChanged(info: ResourceInfo, a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, status, apiVersion: _a, kind: _k, ...rest } = o;
    return info.subresources.status ? rest : { ...rest, status };
  };
  return !isDeepStrictEqual(strip(a), strip(b));
}

/** True when two states differ in anything a client could see (ignoring the resourceVersion). */
export function objectChanged(a: KubeObject, b: KubeObject): boolean {
  const norm = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: (o.metadata.managedFields ?? []).map((f) => ({ ...f, time: undefined })) } });
  return !isDeepStrictEqual(norm(a), norm(b));
}

/** An object leaves storage once it is marked for deletion and nothing holds it any more. */
export function readyToRemove(info: ResourceInfo, obj: KubeObject): boolean {
  if (!obj.metadata.deletionTimestamp) return false;
  if ((obj.metadata.finalizers ?? []).length > 0) return false;
  if (info.group === '' && info.resource === 'namespaces' && (obj.spec?.finalizers ?? []).length > 0) return false;
  if (info.group === '' && info.resource === 'pods' && (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0) return false;
  return true;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
}

/**
 * Decides what a DELETE does to an object: either it can go now ('remove'), or it is marked
 * (deletionTimestamp, finalizers for foreground/orphan propagation, pod grace period) and
 * stays until its finalizers are removed or the kubelet confirms the pod is gone.
 */
export function planDeletion(info: ResourceInfo, obj: KubeObject, opts: DeleteOptions, clock: Clock): { action: 'remove' } | { action: 'mark'; object: KubeObject } {
  const pre = opts.preconditions;
  if (pre?.uid && pre.uid !== obj.metadata.uid) {
    throw errors.conflict(info.resource, info.group, obj.metadata.name!, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw errors.conflict(info.resource, info.group, obj.metadata.name!, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
  }
  const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : undefined);
  // Deletion only touches metadata (and a namespace's status, replaced whole): a shallow copy
  // never walks the object, so however deep its content nests, it can still be deleted.
  const next: KubeObject = { ...obj, metadata: { ...obj.metadata } };
  const m = next.metadata;
  const finalizers = new Set(m.finalizers ?? []);
  // The propagation policy only takes effect when the deletion starts (or is re-requested while pending).
  if (policy === 'Orphan') {
    finalizers.add('orphan');
    finalizers.delete('foregroundDeletion');
  } else if (policy === 'Foreground') {
    finalizers.add('foregroundDeletion');
    finalizers.delete('orphan');
  }

  const isPod = info.group === '' && info.resource === 'pods';
  const isNamespace = info.group === '' && info.resource === 'namespaces';
  let grace = 0;
  if (isPod) {
    const requested = opts.gracePeriodSeconds ?? next.spec?.terminationGracePeriodSeconds ?? 30;
    const terminal = next.status?.phase === 'Succeeded' || next.status?.phase === 'Failed';
    // An unscheduled or finished pod has no kubelet to wait for: it goes at once.
    grace = !next.spec?.nodeName || terminal ? 0 : Math.max(0, requested);
  }

  if (m.deletionTimestamp) {
    // Already terminating: a pod's grace period can only be shortened; finalizer changes apply.
    let changed = !isDeepStrictEqual([...finalizers].sort(), [...(m.finalizers ?? [])].sort());
    if (isPod && grace < (m.deletionGracePeriodSeconds ?? 0)) {
      m.deletionGracePeriodSeconds = grace;
      m.deletionTimestamp = timestamp(clock, grace);
      changed = true;
    }
    m.finalizers = [...finalizers];
    if (m.finalizers.length === 0) delete m.finalizers;
    if (readyToRemove(info, next)) return { action: 'remove' };
    return changed ? { action: 'mark', object: next } : { action: 'mark', object: obj };
  }

  const holds = finalizers.size > 0 || grace > 0 || isNamespace;
  if (!holds) return { action: 'remove' };
  m.finalizers = [...finalizers];
  if (m.finalizers.length === 0) delete m.finalizers;
  m.deletionTimestamp = timestamp(clock, grace);
  m.deletionGracePeriodSeconds = grace;
  if (tracksGeneration(info)) m.generation = (m.generation ?? 0) + 1;
  if (isNamespace) next.status = { ...(next.status ?? {}), phase: 'Terminating' };
  return { action: 'mark', object: next };
}
