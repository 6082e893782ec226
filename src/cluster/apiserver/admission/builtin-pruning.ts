/**
 * Unknown fields of built-in kinds. kube-apiserver decodes a built-in object into its Go type, so a
 * field the type does not declare (`spec.replica` for `spec.replicas`) never reaches storage: it is
 * dropped and reported (fieldValidation Warn/Strict). Here the OpenAPI schema of the kind stands in
 * for the Go type: every field the schema does not declare is removed and its path returned.
 */
import { builtinSchemas, type BuiltinSchemas } from '../openapi/builtin-schemas.ts';
import { refName, type GVK, type Schema } from '../openapi/schema-util.ts';
import type { KubeObject } from '../../core/types.ts';

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Follows `$ref` and the single-entry `allOf` that wraps a described reference. */
function resolve(schemas: BuiltinSchemas, schema: Schema | undefined): Schema | undefined {
  let s = schema;
  for (let hops = 0; s && hops < 8; hops++) {
    if (typeof s.$ref === 'string') s = schemas.definition(refName(s.$ref));
    else if (Array.isArray(s.allOf) && s.allOf.length === 1) s = s.allOf[0] as Schema;
    else return s;
  }
  return s;
}

/**
 * Removes the fields `obj` carries that the schema of its built-in kind does not declare; returns
 * their paths (`spec.replica`, `spec.template.spec.containers[0].imagePullPolicyy`). Free-form parts
 * (RawExtension, JSON, fields whose type the schema leaves open) are kept whole. Kinds without a
 * known schema are left alone. Walks with an explicit stack, in document order for stable reports.
 */
export function pruneBuiltinUnknownFields(gvk: GVK, obj: KubeObject, schemas: BuiltinSchemas = builtinSchemas()): string[] {
  const name = schemas.kindDefinition(gvk);
  if (!name) return [];
  const pruned: string[] = [];
  const pending: Array<{ value: unknown; schema: Schema | undefined; path: string }> = [{ value: obj, schema: schemas.definition(name), path: '' }];
  while (pending.length > 0) {
    const { value, schema: declared, path } = pending.pop()!;
    const schema = resolve(schemas, declared);
    if (!schema) continue;
    const children: typeof pending = [];
    if (Array.isArray(value)) {
      const items = schema.items as Schema | undefined;
      if (items) value.forEach((v, i) => children.push({ value: v, schema: items, path: `${path}[${i}]` }));
    } else if (isRecord(value)) {
      const properties = isRecord(schema.properties) ? (schema.properties as Record<string, Schema>) : undefined;
      const additional = isRecord(schema.additionalProperties) ? (schema.additionalProperties as Schema) : undefined;
      const open = schema['x-kubernetes-preserve-unknown-fields'] === true || schema.additionalProperties === true;
      for (const key of Object.keys(value)) {
        const at = path ? `${path}.${key}` : key;
        const field = properties && Object.hasOwn(properties, key) ? properties[key] : additional;
        if (field) children.push({ value: value[key], schema: field, path: at });
        else if (properties && !open) {
          delete value[key];
          pruned.push(at);
        }
      }
    }
    // Reversed onto the stack, so fields are visited (and reported) in document order.
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]);
  }
  return pruned;
}
