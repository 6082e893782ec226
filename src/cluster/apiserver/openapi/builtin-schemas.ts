/**
 * OpenAPI schemas of the built-in Kubernetes types, derived from the client-node model catalog
 * (see client-node-catalog.ts) plus the handful of apimachinery types the generator flattens
 * away (Time, Quantity, IntOrString, RawExtension ...).
 *
 * Schemas are built on demand, one definition at a time, and memoized for the life of the
 * process: the catalog is read once (about 0.2 s) on the first request that needs it.
 */
import { ClientNodeCatalog, clientNodeCatalog, splitClassName, type Attribute } from './client-node-catalog.ts';
import {
  DESCRIPTIONS,
  FIELDS_V1,
  INT_OR_STRING,
  MICRO_TIME,
  OBJECT_META,
  PATCH,
  QUANTITY,
  RAW_EXTENSION,
  TIME,
  closure,
  ref,
  refName,
  refProperty,
  type GVK,
  type Schema,
} from './schema-util.ts';

const APIEXT_V1 = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';

/** apimachinery types that the client-node generator turns into plain strings/objects. */
const SYNTHETIC: Record<string, Schema> = {
  [TIME]: {
    description:
      'Time is a timestamp serialized as an RFC 3339 string in UTC with second precision, for example "2024-01-02T15:04:05Z".',
    type: 'string',
    format: 'date-time',
  },
  [MICRO_TIME]: {
    description: 'MicroTime is a timestamp with microsecond precision, serialized as an RFC 3339 string.',
    type: 'string',
    format: 'date-time',
  },
  [QUANTITY]: {
    description:
      'Quantity is a fixed-point representation of a number, written as a string such as "100m", "1.5", "2Gi" or "1e3" (a number followed by an optional binary, decimal or exponent suffix).',
    // No `type`: kubectl explain then names the field's type "Quantity" rather than "string".
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
  [INT_OR_STRING]: {
    description: 'IntOrString holds either an integer or a string, for example a port number or a port name, or "25%".',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    'x-kubernetes-int-or-string': true,
  },
  [RAW_EXTENSION]: {
    description: 'RawExtension holds an embedded object of any kind, serialized as JSON.',
    type: 'object',
  },
  [FIELDS_V1]: {
    description:
      'FieldsV1 stores a set of fields in a trie-like JSON form: each key is "f:<name>", "v:<value>", "k:<keys>" or "i:<index>", and "." marks the field itself.',
    type: 'object',
  },
  [PATCH]: {
    description: 'Patch is the body of a PATCH request; its format depends on the request Content-Type.',
    type: 'object',
  },
  [`${APIEXT_V1}.JSON`]: {
    description: 'JSON is any valid JSON value: boolean, number, string, array, object or null.',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  [`${APIEXT_V1}.JSONSchemaPropsOrArray`]: {
    description: 'JSONSchemaPropsOrArray is either a single schema or an array of schemas.',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  [`${APIEXT_V1}.JSONSchemaPropsOrBool`]: {
    description: 'JSONSchemaPropsOrBool is either a schema or a boolean (true allows anything, false nothing).',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  [`${APIEXT_V1}.JSONSchemaPropsOrStringArray`]: {
    description: 'JSONSchemaPropsOrStringArray is either a schema or an array of strings.',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  [`${APIEXT_V1}.CustomResourceSubresourceStatus`]: {
    description:
      'CustomResourceSubresourceStatus enables the /status subresource: the status stanza is only updated through it, and updates through the main resource ignore it.',
    type: 'object',
  },
};

/** `any`-typed fields whose real type is a named schema. */
const ANY_FIELDS: Record<string, string> = {
  'ManagedFieldsEntry.fieldsV1': FIELDS_V1,
  'JSONSchemaProps.default': `${APIEXT_V1}.JSON`,
  'JSONSchemaProps.example': `${APIEXT_V1}.JSON`,
  'JSONSchemaProps.items': `${APIEXT_V1}.JSONSchemaPropsOrArray`,
  'JSONSchemaProps.additionalItems': `${APIEXT_V1}.JSONSchemaPropsOrBool`,
  'JSONSchemaProps.additionalProperties': `${APIEXT_V1}.JSONSchemaPropsOrBool`,
  'JSONSchemaProps.dependencies': `${APIEXT_V1}.JSONSchemaPropsOrStringArray`,
  'JSONSchemaProps.enum': `${APIEXT_V1}.JSON`,
  'CustomResourceSubresources.status': `${APIEXT_V1}.CustomResourceSubresourceStatus`,
};

/**
 * Fields holding resource.Quantity values (the generator types them as plain strings).
 * Keyed by type name without version prefix.
 */
const QUANTITY_FIELDS = new Set([
  'ResourceRequirements.limits',
  'ResourceRequirements.requests',
  'VolumeResourceRequirements.limits',
  'VolumeResourceRequirements.requests',
  'ContainerStatus.allocatedResources',
  'LimitRangeItem.default',
  'LimitRangeItem.defaultRequest',
  'LimitRangeItem.max',
  'LimitRangeItem.min',
  'LimitRangeItem.maxLimitRequestRatio',
  'NodeStatus.allocatable',
  'NodeStatus.capacity',
  'Overhead.podFixed',
  'PodSpec.overhead',
  'PersistentVolumeClaimStatus.allocatedResources',
  'PersistentVolumeClaimStatus.capacity',
  'PersistentVolumeSpec.capacity',
  'ResourceQuotaSpec.hard',
  'ResourceQuotaStatus.hard',
  'ResourceQuotaStatus.used',
  'EmptyDirVolumeSource.sizeLimit',
  'CSIStorageCapacity.capacity',
  'CSIStorageCapacity.maximumVolumeSize',
  'MetricTarget.value',
  'MetricTarget.averageValue',
  'MetricValueStatus.value',
  'MetricValueStatus.averageValue',
  'CapacityRequirements.requests',
  'DeviceRequestAllocationResult.consumedCapacity',
  'DeviceCapacity.value',
  'CapacityRequestPolicy.default',
  'CapacityRequestPolicyRange.max',
  'CapacityRequestPolicyRange.min',
  'CapacityRequestPolicyRange.step',
]);

/**
 * Strategic-merge-patch metadata of the lists kubectl most often applies (`merge` + key), so
 * client-side `kubectl apply` computes list patches that merge items instead of replacing the
 * list. Keyed by definition name, then field.
 */
export const PATCH_STRATEGIES: Readonly<Record<string, Record<string, [strategy: string, mergeKey?: string]>>> = {
  'io.k8s.api.core.v1.PodSpec': {
    containers: ['merge', 'name'],
    initContainers: ['merge', 'name'],
    ephemeralContainers: ['merge', 'name'],
    volumes: ['merge,retainKeys', 'name'],
    imagePullSecrets: ['merge', 'name'],
    hostAliases: ['merge', 'ip'],
    topologySpreadConstraints: ['merge', 'topologyKey'],
    resourceClaims: ['merge,retainKeys', 'name'],
    schedulingGates: ['merge', 'name'],
  },
  'io.k8s.api.core.v1.Container': {
    env: ['merge', 'name'],
    ports: ['merge', 'containerPort'],
    volumeMounts: ['merge', 'mountPath'],
    volumeDevices: ['merge', 'devicePath'],
  },
  'io.k8s.api.core.v1.EphemeralContainer': {
    env: ['merge', 'name'],
    ports: ['merge', 'containerPort'],
    volumeMounts: ['merge', 'mountPath'],
    volumeDevices: ['merge', 'devicePath'],
  },
  'io.k8s.api.core.v1.PodStatus': {
    conditions: ['merge', 'type'],
    podIPs: ['merge', 'ip'],
    hostIPs: ['merge', 'ip'],
    resourceClaimStatuses: ['merge,retainKeys', 'name'],
  },
  'io.k8s.api.core.v1.ServiceSpec': { ports: ['merge', 'port'] },
  'io.k8s.api.core.v1.ServiceStatus': { conditions: ['merge', 'type'] },
  'io.k8s.api.core.v1.ServiceAccount': { secrets: ['merge', 'name'] },
  'io.k8s.api.core.v1.NodeSpec': { podCIDRs: ['merge'] },
  'io.k8s.api.core.v1.NodeStatus': { conditions: ['merge', 'type'], addresses: ['merge', 'type'] },
  'io.k8s.api.core.v1.NamespaceStatus': { conditions: ['merge', 'type'] },
  'io.k8s.api.core.v1.PersistentVolumeClaimStatus': { conditions: ['merge', 'type'] },
  [OBJECT_META]: { finalizers: ['merge'], ownerReferences: ['merge', 'uid'] },
  'io.k8s.api.apps.v1.DeploymentSpec': { strategy: ['retainKeys'] },
  'io.k8s.api.apps.v1.DeploymentStatus': { conditions: ['merge', 'type'] },
  'io.k8s.api.apps.v1.StatefulSetStatus': { conditions: ['merge', 'type'] },
  'io.k8s.api.apps.v1.DaemonSetStatus': { conditions: ['merge', 'type'] },
  'io.k8s.api.apps.v1.ReplicaSetStatus': { conditions: ['merge', 'type'] },
  'io.k8s.api.batch.v1.JobStatus': { conditions: ['merge', 'type'] },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus': { conditions: ['merge', 'type'] },
  'io.k8s.api.policy.v1.PodDisruptionBudgetStatus': { conditions: ['merge', 'type'] },
};

const PRIMITIVES: Record<string, Schema> = {
  string: { type: 'string' },
  boolean: { type: 'boolean' },
};

/** Splits `{ [key: string]: X; }` / `Array<X>` into the element type. */
function unwrap(type: string): { kind: 'array' | 'map' | 'plain'; inner: string } {
  const t = type.trim();
  let m = /^Array<(.+)>$/.exec(t);
  if (m) return { kind: 'array', inner: m[1] };
  m = /^\{ \[key: string\]: (.+); \}$/.exec(t);
  if (m) return { kind: 'map', inner: m[1] };
  return { kind: 'plain', inner: t };
}

export class BuiltinSchemas {
  private readonly byName = new Map<string, string>(); // definition name -> class
  private readonly built = new Map<string, Schema | null>();

  constructor(readonly catalog: ClientNodeCatalog = clientNodeCatalog()) {
    // Prefer the group-prefixed class when a stale unprefixed duplicate maps to the same name.
    for (const [cls, name] of catalog.definitionNames) {
      const existing = this.byName.get(name);
      if (!existing || splitClassName(cls)?.group !== undefined) this.byName.set(name, cls);
    }
  }

  /** The definition name of a served built-in kind, if client-node knows it. */
  kindDefinition(gvk: GVK): string | undefined {
    const cls = this.catalog.classForKind(gvk.group, gvk.version, gvk.kind);
    return cls ? this.catalog.definitionNames.get(cls) : undefined;
  }

  /** One definition (v3 form), or undefined when unknown. */
  definition(name: string): Schema | undefined {
    const synthetic = SYNTHETIC[name];
    if (synthetic) return synthetic;
    let schema = this.built.get(name);
    if (schema === undefined) {
      const cls = this.byName.get(name);
      schema = cls ? this.buildClass(cls, name) : null;
      if (!schema && this.catalog.classes.size === 0 && name.startsWith('io.k8s.')) {
        // Degraded mode (client-node unreadable): keep documents self-contained.
        schema = {
          description: `${name.slice(name.lastIndexOf('.') + 1)} (schema unavailable).`,
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
        };
      }
      // Shared by every document built from now on: make accidental mutation fail loudly.
      if (schema) deepFreeze(schema);
      this.built.set(name, schema);
    }
    return schema ?? undefined;
  }

  /** The definitions reachable from `roots`. */
  closure(roots: Iterable<string>): Map<string, Schema> {
    return closure(roots, (n) => this.definition(n));
  }

  /** Every definition the catalog can produce (used by the v2 document and tests). */
  allDefinitionNames(): string[] {
    return [...new Set([...this.byName.keys(), ...Object.keys(SYNTHETIC)])];
  }

  private buildClass(cls: string, name: string): Schema {
    const attrs = this.catalog.classes.get(cls) ?? [];
    const docs = this.catalog.docs(cls);
    const base = splitClassName(cls)?.base ?? cls;
    const isObject = attrs.some((a) => a.baseName === 'kind') && attrs.some((a) => a.baseName === 'apiVersion');
    const isList = isObject && attrs.some((a) => a.baseName === 'items') && base.endsWith('List');
    const properties: Schema = {};
    const required: string[] = [];
    const strategies = PATCH_STRATEGIES[name] ?? {};
    for (const attr of attrs) {
      const fieldDoc = docs.fields.get(attr.name) ?? docs.fields.get(attr.baseName);
      const standard = fieldDoc?.description ?? standardFieldDescription(attr, base, isObject, isList);
      const prop = standard
        ? this.propertySchema(attr, `${base}.${attr.baseName}`, standard)
        : this.propertySchema(attr, `${base}.${attr.baseName}`, this.typeDescription(attr), true);
      const strategy = strategies[attr.baseName];
      if (strategy) {
        prop['x-kubernetes-patch-strategy'] = strategy[0];
        if (strategy[1]) prop['x-kubernetes-patch-merge-key'] = strategy[1];
      }
      properties[attr.baseName] = prop;
      if (fieldDoc?.required) required.push(attr.baseName);
    }
    const schema: Schema = {};
    if (docs.description) schema.description = docs.description;
    schema.type = 'object';
    if (attrs.length > 0) schema.properties = properties;
    if (required.length > 0) schema.required = required;
    const gvks = this.catalog.kindsOfClass.get(cls);
    if (gvks && gvks.length > 0) {
      schema['x-kubernetes-group-version-kind'] = gvks.map((g) => ({ group: g.group, kind: g.kind, version: g.version }));
    }
    return schema;
  }

  /**
   * A field of a named type without its own comment (the generator drops those) is described
   * by its type.
   */
  private typeDescription(attr: Attribute): string | undefined {
    const { kind, inner } = unwrap(attr.type);
    return kind === 'plain' && this.catalog.classes.has(inner) ? this.catalog.docs(inner).description : undefined;
  }

  /**
   * `borrowed`: the description is the referenced type's own. It is then put next to the `$ref`
   * rather than around it in an `allOf`, so field lists show it but `kubectl explain <field>`
   * (which prints the field's and the type's descriptions) does not print it twice.
   */
  private propertySchema(attr: Attribute, fieldKey: string, description: string | undefined, borrowed = false): Schema {
    const value = (type: string): Schema => {
      const { kind, inner } = unwrap(type);
      if (kind === 'array') return { type: 'array', items: value(inner) };
      if (kind === 'map') return { type: 'object', additionalProperties: value(inner) };
      if (QUANTITY_FIELDS.has(fieldKey)) return ref(QUANTITY);
      if (inner === 'any') return ref(ANY_FIELDS[fieldKey] ?? RAW_EXTENSION);
      return this.typeSchema(inner, attr.format);
    };
    const schema = value(attr.type);
    if (typeof schema.$ref === 'string') {
      if (borrowed) return description ? { $ref: schema.$ref, description } : schema;
      return refProperty(refName(schema.$ref), description);
    }
    return description ? { description, ...schema } : schema;
  }

  private typeSchema(type: string, format: string): Schema {
    switch (type) {
      case 'string':
        return format ? { type: 'string', format } : { type: 'string' };
      case 'number':
        if (format === 'int32' || format === 'int64') return { type: 'integer', format };
        return format ? { type: 'number', format } : { type: 'number' };
      case 'Date':
        return ref(TIME);
      case 'V1MicroTime':
        return ref(MICRO_TIME);
      case 'IntOrString':
        return ref(INT_OR_STRING);
      default: {
        if (PRIMITIVES[type]) return { ...PRIMITIVES[type] };
        const name = this.catalog.definitionNames.get(type);
        if (name) return ref(name);
        return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      }
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

for (const schema of Object.values(SYNTHETIC)) deepFreeze(schema);

/** The conventional descriptions of metadata/spec/status of top-level objects. */
function standardFieldDescription(attr: Attribute, base: string, isObject: boolean, isList: boolean): string | undefined {
  if (!isObject) return undefined;
  if (attr.baseName === 'metadata') return isList ? DESCRIPTIONS.listMetadata : DESCRIPTIONS.objectMetadata;
  if (attr.baseName === 'spec') return DESCRIPTIONS.spec(base);
  if (attr.baseName === 'status') return DESCRIPTIONS.status(base);
  return undefined;
}

let shared: BuiltinSchemas | undefined;

/** The process-wide built-in schemas (catalog read on first call). */
export function builtinSchemas(): BuiltinSchemas {
  shared ??= new BuiltinSchemas();
  return shared;
}

