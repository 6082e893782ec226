/**
 * JSON types checked the way upstream's typed decoder checks them, for the parts of an object the
 * server reads as typed: every object's metadata, and a CustomResourceDefinition's spec. A member
 * of the wrong type (`metadata.name: 5`, `finalizers: "x"`, `format: 1`, `enum: "x"`) is a 400
 * naming the field, before anything reads it; a `null` member is its zero value, as Go decodes it
 * (dropped, or an empty string/schema inside a list or map). Without this, an object could be
 * stored under a name that is no string (and never be found again), and a definition could break
 * the schema walkers, OpenAPI and every write of its kind.
 */
import { errors } from '../errors.ts';
import type { KubeObject } from '../../core/types.ts';

type Shape =
  | 'string' | 'number' | 'int' | 'bool' | 'any'
  | 'schema' | 'schemaOrBool' | 'schemaOrArray' | 'schemaOrStrings'
  | { list: Shape }
  | { map: Shape }
  | { fields: Record<string, Shape>; struct: string };

const strings: Shape = { list: 'string' };
const schemas: Shape = { list: 'schema' };

const SCHEMA_FIELDS: Record<string, Shape> = {
  id: 'string', $schema: 'string', $ref: 'string', description: 'string', type: 'string', format: 'string', title: 'string', pattern: 'string',
  default: 'any', example: 'any', enum: { list: 'any' },
  maximum: 'number', minimum: 'number', multipleOf: 'number',
  exclusiveMaximum: 'bool', exclusiveMinimum: 'bool', uniqueItems: 'bool', nullable: 'bool',
  maxLength: 'int', minLength: 'int', maxItems: 'int', minItems: 'int', maxProperties: 'int', minProperties: 'int',
  required: strings, allOf: schemas, oneOf: schemas, anyOf: schemas, not: 'schema',
  properties: { map: 'schema' }, patternProperties: { map: 'schema' }, definitions: { map: 'schema' }, dependencies: { map: 'schemaOrStrings' },
  additionalProperties: 'schemaOrBool', additionalItems: 'schemaOrBool', items: 'schemaOrArray',
  externalDocs: { struct: 'ExternalDocumentation', fields: { description: 'string', url: 'string' } },
  'x-kubernetes-preserve-unknown-fields': 'bool', 'x-kubernetes-embedded-resource': 'bool', 'x-kubernetes-int-or-string': 'bool',
  'x-kubernetes-list-type': 'string', 'x-kubernetes-list-map-keys': strings, 'x-kubernetes-map-type': 'string',
  'x-kubernetes-validations': { list: { struct: 'ValidationRule', fields: { rule: 'string', message: 'string', messageExpression: 'string', reason: 'string', fieldPath: 'string', optionalOldSelf: 'bool' } } },
};

const OBJECT_META: Shape = {
  struct: 'ObjectMeta',
  fields: {
    name: 'string', generateName: 'string', namespace: 'string', selfLink: 'string', uid: 'string', resourceVersion: 'string',
    generation: 'int', deletionGracePeriodSeconds: 'int', creationTimestamp: 'string', deletionTimestamp: 'string',
    labels: { map: 'string' }, annotations: { map: 'string' }, finalizers: strings,
    ownerReferences: { list: { struct: 'OwnerReference', fields: { apiVersion: 'string', kind: 'string', name: 'string', uid: 'string', controller: 'bool', blockOwnerDeletion: 'bool' } } },
    managedFields: { list: { struct: 'ManagedFieldsEntry', fields: { manager: 'string', operation: 'string', apiVersion: 'string', time: 'string', fieldsType: 'string', subresource: 'string', fieldsV1: { map: 'any' } } } },
  },
};

const CRD_SPEC: Shape = {
  struct: 'CustomResourceDefinitionSpec',
  fields: {
    group: 'string',
    scope: 'string',
    preserveUnknownFields: 'bool',
    names: { struct: 'CustomResourceDefinitionNames', fields: { plural: 'string', singular: 'string', kind: 'string', listKind: 'string', shortNames: strings, categories: strings } },
    versions: {
      list: {
        struct: 'CustomResourceDefinitionVersion',
        fields: {
          name: 'string', served: 'bool', storage: 'bool', deprecated: 'bool', deprecationWarning: 'string',
          schema: { struct: 'CustomResourceValidation', fields: { openAPIV3Schema: 'schema' } },
          subresources: { struct: 'CustomResourceSubresources', fields: { status: { map: 'any' }, scale: { struct: 'CustomResourceSubresourceScale', fields: { specReplicasPath: 'string', statusReplicasPath: 'string', labelSelectorPath: 'string' } } } },
          additionalPrinterColumns: { list: { struct: 'CustomResourceColumnDefinition', fields: { name: 'string', type: 'string', format: 'string', description: 'string', priority: 'int', jsonPath: 'string' } } },
          selectableFields: { list: { struct: 'SelectableField', fields: { jsonPath: 'string' } } },
        },
      },
    },
    conversion: { struct: 'CustomResourceConversion', fields: { strategy: 'string', webhook: { struct: 'WebhookConversion', fields: { conversionReviewVersions: strings, clientConfig: { map: 'any' } } } } },
  },
};

/** The Go type a shape decodes into, as the decoder names it. */
function goType(shape: Shape): string {
  if (typeof shape === 'string') {
    return ({ string: 'string', number: 'float64', int: 'int64', bool: 'bool', any: 'v1.JSON' } as Record<string, string>)[shape] ?? 'v1.JSONSchemaProps';
  }
  if ('list' in shape) return `[]${goType(shape.list)}`;
  if ('map' in shape) return `map[string]${goType(shape.map)}`;
  return `v1.${shape.struct}`;
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'number' : `number ${v}`;
  return typeof v;
}

/** The zero value a `null` list or map member decodes to. */
function zero(shape: Shape): unknown {
  if (shape === 'string') return '';
  if (shape === 'number' || shape === 'int') return 0;
  if (shape === 'bool') return false;
  if (shape === 'any') return null;
  if (typeof shape === 'object' && 'list' in shape) return [];
  return {};
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What is decoded, for the message: `<Kind> in version "<version>" cannot be handled as a <Kind>`. */
interface Decoding { kind: string; version: string }

/**
 * Checks `v` (not null) against `shape`. `struct` is the Go struct holding the member, `path` its
 * field path from the object (map keys and list indexes left out), as Go's decoder reports them.
 */
function check(v: unknown, shape: Shape, struct: string, path: string, what: Decoding): void {
  const wrong = (goType: string): never => {
    throw errors.badRequest(`${what.kind} in version "${what.version}" cannot be handled as a ${what.kind}: json: cannot unmarshal ${jsonType(v)} into Go struct field ${struct}.${path} of type ${goType}`);
  };
  switch (shape) {
    case 'any':
      return;
    case 'string':
      if (typeof v !== 'string') wrong('string');
      return;
    case 'number':
      if (typeof v !== 'number') wrong('float64');
      return;
    case 'int':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) wrong('int64');
      return;
    case 'bool':
      if (typeof v !== 'boolean') wrong('bool');
      return;
    case 'schema':
      if (!isObject(v)) wrong('v1.JSONSchemaProps');
      members(v as Record<string, unknown>, SCHEMA_FIELDS, 'JSONSchemaProps', path, what);
      return;
    case 'schemaOrBool':
      if (typeof v !== 'boolean') check(v, 'schema', struct, path, what);
      return;
    case 'schemaOrArray':
      check(v, Array.isArray(v) ? schemas : 'schema', struct, path, what);
      return;
    case 'schemaOrStrings':
      check(v, Array.isArray(v) ? strings : 'schema', struct, path, what);
      return;
  }
  if ('list' in shape) {
    if (!Array.isArray(v)) return wrong(goType(shape));
    v.forEach((item, i) => {
      if (item === null) v[i] = zero(shape.list);
      else check(item, shape.list, struct, path, what);
    });
  } else if ('map' in shape) {
    if (!isObject(v)) return wrong(goType(shape));
    for (const [k, item] of Object.entries(v)) {
      if (item === null) v[k] = zero(shape.map);
      else check(item, shape.map, struct, path, what);
    }
  } else {
    if (!isObject(v)) return wrong(goType(shape));
    members(v, shape.fields, shape.struct, path, what);
  }
}

function members(obj: Record<string, unknown>, fields: Record<string, Shape>, struct: string, path: string, what: Decoding): void {
  for (const [k, shape] of Object.entries(fields)) {
    if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
    if (obj[k] === null) delete obj[k];
    else check(obj[k], shape, struct, `${path}.${k}`, what);
  }
}

/**
 * Throws a 400 when a member the server reads as typed has the wrong JSON type: the metadata of
 * any object, the spec of a CustomResourceDefinition. Normalizes `null` members in place.
 */
export function checkDecodedTypes(obj: KubeObject, info: { group: string; version: string; kind: string }): void {
  const what = { kind: info.kind, version: info.version };
  if (obj.metadata !== null && obj.metadata !== undefined) check(obj.metadata, OBJECT_META, info.kind, 'metadata', what);
  if (info.group === 'apiextensions.k8s.io' && info.kind === 'CustomResourceDefinition' && obj.spec !== null && obj.spec !== undefined) {
    check(obj.spec, CRD_SPEC, info.kind, 'spec', what);
  }
}
