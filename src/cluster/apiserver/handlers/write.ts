/**
 * create, update (PUT), patch (JSON, merge, strategic, apply) and delete(collection), with
 * optimistic concurrency, dryRun, field managers, finalizers and graceful deletion.
 */
import type { Clock } from '../../../platform/clock.ts';
import { applyDefaults, validate } from '../admission/index.ts';
import { checkDecodedTypes } from '../admission/decode-types.ts';
import { admitStorageOnCreate, STORAGE_CLASS_STORE_KEY } from '../admission/storage-admission.ts';
import { ApiError, errors } from '../errors.ts';
import type { ApiResponse } from '../../core/api-request.ts';
import { beforeCreate, beforeUpdate } from '../kind-rules.ts';
import { bumpGeneration, objectChanged, planDeletion, prepareForCreate, prepareForUpdate, readyToRemove, type DeleteOptions } from '../lifecycle.ts';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  patchMetaForBuiltin,
  patchMetaFromSchema,
  recordUpdate,
  serverSideApply,
  type PatchMeta,
} from '../patch/index.ts';
import { clone } from '../patch/values.ts';
import type { ResourceRegistry } from '../registry.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { KubeObject, ResourceInfo } from '../../core/types.ts';
import { groupVersion } from '../../core/types.ts';
import { decodeBody, decodeObject, fieldManager, isDryRun, mediaType, type ResourceRequest } from './context.ts';
import { resourceKey, toStorage, toVersion } from './convert.ts';
import { listObjects } from './read.ts';

export interface WriteDeps {
  store: ObjectStore;
  registry: ResourceRegistry;
  clock: Clock;
  allocateClusterIp(): string;
}

/**
 * Unknown fields: `fieldValidation=Strict` rejects them, Warn (the default) reports, Ignore drops
 * silently. A Strict refusal of a whole object (create, update) is worded like upstream's decoder
 * (`Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: ...`).
 */
function fieldValidationWarnings(r: ResourceRequest, pruned: string[]): string[] {
  if (pruned.length === 0) return [];
  const mode = r.req.query.get('fieldValidation') ?? 'Warn';
  if (mode === 'Strict') {
    const strict = `strict decoding error: ${pruned.map((p) => `unknown field "${p}"`).join(', ')}`;
    if (r.verb === 'patch') throw errors.badRequest(strict);
    throw errors.badRequest(`${r.info.kind} in version "${r.info.version}" cannot be handled as a ${r.info.kind}: ${strict}`);
  }
  return mode === 'Ignore' ? [] : pruned.map((p) => `unknown field "${p}"`);
}

/** Upstream's warning recorder: once the warnings pass 4096 runes in all, each is cut to 256 and the rest dropped. */
const WARNING_TOTAL_RUNES = 4 * 1024;
const WARNING_ITEM_RUNES = 256;

/**
 * The `Warning` header (RFC 7234 299 warnings). Unknown field names come from the client, so their
 * size is bounded as upstream bounds it (a header no client would parse otherwise), a warning with
 * control characters is dropped (no valid header carries one), and text goes out as UTF-8 bytes.
 */
function warningHeaders(warnings: string[]): Record<string, string> | undefined {
  const control = (w: string) => [...w].some((c) => (c < ' ' && c !== '\t') || c === '\u007f');
  const texts = [...new Set(warnings)].filter((w) => w !== '' && !control(w));
  const runes = (t: string) => [...t].length;
  let shown = texts;
  if (texts.reduce((n, t) => n + runes(t), 0) > WARNING_TOTAL_RUNES) {
    shown = [];
    let written = 0;
    for (const t of texts) {
      if (written >= WARNING_TOTAL_RUNES) break;
      const cut = [...t].slice(0, WARNING_ITEM_RUNES).join('');
      shown.push(cut);
      written += runes(cut);
    }
  }
  if (shown.length === 0) return undefined;
  const value = shown.map((w) => `299 - "${w.replace(/["\\]/g, (c) => '\\' + c)}"`).join(', ');
  // Node takes header values as Latin-1 strings: this one is the UTF-8 bytes of the text.
  return { warning: Buffer.from(value, 'utf8').toString('latin1') };
}

export function patchMetaFor(info: ResourceInfo): PatchMeta {
  if (info.crd) return patchMetaFromSchema(info.crd.schema);
  return patchMetaForBuiltin({ group: info.group, version: info.version, kind: info.kind }) ?? patchMetaFromSchema(undefined);
}

function requireNamespace(deps: WriteDeps, r: ResourceRequest, obj: KubeObject): void {
  if (!r.info.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== '' && obj.metadata.namespace !== r.namespace) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (!r.namespace) throw errors.notFound('namespaces', '', '');
  obj.metadata.namespace = r.namespace;
}

/** New objects may not enter a namespace that does not exist or is being deleted. */
function checkNamespaceOpen(deps: WriteDeps, r: ResourceRequest): void {
  if (!r.info.namespaced) return;
  const ns = deps.store.get('/namespaces', '', r.namespace!);
  if (!ns) throw errors.notFound('namespaces', '', r.namespace!);
  if (ns.metadata.deletionTimestamp) {
    throw new ApiError(403, 'Forbidden', `${r.info.resource}${r.info.group ? '.' + r.info.group : ''} "${r.name ?? ''}" is forbidden: unable to create new content in namespace ${r.namespace} because it is being terminated`, {
      name: r.name,
      kind: r.info.resource,
      causes: [{ reason: 'NamespaceTerminating', message: `namespace ${r.namespace} is being terminated`, field: 'metadata.namespace' }],
    });
  }
}

/** Shared by POST and by server-side apply of an object that does not exist yet. */
export function createObject(deps: WriteDeps, r: ResourceRequest, obj: KubeObject, manager: string, opts: { alreadyManaged?: boolean } = {}): ApiResponse {
  checkDecodedTypes(obj, r.info);
  requireNamespace(deps, r, obj);
  prepareForCreate(r.info, obj, deps.clock);
  if (!obj.metadata.name) {
    throw errors.invalid(r.info.kind, r.info.group, '', [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
  }
  r.name = obj.metadata.name;
  checkNamespaceOpen(deps, r);
  const key = resourceKey(r.info);
  if (deps.store.get(key, obj.metadata.namespace ?? '', obj.metadata.name)) {
    throw errors.alreadyExists(r.info.resource, r.info.group, obj.metadata.name);
  }
  const { prunedFields } = applyDefaults(r.info, obj, 'CREATE');
  const warnings = fieldValidationWarnings(r, prunedFields);
  admitStorageOnCreate(r.info, obj, () => deps.store.list(STORAGE_CLASS_STORE_KEY));
  beforeCreate(r.info, obj, { clock: deps.clock, registry: deps.registry, allocateClusterIp: deps.allocateClusterIp });
  validate(r.info, obj, undefined);
  let stored = opts.alreadyManaged ? obj : recordUpdate(undefined, obj, { manager, meta: patchMetaFor(r.info), apiVersion: groupVersion(r.info), now: nowStamp(deps) });
  stored = toStorage(deps.registry.storageInfo(r.info), stored);
  if (!isDryRun(r.req)) stored = deps.store.create(key, stored);
  return { status: 201, body: toVersion(r.info, stored), headers: warningHeaders(warnings) };
}

function nowStamp(deps: WriteDeps): string {
  return new Date(Math.floor(deps.clock.nowMs() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function handleCreate(deps: WriteDeps, r: ResourceRequest): ApiResponse {
  const obj = decodeObject(r.req, { apiVersion: groupVersion(r.info), kind: r.info.kind });
  return createObject(deps, r, obj, fieldManager(r.req));
}

function current(deps: WriteDeps, r: ResourceRequest): KubeObject {
  const obj = deps.store.get(resourceKey(r.info), r.namespace ?? '', r.name!);
  if (!obj) throw errors.notFound(r.info.resource, r.info.group, r.name!);
  return obj;
}

/**
 * The one path every change to an existing object takes: subresource rules, defaulting,
 * validation, generation, managed fields, then store (or remove, when a terminating object
 * has just lost its last finalizer). A change that changes nothing is not written.
 */
export function commitUpdate(
  deps: WriteDeps,
  r: ResourceRequest,
  old: KubeObject,
  candidate: KubeObject,
  opts: { manager: string; managedFieldsDone?: boolean; subresource?: string; precondition?: string },
): ApiResponse {
  const info = r.info;
  checkDecodedTypes(candidate, info);
  if (opts.precondition && opts.precondition !== old.metadata.resourceVersion) {
    throw errors.conflict(info.resource, info.group, old.metadata.name!, 'the object has been modified; please apply your changes to the latest version and try again');
  }
  const oldAtVersion = toVersion(info, old);
  let next = prepareForUpdate(info, candidate, oldAtVersion, opts.subresource);
  const { prunedFields } = applyDefaults(info, next, 'UPDATE', opts.subresource ? undefined : oldAtVersion);
  const warnings = fieldValidationWarnings(r, prunedFields);
  beforeUpdate(info, next, { clock: deps.clock, registry: deps.registry });
  validate(info, next, oldAtVersion);
  bumpGeneration(info, next, oldAtVersion, opts.subresource);
  if (!opts.managedFieldsDone) {
    next = recordUpdate(oldAtVersion, next, { manager: opts.manager, meta: patchMetaFor(info), apiVersion: groupVersion(info), now: nowStamp(deps), subresource: opts.subresource });
  }
  next.metadata.resourceVersion = old.metadata.resourceVersion;
  if (!objectChanged(next, oldAtVersion)) return { status: 200, body: oldAtVersion, headers: warningHeaders(warnings) };
  const key = resourceKey(info);
  const stored = toStorage(deps.registry.storageInfo(info), next);
  if (isDryRun(r.req)) return { status: 200, body: toVersion(info, stored), headers: warningHeaders(warnings) };
  const result = readyToRemove(info, stored) ? deps.store.delete(key, old) : deps.store.update(key, stored, old);
  return { status: 200, body: toVersion(info, result), headers: warningHeaders(warnings) };
}

export function handleUpdate(deps: WriteDeps, r: ResourceRequest): ApiResponse {
  const obj = decodeObject(r.req, { apiVersion: groupVersion(r.info), kind: r.info.kind });
  if (obj.metadata.name !== undefined && obj.metadata.name !== r.name) {
    throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${r.name})`);
  }
  obj.metadata.name = r.name;
  requireNamespace(deps, r, obj);
  const old = current(deps, r);
  // A uid in the body is a precondition on the object it was read from (upstream's UpdatedObjectInfo).
  if (obj.metadata.uid && obj.metadata.uid !== old.metadata.uid) {
    throw errors.conflict(r.info.resource, r.info.group, r.name!, `Precondition failed: UID in precondition: ${obj.metadata.uid}, UID in object meta: ${old.metadata.uid}`);
  }
  return commitUpdate(deps, r, old, obj, {
    manager: fieldManager(r.req),
    subresource: r.subresource,
    precondition: obj.metadata.resourceVersion || undefined,
  });
}

export function handlePatch(deps: WriteDeps, r: ResourceRequest): ApiResponse {
  const type = mediaType(r.req);
  const manager = fieldManager(r.req);
  const patch = decodeBody(r.req);
  const key = resourceKey(r.info);
  const existing = deps.store.get(key, r.namespace ?? '', r.name!);

  if (type === 'application/apply-patch+yaml') {
    if (r.req.query.get('fieldManager') === null) throw errors.badRequest('PATCH, application/apply-patch+yaml: fieldManager is required for apply requests');
    const applied = patch as KubeObject;
    if (!applied || typeof applied !== 'object' || Array.isArray(applied)) throw errors.badRequest('apply patch must be an object');
    applied.metadata ??= {};
    if (typeof applied.metadata !== 'object' || Array.isArray(applied.metadata)) throw errors.badRequest('metadata must be an object');
    if (applied.apiVersion !== groupVersion(r.info) || applied.kind !== r.info.kind) {
      throw errors.badRequest(`apply patch must declare apiVersion "${groupVersion(r.info)}" and kind "${r.info.kind}"`);
    }
    if (applied.metadata.name !== undefined && applied.metadata.name !== r.name) {
      throw errors.badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${r.name})`);
    }
    applied.metadata.name = r.name;
    const force = r.req.query.get('force') === 'true';
    const meta = patchMetaFor(r.info);
    // Fields the addressed endpoint cannot change are not owned by the applier either.
    const resetPaths = r.subresource === 'status' ? [['spec']] : r.info.subresources.status ? [['status']] : [];
    const opts = { manager, force, meta, apiVersion: groupVersion(r.info), now: nowStamp(deps), subresource: r.subresource, resetPaths };
    if (!existing) {
      if (r.subresource) throw errors.notFound(r.info.resource, r.info.group, r.name!);
      const created = serverSideApply(undefined, applied, opts);
      return createObject(deps, r, created, manager, { alreadyManaged: true });
    }
    const merged = serverSideApply(toVersion(r.info, existing), applied, opts);
    return commitUpdate(deps, r, existing, merged, { manager, managedFieldsDone: true, subresource: r.subresource });
  }

  if (!existing) throw errors.notFound(r.info.resource, r.info.group, r.name!);
  const base = clone(toVersion(r.info, existing));
  let next: KubeObject;
  switch (type) {
    case 'application/json-patch+json':
      next = applyJsonPatch(base, patch);
      break;
    case 'application/merge-patch+json':
      next = applyMergePatch(base, patch);
      break;
    case 'application/strategic-merge-patch+json':
      if (r.info.crd) {
        throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
      }
      next = applyStrategicMergePatch(base, patch, patchMetaFor(r.info));
      break;
    default:
      throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
  }
  if (!next || typeof next !== 'object' || !next.metadata) throw errors.badRequest('the patch produced an invalid object');
  // A patch may not rename or move the object.
  if (next.metadata.name !== r.name) throw errors.badRequest('metadata.name: the name of the object cannot be changed by a patch');
  if (r.info.namespaced && next.metadata.namespace !== r.namespace) throw errors.badRequest('the namespace of the object cannot be changed by a patch');
  if (next.apiVersion !== groupVersion(r.info) || next.kind !== r.info.kind) {
    throw errors.badRequest(`the patch changed apiVersion/kind to ${next.apiVersion}/${next.kind}`);
  }
  // A resourceVersion the patch carries is a precondition (what `kubectl patch` uses for safe edits).
  const patchedRv = (patch as any)?.metadata?.resourceVersion;
  const precondition = typeof patchedRv === 'string' && patchedRv !== existing.metadata.resourceVersion ? patchedRv : undefined;
  return commitUpdate(deps, r, existing, next, { manager, subresource: r.subresource, precondition });
}

/** Delete options from the body (DeleteOptions) and/or the query string. */
function deleteOptions(r: ResourceRequest): DeleteOptions {
  let body: any = {};
  if (r.req.body && r.req.body.length > 0 && r.req.body.toString('utf8').trim()) body = decodeBody(r.req) ?? {};
  return parseDeleteOptions(body, r.req.query);
}

/**
 * DeleteOptions as decoded from a body (a DELETE's, or an Eviction's `deleteOptions`) and the query
 * string. A grace period must be an integer JavaScript holds exactly (upstream's is an int64).
 */
export function parseDeleteOptions(body: any, q = new URLSearchParams()): DeleteOptions {
  body ??= {};
  const grace = body.gracePeriodSeconds ?? (q.get('gracePeriodSeconds') !== null ? Number(q.get('gracePeriodSeconds')) : undefined);
  if (grace !== undefined && (!Number.isSafeInteger(grace) || grace < 0)) throw errors.badRequest('gracePeriodSeconds must be a non-negative integer');
  const policy = body.propagationPolicy ?? q.get('propagationPolicy') ?? undefined;
  if (policy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
    throw errors.badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Background", "Foreground", "Orphan"`);
  }
  const orphan = body.orphanDependents ?? (q.get('orphanDependents') !== null ? q.get('orphanDependents') === 'true' : undefined);
  return { gracePeriodSeconds: grace, propagationPolicy: policy, preconditions: body.preconditions, orphanDependents: orphan };
}

export function deleteObject(deps: WriteDeps, r: ResourceRequest, obj: KubeObject, opts: DeleteOptions): KubeObject {
  const plan = planDeletion(r.info, obj, opts, deps.clock);
  const key = resourceKey(r.info);
  if (isDryRun(r.req)) return toVersion(r.info, plan.action === 'mark' ? plan.object : obj);
  if (plan.action === 'remove') return toVersion(r.info, deps.store.delete(key, obj));
  if (plan.object === obj) return toVersion(r.info, obj);
  return toVersion(r.info, deps.store.update(key, plan.object, obj));
}

/** NamespaceLifecycle admission: the namespaces every cluster relies on can never go. */
const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export function handleDelete(deps: WriteDeps, r: ResourceRequest): ApiResponse {
  if (r.info.group === '' && r.info.resource === 'namespaces' && IMMORTAL_NAMESPACES.has(r.name!)) {
    throw new ApiError(403, 'Forbidden', `namespaces "${r.name}" is forbidden: this namespace may not be deleted`, { name: r.name, kind: 'namespaces' });
  }
  const obj = current(deps, r);
  const options = deleteOptions(r);
  const result = deleteObject(deps, r, obj, options);
  // Like upstream: 202 only when the object stays and the client asked for cascading with
  // orphanDependents=false; graceful pod deletion and finalizers still answer 200.
  const stays = deps.store.get(resourceKey(r.info), r.namespace ?? '', r.name!) !== undefined;
  return { status: stays && options.orphanDependents === false ? 202 : 200, body: result };
}

export function handleDeleteCollection(deps: WriteDeps, r: ResourceRequest): ApiResponse {
  const opts = deleteOptions(r);
  const { items } = listObjects({ store: deps.store, clock: deps.clock }, { ...r, verb: 'list' });
  const deleted: KubeObject[] = [];
  for (const item of items) {
    const live = deps.store.get(resourceKey(r.info), item.metadata.namespace ?? '', item.metadata.name!);
    if (live) deleted.push(deleteObject(deps, { ...r, name: item.metadata.name }, live, opts));
  }
  return { status: 200, body: { kind: r.info.listKind, apiVersion: groupVersion(r.info), metadata: { resourceVersion: String(deps.store.currentResourceVersion()) }, items: deleted } };
}
