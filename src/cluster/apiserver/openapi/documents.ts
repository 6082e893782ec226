/**
 * Builds the OpenAPI documents: one OpenAPI 3.0 document per group-version (`/openapi/v3/...`)
 * and the swagger 2.0 document of everything (`/openapi/v2`).
 *
 * Operations are first described in a neutral form (OperationSpec) and then rendered as v3 or
 * v2. What kubectl relies on:
 * - the PATCH operation of each resource path carries `x-kubernetes-group-version-kind` and the
 *   `fieldValidation` query parameter (server-side field validation instead of client-side
 *   schema checks);
 * - PATCH request bodies list the patch content types (strategic merge for built-ins only, which
 *   makes client-side apply compute strategic merge patches from the schemas);
 * - components carry the kinds with `x-kubernetes-group-version-kind` (kubectl explain / apply
 *   find a kind's schema by that extension) and everything they reference.
 */
import type { ResourceInfo } from '../../core/types.ts';
import type { BuiltinSchemas } from './builtin-schemas.ts';
import { crdSchemas } from './crd-schemas.ts';
import {
  DELETE_OPTIONS,
  INT_OR_STRING,
  LIST_META,
  META_V1,
  MICRO_TIME,
  OBJECT_META,
  PATCH,
  QUANTITY,
  RAW_EXTENSION,
  TIME,
  WATCH_EVENT,
  SCALE,
  STATUS,
  closure,
  ref,
  sortedObject,
  toV2Schema,
  type GVK,
  type Schema,
} from './schema-util.ts';

export const PATCH_CONTENT_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];
const RESPONSE_TYPES = ['application/json', 'application/yaml'];
const REQUEST_TYPES = ['application/json', 'application/yaml'];

type ParamName =
  | 'allowWatchBookmarks'
  | 'continue'
  | 'dryRun'
  | 'fieldManager'
  | 'fieldSelector'
  | 'fieldValidation'
  | 'force'
  | 'gracePeriodSeconds'
  | 'ignoreStoreReadErrorWithClusterBreakingPotential'
  | 'labelSelector'
  | 'limit'
  | 'orphanDependents'
  | 'propagationPolicy'
  | 'resourceVersion'
  | 'resourceVersionMatch'
  | 'sendInitialEvents'
  | 'timeoutSeconds'
  | 'watch'
  | 'container'
  | 'follow'
  | 'previous'
  | 'sinceSeconds'
  | 'tailLines'
  | 'timestamps';

const PARAMS: Record<ParamName, { type: 'string' | 'boolean' | 'integer'; description: string }> = {
  allowWatchBookmarks: {
    type: 'boolean',
    description: 'Requests BOOKMARK watch events; the server may send them at its discretion. Ignored unless watch is set.',
  },
  continue: {
    type: 'string',
    description: 'The continue token of a previous paginated list response, to fetch the next page.',
  },
  dryRun: {
    type: 'string',
    description: 'When present, the request is processed (validation, admission) but nothing is persisted. Valid values: All.',
  },
  fieldManager: {
    type: 'string',
    description:
      'The name of the actor making the change, recorded in managedFields. At most 128 printable characters. Required for apply patches.',
  },
  fieldSelector: { type: 'string', description: 'Restricts the returned objects by their fields. Defaults to everything.' },
  fieldValidation: {
    type: 'string',
    description:
      'How the server treats unknown or duplicate fields in the request body: Ignore (drop them silently), Warn (drop them and return a warning per field) or Strict (fail the request). Defaults to Warn.',
  },
  force: {
    type: 'boolean',
    description:
      'Force an apply: take ownership of fields owned by other managers instead of failing with a conflict. Only for apply patches.',
  },
  gracePeriodSeconds: {
    type: 'integer',
    description: 'Seconds before the object is deleted; zero deletes immediately. Defaults to the per-kind default.',
  },
  ignoreStoreReadErrorWithClusterBreakingPotential: {
    type: 'boolean',
    description: 'Deletes an object even when it cannot be read from storage (unsafe; skips finalizers and preconditions).',
  },
  labelSelector: { type: 'string', description: 'Restricts the returned objects by their labels. Defaults to everything.' },
  limit: {
    type: 'integer',
    description: 'The maximum number of items to return; when more exist the list metadata carries a continue token.',
  },
  orphanDependents: {
    type: 'boolean',
    description: 'Deprecated: use propagationPolicy. Whether dependents are orphaned instead of garbage collected.',
  },
  propagationPolicy: {
    type: 'string',
    description: 'How dependents are garbage collected: Orphan, Background or Foreground.',
  },
  resourceVersion: {
    type: 'string',
    description: 'Constrains which resource version the request may be served from. Defaults to unset (most recent).',
  },
  resourceVersionMatch: {
    type: 'string',
    description: 'How resourceVersion applies to a list: Exact or NotOlderThan. Defaults to unset.',
  },
  sendInitialEvents: {
    type: 'boolean',
    description: 'With watch, starts the stream with synthetic ADDED events for the current objects, then a bookmark.',
  },
  timeoutSeconds: { type: 'integer', description: 'Timeout for the list/watch call.' },
  watch: {
    type: 'boolean',
    description: 'Watch for changes to the described resources and return them as a stream of add, update and remove events.',
  },
  container: { type: 'string', description: 'The container to stream logs of. Defaults to the only container of the pod.' },
  follow: { type: 'boolean', description: 'Follow the log stream of the pod.' },
  previous: { type: 'boolean', description: 'Return the logs of the previous, terminated container instance.' },
  sinceSeconds: { type: 'integer', description: 'Only return logs newer than this many seconds.' },
  tailLines: { type: 'integer', description: 'Only return this many lines from the end of the log.' },
  timestamps: { type: 'boolean', description: 'Prefix every line of log output with an RFC3339 timestamp.' },
};

const LIST_PARAMS: ParamName[] = [
  'allowWatchBookmarks',
  'continue',
  'fieldSelector',
  'labelSelector',
  'limit',
  'resourceVersion',
  'resourceVersionMatch',
  'sendInitialEvents',
  'timeoutSeconds',
  'watch',
];
const WRITE_PARAMS: ParamName[] = ['dryRun', 'fieldManager', 'fieldValidation'];
const PATCH_PARAMS: ParamName[] = ['dryRun', 'fieldManager', 'fieldValidation', 'force'];
const DELETE_PARAMS: ParamName[] = [
  'dryRun',
  'gracePeriodSeconds',
  'ignoreStoreReadErrorWithClusterBreakingPotential',
  'orphanDependents',
  'propagationPolicy',
];
const DELETE_COLLECTION_PARAMS: ParamName[] = [
  'continue',
  'dryRun',
  'fieldSelector',
  'gracePeriodSeconds',
  'ignoreStoreReadErrorWithClusterBreakingPotential',
  'labelSelector',
  'limit',
  'orphanDependents',
  'propagationPolicy',
  'resourceVersion',
  'resourceVersionMatch',
  'sendInitialEvents',
  'timeoutSeconds',
];
const LOG_PARAMS: ParamName[] = ['container', 'follow', 'previous', 'sinceSeconds', 'tailLines', 'timestamps'];

type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';

interface OperationSpec {
  method: Method;
  action: string;
  operationId: string;
  description: string;
  gvk: GVK;
  query: ParamName[];
  /** Request body: a named schema, or 'patch' for the patch content types. */
  body?: string | 'patch';
  /** Whether strategic merge patch is offered (built-in kinds). */
  strategic?: boolean;
  responses: { code: string; description: string; schema?: string; text?: boolean }[];
}

interface PathSpec {
  path: string;
  namespaced: boolean;
  named: boolean;
  operations: OperationSpec[];
}

/** A resource with the schema names of its kind and list. */
export interface ResolvedResource {
  info: ResourceInfo;
  kindName: string;
  listName: string;
  builtin: boolean;
}

function camel(s: string): string {
  return s
    .replace(/\.k8s\.io$/, '')
    .split(/[.\-_/]/)
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
}

function gvPrefix(info: ResourceInfo): string {
  return info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
}

function tag(info: ResourceInfo): string {
  return `${info.group ? info.group.replace(/\.k8s\.io$/, '').replace(/\./g, '_') : 'core'}_${info.version}`;
}

function ok(schema: string, created = false): OperationSpec['responses'] {
  const out: OperationSpec['responses'] = [{ code: '200', description: 'OK', schema }];
  if (created) out.push({ code: '201', description: 'Created', schema });
  out.push({ code: '401', description: 'Unauthorized' });
  return out;
}

/** The paths and operations of one resource. */
export function resourcePaths(r: ResolvedResource): PathSpec[] {
  const { info } = r;
  const verbs = new Set(info.verbs);
  const gvk: GVK = { group: info.group, version: info.version, kind: info.kind };
  const idBase = `${camel(info.group || 'core')}${camel(info.version)}`;
  const ns = info.namespaced ? 'Namespaced' : '';
  const base = `${gvPrefix(info)}${info.namespaced ? '/namespaces/{namespace}' : ''}/${info.resource}`;
  const paths: PathSpec[] = [];
  const strategic = r.builtin;

  const collection: OperationSpec[] = [];
  if (verbs.has('list')) {
    collection.push({
      method: 'get',
      action: 'list',
      operationId: `list${idBase}${ns}${info.kind}`,
      description: `list or watch objects of kind ${info.kind}`,
      gvk,
      query: LIST_PARAMS,
      responses: ok(r.listName),
    });
  }
  if (verbs.has('create')) {
    collection.push({
      method: 'post',
      action: 'post',
      operationId: `create${idBase}${ns}${info.kind}`,
      description: `create a ${info.kind}`,
      gvk,
      query: WRITE_PARAMS,
      body: r.kindName,
      responses: [
        { code: '200', description: 'OK', schema: r.kindName },
        { code: '201', description: 'Created', schema: r.kindName },
        { code: '202', description: 'Accepted', schema: r.kindName },
        { code: '401', description: 'Unauthorized' },
      ],
    });
  }
  if (verbs.has('deletecollection')) {
    collection.push({
      method: 'delete',
      action: 'deletecollection',
      operationId: `deleteCollection${idBase}${ns}${info.kind}`,
      description: `delete collection of ${info.kind}`,
      gvk,
      query: DELETE_COLLECTION_PARAMS,
      body: DELETE_OPTIONS,
      responses: ok(STATUS),
    });
  }
  if (collection.length > 0) paths.push({ path: base, namespaced: info.namespaced, named: false, operations: collection });

  const item: OperationSpec[] = [];
  if (verbs.has('get')) {
    item.push({
      method: 'get',
      action: 'get',
      operationId: `read${idBase}${ns}${info.kind}`,
      description: `read the specified ${info.kind}`,
      gvk,
      query: [],
      responses: ok(r.kindName),
    });
  }
  if (verbs.has('update')) {
    item.push({
      method: 'put',
      action: 'put',
      operationId: `replace${idBase}${ns}${info.kind}`,
      description: `replace the specified ${info.kind}`,
      gvk,
      query: WRITE_PARAMS,
      body: r.kindName,
      responses: ok(r.kindName, true),
    });
  }
  if (verbs.has('patch')) {
    item.push({
      method: 'patch',
      action: 'patch',
      operationId: `patch${idBase}${ns}${info.kind}`,
      description: `partially update the specified ${info.kind}`,
      gvk,
      query: PATCH_PARAMS,
      body: 'patch',
      strategic,
      responses: ok(r.kindName, true),
    });
  }
  if (verbs.has('delete')) {
    item.push({
      method: 'delete',
      action: 'delete',
      operationId: `delete${idBase}${ns}${info.kind}`,
      description: `delete a ${info.kind}`,
      gvk,
      query: DELETE_PARAMS,
      body: DELETE_OPTIONS,
      responses: [
        { code: '200', description: 'OK', schema: STATUS },
        { code: '202', description: 'Accepted', schema: STATUS },
        { code: '401', description: 'Unauthorized' },
      ],
    });
  }
  if (item.length > 0) paths.push({ path: `${base}/{name}`, namespaced: info.namespaced, named: true, operations: item });

  const sub = (name: string, schema: string, subGvk: GVK, what: string): void => {
    const ops: OperationSpec[] = [];
    const id = `${idBase}${ns}${info.kind}${camel(name)}`;
    if (verbs.has('get')) {
      ops.push({
        method: 'get',
        action: 'get',
        operationId: `read${id}`,
        description: `read ${what} of the specified ${info.kind}`,
        gvk: subGvk,
        query: [],
        responses: ok(schema),
      });
    }
    if (verbs.has('update')) {
      ops.push({
        method: 'put',
        action: 'put',
        operationId: `replace${id}`,
        description: `replace ${what} of the specified ${info.kind}`,
        gvk: subGvk,
        query: WRITE_PARAMS,
        body: schema,
        responses: ok(schema, true),
      });
    }
    if (verbs.has('patch')) {
      ops.push({
        method: 'patch',
        action: 'patch',
        operationId: `patch${id}`,
        description: `partially update ${what} of the specified ${info.kind}`,
        gvk: subGvk,
        query: PATCH_PARAMS,
        body: 'patch',
        strategic,
        responses: ok(schema, true),
      });
    }
    if (ops.length > 0) paths.push({ path: `${base}/{name}/${name}`, namespaced: info.namespaced, named: true, operations: ops });
  };
  if (info.subresources.status) sub('status', r.kindName, gvk, 'status');
  if (info.subresources.scale) sub('scale', SCALE, { group: 'autoscaling', version: 'v1', kind: 'Scale' }, 'scale');
  if (info.subresources.log) {
    paths.push({
      path: `${base}/{name}/log`,
      namespaced: info.namespaced,
      named: true,
      operations: [
        {
          method: 'get',
          action: 'get',
          operationId: `read${idBase}${ns}${info.kind}Log`,
          description: `read log of the specified ${info.kind}`,
          gvk,
          query: LOG_PARAMS,
          responses: [
            { code: '200', description: 'OK', text: true },
            { code: '401', description: 'Unauthorized' },
          ],
        },
      ],
    });
  }
  const create = (name: string, schema: string, subGvk: GVK): void => {
    paths.push({
      path: `${base}/{name}/${name}`,
      namespaced: info.namespaced,
      named: true,
      operations: [
        {
          method: 'post',
          action: 'post',
          operationId: `create${idBase}${ns}${info.kind}${camel(name)}`,
          description: `create ${name} of a ${info.kind}`,
          gvk: subGvk,
          query: WRITE_PARAMS,
          body: schema,
          responses: [
            { code: '200', description: 'OK', schema },
            { code: '201', description: 'Created', schema },
            { code: '202', description: 'Accepted', schema },
            { code: '401', description: 'Unauthorized' },
          ],
        },
      ],
    });
  };
  if (info.subresources.binding) create('binding', 'io.k8s.api.core.v1.Binding', { group: '', version: 'v1', kind: 'Binding' });
  if (info.subresources.eviction) create('eviction', 'io.k8s.api.policy.v1.Eviction', { group: 'policy', version: 'v1', kind: 'Eviction' });
  if (info.subresources.token) create('token', 'io.k8s.api.authentication.v1.TokenRequest', { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' });

  if (info.namespaced && verbs.has('list')) {
    paths.push({
      path: `${gvPrefix(info)}/${info.resource}`,
      namespaced: false,
      named: false,
      operations: [
        {
          method: 'get',
          action: 'list',
          operationId: `list${idBase}${info.kind}ForAllNamespaces`,
          description: `list or watch objects of kind ${info.kind}`,
          gvk,
          query: LIST_PARAMS,
          responses: ok(r.listName),
        },
      ],
    });
  }
  return paths;
}

function pathParams(spec: PathSpec): { name: string; description: string }[] {
  const out: { name: string; description: string }[] = [];
  if (spec.named) out.push({ name: 'name', description: 'name of the object' });
  if (spec.namespaced) out.push({ name: 'namespace', description: 'object name and auth scope, such as for teams and projects' });
  return out;
}

const PRETTY = "If 'true', then the output is pretty printed.";

// ---- OpenAPI 3 ----

function v3Param(name: ParamName): Schema {
  const p = PARAMS[name];
  return { name, in: 'query', description: p.description, schema: { type: p.type, uniqueItems: true } };
}

function v3Operation(op: OperationSpec, info: ResourceInfo): Schema {
  const out: Schema = {
    tags: [tag(info)],
    description: op.description,
    operationId: op.operationId,
  };
  if (op.query.length > 0) out.parameters = op.query.map(v3Param);
  if (op.body === 'patch') {
    const content: Schema = {};
    for (const ct of PATCH_CONTENT_TYPES) {
      if (ct === 'application/strategic-merge-patch+json' && !op.strategic) continue;
      content[ct] = { schema: ref(PATCH) };
    }
    out.requestBody = { content, required: true };
  } else if (op.body) {
    const content: Schema = {};
    for (const ct of REQUEST_TYPES) content[ct] = { schema: ref(op.body) };
    out.requestBody = { content, required: op.body !== DELETE_OPTIONS };
  }
  const responses: Schema = {};
  for (const r of op.responses) {
    if (r.schema) {
      const content: Schema = {};
      for (const ct of RESPONSE_TYPES) content[ct] = { schema: ref(r.schema) };
      responses[r.code] = { description: r.description, content };
    } else if (r.text) {
      responses[r.code] = { description: r.description, content: { 'text/plain': { schema: { type: 'string' } } } };
    } else {
      responses[r.code] = { description: r.description };
    }
  }
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
  return out;
}

function v3PathItem(spec: PathSpec, info: ResourceInfo): Schema {
  const item: Schema = {};
  for (const op of spec.operations) item[op.method] = v3Operation(op, info);
  const parameters: Schema[] = pathParams(spec).map((p) => ({
    name: p.name,
    in: 'path',
    description: p.description,
    required: true,
    schema: { type: 'string', uniqueItems: true },
  }));
  parameters.push({ name: 'pretty', in: 'query', description: PRETTY, schema: { type: 'string', uniqueItems: true } });
  item.parameters = parameters;
  return item;
}

/** apimachinery types every document carries, referenced or not. */
const ALWAYS_PUBLISHED = [
  STATUS,
  DELETE_OPTIONS,
  PATCH,
  WATCH_EVENT,
  OBJECT_META,
  LIST_META,
  `${META_V1}.LabelSelector`,
  TIME,
  MICRO_TIME,
  QUANTITY,
  INT_OR_STRING,
  RAW_EXTENSION,
];

/** Schema definitions a set of resources needs (kinds, lists, what they reference, meta types). */
export function definitionsFor(resources: ResolvedResource[], builtins: BuiltinSchemas): Map<string, Schema> {
  const local = new Map<string, Schema>();
  const roots = new Set<string>(ALWAYS_PUBLISHED);
  for (const r of resources) {
    roots.add(r.kindName);
    roots.add(r.listName);
    if (r.info.subresources.scale) roots.add(SCALE);
    if (r.info.subresources.binding) roots.add('io.k8s.api.core.v1.Binding');
    if (r.info.subresources.eviction) roots.add('io.k8s.api.policy.v1.Eviction');
    if (r.info.subresources.token) roots.add('io.k8s.api.authentication.v1.TokenRequest');
    if (!r.builtin) for (const [name, schema] of crdSchemas(r.info).schemas) local.set(name, schema);
    else if (!builtins.kindDefinition(r.info)) {
      // A built-in the client-node catalog does not know: publish a free-form schema.
      for (const [name, schema] of genericSchemas(r)) local.set(name, schema);
    }
  }
  return closure(roots, (n) => local.get(n) ?? builtins.definition(n));
}

function genericSchemas(r: ResolvedResource): Map<string, Schema> {
  const { info } = r;
  const crd = crdSchemas({ ...info, crd: undefined });
  const out = new Map<string, Schema>();
  out.set(r.kindName, crd.schemas.get(crd.kindName)!);
  const list = JSON.parse(JSON.stringify(crd.schemas.get(crd.listName)!));
  list.properties.items.items = ref(r.kindName);
  out.set(r.listName, list);
  return out;
}

export function groupVersionDocument(gv: string, resources: ResolvedResource[], builtins: BuiltinSchemas): Schema {
  const paths = new Map<string, Schema>();
  for (const r of resources) {
    for (const spec of resourcePaths(r)) {
      if (!paths.has(spec.path)) paths.set(spec.path, v3PathItem(spec, r.info));
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned', description: `OpenAPI document of ${gv}` },
    paths: sortedObject(paths),
    components: {
      schemas: sortedObject(definitionsFor(resources, builtins)),
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
    security: [{ BearerToken: [] }],
  };
}

// ---- Swagger 2.0 ----

function v2Param(name: ParamName): Schema {
  const p = PARAMS[name];
  return { uniqueItems: true, type: p.type, description: p.description, name, in: 'query' };
}

function v2Operation(op: OperationSpec, info: ResourceInfo): Schema {
  const out: Schema = { tags: [tag(info)], description: op.description, operationId: op.operationId };
  if (op.body === 'patch') {
    out.consumes = PATCH_CONTENT_TYPES.filter((ct) => ct !== 'application/strategic-merge-patch+json' || op.strategic);
  } else {
    out.consumes = ['*/*'];
  }
  out.produces = op.responses.some((r) => r.text) ? ['text/plain', 'application/json'] : RESPONSE_TYPES;
  out.schemes = ['https'];
  const parameters: Schema[] = [];
  if (op.body) {
    parameters.push({ name: 'body', in: 'body', required: op.body !== DELETE_OPTIONS, schema: toV2Schema(ref(op.body === 'patch' ? PATCH : op.body)) });
  }
  parameters.push(...op.query.map(v2Param));
  if (parameters.length > 0) out.parameters = parameters;
  const responses: Schema = {};
  for (const r of op.responses) {
    if (r.schema) responses[r.code] = { description: r.description, schema: toV2Schema(ref(r.schema)) };
    else if (r.text) responses[r.code] = { description: r.description, schema: { type: 'string' } };
    else responses[r.code] = { description: r.description };
  }
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
  return out;
}

function v2PathItem(spec: PathSpec, info: ResourceInfo): Schema {
  const item: Schema = {};
  for (const op of spec.operations) item[op.method] = v2Operation(op, info);
  const parameters: Schema[] = pathParams(spec).map((p) => ({
    uniqueItems: true,
    type: 'string',
    description: p.description,
    name: p.name,
    in: 'path',
    required: true,
  }));
  parameters.push({ uniqueItems: true, type: 'string', description: PRETTY, name: 'pretty', in: 'query' });
  item.parameters = parameters;
  return item;
}

/** The swagger 2.0 document: every served path and the definitions they need. */
export function swaggerDocument(resources: ResolvedResource[], builtins: BuiltinSchemas): Schema {
  const paths = new Map<string, Schema>();
  for (const r of resources) {
    for (const spec of resourcePaths(r)) {
      if (!paths.has(spec.path)) paths.set(spec.path, v2PathItem(spec, r.info));
    }
  }
  const definitions = definitionsFor(resources, builtins);
  const v2Definitions = new Map<string, Schema>();
  for (const [name, schema] of definitions) v2Definitions.set(name, toV2Schema(schema));
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths: sortedObject(paths),
    definitions: sortedObject(v2Definitions),
    securityDefinitions: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}
