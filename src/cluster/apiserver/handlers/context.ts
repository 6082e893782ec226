/**
 * Parsing a resource request: which resource, namespace, name and subresource it addresses,
 * which verb it is, and the body decoded from JSON or YAML.
 */
import { parse as parseYaml } from 'yaml';
import { ApiError, errors } from '../errors.ts';
import type { ApiRequest, UserInfo } from '../../core/api-request.ts';
import { decodeKubernetesProtobuf, PROTOBUF_MEDIA_TYPE, ProtobufDecodeError } from '../protobuf/index.ts';
import type { ResourceRegistry } from '../registry.ts';
import type { KubeObject, ResourceInfo } from '../../core/types.ts';
import { checkJsonTextDepth, MAX_BODY_DEPTH, tooDeep, valueNestsDeeperThan } from './body-depth.ts';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceRequest {
  req: ApiRequest;
  info: ResourceInfo;
  verb: Verb;
  namespace?: string;
  name?: string;
  subresource?: string;
  user: UserInfo;
}

/**
 * A path segment percent-decoded as Go's url package does: a malformed escape (`%zz`, a lone `%`)
 * is a 400, never an exception; escapes that are not UTF-8 (`%ff`) decode to U+FFFD, naming nothing.
 */
function decodeSegment(seg: string): string {
  const bad = /%(?![0-9a-fA-F]{2})/.exec(seg);
  if (bad) throw errors.badRequest(`invalid URL escape ${JSON.stringify(seg.slice(bad.index, bad.index + 3))}`);
  return seg.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.slice(1).split('%').map((h) => parseInt(h, 16))).toString('utf8'));
}

/**
 * Matches `/api/v1/...` and `/apis/<g>/<v>/...` resource paths. Returns undefined for paths that
 * are not resource requests (discovery etc.), throws 404 for unknown resources.
 */
export function parseResourcePath(req: ApiRequest, registry: ResourceRegistry, user: UserInfo): ResourceRequest | undefined {
  const segs = req.path.split('/').filter(Boolean).map(decodeSegment);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else return undefined;

  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // /namespaces/<ns>/<resource>/... unless it is the namespace itself or one of its subresources.
  if (rest[0] === 'namespaces' && rest.length >= 3 && registry.find(group, version, rest[2])) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  const notFound = new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  const info = registry.find(group, version, resource);
  if (!info || extra.length > 0) throw notFound;
  if (namespace !== undefined && !info.namespaced) throw notFound;
  if (subresource && !isServedSubresource(info, subresource)) throw notFound;

  const method = req.method.toUpperCase();
  const isWatch = legacyWatch || req.query.get('watch') === 'true' || req.query.get('watch') === '1';
  let verb: Verb;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = name ? (isWatch ? 'watch' : 'get') : isWatch ? 'watch' : 'list';
      break;
    case 'POST':
      if (name && !subresource) throw errors.methodNotAllowed();
      verb = 'create';
      break;
    case 'PUT':
      if (!name) throw errors.methodNotAllowed();
      verb = 'update';
      break;
    case 'PATCH':
      if (!name) throw errors.methodNotAllowed();
      verb = 'patch';
      break;
    case 'DELETE':
      if (subresource) throw errors.methodNotAllowed();
      // Upstream serves no deletecollection across all namespaces: only list and watch are.
      if (!name && info.namespaced && namespace === undefined) throw errors.methodNotAllowed();
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      throw errors.methodNotAllowed();
  }
  if (!subresource && !info.verbs.includes(verb === 'watch' && name ? 'watch' : verb)) throw errors.methodNotAllowed();
  return { req, info, verb, namespace, name, subresource, user };
}

function isServedSubresource(info: ResourceInfo, sub: string): boolean {
  if (info.resource === 'namespaces' && sub === 'finalize') return true;
  return Boolean((info.subresources as Record<string, unknown>)[sub]);
}

const JSON_TYPES = ['application/json', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json'];
const YAML_TYPES = ['application/yaml', 'application/apply-patch+yaml', 'text/yaml', 'application/x-yaml'];

export function mediaType(req: ApiRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Decodes the request body (JSON, YAML or protobuf) or answers 400/415 like the real server. A body
 * nesting deeper than MAX_BODY_DEPTH is refused here, before any handler walks it.
 */
export function decodeBody(req: ApiRequest): unknown {
  const type = mediaType(req);
  const text = req.body?.toString('utf8') ?? '';
  if (type === PROTOBUF_MEDIA_TYPE) {
    // kubectl's typed clients (create namespace/configmap/deployment ..., auth can-i) send protobuf.
    if (!req.body || req.body.length === 0) throw errors.badRequest('the body of the request was empty');
    let decoded: unknown;
    try {
      decoded = decodeKubernetesProtobuf(req.body);
    } catch (e) {
      if (e instanceof ProtobufDecodeError) throw errors.badRequest(`unable to decode protobuf body: ${e.message}`);
      throw e;
    }
    // Embedded raw JSON (RawExtension) can nest however deep the sender likes.
    if (valueNestsDeeperThan(decoded, MAX_BODY_DEPTH)) throw tooDeep('unable to decode protobuf body');
    return decoded;
  }
  if (type.includes('protobuf')) throw errors.unsupportedMediaType(type);
  if (type && !JSON_TYPES.includes(type) && !YAML_TYPES.includes(type) && type !== '*/*') throw errors.unsupportedMediaType(type);
  if (!text.trim()) throw errors.badRequest('the body of the request was empty');
  if (YAML_TYPES.includes(type)) {
    let decoded: unknown;
    try {
      // maxAliasCount bounds alias expansion (a "billion laughs" document fails here). Tags beyond the
      // core schema (!!binary, !!set, !!timestamp ...) stay strings, as upstream's YAML-to-JSON has them:
      // a Uint8Array, Set or Date is no JSON value.
      decoded = parseYaml(text, { maxAliasCount: 100, resolveKnownTags: false, logLevel: 'error' });
    } catch (e) {
      throw errors.badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
    }
    if (valueNestsDeeperThan(decoded, MAX_BODY_DEPTH)) throw tooDeep('error converting YAML to JSON');
    const unsupported = nonFiniteNumber(decoded);
    if (unsupported !== undefined) throw errors.badRequest(`error converting YAML to JSON: json: unsupported value: ${unsupported}`);
    return decoded;
  }
  checkJsonTextDepth(text);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

/** The first number JSON cannot hold (YAML's .inf, .nan, 1e400), as Go prints it; undefined when there is none. */
function nonFiniteNumber(value: unknown): string | undefined {
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push(child);
  }
  return undefined;
}

/** Decodes a body that must be a Kubernetes object of the addressed kind. */
export function decodeObject(req: ApiRequest, expected: { apiVersion: string; kind: string }): KubeObject {
  const body = decodeBody(req);
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.badRequest('the body of the request must be a JSON object');
  }
  const obj = body as KubeObject;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw errors.badRequest('metadata must be an object');
  if (obj.kind !== undefined && obj.kind !== expected.kind) {
    throw errors.badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${expected.kind})`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== expected.apiVersion) {
    throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected.apiVersion})`);
  }
  obj.apiVersion = expected.apiVersion;
  obj.kind = expected.kind;
  return obj;
}

/** `dryRun=All` makes a write do everything but store. Other values are rejected as upstream does. */
export function isDryRun(req: ApiRequest): boolean {
  const values = req.query.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw errors.badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.length > 0;
}

/** The field manager: the `fieldManager` parameter, else the user agent's program name. */
export function fieldManager(req: ApiRequest): string {
  const explicit = req.query.get('fieldManager');
  if (explicit !== null) {
    if (explicit.length === 0 || explicit.length > 128) throw errors.badRequest('fieldManager: Invalid value: must be 1-128 characters');
    return explicit;
  }
  const ua = req.headers['user-agent'] ?? 'unknown';
  return ua.split('/')[0] || 'unknown';
}
