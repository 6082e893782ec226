/**
 * Strategic merge patch, `application/strategic-merge-patch+json`: what `kubectl apply`
 * (client-side), `kubectl patch`, `label`, `annotate`, `scale` and `rollout restart` send for
 * built-in kinds. Like a JSON merge patch, except lists declared `patchStrategy: merge` merge
 * (by `patchMergeKey`, or by value for primitive lists) and these directives are honoured:
 *
 *   `$patch: replace|delete|merge`      on a map, or on a list item (or `{$patch: replace}` item
 *                                       to replace a whole merged list)
 *   `$retainKeys: [..]`                 drop original keys not listed (union-type switching)
 *   `$setElementOrder/<list>: [..]`     final order of a merged list; server-only items stay
 *                                       next to the item they followed
 *   `$deleteFromPrimitiveList/<list>`   values to remove from a merged primitive list
 */
import { errors } from '../errors.ts';
import type { KubeObject } from '../../core/types.ts';
import type { PatchMeta } from './patch-meta.ts';
import { clone, deepEqual, hasOwn, isObject, type JsonObject } from './values.ts';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

/** Marker for "remove this value from its parent" (`$patch: delete`). */
const DELETED = Symbol('deleted');
type Merged = unknown | typeof DELETED;

function bad(message: string): never {
  throw errors.badRequest(message);
}

function isDirectiveKey(key: string, meta: PatchMeta): boolean {
  if (!key.startsWith('$')) return false;
  if (key === PATCH || key === RETAIN_KEYS || key.startsWith(SET_ORDER) || key.startsWith(DELETE_PRIMITIVE)) return true;
  // `$ref`/`$schema` are real fields of CRD schemas; untyped data may hold anything.
  return !(meta.kind === 'struct' && meta.hasField(key)) && meta.kind !== 'untyped';
}

/** Merges a patch map into an original map (absent original: the patch, minus directives). */
function mergeMap(original: JsonObject | undefined, patch: JsonObject, meta: PatchMeta): Merged {
  const directive = patch[PATCH];
  if (directive !== undefined) {
    if (directive === 'delete') return DELETED;
    if (directive === 'replace') {
      const { [PATCH]: _, ...rest } = patch;
      return mergeMap(undefined, rest, meta);
    }
    if (directive !== 'merge') bad(`unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patch)}`);
  }

  const out: JsonObject = original ? { ...original } : {};
  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    if (!Array.isArray(retain) || !retain.every((k) => typeof k === 'string')) bad(`${RETAIN_KEYS} must be a list of strings`);
    for (const [k, v] of Object.entries(patch)) {
      if (!k.startsWith('$') && v !== null && !retain.includes(k)) {
        bad(`the patch has field "${k}" that is not present in ${RETAIN_KEYS} list: ${JSON.stringify(retain)}`);
      }
    }
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }

  // Lists named by ordering/deletion directives need processing even if the patch omits them.
  const listFields = new Set<string>();
  for (const key of Object.keys(patch)) {
    if (key === PATCH || key === RETAIN_KEYS) continue;
    else if (key.startsWith(SET_ORDER)) listFields.add(key.slice(SET_ORDER.length));
    else if (key.startsWith(DELETE_PRIMITIVE)) listFields.add(key.slice(DELETE_PRIMITIVE.length));
    else if (isDirectiveKey(key, meta)) bad(`unknown patch directive: ${JSON.stringify(key)}`);
  }

  for (const [key, value] of Object.entries(patch)) {
    if (isDirectiveKey(key, meta)) continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    const result = mergeField(out[key], value, meta.child(key), patch, key);
    if (result === DELETED) delete out[key];
    else out[key] = result;
  }
  for (const key of listFields) {
    if (hasOwn(patch, key)) continue; // handled above with its patch list
    const result = mergeField(out[key], undefined, meta.child(key), patch, key);
    if (result !== undefined && result !== DELETED) out[key] = result;
  }
  return out;
}

/** One field: `value` is the patch's value (undefined when only directives name the field). */
function mergeField(original: unknown, value: unknown, meta: PatchMeta, parentPatch: JsonObject, key: string): Merged {
  const order = parentPatch[SET_ORDER + key];
  const deletions = parentPatch[DELETE_PRIMITIVE + key];
  if (order !== undefined || deletions !== undefined || Array.isArray(value)) {
    if (value !== undefined && !Array.isArray(value)) return mergeValue(original, value, meta);
    if (order !== undefined && !Array.isArray(order)) bad(`${SET_ORDER}${key} must be a list`);
    if (deletions !== undefined && !Array.isArray(deletions)) bad(`${DELETE_PRIMITIVE}${key} must be a list`);
    if (value === undefined && !Array.isArray(original)) return original;
    return mergeList(Array.isArray(original) ? original : undefined, value as unknown[] | undefined, meta, order, deletions);
  }
  return mergeValue(original, value, meta);
}

function mergeValue(original: unknown, value: unknown, meta: PatchMeta): Merged {
  if (isObject(value)) return mergeMap(isObject(original) ? original : undefined, value, meta);
  if (Array.isArray(value)) return mergeList(Array.isArray(original) ? original : undefined, value, meta, undefined, undefined);
  return clone(value);
}

function mergeList(
  original: unknown[] | undefined,
  patch: unknown[] | undefined,
  meta: PatchMeta,
  order: unknown[] | undefined,
  deletions: unknown[] | undefined,
): unknown[] {
  if (meta.kind !== 'list' || meta.patchStrategy !== 'merge') {
    // Atomic list: the patch's list wins as sent.
    return patch !== undefined ? clone(patch) : original ? clone(original) : [];
  }
  const key = meta.patchMergeKey;
  const itemMeta = meta.item();
  const id = (v: unknown): unknown => (key ? (isObject(v) ? v[key] : undefined) : v);

  let out: unknown[];
  const replaceAll = patch?.some((p) => isObject(p) && p[PATCH] === 'replace' && (!key || !hasOwn(p, key)));
  if (replaceAll) {
    out = [];
    for (const p of patch!) {
      if (isObject(p) && p[PATCH] === 'replace' && (!key || !hasOwn(p, key))) continue;
      const merged = mergeValue(undefined, p, itemMeta);
      if (merged !== DELETED) out.push(merged);
    }
  } else if (key) {
    out = original ? clone(original) : [];
    for (const p of patch ?? []) {
      if (!isObject(p)) bad(`list item ${JSON.stringify(p)} is not a map, but the list merges by key "${key}"`);
      if (!hasOwn(p, key)) bad(`map: ${JSON.stringify(p)} does not contain declared merge key: ${key}`);
      const at = out.findIndex((o) => deepEqual(id(o), p[key]));
      const directive = p[PATCH];
      if (directive === 'delete') {
        out = out.filter((o) => !deepEqual(id(o), p[key]));
        continue;
      }
      if (directive !== undefined && directive !== 'replace' && directive !== 'merge') {
        bad(`unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(p)}`);
      }
      // `$patch: replace` on one item replaces that item instead of merging into it.
      const base = directive === 'replace' || at < 0 ? undefined : (out[at] as JsonObject);
      const merged = mergeMap(isObject(base) ? base : undefined, p, itemMeta);
      if (merged === DELETED) continue;
      if (at >= 0) out[at] = merged;
      else out.push(merged);
    }
  } else {
    out = original ? clone(original) : [];
    for (const p of patch ?? []) {
      if (isObject(p) && hasOwn(p, PATCH)) bad(`unknown directive in primitive list: ${JSON.stringify(p)}`);
      if (!out.some((o) => deepEqual(o, p))) out.push(clone(p));
    }
  }
  if (deletions) {
    if (key) bad(`${DELETE_PRIMITIVE} only applies to lists of primitives`);
    out = out.filter((o) => !deletions.some((d) => deepEqual(d, o)));
  }
  if (order) {
    if (key && order.some((o) => !isObject(o) || !hasOwn(o, key))) {
      bad(`${SET_ORDER} items must be maps with the merge key "${key}"`);
    }
    out = reorder(out, order.map(id), id);
  }
  return out;
}

/**
 * Puts items named in `order` in that order; every other (server-only) item keeps following the
 * ordered item it followed before (items before any ordered one stay in front).
 */
function reorder(items: unknown[], order: unknown[], id: (v: unknown) => unknown): unknown[] {
  const rank = (v: unknown): number => order.findIndex((o) => deepEqual(o, id(v)));
  const front: unknown[] = [];
  const after = new Map<unknown, unknown[]>();
  const ordered: unknown[] = [];
  let anchor: unknown = undefined;
  for (const item of items) {
    if (rank(item) >= 0) {
      ordered.push(item);
      anchor = item;
    } else if (anchor === undefined) front.push(item);
    else after.set(anchor, [...(after.get(anchor) ?? []), item]);
  }
  ordered.sort((a, b) => rank(a) - rank(b));
  return [...front, ...ordered.flatMap((item) => [item, ...(after.get(item) ?? [])])];
}

/** Applies a strategic merge patch; returns a new object and never mutates its inputs. */
export function applyStrategicMergePatch(doc: KubeObject, patch: unknown, meta: PatchMeta): KubeObject {
  if (!isObject(patch)) bad('strategic merge patch must be a JSON object');
  const result = mergeMap(clone(doc), patch, meta);
  if (result === DELETED) return { ...{ apiVersion: doc.apiVersion, kind: doc.kind }, metadata: {} } as KubeObject;
  return result as KubeObject;
}
