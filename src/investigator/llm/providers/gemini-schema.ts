/**
 * JSON Schema (as zod's toJSONSchema writes it) → the OpenAPI-style Schema Gemini accepts in
 * function declarations. Gemini refuses keywords it does not know (additionalProperties, const,
 * $ref, oneOf, ...), has no `null` type (it has `nullable`) and only string enums, so the schema is
 * rebuilt from an allow-list rather than passed through.
 */
import type { Schema } from '@google/genai';

type Json = Record<string, unknown>;

const TYPES: Record<string, string> = { string: 'STRING', number: 'NUMBER', integer: 'INTEGER', boolean: 'BOOLEAN', array: 'ARRAY', object: 'OBJECT' };
/** Formats Gemini understands, per type; others are dropped (their meaning goes into nothing worse than a looser check). */
const FORMATS: Record<string, ReadonlySet<string>> = {
  STRING: new Set(['enum', 'date-time']),
  INTEGER: new Set(['int32', 'int64']),
  NUMBER: new Set(['float', 'double']),
};
/** Bounds recursive ($ref) schemas, which Gemini cannot express anyway. */
const MAX_DEPTH = 12;

export function toGeminiSchema(schema: Json): Schema {
  return convert(schema, schema, 0);
}

function convert(node: unknown, root: Json, depth: number): Schema {
  if (depth > MAX_DEPTH || !node || typeof node !== 'object') return {};
  let s = node as Json;
  s = resolveRef(s, root, depth);
  const out: Record<string, unknown> = {};

  // allOf of one schema (zod writes it for refinements) is that schema; a real intersection is beyond Gemini.
  if (Array.isArray(s.allOf) && s.allOf.length === 1) return mergeDescription(convert(s.allOf[0], root, depth + 1), s);

  const alternatives = (Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined) as unknown[] | undefined;
  if (alternatives) {
    const nonNull = alternatives.filter((a) => !isNullSchema(a));
    const nullable = nonNull.length < alternatives.length;
    if (nonNull.length === 1) {
      const single = mergeDescription(convert(nonNull[0], root, depth + 1), s);
      return nullable ? { ...single, nullable: true } : single;
    }
    out.anyOf = nonNull.map((a) => convert(a, root, depth + 1));
    if (nullable) out.nullable = true;
    copyAnnotations(s, out);
    return out as Schema;
  }

  let type = s.type;
  if (Array.isArray(type)) {
    const kinds = type.filter((t) => t !== 'null');
    if (kinds.length < type.length) out.nullable = true;
    if (kinds.length > 1) {
      out.anyOf = kinds.map((k) => convert({ ...s, type: k }, root, depth + 1));
      copyAnnotations(s, out);
      return out as Schema;
    }
    type = kinds[0];
  }
  let values: unknown[] | undefined = Array.isArray(s.enum) ? s.enum : 'const' in s ? [s.const] : undefined;
  if (type === undefined && values?.length) type = typeof values[0] === 'number' ? 'number' : typeof values[0] === 'boolean' ? 'boolean' : 'string';
  if (type === undefined && (s.properties || s.required)) type = 'object';
  if (type === undefined && s.items) type = 'array';
  const geminiType = typeof type === 'string' ? TYPES[type] : undefined;
  if (geminiType) out.type = geminiType;

  copyAnnotations(s, out);
  if (values) {
    values = values.filter((v) => v !== null);
    if (values.length && values.every((v) => typeof v === 'string')) {
      out.enum = values;
      if (!geminiType) out.type = 'STRING';
    } else if (values.length) {
      // Only string enums exist in Gemini: say the allowed values instead of dropping them silently.
      out.description = [out.description, `One of: ${values.map((v) => JSON.stringify(v)).join(', ')}.`].filter(Boolean).join(' ');
    }
  }
  if (typeof s.format === 'string' && geminiType && FORMATS[geminiType]?.has(s.format)) out.format = s.format;
  for (const k of ['minimum', 'maximum'] as const) if (typeof s[k] === 'number') out[k] = s[k];
  for (const k of ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties'] as const) {
    if (typeof s[k] === 'number' && Number.isSafeInteger(s[k])) out[k] = String(s[k]);
  }
  if (typeof s.pattern === 'string' && geminiType === 'STRING') out.pattern = s.pattern;

  if (geminiType === 'ARRAY') out.items = s.items && typeof s.items === 'object' && !Array.isArray(s.items) ? convert(s.items, root, depth + 1) : { type: 'STRING' };
  if (geminiType === 'OBJECT' && s.properties && typeof s.properties === 'object') {
    const properties: Record<string, Schema> = {};
    for (const [name, sub] of Object.entries(s.properties as Json)) properties[name] = convert(sub, root, depth + 1);
    out.properties = properties;
    if (Array.isArray(s.required)) {
      const required = s.required.filter((r): r is string => typeof r === 'string' && r in properties);
      if (required.length) out.required = required;
    }
  }
  return out as Schema;
}

function copyAnnotations(s: Json, out: Record<string, unknown>): void {
  if (typeof s.description === 'string' && s.description) out.description = s.description;
  if (typeof s.title === 'string' && s.title) out.title = s.title;
  if (s.default !== undefined && s.default !== null && typeof s.default !== 'object') out.default = s.default;
}

function mergeDescription(converted: Schema, outer: Json): Schema {
  if (typeof outer.description === 'string' && outer.description && !converted.description) return { ...converted, description: outer.description };
  return converted;
}

function isNullSchema(s: unknown): boolean {
  if (!s || typeof s !== 'object') return false;
  const t = (s as Json).type;
  return t === 'null' || ((s as Json).const === null && t === undefined);
}

/** Local references (`#/$defs/X`, `#/definitions/X`), which zod emits for reused or recursive schemas. */
function resolveRef(s: Json, root: Json, depth: number): Json {
  let current = s;
  for (let hops = 0; typeof current.$ref === 'string' && hops < 8 && depth < MAX_DEPTH; hops++) {
    const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(current.$ref as string);
    const defs = m ? (root[m[1]] as Json | undefined) : undefined;
    const target = m && defs ? (defs[decodeURIComponent(m[2])] as Json | undefined) : undefined;
    if (!target) return { ...current, $ref: undefined, type: 'object' };
    const { $ref: _ref, ...siblings } = current;
    current = { ...target, ...siblings };
  }
  return current;
}
