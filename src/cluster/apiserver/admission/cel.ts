/**
 * CEL for CustomResourceDefinition `x-kubernetes-validations` rules.
 *
 * One shared CEL environment declares `self` and `oldSelf` (dynamically typed) plus the parts of
 * the Kubernetes CEL library CRD authors use (lists, strings, regex, URLs, quantities). Every rule
 * is parsed and type-checked once and cached by its text; a cheap schema-aware pass then rejects
 * references to fields the schema does not declare, as the real compiler does. JSON values are
 * converted to CEL values following the schema: `integer` fields become CEL ints (BigInt),
 * `number` fields doubles, `date-time` strings timestamps, `duration` strings durations, and
 * property names are escaped (`x-y` is `self.x__dash__y`).
 */
import { Environment, Optional, type ParseResult, type ASTNode } from '@marcbachmann/cel-js';
import type { JSONSchemaProps, ValidationRule } from '../../core/types.ts';
import { parseQuantity, Quantity, QUANTITY_PARSE_ERROR } from '../../core/quantity.ts';
import { setFlagsFromString } from 'node:v8';

/**
 * CEL's regex functions (`matches`, `find`, `findAll`) run patterns from CRD authors on values from
 * any client. Upstream matches with RE2, in linear time; V8 backtracks, so `self.matches('^(a+)+$')`
 * on thirty `a`s and a `!` would block the whole server for a minute. V8 hands a regex that
 * backtracks excessively to its linear-time engine instead, which takes every pattern RE2 takes.
 */
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

// ---------------------------------------------------------------------------------------------
// Library types and functions
// ---------------------------------------------------------------------------------------------

/** Raised by library functions; the evaluator reports its message. */
class CelLibraryError extends Error {}

/** `url(string)` values. */
export class KubeURL {
  constructor(readonly url: URL, readonly source: string) {}
}

/** `quantity(string)`: resource.ParseQuantity, which (unlike JSON decoding) takes no surrounding spaces. */
function parseCelQuantity(s: string): Quantity {
  const q = s.trim() === s ? parseQuantity(s) : undefined;
  if (!q) throw new CelLibraryError(QUANTITY_PARSE_ERROR);
  return q;
}

/** `asInteger()`: the whole value when it has no fraction and fits an int64. */
function quantityAsInteger(q: Quantity): bigint {
  const v = q.integerValue();
  if (v === undefined || v > 9223372036854775807n || v < -9223372036854775808n) throw new CelLibraryError('cannot convert value to integer');
  return v;
}

function listCompare(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (a instanceof Quantity && b instanceof Quantity) return a.compare(b);
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && 'valueOf' in a && 'valueOf' in b) {
    const x = (a as { valueOf(): number }).valueOf();
    const y = (b as { valueOf(): number }).valueOf();
    if (typeof x === 'number' && typeof y === 'number') return x - y;
  }
  throw new CelLibraryError('no such overload');
}

function celEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    return a == b;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && celEquals(a[k], b[k]));
  }
  return false;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

function sumList(list: unknown[]): unknown {
  if (list.length === 0) return 0n;
  let acc: any = list[0];
  for (let i = 1; i < list.length; i++) {
    const v: any = list[i];
    if (typeof acc !== typeof v) throw new CelLibraryError('no such overload');
    acc = acc + v;
  }
  return acc;
}

/** Go-like `%s`/`%d`/`%f`/`%e`/`%x`/`%o`/`%b` formatting for `string.format(list)`. */
function formatString(fmt: string, args: unknown[]): string {
  let i = 0;
  return fmt.replace(/%(?:\.(\d+))?([sdfexXob%])/g, (_m, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) throw new CelLibraryError(`index ${i} out of range`);
    const v = args[i++];
    switch (verb) {
      case 's':
        return celToString(v);
      case 'd':
        if (typeof v !== 'bigint') throw new CelLibraryError('error during formatting: decimal clause can only be used on integers');
        return v.toString();
      case 'f':
        return Number(v).toFixed(prec === undefined ? 6 : Number(prec));
      case 'e':
        return Number(v).toExponential(prec === undefined ? 6 : Number(prec)).replace(/e([+-])(\d)$/, 'e$10$2');
      case 'x':
      case 'X': {
        const s = typeof v === 'string' ? Buffer.from(v).toString('hex') : BigInt(v as bigint).toString(16);
        return verb === 'X' ? s.toUpperCase() : s;
      }
      case 'o':
        return BigInt(v as bigint).toString(8);
      default:
        return BigInt(v as bigint).toString(2);
    }
  });
}

function celToString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(celToString).join(', ')}]`;
  if (v instanceof Date) return v.toISOString().replace('.000Z', 'Z');
  if (isPlainObject(v)) return `{${Object.entries(v).map(([k, x]) => `${k}: ${celToString(x)}`).join(', ')}}`;
  return String(v);
}

function parseUrl(s: string): KubeURL {
  // Like Go's url.ParseRequestURI: absolute URLs or absolute paths only.
  if (s.startsWith('/')) return new KubeURL(new URL(s, 'http://relative.invalid'), s);
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s)) throw new CelLibraryError(`URL parse error during conversion from string: parse "${s}": invalid URI for request`);
  try {
    return new KubeURL(new URL(s), s);
  } catch {
    throw new CelLibraryError(`URL parse error during conversion from string: parse "${s}": invalid URI for request`);
  }
}

function buildEnvironment(): Environment {
  const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false })
    .registerType('kubernetes.URL', KubeURL)
    .registerType('kubernetes.Quantity', Quantity);

  // Kubernetes list library.
  env
    .registerFunction('list<A>.isSorted(): bool', (l: unknown[]) => l.every((v, i) => i === 0 || listCompare(l[i - 1], v) <= 0))
    .registerFunction('list<A>.sum(): A', (l: unknown[]) => sumList(l))
    .registerFunction('list<A>.min(): A', (l: unknown[]) => {
      if (l.length === 0) throw new CelLibraryError('min called on empty list');
      return l.reduce((a, b) => (listCompare(b, a) < 0 ? b : a));
    })
    .registerFunction('list<A>.max(): A', (l: unknown[]) => {
      if (l.length === 0) throw new CelLibraryError('max called on empty list');
      return l.reduce((a, b) => (listCompare(b, a) > 0 ? b : a));
    })
    .registerFunction('list<A>.indexOf(A): int', (l: unknown[], x: unknown) => BigInt(l.findIndex((v) => celEquals(v, x))))
    .registerFunction('list<A>.lastIndexOf(A): int', (l: unknown[], x: unknown) => {
      for (let i = l.length - 1; i >= 0; i--) if (celEquals(l[i], x)) return BigInt(i);
      return -1n;
    })
    .registerFunction('list<A>.slice(int, int): list<A>', (l: unknown[], a: bigint, b: bigint) => {
      if (a < 0n || b < a || b > BigInt(l.length)) throw new CelLibraryError(`cannot slice(${a}, ${b}), invalid range`);
      return l.slice(Number(a), Number(b));
    })
    .registerFunction('list<A>.reverse(): list<A>', (l: unknown[]) => [...l].reverse())
    .registerFunction('list<A>.distinct(): list<A>', (l: unknown[]) => l.filter((v, i) => l.findIndex((w) => celEquals(v, w)) === i))
    .registerFunction('list<A>.sort(): list<A>', (l: unknown[]) => [...l].sort(listCompare))
    .registerFunction('list.flatten(): list', (l: unknown[]) => l.flatMap((v) => (Array.isArray(v) ? v : [v])));

  // Strings extension (the parts the builtins lack).
  env
    .registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
      const chars = [...s];
      if (i < 0n || i > BigInt(chars.length)) throw new CelLibraryError(`index out of range: ${i}`);
      return chars[Number(i)] ?? '';
    })
    .registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b))
    .registerFunction('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => {
      if (n < 0n) return s.split(a).join(b);
      let out = s;
      let from = 0;
      for (let k = 0n; k < n; k++) {
        const at = out.indexOf(a, from);
        if (at < 0) break;
        out = out.slice(0, at) + b + out.slice(at + a.length);
        from = at + b.length;
      }
      return out;
    })
    .registerFunction('string.reverse(): string', (s: string) => [...s].reverse().join(''))
    .registerFunction('string.format(list): string', (s: string, args: unknown[]) => formatString(s, args));

  // Regex library.
  env
    .registerFunction('string.find(string): string', (s: string, re: string) => new RegExp(re).exec(s)?.[0] ?? '')
    .registerFunction('string.findAll(string): list<string>', (s: string, re: string) => [...s.matchAll(new RegExp(re, 'g'))].map((m) => m[0]))
    .registerFunction('string.findAll(string, int): list<string>', (s: string, re: string, n: bigint) => {
      const all = [...s.matchAll(new RegExp(re, 'g'))].map((m) => m[0]);
      return n < 0n ? all : all.slice(0, Number(n));
    });

  // URL library.
  env
    .registerFunction('url(string): kubernetes.URL', (s: string) => parseUrl(s))
    .registerFunction('isURL(string): bool', (s: string) => {
      try {
        parseUrl(s);
        return true;
      } catch {
        return false;
      }
    })
    .registerFunction('kubernetes.URL.getScheme(): string', (u: KubeURL) => (u.source.startsWith('/') ? '' : u.url.protocol.slice(0, -1)))
    .registerFunction('kubernetes.URL.getHost(): string', (u: KubeURL) => (u.source.startsWith('/') ? '' : u.url.host))
    .registerFunction('kubernetes.URL.getHostname(): string', (u: KubeURL) => (u.source.startsWith('/') ? '' : u.url.hostname.replace(/^\[(.*)\]$/, '$1')))
    .registerFunction('kubernetes.URL.getPort(): string', (u: KubeURL) => (u.source.startsWith('/') ? '' : u.url.port))
    .registerFunction('kubernetes.URL.getEscapedPath(): string', (u: KubeURL) => u.url.pathname)
    .registerFunction('kubernetes.URL.getQuery(): map<string, list<string>>', (u: KubeURL) => {
      const out: Record<string, string[]> = {};
      for (const [k, v] of u.url.searchParams) (out[k] ??= []).push(v);
      return out;
    });

  // Quantity library.
  env
    .registerFunction('quantity(string): kubernetes.Quantity', (s: string) => parseCelQuantity(s))
    .registerFunction('isQuantity(string): bool', (s: string) => {
      try {
        parseCelQuantity(s);
        return true;
      } catch {
        return false;
      }
    })
    .registerFunction('kubernetes.Quantity.isInteger(): bool', (q: Quantity) => q.isInteger())
    .registerFunction('kubernetes.Quantity.asInteger(): int', (q: Quantity) => quantityAsInteger(q))
    .registerFunction('kubernetes.Quantity.asApproximateFloat(): double', (q: Quantity) => q.asApproximateFloat())
    .registerFunction('kubernetes.Quantity.sign(): int', (q: Quantity) => BigInt(q.sign()))
    .registerFunction('kubernetes.Quantity.compareTo(kubernetes.Quantity): int', (a: Quantity, b: Quantity) => BigInt(a.compare(b)))
    .registerFunction('kubernetes.Quantity.isGreaterThan(kubernetes.Quantity): bool', (a: Quantity, b: Quantity) => a.compare(b) > 0)
    .registerFunction('kubernetes.Quantity.isLessThan(kubernetes.Quantity): bool', (a: Quantity, b: Quantity) => a.compare(b) < 0)
    .registerFunction('kubernetes.Quantity.add(kubernetes.Quantity): kubernetes.Quantity', (a: Quantity, b: Quantity) => a.add(b))
    .registerFunction('kubernetes.Quantity.add(int): kubernetes.Quantity', (a: Quantity, b: bigint) => a.add(Quantity.fromInteger(b)))
    .registerFunction('kubernetes.Quantity.sub(kubernetes.Quantity): kubernetes.Quantity', (a: Quantity, b: Quantity) => a.add(b, true))
    .registerFunction('kubernetes.Quantity.sub(int): kubernetes.Quantity', (a: Quantity, b: bigint) => a.add(Quantity.fromInteger(b), true));
  // Conversions the builtins lack.
  env
    .registerFunction('string(google.protobuf.Timestamp): string', (d: Date) => celToString(d))
    .registerFunction('string(google.protobuf.Duration): string', (d: { toString(): string }) => d.toString())
    .registerFunction('int(google.protobuf.Timestamp): int', (d: Date) => BigInt(Math.floor(d.getTime() / 1000)));
  return env;
}

const baseEnv = buildEnvironment();
/** Rules whose `oldSelf` is the old value itself. */
const env = baseEnv.clone().registerVariable('self', 'dyn').registerVariable('oldSelf', 'dyn');
/** `optionalOldSelf` rules: `oldSelf` is an optional. */
const optionalEnv = baseEnv.clone().registerVariable('self', 'dyn').registerVariable('oldSelf', 'optional<dyn>');
const durationProgram = env.parse('duration(self)');
durationProgram.check();

/** Converts a Go duration string (`1h30m`) to a CEL duration; undefined when it does not parse. */
function toDuration(s: string): unknown {
  try {
    return durationProgram({ self: s });
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------------

type Compiled = { program: ParseResult; type: string; error?: undefined } | { program?: undefined; error: string };

const expressionCache = new Map<string, Compiled>();
const optionalExpressionCache = new Map<string, Compiled>();
const EXPRESSION_CACHE_LIMIT = 5000;

function position(expr: string, offset: number | undefined): string {
  const at = Math.max(0, Math.min(offset ?? 0, expr.length));
  const before = expr.slice(0, at).split('\n');
  return `<input>:${before.length}:${before[before.length - 1].length + 1}`;
}

function errorSummary(err: unknown): string {
  const e = err as { summary?: string; message?: string };
  return (e.summary ?? e.message ?? String(err)).split('\n')[0];
}

/**
 * Parses and type-checks a CEL expression once; later calls return the cached program.
 * `optionalOldSelf` selects the environment where `oldSelf` is an optional.
 */
export function compileExpression(expr: string, optionalOldSelf = false): Compiled {
  const cache = optionalOldSelf ? optionalExpressionCache : expressionCache;
  let hit = cache.get(expr);
  if (hit) return hit;
  try {
    const program = (optionalOldSelf ? optionalEnv : env).parse(expr);
    const checked = program.check();
    if (!checked.valid) {
      const err = checked.error as { range?: { start: number } } | undefined;
      hit = { error: `ERROR: ${position(expr, err?.range?.start)}: ${errorSummary(checked.error)}` };
    } else {
      hit = { program, type: checked.type ?? 'dyn' };
    }
  } catch (err) {
    const e = err as { range?: { start: number } };
    hit = { error: `ERROR: ${position(expr, e.range?.start)}: ${errorSummary(err)}` };
  }
  if (cache.size >= EXPRESSION_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(expr, hit);
  return hit;
}

/** A rule ready to run at one schema node. */
export interface CompiledRule {
  rule: ValidationRule;
  program?: ParseResult;
  messageProgram?: ParseResult;
  usesOldSelf: boolean;
  /** `compilation failed: ...` for the rule itself. */
  error?: string;
  /** `messageExpression compilation failed: ...`. */
  messageError?: string;
}

const ruleCache = new WeakMap<JSONSchemaProps, Map<string, CompiledRule>>();

/**
 * Compiles one `x-kubernetes-validations` rule for the schema node it sits on (`isResourceRoot`
 * for the custom resource's root and embedded resources: `self.apiVersion`, `self.kind` and
 * `self.metadata.name/generateName` are then visible). Cached per schema node.
 */
export function compileRule(rule: ValidationRule, schema: JSONSchemaProps, isResourceRoot = false): CompiledRule {
  let perSchema = ruleCache.get(schema);
  if (!perSchema) ruleCache.set(schema, (perSchema = new Map()));
  const key = `${isResourceRoot ? 'r' : 'n'}\u0000${rule.optionalOldSelf ? 'o' : ''}\u0000${rule.rule}\u0000${rule.messageExpression ?? ''}`;
  const cached = perSchema.get(key);
  if (cached) return { ...cached, rule };

  const out: CompiledRule = { rule, usesOldSelf: false };
  if (!rule.rule || !rule.rule.trim()) {
    out.error = 'compilation failed: rule is empty';
  } else {
    const compiled = compileExpression(rule.rule, !!rule.optionalOldSelf);
    if (compiled.error !== undefined) {
      out.error = `compilation failed: ${compiled.error}`;
    } else if (compiled.type !== 'bool' && compiled.type !== 'dyn') {
      out.error = 'compilation failed: cel expression must evaluate to a bool';
    } else {
      out.program = compiled.program;
      out.usesOldSelf = referencesOldSelf(compiled.program.ast);
      const fieldErr = checkFieldReferences(compiled.program.ast, schema, isResourceRoot, !!rule.optionalOldSelf, rule.rule);
      if (fieldErr) {
        out.error = `compilation failed: ${fieldErr}`;
        out.program = undefined;
      }
    }
  }
  if (rule.messageExpression !== undefined && rule.messageExpression !== '') {
    const compiled = compileExpression(rule.messageExpression, !!rule.optionalOldSelf);
    if (compiled.error !== undefined) {
      out.messageError = `messageExpression compilation failed: ${compiled.error}`;
    } else if (compiled.type !== 'string' && compiled.type !== 'dyn') {
      out.messageError = 'messageExpression compilation failed: must evaluate to a string';
    } else {
      const fieldErr = checkFieldReferences(compiled.program.ast, schema, isResourceRoot, !!rule.optionalOldSelf, rule.messageExpression);
      if (fieldErr) out.messageError = `messageExpression compilation failed: ${fieldErr}`;
      else out.messageProgram = compiled.program;
    }
  }
  perSchema.set(key, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Static field checks: `self.foo` must name a declared field
// ---------------------------------------------------------------------------------------------

const RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

/** The CEL name of a property (`a-b` -> `a__dash__b`), or undefined when it cannot be escaped. */
export function escapePropertyName(name: string): string | undefined {
  if (RESERVED.has(name)) return `__${name}__`;
  if (!/^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$/.test(name)) return undefined;
  if (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) && !name.includes('__')) return name;
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '_' && name[i + 1] === '_') {
      out += '__underscores__';
      i++;
    } else if (c === '.') out += '__dot__';
    else if (c === '-') out += '__dash__';
    else if (c === '/') out += '__slash__';
    else out += c;
  }
  return out;
}

const escapedProps = new WeakMap<JSONSchemaProps, Map<string, string>>();

/** original property name -> CEL field name, for the escapable properties of `schema`. */
function escapedProperties(schema: JSONSchemaProps): Map<string, string> {
  let m = escapedProps.get(schema);
  if (!m) {
    m = new Map();
    for (const name of Object.keys(schema.properties ?? {})) {
      const esc = escapePropertyName(name);
      if (esc !== undefined) m.set(name, esc);
    }
    escapedProps.set(schema, m);
  }
  return m;
}

const META_SCHEMA: JSONSchemaProps = { type: 'object', properties: { name: { type: 'string' }, generateName: { type: 'string' } } };
const STRING_SCHEMA: JSONSchemaProps = { type: 'string' };

/** What the static check knows about an expression: a schema node (with root-ness), or nothing. */
interface Known {
  schema: JSONSchemaProps;
  root: boolean;
}

function isDynamic(s: JSONSchemaProps): boolean {
  return !!s['x-kubernetes-int-or-string'] || (!s.type && !s.properties && !s.items && !s.additionalProperties);
}

function objectFields(k: Known): Map<string, Known> | 'map' | undefined {
  const s = k.schema;
  if (isDynamic(s) || (s.type && s.type !== 'object')) return undefined;
  if (s.additionalProperties !== undefined && s.additionalProperties !== false) return 'map';
  const embedded = k.root || !!s['x-kubernetes-embedded-resource'];
  if (!s.properties && s['x-kubernetes-preserve-unknown-fields'] && !embedded) return undefined;
  const fields = new Map<string, Known>();
  for (const [name, esc] of escapedProperties(s)) fields.set(esc, { schema: s.properties![name], root: !!s.properties![name]['x-kubernetes-embedded-resource'] });
  if (embedded) {
    fields.set('apiVersion', { schema: STRING_SCHEMA, root: false });
    fields.set('kind', { schema: STRING_SCHEMA, root: false });
    fields.set('metadata', { schema: META_SCHEMA, root: false });
  }
  if (fields.size === 0 && s['x-kubernetes-preserve-unknown-fields']) return undefined;
  return fields;
}

function elementOf(k: Known | undefined): Known | undefined {
  if (!k) return undefined;
  const s = k.schema;
  if (s.type === 'array' && s.items) return { schema: s.items, root: !!s.items['x-kubernetes-embedded-resource'] };
  if (typeof s.additionalProperties === 'object') return { schema: STRING_SCHEMA, root: false }; // map keys
  return undefined;
}

class FieldError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

function nodeChildren(ast: ASTNode): ASTNode[] {
  const out: ASTNode[] = [];
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(visit);
    else if (x && typeof x === 'object' && 'op' in x && 'args' in x) out.push(x as ASTNode);
  };
  if (ast.op !== 'value' && ast.op !== 'id') visit(ast.args);
  return out;
}

function walkFields(ast: ASTNode, scope: Map<string, Known | undefined>): Known | undefined {
  switch (ast.op) {
    case 'id':
      return scope.get(ast.args);
    case '.': {
      const [target, field] = ast.args;
      const left = walkFields(target, scope);
      if (!left) return undefined;
      const fields = objectFields(left);
      if (fields === 'map') {
        const add = left.schema.additionalProperties as JSONSchemaProps | true;
        return add === true ? undefined : { schema: add, root: !!add['x-kubernetes-embedded-resource'] };
      }
      if (!fields) return undefined;
      const child = fields.get(field);
      if (!child) throw new FieldError(`undefined field '${field}'`, ast.end - field.length - 1);
      return child;
    }
    case '[]': {
      const [target, index] = ast.args;
      const left = walkFields(target, scope);
      walkFields(index, scope);
      if (!left) return undefined;
      if (left.schema.type === 'array' && left.schema.items) return { schema: left.schema.items, root: !!left.schema.items['x-kubernetes-embedded-resource'] };
      const add = left.schema.additionalProperties;
      if (typeof add === 'object') return { schema: add, root: !!add['x-kubernetes-embedded-resource'] };
      return undefined;
    }
    case 'rcall': {
      const [name, receiver, args] = ast.args;
      const recv = walkFields(receiver, scope);
      if (MACROS.has(name) && args.length >= 2 && args[0].op === 'id') {
        const inner = new Map(scope);
        inner.set(args[0].args as string, elementOf(recv));
        for (let i = 1; i < args.length; i++) walkFields(args[i], inner);
      } else {
        args.forEach((a) => walkFields(a, scope));
      }
      return undefined;
    }
    default:
      for (const child of nodeChildren(ast)) walkFields(child, scope);
      return undefined;
  }
}

function checkFieldReferences(ast: ASTNode, schema: JSONSchemaProps, root: boolean, optionalOld: boolean, expr: string): string | undefined {
  const self: Known = { schema, root };
  const scope = new Map<string, Known | undefined>([['self', self], ['oldSelf', optionalOld ? undefined : self]]);
  try {
    walkFields(ast, scope);
    return undefined;
  } catch (err) {
    if (err instanceof FieldError) return `ERROR: ${position(expr, err.offset)}: ${err.message}`;
    throw err;
  }
}

function referencesOldSelf(ast: ASTNode): boolean {
  if (ast.op === 'id') return ast.args === 'oldSelf';
  return nodeChildren(ast).some(referencesOldSelf);
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

function dynToCel(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(dynToCel);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) defineKey(out, k, dynToCel(x));
    return celMap(out);
  }
  return v;
}

/**
 * cel-js tells a map's type by its `constructor`: an object with its own `constructor` key (a label
 * or annotation named so, perfectly legal in Kubernetes) would be an unsupported type and break every
 * rule reading it. Such a map is handed over as a Map, which cel-js treats as the same CEL map.
 */
function celMap(out: Record<string, unknown>): unknown {
  return Object.hasOwn(out, 'constructor') ? new Map(Object.entries(out)) : out;
}

function defineKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function resourceMeta(meta: unknown): unknown {
  if (!isPlainObject(meta)) return dynToCel(meta);
  const out: Record<string, unknown> = {};
  if (typeof meta.name === 'string') out.name = meta.name;
  if (typeof meta.generateName === 'string') out.generateName = meta.generateName;
  return out;
}

/**
 * The CEL value of a JSON value under `schema` (see the module comment). `isResourceRoot` keeps
 * only `apiVersion`, `kind` and `metadata.name/generateName` of the object's envelope visible, as
 * the real server does for the resource root and embedded resources.
 */
export function toCelValue(v: unknown, schema: JSONSchemaProps | undefined, isResourceRoot = false, cache?: WeakMap<object, unknown>): unknown {
  if (v === null || v === undefined) return null;
  if (!schema || schema['x-kubernetes-int-or-string']) return dynToCel(v);
  if (cache && typeof v === 'object') {
    const hit = cache.get(v as object);
    if (hit !== undefined) return hit;
  }
  let out: unknown;
  switch (schema.type) {
    case 'integer':
      out = typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : dynToCel(v);
      break;
    case 'number':
      out = v;
      break;
    case 'string':
      out = v;
      if (typeof v === 'string') {
        if (schema.format === 'date-time' || schema.format === 'datetime' || schema.format === 'date') {
          const d = new Date(schema.format === 'date' ? `${v}T00:00:00Z` : v);
          if (!Number.isNaN(d.getTime())) out = d;
        } else if (schema.format === 'duration') {
          out = toDuration(v) ?? v;
        } else if (schema.format === 'byte') {
          out = new Uint8Array(Buffer.from(v, 'base64'));
        }
      }
      break;
    case 'array':
      out = Array.isArray(v) ? v.map((x) => toCelValue(x, schema.items, !!schema.items?.['x-kubernetes-embedded-resource'], cache)) : dynToCel(v);
      break;
    default:
      out = objectToCel(v, schema, isResourceRoot || !!schema['x-kubernetes-embedded-resource'], cache);
  }
  if (cache && typeof v === 'object') cache.set(v as object, out);
  return out;
}

function objectToCel(v: unknown, schema: JSONSchemaProps, envelope: boolean, cache?: WeakMap<object, unknown>): unknown {
  if (!isPlainObject(v)) return dynToCel(v);
  const add = schema.additionalProperties;
  if (typeof add === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) defineKey(out, k, toCelValue(x, add, !!add['x-kubernetes-embedded-resource'], cache));
    return celMap(out);
  }
  if (!schema.properties && (schema['x-kubernetes-preserve-unknown-fields'] || add === true || !schema.type)) {
    if (!envelope) return dynToCel(v);
  }
  const out: Record<string, unknown> = {};
  if (envelope) {
    if (v.apiVersion !== undefined) out.apiVersion = v.apiVersion;
    if (v.kind !== undefined) out.kind = v.kind;
    if (v.metadata !== undefined) out.metadata = resourceMeta(v.metadata);
  }
  for (const [name, esc] of escapedProperties(schema)) {
    if (!Object.hasOwn(v, name) || (envelope && (name === 'apiVersion' || name === 'kind' || name === 'metadata'))) continue;
    const sub = schema.properties![name];
    defineKey(out, esc, toCelValue(v[name], sub, !!sub['x-kubernetes-embedded-resource'], cache));
  }
  if (!schema.properties && envelope && schema['x-kubernetes-preserve-unknown-fields']) {
    for (const [k, x] of Object.entries(v)) if (!Object.hasOwn(out, k)) defineKey(out, k, dynToCel(x));
  }
  return celMap(out);
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

export type RuleOutcome =
  | { kind: 'pass' }
  | { kind: 'fail' }
  | { kind: 'error'; message: string; overload: boolean };

/** cel-go's wording for the common runtime errors. */
function runtimeMessage(err: unknown): { message: string; overload: boolean } {
  let m = errorSummary(err);
  const oob = /index out of bounds, index (-?\d+)/.exec(m);
  if (oob) m = `index out of bounds: ${oob[1]}`;
  else if (/^No such key: /.test(m)) m = `no such key: ${m.slice('No such key: '.length)}`;
  else if (/^Unknown variable: /.test(m)) m = `no such attribute: ${m.slice('Unknown variable: '.length)}`;
  const overload = /^no such overload|^found no matching overload/.test(m);
  return { message: overload ? 'no such overload' : m, overload };
}

/**
 * Runs a compiled rule. `oldSelf` is passed when the old object had a value at this node; for
 * `optionalOldSelf` rules it becomes an optional (`optional.none()` when absent).
 */
export function evaluateRule(compiled: CompiledRule, self: unknown, oldSelf: { value: unknown } | undefined): RuleOutcome {
  if (!compiled.program) return { kind: 'error', message: compiled.error ?? 'rule is not compiled', overload: false };
  const ctx: Record<string, unknown> = { self };
  if (compiled.rule.optionalOldSelf) ctx.oldSelf = oldSelf ? Optional.of(oldSelf.value) : Optional.none();
  else if (oldSelf) ctx.oldSelf = oldSelf.value;
  try {
    const result = compiled.program(ctx);
    if (result === true) return { kind: 'pass' };
    if (result === false) return { kind: 'fail' };
    return { kind: 'error', message: 'no such overload', overload: true };
  } catch (err) {
    if (err instanceof CelLibraryError) return { kind: 'error', message: err.message, overload: err.message === 'no such overload' };
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof CelLibraryError) return { kind: 'error', message: cause.message, overload: false };
    return { kind: 'error', ...runtimeMessage(err) };
  }
}

/**
 * Evaluates a rule's messageExpression. Returns the trimmed message, or undefined when it fails,
 * is not a string, is empty or spans lines (the caller then falls back to `message`).
 */
export function evaluateMessageExpression(compiled: CompiledRule, self: unknown, oldSelf: { value: unknown } | undefined): string | undefined {
  if (!compiled.messageProgram) return undefined;
  const ctx: Record<string, unknown> = { self };
  if (oldSelf) ctx.oldSelf = compiled.rule.optionalOldSelf ? Optional.of(oldSelf.value) : oldSelf.value;
  else if (compiled.rule.optionalOldSelf) ctx.oldSelf = Optional.none();
  try {
    const out = compiled.messageProgram(ctx);
    if (typeof out !== 'string') return undefined;
    const trimmed = out.trim();
    if (!trimmed || trimmed.length > 5 * 1024 || /\n/.test(trimmed)) return undefined;
    return trimmed;
  } catch {
    return undefined;
  }
}

/** True when `schema` or anything below it carries x-kubernetes-validations. */
export function hasValidationRules(schema: JSONSchemaProps | undefined): boolean {
  if (!schema) return false;
  let cached = rulesBelow.get(schema);
  if (cached === undefined) {
    cached =
      (schema['x-kubernetes-validations']?.length ?? 0) > 0 ||
      hasValidationRules(schema.items) ||
      (typeof schema.additionalProperties === 'object' && hasValidationRules(schema.additionalProperties)) ||
      Object.values(schema.properties ?? {}).some(hasValidationRules) ||
      (schema.allOf ?? []).some(hasValidationRules);
    rulesBelow.set(schema, cached);
  }
  return cached;
}

const rulesBelow = new WeakMap<JSONSchemaProps, boolean>();
