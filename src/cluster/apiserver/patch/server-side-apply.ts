/**
 * Server-side apply (`kubectl apply --server-side`, `application/apply-patch+yaml`).
 *
 * The applied configuration is the complete intent of one manager: its fields are merged into
 * the live object (list-maps by key, sets by value, atomic values replaced), fields the manager
 * applied last time but no longer applies are removed unless someone else still owns them, and
 * the manager's `Apply` entry becomes exactly the applied set. Changing a value another manager
 * owns is a conflict (409) unless `force`, which moves ownership to the applier.
 */
import { ApiError, errors, type StatusCause } from '../errors.ts';
import type { KubeObject, ManagedFieldsEntry } from '../../core/types.ts';
import { FieldSet, formatPath } from './fieldset.ts';
import {
  appliedSet,
  asRoot,
  decodeEntries,
  diffValues,
  encodeEntries,
  findItem,
  isAssociative,
  itemPes,
  managedView,
  memberSet,
  MANAGED_METADATA,
  newEntry,
  retainExisting,
  sameOwner,
  setManagedFields,
  withManagedView,
  type Ownership,
} from './managed-fields.ts';
import { isAtomic, withFacts, type PatchMeta } from './patch-meta.ts';
import { clone, deepEqual, hasOwn, isObject, type JsonObject } from './values.ts';

export interface ApplyOptions {
  manager: string;
  force: boolean;
  meta: PatchMeta;
  /** Version the request was made at, recorded in the manager's entry. */
  apiVersion: string;
  /** RFC 3339 timestamp for the manager's entry. */
  now: string;
  subresource?: string;
  /**
   * Paths (field names from the root) this endpoint ignores in the applied config, like the real
   * server's reset fields: `[['status']]` on a main resource that has a status subresource,
   * `[['spec']]` (and the like) on `/status`. They are neither merged nor owned.
   */
  resetPaths?: string[][];
}

/** The manager the real server charges with the fields of objects that predate field management. */
export const BEFORE_FIRST_APPLY = 'before-first-apply';

/** Merges an applied value into a live one (undefined result: remove the field). */
function mergeApplied(live: unknown, applied: unknown, meta: PatchMeta): unknown {
  if (applied === null) return undefined;
  if (isObject(applied) && !isAtomic(meta, applied)) {
    const out: JsonObject = isObject(live) && !isAtomic(meta, live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) {
      const merged = mergeApplied(out[k], v, meta.child(k));
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
    return out;
  }
  if (Array.isArray(applied) && isAssociative(meta)) {
    const mine = itemPes(applied, meta);
    const theirs = Array.isArray(live) ? itemPes(live, meta) : { pes: [] as string[] };
    // appliedSet already rejected unkeyable applied lists; an unkeyable live list is replaced.
    if ('error' in mine || 'error' in theirs) return mergeApplied(undefined, applied, withFacts(meta, { listType: 'atomic' }));
    const out = Array.isArray(live) && theirs.pes.length > 0 ? [...live] : [];
    const pes = [...theirs.pes];
    applied.forEach((item, i) => {
      const at = pes.indexOf(mine.pes[i]);
      const merged = meta.listType === 'set' ? clone(item) : mergeApplied(at >= 0 ? out[at] : undefined, item, meta.item());
      if (at >= 0) out[at] = merged;
      else {
        out.push(merged);
        pes.push(mine.pes[i]);
      }
    });
    return out;
  }
  return clone(applied);
}

/**
 * Removes the value at `path` from a managed view, then any parent that this left empty and
 * nobody owns as such (as the typed server would omit an empty map or list).
 */
function removePath(view: JsonObject, path: string[], meta: PatchMeta, kept: FieldSet): void {
  const chain: { container: unknown; pe: string; meta: PatchMeta }[] = [];
  let value: unknown = view;
  let m = meta;
  for (const pe of path) {
    chain.push({ container: value, pe, meta: m });
    const next = resolve(value, pe, m);
    if (!next) return;
    value = next.value;
    m = next.meta;
  }
  // A list-map item someone else keeps must keep its key fields.
  const last = chain.length - 1;
  const field = path[last].slice(2);
  if (last > 0 && path[last].startsWith('f:') && path[last - 1].startsWith('k:') && chain[last - 1].meta.listMapKeys?.includes(field)) return;
  for (let i = last; i >= 0; i--) {
    const { container, pe, meta: cm } = chain[i];
    if (i < last) {
      const child = resolve(container, pe, cm)?.value;
      const empty = (isObject(child) && Object.keys(child).length === 0) || (Array.isArray(child) && child.length === 0);
      if (!empty || kept.has(path.slice(0, i + 1))) return;
    }
    if (pe.startsWith('f:') && isObject(container)) delete container[pe.slice(2)];
    else if (Array.isArray(container)) {
      const at = pe.startsWith('i:') ? Number(pe.slice(2)) : findItem(container, pe, cm);
      if (at >= 0) container.splice(at, 1);
    }
  }
}

function resolve(value: unknown, pe: string, meta: PatchMeta): { value: unknown; meta: PatchMeta } | undefined {
  if (pe.startsWith('f:')) return isObject(value) && hasOwn(value, pe.slice(2)) ? { value: value[pe.slice(2)], meta: meta.child(pe.slice(2)) } : undefined;
  if (!Array.isArray(value)) return undefined;
  const at = pe.startsWith('i:') ? Number(pe.slice(2)) : findItem(value, pe, meta);
  return at >= 0 && at < value.length ? { value: value[at], meta: meta.item() } : undefined;
}

function dropPaths(view: JsonObject, paths: string[][] | undefined): JsonObject {
  if (!paths?.length) return view;
  const out = clone(view);
  for (const path of paths) {
    let node: unknown = out;
    for (const name of path.slice(0, -1)) node = isObject(node) ? node[name] : undefined;
    if (isObject(node) && path.length > 0) delete node[path[path.length - 1]];
  }
  return out;
}

function describeOwner(e: ManagedFieldsEntry): string {
  const sub = e.subresource ? ` with subresource "${e.subresource}"` : '';
  const using = e.apiVersion ? ` using ${e.apiVersion}` : '';
  return `conflict with "${e.manager ?? ''}"${sub}${using}`;
}

/** The real server's 409: one cause per field, and a message grouping fields by manager. */
export function conflictError(conflicts: { owner: Ownership; fields: FieldSet }[]): ApiError {
  const causes: StatusCause[] = [];
  const groups: string[] = [];
  for (const { owner, fields } of conflicts) {
    const who = describeOwner(owner.entry);
    const paths = fields.members().map(formatPath).sort();
    for (const field of paths) causes.push({ reason: 'FieldManagerConflict', message: who, field });
    groups.push(`${who.replace(/^conflict /, 'conflicts ')}:\n${paths.map((p) => `- ${p}`).join('\n')}`);
  }
  const n = causes.length;
  const body = n === 1 ? `${causes[0].message}: ${causes[0].field}` : groups.join('\n');
  return new ApiError(409, 'Conflict', `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${body}`, { causes });
}

export function serverSideApply(live: KubeObject | undefined, applied: KubeObject, opts: ApplyOptions): KubeObject {
  if (!opts.manager) throw errors.badRequest('PATCH, application/apply-patch+yaml: fieldManager is required for apply requests');
  if (!isObject(applied)) throw errors.badRequest('apply patch must be an object');
  if (applied.metadata?.managedFields !== undefined) throw errors.badRequest('metadata.managedFields must be nil');
  const meta = opts.meta;
  const appliedView = dropPaths(managedView(applied), opts.resetPaths);
  const owned = Object.keys(appliedView).length > 0 ? appliedSet(appliedView, meta).prune() : new FieldSet();
  const entry = (): ManagedFieldsEntry => newEntry(opts.manager, 'Apply', opts.apiVersion, opts.now, opts.subresource);

  if (!live) {
    const view = mergeApplied({}, appliedView, meta) as JsonObject;
    const metadata = { ...applied.metadata };
    for (const k of MANAGED_METADATA) delete metadata[k];
    const result = withManagedView({ apiVersion: applied.apiVersion, kind: applied.kind, metadata }, view);
    setManagedFields(result, encodeEntries([{ entry: entry(), set: retainExisting(owned, view, meta).prune() }]));
    return result;
  }

  const liveView = managedView(live);
  let owners = decodeEntries(live.metadata?.managedFields);
  if (owners.length === 0) {
    // Objects nobody manages yet: their current fields belong to a stand-in manager.
    const e = newEntry(BEFORE_FIRST_APPLY, 'Update', live.apiVersion ?? opts.apiVersion, opts.now);
    owners = [{ entry: e, set: asRoot(memberSet(liveView, meta)) }];
  }
  for (const o of owners) retainExisting(o.set, liveView, meta).prune();
  const mine = owners.find((o) => sameOwner(o.entry, opts.manager, 'Apply', opts.subresource));
  const others = owners.filter((o) => o !== mine);

  const merged = mergeApplied(clone(liveView), appliedView, meta) as JsonObject;

  // Conflicts: values this apply changes (or removes) that another manager owns.
  const d = diffValues(liveView, merged, meta);
  const touched = d.changed.union(d.removed);
  const conflicts = others.map((owner) => ({ owner, fields: owner.set.within(touched) })).filter((c) => !c.fields.isEmpty());
  if (conflicts.length > 0 && !opts.force) throw conflictError(conflicts);
  for (const c of conflicts) c.owner.set.removeUnder(c.fields);

  // Fields applied last time but not now go, unless still owned by someone.
  const kept = owned.clone();
  for (const o of others) kept.merge(o.set);
  const dropped = mine ? mine.set.difference(owned) : new FieldSet();
  for (const path of dropped.members()) {
    if (path.length > 0 && kept.find(path)?.isEmpty() !== false) removePath(merged, path, meta, kept);
  }

  const newSet = retainExisting(owned, merged, meta).prune();
  for (const o of others) retainExisting(o.set, merged, meta).prune();
  const objectChanged = !deepEqual(liveView, merged);
  const setChanged = !mine || !mine.set.equals(newSet);
  if (!objectChanged && !setChanged && live.metadata?.managedFields) {
    const before = encodeEntries(decodeEntries(live.metadata.managedFields));
    if (deepEqual(before, encodeEntries(owners))) return clone(live); // a true no-op
  }
  const updated: Ownership = { entry: { ...(mine?.entry ?? entry()), apiVersion: opts.apiVersion }, set: newSet };
  if (objectChanged || setChanged) updated.entry.time = opts.now;
  const result = withManagedView(clone(live), merged);
  setManagedFields(result, encodeEntries(mine ? owners.map((o) => (o === mine ? updated : o)) : [...owners, updated]));
  return result;
}
