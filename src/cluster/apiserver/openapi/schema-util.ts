/**
 * Small helpers shared by the OpenAPI builders: schema objects, `$ref`s and the v3 -> v2 rewrite.
 * Schemas are built in OpenAPI v3 form (refs to `#/components/schemas/...`) and treated as
 * immutable once built, so documents can share them.
 */

/** An OpenAPI schema object (v3 form unless stated otherwise). */
export type Schema = { [key: string]: any };

export interface GVK {
  group: string;
  version: string;
  kind: string;
}

export const V3_REF_PREFIX = '#/components/schemas/';
export const V2_REF_PREFIX = '#/definitions/';

export const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const OBJECT_META = `${META_V1}.ObjectMeta`;
export const LIST_META = `${META_V1}.ListMeta`;
export const STATUS = `${META_V1}.Status`;
export const DELETE_OPTIONS = `${META_V1}.DeleteOptions`;
export const PATCH = `${META_V1}.Patch`;
export const WATCH_EVENT = `${META_V1}.WatchEvent`;
export const TIME = `${META_V1}.Time`;
export const MICRO_TIME = `${META_V1}.MicroTime`;
export const FIELDS_V1 = `${META_V1}.FieldsV1`;
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';
export const SCALE = 'io.k8s.api.autoscaling.v1.Scale';

export const DESCRIPTIONS = {
  apiVersion:
    'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
  kind: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
  objectMetadata:
    "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  listMetadata:
    'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
  spec: (kind: string) =>
    `Spec defines the desired state of the ${kind}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status`,
  status: (kind: string) =>
    `Status is the most recently observed state of the ${kind}. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status`,
  items: (kind: string) => `List of ${kind} objects.`,
};

export function ref(name: string): Schema {
  return { $ref: V3_REF_PREFIX + name };
}

/** A property pointing at a named schema, with its own description (v3 wraps refs in allOf). */
export function refProperty(name: string, description?: string): Schema {
  return description ? { allOf: [ref(name)], description } : ref(name);
}

/** The definition name a `$ref` points to. */
export function refName(value: string): string {
  const at = value.lastIndexOf('/');
  return at >= 0 ? value.slice(at + 1) : value;
}

/** Every definition name referenced anywhere inside a schema. */
export function collectRefs(schema: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) collectRefs(item, into);
  } else if (schema && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string') into.add(refName(value));
      else if (typeof value === 'object') collectRefs(value, into);
    }
  }
  return into;
}

/** Names of definitions reachable from `roots` (including them) through `$ref`s. */
export function closure(roots: Iterable<string>, lookup: (name: string) => Schema | undefined): Map<string, Schema> {
  const out = new Map<string, Schema>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (out.has(name)) continue;
    const schema = lookup(name);
    if (!schema) continue;
    out.set(name, schema);
    for (const r of collectRefs(schema)) if (!out.has(r)) queue.push(r);
  }
  return out;
}

/** Keywords Swagger 2.0 does not have. */
const NOT_IN_V2 = new Set(['nullable', 'anyOf', 'oneOf', 'not']);

/**
 * Rewrites a v3 schema for swagger 2.0: refs point into `#/definitions/`, a single-element
 * `allOf` around a `$ref` becomes the `$ref` itself (v2 allows siblings next to `$ref` in
 * practice, and kubectl reads them), and v3-only keywords are dropped.
 */
export function toV2Schema(schema: unknown): any {
  if (Array.isArray(schema)) return schema.map(toV2Schema);
  if (!schema || typeof schema !== 'object') return schema;
  const src = schema as Schema;
  const out: Schema = {};
  if (src.type === undefined && Array.isArray(src.oneOf) && src.oneOf.some((s: Schema) => s?.type === 'string')) {
    // v2 has no oneOf: a string-or-number (Quantity, IntOrString) is published as a string.
    out.type = 'string';
  }
  if (Array.isArray(src.allOf) && src.allOf.length === 1 && typeof src.allOf[0]?.$ref === 'string') {
    out.$ref = V2_REF_PREFIX + refName(src.allOf[0].$ref);
  }
  for (const [key, value] of Object.entries(src)) {
    if (NOT_IN_V2.has(key) || (key === 'allOf' && out.$ref)) continue;
    if (key === 'default' && out.$ref) continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = V2_REF_PREFIX + refName(value);
    else if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      const props: Schema = {};
      for (const [name, prop] of Object.entries(value as Schema)) props[name] = toV2Schema(prop);
      out[key] = props;
    } else if (key === 'enum' || key === 'default' || key === 'example' || key.startsWith('x-')) out[key] = value;
    else out[key] = toV2Schema(value);
  }
  return out;
}

export function sortedObject<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) out[k] = v;
  return out;
}
