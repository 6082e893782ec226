/**
 * What kube-apiserver does with a CustomResourceDefinition's structural schema when a custom
 * resource is written: defaulting, pruning of unknown fields, and validation (OpenAPI value
 * validations, list-type invariants, then the CEL `x-kubernetes-validations` rules).
 *
 * Messages and `field` paths follow the real server: OpenAPI errors use the schema validator's
 * wording (`spec.replicas in body must be of type integer: "string"`), CEL errors use field paths
 * (`spec.labels[key]`), and root-level errors carry the field `<nil>`. On update, errors on values
 * that did not change are dropped ("validation ratcheting"), and CEL rules only run when no
 * blocking schema error (type, enum, required, too long, too many) was found.
 *
 * Intended order for a write: pruneUnknownFields, applySchemaDefaults, validateAgainstSchema.
 */
import { isIP } from 'node:net';
import type { JSONSchemaProps, KubeObject } from '../../core/types.ts';
import { formatFloatShortest, goQuote } from '../../../platform/go-format.ts';
import type { StatusCause } from '../errors.ts';
import {
  compileRule,
  evaluateMessageExpression,
  evaluateRule,
  hasValidationRules,
  toCelValue,
  type CompiledRule,
} from './cel.ts';

type Json = unknown;
type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function setKey(o: JsonObject, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

// ---------------------------------------------------------------------------------------------
// Go-style value formatting (the real server prints values with Go's fmt)
// ---------------------------------------------------------------------------------------------

/** A JSON number as Go prints it after decoding (integers are int64, the rest float64). */
function goNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? String(n) : formatFloatShortest(n);
}

/** Go's `%#v` of a decoded JSON value. */
function goSharpV(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSharpV).join(', ')}}`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[string]interface {}{${keys.map((k) => `${goQuote(k)}:${goSharpV(v[k])}`).join(', ')}}`;
  }
  return String(v);
}

/** How a field error prints its bad value (`field.Error.ErrorBody`). */
export function badValue(v: unknown): string {
  if (v === null || v === undefined) return '"null"';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  return goSharpV(v);
}

// ---------------------------------------------------------------------------------------------
// Field errors
// ---------------------------------------------------------------------------------------------

/** The field of an error at the root of the object. */
const ROOT = '<nil>';

function withDetail(s: string, detail: string): string {
  return detail ? `${s}: ${detail}` : s;
}

/** Builders for field errors, formatted like `field.Error.ErrorBody()`. */
export const fieldError = {
  invalid: (field: string, value: unknown, detail: string): StatusCause => ({
    reason: 'FieldValueInvalid',
    message: withDetail(`Invalid value: ${badValue(value)}`, detail),
    field,
  }),
  typeInvalid: (field: string, value: unknown, detail: string): StatusCause => ({
    reason: 'FieldValueTypeInvalid',
    message: withDetail(`Invalid value: ${badValue(value)}`, detail),
    field,
  }),
  required: (field: string, detail = ''): StatusCause => ({ reason: 'FieldValueRequired', message: withDetail('Required value', detail), field }),
  forbidden: (field: string, detail: string): StatusCause => ({ reason: 'FieldValueForbidden', message: withDetail('Forbidden', detail), field }),
  duplicate: (field: string, value: unknown): StatusCause => ({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${badValue(value)}`, field }),
  notSupported: (field: string, value: unknown, supported: string[]): StatusCause => ({
    reason: 'FieldValueNotSupported',
    message: withDetail(`Unsupported value: ${badValue(value)}`, supported.length ? `supported values: ${supported.map((v) => goQuote(v)).join(', ')}` : ''),
    field,
  }),
  tooLong: (field: string, max: number): StatusCause => ({ reason: 'FieldValueTooLong', message: `Too long: may not be longer than ${max}`, field }),
  tooMany: (field: string, actual: number, max: number): StatusCause => ({
    reason: 'FieldValueTooMany',
    message: `Too many: ${actual}: must have at most ${max} items`,
    field,
  }),
};


// ---------------------------------------------------------------------------------------------
// Defaulting
// ---------------------------------------------------------------------------------------------

function schemaForKey(s: JSONSchemaProps | undefined, key: string): JSONSchemaProps | undefined {
  if (!s) return undefined;
  const p = s.properties?.[key];
  if (p) return p;
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

function pruneNulls(x: unknown, s: JSONSchemaProps | undefined): void {
  if (Array.isArray(x)) {
    for (const v of x) pruneNulls(v, s?.items);
  } else if (isObject(x)) {
    for (const k of Object.keys(x)) {
      const sub = schemaForKey(s, k);
      if (x[k] === null && sub && !sub.nullable && sub.default === undefined) delete x[k];
      else pruneNulls(x[k], sub);
    }
  }
}

function defaultValue(x: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (Array.isArray(x)) {
    const items = s.items;
    for (let i = 0; i < x.length; i++) {
      if (x[i] === null && items && !items.nullable && items.default !== undefined) x[i] = structuredClone(items.default);
      defaultValue(x[i], items);
    }
  } else if (isObject(x)) {
    for (const [k, prop] of Object.entries(s.properties ?? {})) {
      if (prop.default === undefined) continue;
      if (!Object.hasOwn(x, k) || (x[k] === null && !prop.nullable)) setKey(x, k, structuredClone(prop.default));
    }
    const add = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    for (const k of Object.keys(x)) {
      const prop = s.properties?.[k];
      if (prop) {
        defaultValue(x[k], prop);
      } else if (add) {
        if (x[k] === null && !add.nullable && add.default !== undefined) x[k] = structuredClone(add.default);
        defaultValue(x[k], add);
      }
    }
  }
}

/**
 * Applies `default` values where a property is absent (or null while not nullable), recursively,
 * including inside arrays and maps; values under an absent parent are not defaulted. First drops
 * nulls of non-nullable fields that have no default, as the real server does.
 */
export function applySchemaDefaults(obj: unknown, schema: JSONSchemaProps): void {
  if (!schema) return;
  pruneNulls(obj, schema);
  defaultValue(obj, schema);
}

// ---------------------------------------------------------------------------------------------
// Pruning
// ---------------------------------------------------------------------------------------------

const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers',
  'managedFields',
]);
const OWNER_REFERENCE_FIELDS = new Set(['apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion']);
const MANAGED_FIELDS_FIELDS = new Set(['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1', 'subresource']);

function pruneKeys(o: JsonObject, keep: Set<string>, path: string, pruned: string[]): void {
  for (const k of Object.keys(o)) {
    if (!keep.has(k)) {
      delete o[k];
      pruned.push(`${path}.${k}`);
    }
  }
}

function pruneObjectMeta(meta: unknown, path: string, pruned: string[]): void {
  if (!isObject(meta)) return;
  pruneKeys(meta, OBJECT_META_FIELDS, path, pruned);
  const lists: [string, Set<string>][] = [['ownerReferences', OWNER_REFERENCE_FIELDS], ['managedFields', MANAGED_FIELDS_FIELDS]];
  for (const [field, keep] of lists) {
    const list = meta[field];
    if (Array.isArray(list)) list.forEach((e, i) => isObject(e) && pruneKeys(e, keep, `${path}.${field}[${i}]`, pruned));
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function pruneValue(x: unknown, s: JSONSchemaProps | undefined, path: string, isResource: boolean, pruned: string[]): void {
  if (!s) return;
  if (Array.isArray(x)) {
    if (s.items) x.forEach((v, i) => pruneValue(v, s.items, `${path}[${i}]`, !!s.items?.['x-kubernetes-embedded-resource'], pruned));
    return;
  }
  if (!isObject(x)) return;
  if (typeof s.additionalProperties === 'object') {
    const add = s.additionalProperties;
    for (const k of Object.keys(x)) {
      const prop = s.properties?.[k];
      if (prop) pruneValue(x[k], prop, join(path, k), !!prop['x-kubernetes-embedded-resource'], pruned);
      else pruneValue(x[k], add, join(path, k), !!add['x-kubernetes-embedded-resource'], pruned);
    }
    return;
  }
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'] || s.additionalProperties === true;
  for (const k of Object.keys(x)) {
    if (isResource && (k === 'apiVersion' || k === 'kind')) continue;
    if (isResource && k === 'metadata') {
      pruneObjectMeta(x[k], join(path, k), pruned);
      continue;
    }
    const prop = s.properties?.[k];
    if (prop) {
      pruneValue(x[k], prop, join(path, k), !!prop['x-kubernetes-embedded-resource'], pruned);
    } else if (!preserve) {
      delete x[k];
      pruned.push(join(path, k));
    }
  }
}

/**
 * Removes fields the schema does not declare (unless under x-kubernetes-preserve-unknown-fields),
 * returning their paths (`spec.foo`, `spec.items[0].bar`) for warnings / strict field validation.
 * apiVersion, kind and metadata are kept at the root and in embedded resources; metadata keeps
 * only the standard ObjectMeta fields.
 */
export function pruneUnknownFields(obj: KubeObject, schema: JSONSchemaProps): string[] {
  const pruned: string[] = [];
  if (!schema) return pruned;
  pruneValue(obj, schema, '', true, pruned);
  return pruned;
}

// ---------------------------------------------------------------------------------------------
// OpenAPI value validation
// ---------------------------------------------------------------------------------------------

const regexCache = new Map<string, RegExp | null>();

/**
 * V8 compiles a regex on its first match, one-byte and two-byte subjects separately, and only then
 * finds some patterns too large: matching a one-byte and a two-byte string makes it do so here.
 */
function usable(re: RegExp): RegExp {
  re.test('');
  re.test('\u0100');
  return re;
}

function compilePattern(p: string): RegExp | null {
  let re = regexCache.get(p);
  if (re === undefined) {
    try {
      re = usable(new RegExp(p, 'u'));
    } catch {
      try {
        re = usable(new RegExp(p));
      } catch {
        re = null;
      }
    }
    regexCache.set(p, re);
  }
  return re;
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return !!m && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

function isDateTime(s: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2})[tT](\d{2}):(\d{2}):(\d{2})(\.\d+)?([zZ]|[+-](\d{2}):(\d{2}))$/.exec(s);
  if (!m || !isDate(m[1])) return false;
  return Number(m[2]) < 24 && Number(m[3]) < 60 && Number(m[4]) < 60 && (m[7] === undefined || (Number(m[7]) < 24 && Number(m[8]) < 60));
}

const DURATION_UNITS = 'ns|us|µs|ms|s|m|h|d|w|sec|secs|second|seconds|min|mins|minute|minutes|hr|hrs|hour|hours|day|days|wk|wks|week|weeks';
const DURATION_RE = new RegExp(`^[+-]?(\\s*\\d+(\\.\\d+)?\\s*(${DURATION_UNITS})\\s*)+$`);
const HOSTNAME_LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?';
const HOSTNAME_RE = new RegExp(`^${HOSTNAME_LABEL}(?:\\.${HOSTNAME_LABEL})*\\.?$`);

function isIPv4(s: string): boolean {
  return isIP(s) === 4 && s.split('.').every((p) => p === '0' || !p.startsWith('0'));
}

const FORMAT_CHECKS: Record<string, (s: string) => boolean> = {
  datetime: isDateTime,
  date: isDate,
  duration: (s) => DURATION_RE.test(s),
  byte: (s) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s),
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid3: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
  uuid4: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(s),
  uuid5: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(s),
  ipv4: isIPv4,
  ipv6: (s) => isIP(s) === 6,
  cidr: (s) => {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
    if (!m) return false;
    const v = isIP(m[1]);
    return (v === 4 && isIPv4(m[1]) && Number(m[2]) <= 32) || (v === 6 && Number(m[2]) <= 128);
  },
  mac: (s) =>
    /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(s) ||
    /^([0-9a-fA-F]{2}[:-]){7}[0-9a-fA-F]{2}$/.test(s) ||
    /^([0-9a-fA-F]{2}[:-]){19}[0-9a-fA-F]{2}$/.test(s) ||
    /^([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}$/.test(s),
  hostname: (s) => s.length <= 255 && HOSTNAME_RE.test(s),
  email: (s) => /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+$/.test(s),
  uri: (s) => {
    if (s.startsWith('/')) return true;
    if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s)) return false;
    try {
      new URL(s);
      return true;
    } catch {
      return false;
    }
  },
  hexcolor: (s) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s),
  rgbcolor: (s) => {
    const m = /^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$/.exec(s);
    return !!m && [m[1], m[2], m[3]].every((x) => Number(x) <= 255);
  },
  password: () => true,
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  ssn: (s) => /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(s),
  creditcard: (s) => /^\d{13,19}$/.test(s.replace(/[ -]/g, '')),
  isbn10: (s) => /^(?:\d[- ]?){9}[\dX]$/.test(s),
  isbn13: (s) => /^(?:\d[- ]?){12}\d$/.test(s),
  isbn: (s) => /^(?:\d[- ]?){9}[\dX]$/.test(s) || /^(?:\d[- ]?){12}\d$/.test(s),
};

/** The formats the real server validates (others, like int32 or int-or-string, are ignored). */
function supportedFormat(format: string | undefined): string | undefined {
  if (!format) return undefined;
  const name = format.replace(/-/g, '').toLowerCase();
  return name in FORMAT_CHECKS ? name : undefined;
}

function jsonType(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

function schemaTypes(s: JSONSchemaProps): string[] {
  if (s['x-kubernetes-int-or-string']) return ['integer', 'string'];
  return s.type ? [s.type] : [];
}

/** kube-openapi error names become field paths (leading dot trimmed; empty means the root). */
function fieldOf(name: string): string {
  const trimmed = name.startsWith('.') ? name.slice(1) : name;
  return trimmed ? trimmed : ROOT;
}

function composite(message: string): StatusCause {
  return fieldError.invalid(ROOT, '', message);
}

/** Old value correlated with the node being validated (present on update only). */
type Old = { value: unknown } | undefined;

function oldChild(old: Old, key: string): Old {
  if (!old || !isObject(old.value) || !Object.hasOwn(old.value, key)) return undefined;
  return { value: old.value[key] };
}

function boundText(bound: number, integerData: boolean): string {
  return integerData && Number.isInteger(bound) ? String(bound) : formatFloatShortest(bound);
}

function validateNode(v: Json, s: JSONSchemaProps, path: string, old: Old, out: StatusCause[]): void {
  if (old && deepEqual(v, old.value)) return; // ratcheting: unchanged values keep validating
  const types = schemaTypes(s);
  const field = fieldOf(path);

  if (v === null || v === undefined) {
    if (types.length && !s.nullable) out.push(fieldError.typeInvalid(field, 'null', `${path} in body must be of type ${types.join(',')}: "null"`));
    validateEnum(v, s, field, out);
    return;
  }

  // type
  const format = supportedFormat(s.format);
  if (types.length || format) {
    const t = jsonType(v);
    const dataFormat = typeof v === 'number' ? (Number.isInteger(v) ? 'int64' : 'float64') : '';
    const intAsNumber = t === 'integer' && types.includes('number');
    const stringOrArray = typeof v === 'string' || Array.isArray(v);
    if (!stringOrArray && format && !(types.includes(t) || dataFormat === s.format || intAsNumber)) {
      out.push(fieldError.typeInvalid(field, dataFormat, `${path} in body must be of type ${s.format}: ${goQuote(dataFormat)}`));
    } else if (!(!types.includes('number') && !types.includes('integer') && format && stringOrArray)) {
      if (!(types.includes(t) || intAsNumber)) {
        out.push(fieldError.typeInvalid(field, t, `${path} in body must be of type ${types.join(',')}: ${goQuote(t)}`));
      }
    }
  }

  if (s.allOf || s.anyOf || s.oneOf || s.not) validateComposition(v, s, path, old, out);

  if (typeof v === 'string') {
    const len = s.maxLength !== undefined || s.minLength !== undefined ? [...v].length : 0;
    if (s.maxLength !== undefined && len > s.maxLength) {
      out.push(fieldError.tooLong(field, s.maxLength));
    } else if (s.minLength !== undefined && len < s.minLength) {
      out.push(fieldError.invalid(field, v, `${path} in body should be at least ${s.minLength} chars long`));
    } else if (s.pattern) {
      const re = compilePattern(s.pattern);
      if (re && !re.test(v)) out.push(fieldError.invalid(field, v, `${path} in body should match '${s.pattern}'`));
    }
    if (format && !FORMAT_CHECKS[format](v)) {
      out.push(fieldError.typeInvalid(field, v, `${path} in body must be of type ${s.format}: ${goQuote(v)}`));
    }
  }

  if (typeof v === 'number') {
    const integer = Number.isInteger(v);
    if (s.multipleOf !== undefined && s.multipleOf > 0) {
      const q = v / s.multipleOf;
      if (Math.abs(q - Math.round(q)) > 1e-9) out.push(fieldError.invalid(field, v, `${path} in body should be a multiple of ${boundText(s.multipleOf, integer)}`));
    }
    if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
      const rel = s.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
      out.push(fieldError.invalid(field, v, `${path} in body should be ${rel} ${boundText(s.minimum, integer)}`));
    }
    if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
      const rel = s.exclusiveMaximum ? 'less than' : 'less than or equal to';
      out.push(fieldError.invalid(field, v, `${path} in body should be ${rel} ${boundText(s.maximum, integer)}`));
    }
  }

  if (Array.isArray(v)) {
    if (s.items) v.forEach((item, i) => validateNode(item, s.items as JSONSchemaProps, `${path}[${i}]`, undefined, out));
    if (s.minItems !== undefined && v.length < s.minItems) {
      out.push(fieldError.invalid(field, v.length, `${path} in body should have at least ${s.minItems} items`));
    }
    if (s.maxItems !== undefined && v.length > s.maxItems) out.push(fieldError.tooMany(field, v.length, s.maxItems));
    if (s.uniqueItems && v.some((x, i) => v.findIndex((y) => deepEqual(x, y)) !== i)) {
      out.push(fieldError.invalid(field, '', `${path} in body shouldn't contain duplicates`));
    }
  }

  validateEnum(v, s, field, out);

  if (isObject(v)) validateObject(v, s, path, old, out);
}

function validateEnum(v: unknown, s: JSONSchemaProps, field: string, out: StatusCause[]): void {
  if (!s.enum || s.enum.length === 0) return;
  if (s.enum.some((e) => deepEqual(e, v))) return;
  const values = s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
  out.push(fieldError.notSupported(field, v, values));
}

function validateObject(v: JsonObject, s: JSONSchemaProps, path: string, old: Old, out: StatusCause[]): void {
  const field = fieldOf(path);
  const n = Object.keys(v).length;
  if (s.minProperties !== undefined && n < s.minProperties) {
    out.push(fieldError.invalid(field, n, `${path} in body should have at least ${s.minProperties} properties`));
    return;
  }
  if (s.maxProperties !== undefined && n > s.maxProperties) {
    out.push(fieldError.tooMany(field, n, s.maxProperties));
    return;
  }
  const props = s.properties ?? {};
  if (s.additionalProperties === false) {
    for (const k of Object.keys(v)) {
      if (!Object.hasOwn(props, k)) out.push(fieldError.invalid(fieldOf(`${path}.${k}`), k, `${path}.${k} in body is a forbidden property`));
    }
  } else if (typeof s.additionalProperties === 'object') {
    for (const k of Object.keys(v)) {
      if (!Object.hasOwn(props, k)) validateNode(v[k], s.additionalProperties, `${path}.${k}`, oldChild(old, k), out);
    }
  }
  for (const [k, sub] of Object.entries(props)) {
    if (Object.hasOwn(v, k)) validateNode(v[k], sub, path ? `${path}.${k}` : k, oldChild(old, k), out);
  }
  for (const k of s.required ?? []) {
    if (!Object.hasOwn(v, k)) out.push(fieldError.required(fieldOf(`${path}.${k}`)));
  }
}

function validateComposition(v: Json, s: JSONSchemaProps, path: string, old: Old, out: StatusCause[]): void {
  const run = (sub: JSONSchemaProps): StatusCause[] => {
    const errs: StatusCause[] = [];
    validateNode(v, sub, path, old, errs);
    return errs;
  };
  if (s.anyOf?.length) {
    let best: StatusCause[] | undefined;
    let ok = false;
    for (const sub of s.anyOf) {
      const errs = run(sub);
      if (errs.length === 0) {
        ok = true;
        break;
      }
      if (!best || errs.length < best.length) best = errs;
    }
    if (!ok) {
      out.push(composite(`${goQuote(path)} must validate at least one schema (anyOf)`));
      out.push(...(best ?? []));
    }
  }
  if (s.oneOf?.length) {
    let best: StatusCause[] | undefined;
    let valid = 0;
    for (const sub of s.oneOf) {
      const errs = run(sub);
      if (errs.length === 0) valid++;
      else if (valid === 0 && (!best || errs.length < best.length)) best = errs;
    }
    if (valid !== 1) {
      const extra = valid === 0 ? 'Found none valid' : `Found ${valid} valid alternatives`;
      out.push(composite(`${goQuote(path)} must validate one and only one schema (oneOf). ${extra}`));
      if (valid === 0) out.push(...(best ?? []));
    }
  }
  if (s.allOf?.length) {
    let valid = 0;
    for (const sub of s.allOf) {
      const errs = run(sub);
      if (errs.length === 0) valid++;
      out.push(...errs);
    }
    if (valid !== s.allOf.length) {
      out.push(composite(`${goQuote(path)} must validate all the schemas (allOf)${valid === 0 ? '. None validated' : ''}`));
    }
  }
  if (s.not && run(s.not).length === 0) out.push(composite(`${goQuote(path)} must not validate the schema (not)`));
}

// ---------------------------------------------------------------------------------------------
// list-type set/map uniqueness and embedded resources (field.Path style paths)
// ---------------------------------------------------------------------------------------------

function child(path: string | null, name: string): string {
  return path === null ? name : `${path}.${name}`;
}

function sub(path: string | null, key: string | number): string {
  return `${path ?? ''}[${key}]`;
}

function validateLists(v: unknown, s: JSONSchemaProps | undefined, path: string | null, out: StatusCause[]): void {
  if (!s) return;
  if (Array.isArray(v)) {
    const listType = s['x-kubernetes-list-type'];
    if (listType === 'set') {
      for (const i of firstDuplicates(v)) out.push(fieldError.duplicate(sub(path, i), v[i]));
    } else if (listType === 'map') {
      validateListMap(v, s, path, out);
    }
    if (s.items) v.forEach((x, i) => validateLists(x, s.items, sub(path, i), out));
  } else if (isObject(v)) {
    const add = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    for (const [k, x] of Object.entries(v)) {
      const p = s.properties?.[k];
      if (p) validateLists(x, p, child(path, k), out);
      else if (add) validateLists(x, add, sub(path, k), out);
    }
  }
}

function identity(x: unknown): string {
  return typeof x === 'object' && x !== null ? `o${JSON.stringify(x)}` : `${typeof x}:${String(x)}`;
}

/** Indexes of the second occurrence of each duplicated element. */
function firstDuplicates(list: unknown[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  list.forEach((x, i) => {
    const id = identity(x);
    const n = seen.get(id) ?? 0;
    if (n === 1) out.push(i);
    seen.set(id, n + 1);
  });
  return out;
}

const MISSING_KEY = Symbol('missing');

function listMapKey(x: unknown, keys: string[]): Record<string, unknown> {
  const key: Record<string, unknown> = {};
  if (isObject(x)) for (const k of keys) if (Object.hasOwn(x, k)) key[k] = x[k];
  return key;
}

function validateListMap(v: unknown[], s: JSONSchemaProps, path: string | null, out: StatusCause[]): void {
  const badIndex = v.findIndex((x) => x !== null && !isObject(x));
  if (badIndex >= 0) {
    out.push(fieldError.invalid(sub(path, badIndex), v[badIndex], 'must be an object for an array of list-type map'));
    return;
  }
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  if (keys.length === 1) {
    const k = keys[0];
    const values = v.map((x) => (isObject(x) && Object.hasOwn(x, k) ? x[k] : MISSING_KEY));
    const ids = values.map((x) => (x === MISSING_KEY ? 'missing' : identity(x)));
    for (const i of firstDuplicates(ids)) out.push(fieldError.duplicate(sub(path, i), values[i] === MISSING_KEY ? {} : { [k]: values[i] }));
    return;
  }
  const keyObjs = v.map((x) => listMapKey(x, keys));
  const ids = keyObjs.map((o) => JSON.stringify(keys.map((k) => (Object.hasOwn(o, k) ? o[k] : MISSING_KEY.toString()))));
  for (const i of firstDuplicates(ids)) out.push(fieldError.duplicate(sub(path, i), keyObjs[i]));
}

function validateEmbedded(v: unknown, s: JSONSchemaProps | undefined, path: string | null, out: StatusCause[]): void {
  if (!s) return;
  if (Array.isArray(v)) {
    if (s.items) v.forEach((x, i) => validateEmbedded(x, s.items, sub(path, i), out));
    return;
  }
  if (!isObject(v)) return;
  if (s['x-kubernetes-embedded-resource'] && path !== null) {
    if (typeof v.apiVersion !== 'string' || v.apiVersion === '') out.push(fieldError.required(child(path, 'apiVersion'), 'must not be empty'));
    if (typeof v.kind !== 'string' || v.kind === '') out.push(fieldError.required(child(path, 'kind'), 'must not be empty'));
  }
  const add = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  for (const [k, x] of Object.entries(v)) {
    const p = s.properties?.[k];
    if (p) validateEmbedded(x, p, child(path, k), out);
    else if (add) validateEmbedded(x, add, sub(path, k), out);
  }
}

// ---------------------------------------------------------------------------------------------
// CEL rules
// ---------------------------------------------------------------------------------------------

/** Parses a rule's fieldPath (`.spec.x`, `.labels['a.b']`) into a field.Path string relative to the node. */
export function normalizeRuleFieldPath(fieldPath: string, schema: JSONSchemaProps): { path: string } | { error: string } {
  let s: JSONSchemaProps | undefined = schema;
  let out = '';
  let i = 0;
  const append = (name: string, bracket: boolean): string | undefined => {
    if (!s) return 'does not refer to a valid field';
    if (s.properties) {
      const next: JSONSchemaProps | undefined = s.properties[name];
      if (!next) return 'does not refer to a valid field';
      out = bracket ? `${out}[${name}]` : out ? `${out}.${name}` : name;
      s = next;
    } else if (typeof s.additionalProperties === 'object') {
      out = `${out}[${name}]`;
      s = s.additionalProperties;
    } else {
      return 'does not refer to a valid field';
    }
    return undefined;
  };
  if (!fieldPath) return { error: 'unexpected end of JSON path' };
  while (i < fieldPath.length) {
    const c = fieldPath[i];
    if (c === '.') {
      const m = /^[^.[\]]+/.exec(fieldPath.slice(i + 1));
      if (!m) return { error: 'unexpected end of JSON path' };
      const err = append(m[0], false);
      if (err) return { error: err };
      i += 1 + m[0].length;
    } else if (c === '[') {
      const m = /^\[('(?:[^'\\]|\\.)*')\]/.exec(fieldPath.slice(i));
      if (!m) return { error: `expected single quoted string but got ${fieldPath.slice(i + 1).split(']')[0]}` };
      const name = m[1].slice(1, -1).replace(/\\(.)/g, '$1');
      const err = append(name, !!s?.properties);
      if (err) return { error: err };
      i += m[0].length;
    } else {
      return { error: `expected [ or . but got: ${fieldPath.slice(i)}` };
    }
  }
  return { path: out };
}

interface CelCtx {
  out: StatusCause[];
  cache: WeakMap<object, unknown>;
  oldCache: WeakMap<object, unknown>;
  update: boolean;
}

function ruleText(c: CompiledRule): string {
  return c.rule.message ? c.rule.message.trim() : c.rule.rule.trim();
}

function listMapOld(v: unknown, s: JSONSchemaProps, old: Old): (item: unknown) => Old {
  if (!old || !Array.isArray(old.value) || s['x-kubernetes-list-type'] !== 'map') return () => undefined;
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const index = new Map<string, unknown>();
  for (const o of old.value) index.set(JSON.stringify(listMapKey(o, keys)), o);
  return (item) => {
    const id = JSON.stringify(listMapKey(item, keys));
    return index.has(id) ? { value: index.get(id) } : undefined;
  };
}

/**
 * Runs the rules of one node and recurses. `schemas` holds the structural node plus the allOf
 * branches, which may carry rules too. `ratchet` says whether errors of non-transition rules are
 * dropped because the (nearest correlated) value did not change.
 */
function validateRules(
  v: unknown,
  spine: JSONSchemaProps,
  schemas: JSONSchemaProps[],
  path: string | null,
  isResource: boolean,
  old: Old,
  parentUnchanged: boolean,
  ctx: CelCtx,
): void {
  if (v === null || v === undefined) return;
  const unchanged = ctx.update && (old ? deepEqual(v, old.value) : parentUnchanged);
  const stsType = spine['x-kubernetes-int-or-string'] ? '' : (spine.type ?? '');
  const field = path ?? ROOT;

  let self: unknown;
  let oldSelf: { value: unknown } | undefined;
  let converted = false;
  for (const s of schemas) {
    for (const rule of s['x-kubernetes-validations'] ?? []) {
      const compiled = compileRule(rule, spine, isResource);
      if (compiled.error) {
        ctx.out.push(fieldError.invalid(field, stsType, `rule compile error: ${compiled.error}`));
        continue;
      }
      if (compiled.usesOldSelf && !old && !rule.optionalOldSelf) continue;
      if (!converted) {
        self = toCelValue(v, spine, isResource, ctx.cache);
        oldSelf = old ? { value: toCelValue(old.value, spine, isResource, ctx.oldCache) } : undefined;
        converted = true;
      }
      const outcome = evaluateRule(compiled, self, oldSelf);
      if (outcome.kind === 'pass') continue;
      if (outcome.kind === 'error') {
        const detail = outcome.overload
          ? `'${outcome.message}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleText(compiled)}`
          : `${outcome.message} evaluating rule: ${ruleText(compiled)}`;
        ctx.out.push(fieldError.invalid(field, stsType, detail));
        continue;
      }
      if (!compiled.usesOldSelf && unchanged) continue; // ratcheted
      let errField = field;
      if (rule.fieldPath) {
        const fp = normalizeRuleFieldPath(rule.fieldPath, spine);
        if ('path' in fp && fp.path) errField = path === null ? fp.path : fp.path.startsWith('[') ? `${path}${fp.path}` : `${path}.${fp.path}`;
      }
      const detail =
        evaluateMessageExpression(compiled, self, oldSelf) ??
        (rule.message ? rule.message.trim() : `failed rule: ${ruleText(compiled)}`);
      switch (rule.reason) {
        case 'FieldValueForbidden':
          ctx.out.push(fieldError.forbidden(errField, detail));
          break;
        case 'FieldValueRequired':
          ctx.out.push(fieldError.required(errField, detail));
          break;
        case 'FieldValueDuplicate':
          ctx.out.push(fieldError.duplicate(errField, stsType));
          break;
        default:
          ctx.out.push(fieldError.invalid(errField, stsType, detail));
      }
    }
  }

  if (Array.isArray(v)) {
    const items = spine.items;
    if (!items || !schemas.some((s) => hasValidationRules(s.items))) return;
    const itemSchemas = schemas.flatMap((s) => (s.items ? branches(s.items) : []));
    const oldFor = listMapOld(v, spine, old);
    v.forEach((x, i) => validateRules(x, items, itemSchemas, sub(path, i), !!items['x-kubernetes-embedded-resource'], oldFor(x), unchanged, ctx));
    return;
  }
  if (!isObject(v)) return;
  const mapType = spine['x-kubernetes-map-type'];
  const correlatable = mapType === undefined || mapType === 'granular' || mapType === 'atomic';
  const add = typeof spine.additionalProperties === 'object' ? spine.additionalProperties : undefined;
  for (const k of Object.keys(v)) {
    const prop = spine.properties?.[k];
    const target = prop ?? add;
    if (!target) continue;
    const subSchemas = schemas.flatMap((s) => {
      const c = prop ? s.properties?.[k] : typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
      return c ? branches(c) : [];
    });
    if (!subSchemas.some(hasValidationRules)) continue;
    const childOld = correlatable ? oldChild(old, k) : undefined;
    const childPath = prop ? child(path, k) : sub(path, k);
    validateRules(v[k], target, subSchemas, childPath, !!target['x-kubernetes-embedded-resource'], childOld, unchanged, ctx);
  }
}

/** A structural node plus its allOf branches (which may carry rules too). */
function branches(s: JSONSchemaProps): JSONSchemaProps[] {
  return [s, ...(s.allOf ?? []).flatMap(branches)];
}

/**
 * Validates a single value against a schema node with OpenAPI value validations only, reporting
 * paths relative to `path` (used for `default` values of a CRD schema).
 */
export function validateValue(value: unknown, schema: JSONSchemaProps, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  validateNode(value, schema, path, undefined, out);
  return out;
}

const BLOCKING = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);

/**
 * Validates a custom resource against its version's schema: OpenAPI value validations, list-type
 * set/map uniqueness, apiVersion/kind of embedded resources, then the CEL rules (skipped, with a
 * `<nil>` notice, when a blocking error was found). With `oldObj` (update), unchanged values are
 * not re-validated and transition rules (`oldSelf`) run where the old value exists.
 */
export function validateAgainstSchema(obj: KubeObject, schema: JSONSchemaProps, oldObj?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  if (!schema) return out;
  const old: Old = oldObj === undefined ? undefined : { value: oldObj };
  validateNode(obj, schema, '', old, out);
  validateEmbedded(obj, schema, null, out);
  const listErrs: StatusCause[] = [];
  validateLists(obj, schema, null, listErrs);
  if (listErrs.length) {
    const oldListErrs: StatusCause[] = [];
    if (oldObj !== undefined) validateLists(oldObj, schema, null, oldListErrs);
    if (oldListErrs.length === 0) out.push(...listErrs);
  }
  if (!hasValidationRules(schema)) return out;
  if (out.some((e) => BLOCKING.has(e.reason))) {
    out.push(fieldError.invalid(ROOT, null, 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation'));
    return out;
  }
  const ctx: CelCtx = { out, cache: new WeakMap(), oldCache: new WeakMap(), update: oldObj !== undefined };
  validateRules(obj, schema, branches(schema), null, true, old, false, ctx);
  return out;
}
