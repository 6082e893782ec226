/**
 * Field ownership (`metadata.managedFields`): building field sets from objects, diffing
 * objects into changed paths, and recording non-apply writes (operation `Update`).
 *
 * Only part of an object is field-managed: everything but apiVersion/kind, and of the metadata
 * only labels, annotations, finalizers and ownerReferences (name, uid, resourceVersion ... are
 * the server's). `managedView` cuts that part out; every set here is computed over it.
 */
import { errors } from '../errors.ts';
import type { KubeObject, ManagedFieldsEntry } from '../../core/types.ts';
import { FieldSet, fieldPe, keyPe, valuePe } from './fieldset.ts';
import { isAtomic, type PatchMeta } from './patch-meta.ts';
import { clone, deepEqual, hasOwn, isObject, stableStringify, type JsonObject } from './values.ts';

export const MANAGED_METADATA = ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const;

/** The field-managed part of an object. */
export function managedView(obj: KubeObject | JsonObject | undefined): JsonObject {
  const out: JsonObject = {};
  if (!obj) return out;
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    out[k] = v;
  }
  const md = obj.metadata;
  if (isObject(md)) {
    const picked: JsonObject = {};
    for (const k of MANAGED_METADATA) if (hasOwn(md, k)) picked[k] = md[k];
    if (Object.keys(picked).length > 0) out.metadata = picked;
  }
  return out;
}

/** A whole object from the server-owned parts of `base` and a managed view. */
export function withManagedView(base: KubeObject, view: JsonObject): KubeObject {
  const metadata: JsonObject = { ...base.metadata };
  for (const k of MANAGED_METADATA) delete metadata[k];
  Object.assign(metadata, isObject(view.metadata) ? view.metadata : {});
  const out: JsonObject = {};
  if (base.apiVersion !== undefined) out.apiVersion = base.apiVersion;
  if (base.kind !== undefined) out.kind = base.kind;
  out.metadata = metadata;
  for (const [k, v] of Object.entries(view)) if (k !== 'metadata') out[k] = v;
  return out as KubeObject;
}

// ---- list items -----------------------------------------------------------------------------

/** Why a list cannot be keyed (missing key field, duplicates), or its items' path elements. */
export function itemPes(list: unknown[], meta: PatchMeta): { pes: string[] } | { error: string } {
  const pes: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    let pe: string;
    if (meta.listType === 'set') {
      pe = valuePe(item);
    } else {
      if (!isObject(item)) return { error: `element ${i}: associative list with keys has an element that is not a map` };
      const key: JsonObject = {};
      for (const k of meta.listMapKeys ?? []) {
        const v = hasOwn(item, k) && item[k] !== null ? item[k] : meta.keyDefaults?.[k];
        if (v === undefined) return { error: `element ${i}: associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)` };
        key[k] = v;
      }
      pe = keyPe(key);
    }
    if (seen.has(pe)) return { error: `duplicate entries for key ${pe.slice(2)}` };
    seen.add(pe);
    pes.push(pe);
  }
  return { pes };
}

/** Lists with per-item ownership; other lists are atomic. */
export function isAssociative(meta: PatchMeta): boolean {
  return meta.kind === 'list' && (meta.listType === 'set' || meta.listType === 'map');
}

/** Resolves one path element against a value: the child value and its meta, or undefined. */
export function resolvePe(value: unknown, pe: string, meta: PatchMeta): { value: unknown; meta: PatchMeta } | undefined {
  const body = pe.slice(2);
  if (pe.startsWith('f:')) {
    return isObject(value) && hasOwn(value, body) ? { value: value[body], meta: meta.child(body) } : undefined;
  }
  if (!Array.isArray(value)) return undefined;
  const itemMeta = meta.item();
  if (pe.startsWith('i:')) {
    const i = Number(body);
    return Number.isInteger(i) && i >= 0 && i < value.length ? { value: value[i], meta: itemMeta } : undefined;
  }
  const index = findItem(value, pe, meta);
  return index >= 0 ? { value: value[index], meta: itemMeta } : undefined;
}

/** Index of the list item a `k:`/`v:` element names, or -1. */
export function findItem(list: unknown[], pe: string, meta: PatchMeta): number {
  let wanted: unknown;
  try {
    wanted = JSON.parse(pe.slice(2));
  } catch {
    return -1;
  }
  if (pe.startsWith('v:')) return list.findIndex((item) => deepEqual(item, wanted));
  if (!pe.startsWith('k:') || !isObject(wanted)) return -1;
  const key = wanted;
  return list.findIndex(
    (item) =>
      isObject(item) &&
      Object.keys(key).every((k) => deepEqual(hasOwn(item, k) && item[k] !== null ? item[k] : meta.keyDefaults?.[k], key[k])),
  );
}

// ---- field sets from values --------------------------------------------------------------------

/**
 * The set an applied configuration claims: every leaf, every list item (`k:`/`v:`), and empty
 * maps/lists as leaves. Struct and map nodes themselves are not members, so a manager that
 * stops applying one label does not thereby give up the whole labels map.
 * Bad list keys in an applied config are the client's fault (400), as on the real server.
 */
export function appliedSet(value: unknown, meta: PatchMeta, path = '', node = new FieldSet(), isItem = false): FieldSet {
  if (isObject(value) && !isAtomic(meta, value) && Object.keys(value).length > 0) {
    node.member = isItem;
    for (const [k, v] of Object.entries(value)) appliedSet(v, meta.child(k), `${path}.${k}`, node.at(fieldPe(k)));
  } else if (Array.isArray(value) && isAssociative(meta) && value.length > 0) {
    node.member = isItem;
    const keyed = itemPes(value, meta);
    if ('error' in keyed) throw errors.badRequest(`failed to create typed patch object: ${path}: ${keyed.error}`);
    value.forEach((item, i) => {
      const child = node.at(keyed.pes[i]);
      if (meta.listType === 'set') child.member = true;
      else appliedSet(item, meta.item(), `${path}[${i}]`, child, true);
    });
  } else {
    node.member = true;
  }
  return node;
}

/**
 * The set an `Update` write gains for a value it added: like appliedSet, but map and list nodes
 * (not structs) are members too, so `f:labels` shows `.` as on the real server. Lists whose
 * items cannot be keyed are owned whole rather than rejected: updates are not validated here.
 */
export function memberSet(value: unknown, meta: PatchMeta, node = new FieldSet(), isItem = false): FieldSet {
  if (isObject(value) && !isAtomic(meta, value) && Object.keys(value).length > 0) {
    node.member = isItem || meta.kind !== 'struct';
    for (const [k, v] of Object.entries(value)) memberSet(v, meta.child(k), node.at(fieldPe(k)));
    return node;
  }
  if (Array.isArray(value) && isAssociative(meta) && value.length > 0) {
    const keyed = itemPes(value, meta);
    if ('pes' in keyed) {
      node.member = true;
      value.forEach((item, i) => {
        if (meta.listType === 'set') node.at(keyed.pes[i]).member = true;
        else memberSet(item, meta.item(), node.at(keyed.pes[i]), true);
      });
      return node;
    }
  }
  node.member = true;
  return node;
}

/** Nobody owns the object root itself (`fieldsV1: {}` would otherwise read as that). */
export function asRoot(set: FieldSet): FieldSet {
  set.member = false;
  return set;
}

export interface Diff {
  /** Leaves (or atomic values) whose value changed. */
  changed: FieldSet;
  /** Everything newly present, with member nodes as memberSet builds them. */
  added: FieldSet;
  /** Roots of subtrees that disappeared. */
  removed: FieldSet;
}

/** Compares two managed views path by path. */
export function diffValues(a: unknown, b: unknown, meta: PatchMeta): Diff {
  const d: Diff = { changed: new FieldSet(), added: new FieldSet(), removed: new FieldSet() };
  walkDiff(a, b, meta, d.changed, d.added, d.removed);
  d.changed.prune();
  d.added.prune();
  d.removed.prune();
  return d;
}

function walkDiff(a: unknown, b: unknown, meta: PatchMeta, changed: FieldSet, added: FieldSet, removed: FieldSet): void {
  if (deepEqual(a, b)) return;
  if (isObject(a) && isObject(b) && !isAtomic(meta, a) && !isAtomic(meta, b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const pe = fieldPe(k);
      if (!hasOwn(a, k)) memberSet(b[k], meta.child(k), added.at(pe));
      else if (!hasOwn(b, k)) removed.at(pe).member = true;
      else walkDiff(a[k], b[k], meta.child(k), changed.at(pe), added.at(pe), removed.at(pe));
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && isAssociative(meta)) {
    const ka = itemPes(a, meta);
    const kb = itemPes(b, meta);
    if ('pes' in ka && 'pes' in kb) {
      const before = new Map(ka.pes.map((pe, i) => [pe, a[i]]));
      const after = new Map(kb.pes.map((pe, i) => [pe, b[i]]));
      const itemMeta = meta.item();
      for (const [pe, item] of after) {
        if (!before.has(pe)) memberSet(item, itemMeta, added.at(pe), true);
        else walkDiff(before.get(pe), item, itemMeta, changed.at(pe), added.at(pe), removed.at(pe));
      }
      for (const pe of before.keys()) if (!after.has(pe)) removed.at(pe).member = true;
      return;
    }
  }
  // A scalar, an atomic value, or a change of shape: one changed leaf.
  changed.member = true;
}

/** Drops members whose path no longer exists in `value` (in place). */
export function retainExisting(set: FieldSet, value: unknown, meta: PatchMeta): FieldSet {
  for (const [pe, child] of set.children) {
    const r = resolvePe(value, pe, meta);
    if (!r) set.children.delete(pe);
    else {
      retainExisting(child, r.value, r.meta);
      if (child.isEmpty()) set.children.delete(pe);
    }
  }
  return set;
}

// ---- managedFields entries ---------------------------------------------------------------------

export interface Ownership {
  entry: ManagedFieldsEntry;
  set: FieldSet;
}

export function decodeEntries(entries: ManagedFieldsEntry[] | undefined): Ownership[] {
  return (entries ?? []).filter(isObject).map((entry) => ({ entry: clone(entry), set: asRoot(FieldSet.fromFieldsV1(entry.fieldsV1)) }));
}

/** Entries back to wire form; managers left owning nothing disappear. */
export function encodeEntries(owners: Ownership[]): ManagedFieldsEntry[] {
  return owners
    .filter((o) => !o.set.isEmpty())
    .map(({ entry, set }) => ({ ...entry, fieldsType: 'FieldsV1' as const, fieldsV1: set.toFieldsV1() }));
}

export function sameOwner(e: ManagedFieldsEntry, manager: string, operation: 'Apply' | 'Update', subresource: string | undefined): boolean {
  return e.manager === manager && e.operation === operation && (e.subresource ?? '') === (subresource ?? '');
}

export function newEntry(manager: string, operation: 'Apply' | 'Update', apiVersion: string, now: string, subresource?: string): ManagedFieldsEntry {
  return { manager, operation, apiVersion, time: now, fieldsType: 'FieldsV1', ...(subresource ? { subresource } : {}) };
}

/** `[{}]` is how a client asks the server to drop all managed fields. */
function isResetRequest(mf: unknown): boolean {
  return Array.isArray(mf) && mf.length === 1 && isObject(mf[0]) && Object.keys(mf[0]).length === 0;
}

export function setManagedFields(obj: KubeObject, entries: ManagedFieldsEntry[]): void {
  if (entries.length > 0) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

/**
 * Records a non-apply write by `manager`: the fields it added or changed become its own (in its
 * `Update` entry for this subresource) and leave every other manager's set; fields it removed
 * leave every set. A write that changes nothing leaves managedFields as they were.
 *
 * The starting point is the old object's managedFields, unless the new object carries a
 * different non-empty list (clients may edit them), or exactly `[{}]`, which clears them.
 */
export function recordUpdate(
  oldObj: KubeObject | undefined,
  newObj: KubeObject,
  opts: { manager: string; meta: PatchMeta; apiVersion: string; now: string; subresource?: string },
): KubeObject {
  const result = clone(newObj);
  result.metadata ??= {};
  const incoming = newObj.metadata?.managedFields;
  if (isResetRequest(incoming)) {
    delete result.metadata.managedFields;
    return result;
  }
  const previous = oldObj?.metadata?.managedFields;
  const base = Array.isArray(incoming) && incoming.length > 0 && !deepEqual(incoming, previous) ? incoming : previous;
  const owners = decodeEntries(base);

  const newView = managedView(newObj);
  const d = diffValues(managedView(oldObj), newView, opts.meta);
  if (d.changed.isEmpty() && d.added.isEmpty() && d.removed.isEmpty()) {
    // Nothing changed: keep the entries byte for byte, so the write is recognisably a no-op.
    if (base === previous) setManagedFields(result, clone(previous ?? []));
    else setManagedFields(result, encodeEntries(owners));
    return result;
  }
  const touched = d.changed.union(d.removed);
  let mine = owners.find((o) => sameOwner(o.entry, opts.manager, 'Update', opts.subresource));
  for (const o of owners) if (o !== mine) o.set.removeUnder(touched);
  if (!mine) {
    mine = { entry: newEntry(opts.manager, 'Update', opts.apiVersion, opts.now, opts.subresource), set: new FieldSet() };
    owners.push(mine);
  }
  mine.set.removeUnder(d.removed);
  mine.set.merge(d.added);
  mine.set.merge(d.changed);
  mine.entry.apiVersion = opts.apiVersion;
  mine.entry.time = opts.now;
  for (const o of owners) retainExisting(o.set, newView, opts.meta).prune();
  setManagedFields(result, encodeEntries(owners));
  return result;
}

/** Stable text of a set, for cheap equality checks. */
export function setKey(set: FieldSet): string {
  return stableStringify(set.toFieldsV1());
}
