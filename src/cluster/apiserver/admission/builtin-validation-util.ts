/**
 * Building blocks shared by the built-in validators: field errors worded like the real server's
 * (`Required value`, `Invalid value: "x": ...`, `Unsupported value: ...: supported values: ...`),
 * Go-style printing of the offending values, and small JSON helpers.
 */
import { goQuote } from '../../../platform/go-format.ts';
import type { StatusCause } from '../errors.ts';
import { matchesLabelSelectorObject } from '../../core/selectors.ts';
import {
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPercent,
  validateLabels,
} from './names.ts';

export type Causes = StatusCause[];

/** A value already rendered the way Go's `%#v` would print it; emitted verbatim. */
export class GoRepr {
  constructor(readonly text: string) {}
}

/** Renders a bad value like the API server: strings quoted, numbers/bools bare, structs Go-like. */
export function formatValue(v: unknown): string {
  if (v instanceof GoRepr) return v.text;
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

export function required(field: string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', field, message: detail ? `Required value: ${detail}` : 'Required value' };
}

export function invalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${formatValue(value)}${detail ? `: ${detail}` : ''}` };
}

export function notSupported(field: string, value: unknown, valid: readonly string[]): StatusCause {
  const detail = valid.length ? `: supported values: ${valid.map((v) => goQuote(v)).join(', ')}` : '';
  return { reason: 'FieldValueNotSupported', field, message: `Unsupported value: ${formatValue(value)}${detail}` };
}

export function forbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', field, message: detail ? `Forbidden: ${detail}` : 'Forbidden' };
}

export function duplicate(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${formatValue(value)}` };
}

export function notFound(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueNotFound', field, message: `Not found: ${formatValue(value)}` };
}

export function tooLong(field: string, max: number): StatusCause {
  return { reason: 'FieldValueTooLong', field, message: `Too long: may not be more than ${max} bytes` };
}

export function tooMany(field: string, actual: number, max: number): StatusCause {
  return { reason: 'FieldValueTooMany', field, message: `Too many: ${actual}: must have at most ${max} items` };
}

export const FIELD_IMMUTABLE = 'field is immutable';

/** Each message of an `is*` check as one Invalid cause. */
export function invalidEach(field: string, value: unknown, msgs: string[]): Causes {
  return msgs.map((m) => invalid(field, value, m));
}

// ---- JSON helpers ---------------------------------------------------------------------------

export type Obj = Record<string, any>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asArray(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

export function asObj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

export function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObj(v)) return Object.keys(v).length === 0;
  return false;
}

/** Like Kubernetes' semantic DeepEqual over JSON: absent, null, "", [] and {} are all "empty". */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ea = isEmpty(a);
  const eb = isEmpty(b);
  if (ea || eb) return ea && eb;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** Lists the leaf paths where two JSON values differ (for the pod/PVC "spec is immutable" diff). */
export function diffPaths(a: unknown, b: unknown, path: string, out: string[] = [], limit = 20): string[] {
  if (out.length >= limit || deepEqual(a, b)) return out;
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diffPaths(a[k], b[k], `${path}.${k}`, out, limit);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => diffPaths(x, b[i], `${path}[${i}]`, out, limit));
    return out;
  }
  out.push(`  ${path}: ${JSON.stringify(a ?? null)} -> ${JSON.stringify(b ?? null)}`);
  return out;
}

// ---- Go %#v renderings of a few API types ---------------------------------------------------

/** `%q` of a Go string field (absent: the empty string). */
function quoteField(s: unknown): string {
  return goQuote(typeof s === 'string' ? s : s === undefined || s === null ? '' : String(s));
}

export function goStringMap(m: unknown, type = 'map[string]string'): GoRepr {
  if (m === undefined || m === null) return new GoRepr(`${type}(nil)`);
  const entries = Object.entries(asObj(m)).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return new GoRepr(`${type}{${entries.map(([k, v]) => `${quoteField(k)}:${quoteField(v)}`).join(', ')}}`);
}

export function goStringSlice(v: unknown): string {
  if (!Array.isArray(v)) return '[]string(nil)';
  return `[]string{${v.map(quoteField).join(', ')}}`;
}

/** `v1.LabelSelector{MatchLabels:map[string]string{...}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}` */
export function goLabelSelector(sel: unknown): GoRepr {
  const s = asObj(sel);
  const exprs = Array.isArray(s.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${s.matchExpressions
        .map(
          (e: unknown) =>
            `v1.LabelSelectorRequirement{Key:${quoteField(asObj(e).key)}, Operator:${quoteField(asObj(e).operator)}, Values:${goStringSlice(asObj(e).values)}}`,
        )
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return new GoRepr(`v1.LabelSelector{MatchLabels:${goStringMap(s.matchLabels).text}, MatchExpressions:${exprs}}`);
}

/** `intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}` */
export function goIntOrString(v: unknown): GoRepr {
  if (typeof v === 'string') return new GoRepr(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${quoteField(v)}}`);
  const n = typeof v === 'number' ? v : 0;
  return new GoRepr(`intstr.IntOrString{Type:0, IntVal:${n}, StrVal:""}`);
}

// ---- common field validators ----------------------------------------------------------------

export function nonNegative(value: unknown, field: string): Causes {
  return typeof value === 'number' && value < 0 ? [invalid(field, value, 'must be greater than or equal to 0')] : [];
}

export function positive(value: unknown, field: string): Causes {
  return typeof value === 'number' && value <= 0 ? [invalid(field, value, 'must be greater than zero')] : [];
}

/** An integer field given as something else (the real server fails to decode such bodies). */
export function expectInt(value: unknown, field: string): Causes {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'number' || !Number.isInteger(value)) return [invalid(field, value, 'must be an integer')];
  return [];
}

/** Non-negative int, or a percentage like "25%"; used by rolling-update knobs and PDBs. */
export function validatePositiveIntOrPercent(v: unknown, field: string): Causes {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalid(field, goIntOrString(v), m));
  if (typeof v === 'number') return nonNegative(v, field);
  return [];
}

export function intOrPercentValue(v: unknown): { percent: boolean; value: number } | undefined {
  if (typeof v === 'number') return { percent: false, value: v };
  if (typeof v === 'string') {
    const m = /^([0-9]+)%$/.exec(v);
    if (m) return { percent: true, value: Number(m[1]) };
  }
  return undefined;
}

export function isNotMoreThan100Percent(v: unknown, field: string): Causes {
  const p = intOrPercentValue(v);
  if (p && p.percent && p.value > 100) return [invalid(field, goIntOrString(v), 'must not be greater than 100%')];
  return [];
}

const selectorOperators = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** metav1.LabelSelector syntax: label keys/values and matchExpressions operators. */
export function validateLabelSelector(sel: unknown, field: string): Causes {
  if (sel === undefined || sel === null) return [];
  if (!isObj(sel)) return [invalid(field, sel, 'must be a label selector object')];
  const out: Causes = [];
  asArray(sel.matchExpressions).forEach((e, i) => {
    const p = `${field}.matchExpressions[${i}]`;
    const expr = asObj(e);
    const values = asArray(expr.values);
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) out.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) out.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        out.push(invalid(`${p}.operator`, expr.operator ?? '', 'not a valid selector operator'));
    }
    out.push(...invalidEach(`${p}.key`, expr.key ?? '', isQualifiedName(String(expr.key ?? ''))));
    values.forEach((v, j) => out.push(...invalidEach(`${p}.values[${j}]`, v, isValidLabelValue(String(v)))));
  });
  out.push(...validateLabels(sel.matchLabels, `${field}.matchLabels`));
  return out;
}

export function selectorIsEmpty(sel: unknown): boolean {
  const s = asObj(sel);
  return Object.keys(asObj(s.matchLabels)).length + asArray(s.matchExpressions).length === 0;
}

/** Whether a (syntactically valid) label selector selects the given labels. */
/** Whether a selector object (an absent one selects everything) matches a label set. */
export function selectorMatches(sel: unknown, labels: unknown): boolean {
  return matchesLabelSelectorObject(asObj(sel), asObj(labels) as Record<string, string>);
}

export function selectorSyntaxOk(sel: unknown): boolean {
  return validateLabelSelector(sel, 's').length === 0 && asArray(asObj(sel).matchExpressions).every((e) => selectorOperators.includes(asObj(e).operator));
}

/** Validates a string field against `isDNS1123Subdomain`, if set. */
export function optionalSubdomain(value: unknown, field: string): Causes {
  if (value === undefined || value === null || value === '') return [];
  return invalidEach(field, value, isDNS1123Subdomain(String(value)));
}

export function enumField(value: unknown, field: string, valid: readonly string[], requiredIfEmpty = false): Causes {
  if (value === undefined || value === null || value === '') return requiredIfEmpty ? [required(field)] : [];
  return valid.includes(value as string) ? [] : [notSupported(field, value, valid)];
}
