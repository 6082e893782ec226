/**
 * PromQL parsing: the official lezer grammar produces a concrete syntax tree, which is checked for
 * error nodes and mapped to our typed AST ({@link Expr}). Constructs the evaluator does not support
 * are rejected here, with their position, so nothing is silently mis-evaluated.
 */
import { parser } from '@prometheus-io/lezer-promql';
import {
  PromQLError,
  type AggregateOp,
  type BinaryOp,
  type Expr,
  type ValueType,
  type VectorMatching,
  type VectorSelector,
} from './ast.ts';
import { parsePromDuration } from '../prometheus-duration.ts';
import { FUNCTIONS } from './functions-table.ts';
import { anchoredRegex, type Matcher, type MatchType } from './storage.ts';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

const BINARY_OPS: Record<string, BinaryOp> = {
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Pow: '^',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Lss: '<',
  Gte: '>=',
  Lte: '<=',
  And: 'and',
  Or: 'or',
  Unless: 'unless',
};

const COMPARISON = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS = new Set<BinaryOp>(['and', 'or', 'unless']);

const AGGREGATE_OPS: Record<string, AggregateOp> = {
  Sum: 'sum',
  Count: 'count',
  Min: 'min',
  Max: 'max',
  Avg: 'avg',
  Group: 'group',
  Stddev: 'stddev',
  Stdvar: 'stdvar',
  Topk: 'topk',
  Bottomk: 'bottomk',
  Quantile: 'quantile',
  CountValues: 'count_values',
};

/** The parameter each parameterised aggregation takes before its vector. */
const AGGREGATE_PARAM: Partial<Record<AggregateOp, ValueType>> = {
  topk: 'scalar',
  bottomk: 'scalar',
  quantile: 'scalar',
  count_values: 'string',
};

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const MATCH_OPS: Record<string, MatchType> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

/**
 * A PromQL duration (`5m`, `1h30m`, `250ms`: Prometheus' strict model.ParseDuration grammar) or a
 * plain number of seconds (as the HTTP API and Prometheus 3 number literals take); in ms, undefined
 * if it is neither.
 */
export function parseDuration(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  try {
    return parsePromDuration(text);
  } catch {
    return undefined;
  }
}

function parseNumber(text: string): number | undefined {
  let t = text;
  let sign = 1;
  if (t.startsWith('-') || t.startsWith('+')) {
    if (t.startsWith('-')) sign = -1;
    t = t.slice(1);
  }
  const lower = t.toLowerCase();
  if (lower === 'inf') return sign * Infinity;
  if (lower === 'nan') return NaN;
  if (/^0x[0-9a-f]+$/i.test(t)) return sign * parseInt(t.slice(2), 16);
  if (/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return sign * Number(t);
  const d = parseDuration(t);
  return d === undefined ? undefined : (sign * d) / 1000;
}

/** Unquotes a PromQL string literal ("...", '...' with escapes, or `raw`). */
function unquote(text: string, pos: number, src: string): string {
  const q = text[0];
  const body = text.slice(1, -1);
  if (q === '`') return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    switch (n) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
      case '"':
      case "'":
        out += n;
        break;
      case 'x':
      case 'u':
      case 'U': {
        const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
        const hex = body.slice(i + 1, i + 1 + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new PromQLError('invalid escape in string', pos, src);
        out += String.fromCodePoint(parseInt(hex, 16));
        i += len;
        break;
      }
      default:
        if (n !== undefined && /[0-7]/.test(n)) {
          const oct = body.slice(i, i + 3);
          if (!/^[0-7]{3}$/.test(oct)) throw new PromQLError('invalid escape in string', pos, src);
          out += String.fromCharCode(parseInt(oct, 8));
          i += 2;
          break;
        }
        throw new PromQLError(`unknown escape sequence \\${n ?? ''} in string`, pos, src);
    }
  }
  return out;
}

/** Checks that a regex is usable as an RE2 pattern (JS features RE2 lacks are rejected); `captures` for label_replace. */
export function checkRegex(pattern: string, pos: number, src: string, captures = false): void {
  // Lookarounds, backreferences, POSIX classes and RE2-only escapes would not mean the same in JS.
  if (
    /\(\?<?[=!]/.test(pattern) ||
    /\\[1-9AzCpPQE]/.test(pattern) ||
    /\[\[:/.test(pattern) ||
    /\(\?(?!P<)[a-zA-Z]/.test(pattern.replace(/^\(\?i\)/, ''))
  ) {
    throw new PromQLError(`unsupported regex construct in ${JSON.stringify(pattern)} (RE2 syntax only)`, pos, src);
  }
  try {
    anchoredRegex(pattern, { captures });
  } catch (e) {
    throw new PromQLError(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`, pos, src);
  }
}

class Mapper {
  /** Offsets that belong to a selector inside a binary/unary expression (see offset()), by node position. */
  private readonly selectorOffsets = new Map<string, number>();

  constructor(private readonly src: string) {}

  private static nodeKey(n: SyntaxNode): string {
    return `${n.name}@${n.from}-${n.to}`;
  }

  private text(n: SyntaxNode): string {
    return this.src.slice(n.from, n.to);
  }

  private fail(message: string, n: SyntaxNode | number): never {
    throw new PromQLError(message, typeof n === 'number' ? n : n.from, this.src);
  }

  private children(n: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
    return out;
  }

  private child(n: SyntaxNode, name: string): SyntaxNode | undefined {
    return this.children(n).find((c) => c.name === name);
  }

  /** Maps an expression node and returns it with its static type. */
  expr(n: SyntaxNode): { e: Expr; t: ValueType } {
    switch (n.name) {
      case 'ParenExpr': {
        const inner = n.firstChild;
        if (!inner) return this.fail('empty parentheses', n);
        return this.expr(inner);
      }
      case 'NumberDurationLiteral': {
        const v = parseNumber(this.text(n));
        if (v === undefined) return this.fail(`invalid number ${JSON.stringify(this.text(n))}`, n);
        return { e: { kind: 'number', value: v }, t: 'scalar' };
      }
      case 'StringLiteral':
        return { e: { kind: 'string', value: unquote(this.text(n), n.from, this.src) }, t: 'string' };
      case 'VectorSelector': {
        const vs = this.vectorSelector(n);
        vs.offsetMs = this.selectorOffsets.get(Mapper.nodeKey(n)) ?? 0;
        return { e: vs, t: 'vector' };
      }
      case 'MatrixSelector':
        return this.matrixSelector(n, this.selectorOffsets.get(Mapper.nodeKey(n)) ?? 0);
      case 'OffsetExpr':
        return this.offset(n);
      case 'UnaryExpr':
        return this.unary(n);
      case 'BinaryExpr':
        return this.binary(n);
      case 'AggregateExpr':
        return this.aggregate(n);
      case 'FunctionCall':
        return this.call(n);
      case 'SubqueryExpr':
        return this.fail('subqueries are not supported', n);
      case 'StepInvariantExpr':
        return this.fail('the @ modifier is not supported', n);
      default:
        return this.fail(`unsupported expression (${n.name})`, n);
    }
  }

  private vectorSelector(n: SyntaxNode): VectorSelector {
    const matchers: Matcher[] = [];
    let name: string | undefined;
    for (const c of this.children(n)) {
      if (c.name === 'Identifier') {
        name = this.text(c);
        matchers.push({ type: '=', name: '__name__', value: name });
      } else if (c.name === 'LabelMatchers') {
        for (const m of this.children(c)) matchers.push(this.matcher(m));
      } else {
        this.fail(`unexpected ${c.name} in vector selector`, c);
      }
    }
    if (name !== undefined && matchers.filter((m) => m.name === '__name__').length > 1) {
      this.fail(`metric name must not be set twice: ${JSON.stringify(name)}`, n);
    }
    if (!matchers.some((m) => !matchesEmpty(m))) {
      this.fail('vector selector must contain at least one non-empty matcher', n);
    }
    return { kind: 'vector', name, matchers, offsetMs: 0 };
  }

  private matcher(n: SyntaxNode): Matcher {
    if (n.name !== 'UnquotedLabelMatcher' && n.name !== 'QuotedLabelMatcher') {
      if (n.name === 'QuotedLabelName') {
        const lit = n.firstChild;
        if (!lit) return this.fail('bad label matcher', n);
        return { type: '=', name: '__name__', value: unquote(this.text(lit), lit.from, this.src) };
      }
      return this.fail(`unsupported label matcher (${n.name})`, n);
    }
    let name: string | undefined;
    let type: MatchType | undefined;
    let value: string | undefined;
    let valuePos = n.from;
    for (const c of this.children(n)) {
      if (c.name === 'LabelName') name = this.text(c);
      else if (c.name === 'QuotedLabelName') {
        const lit = c.firstChild;
        if (lit) name = unquote(this.text(lit), lit.from, this.src);
      } else if (c.name === 'MatchOp') {
        const op = c.firstChild;
        type = op ? MATCH_OPS[op.name] : undefined;
      } else if (c.name === 'StringLiteral') {
        value = unquote(this.text(c), c.from, this.src);
        valuePos = c.from;
      }
    }
    if (name === undefined || type === undefined || value === undefined) return this.fail('bad label matcher', n);
    if (type === '=~' || type === '!~') checkRegex(value, valuePos, this.src);
    return { type, name, value };
  }

  private matrixSelector(n: SyntaxNode, offsetMs: number): { e: Expr; t: ValueType } {
    const vs = this.child(n, 'VectorSelector');
    const dur = this.child(n, 'DurationExpr');
    if (!vs || !dur) return this.fail('bad range selector', n);
    const rangeMs = this.duration(dur);
    if (rangeMs <= 0) this.fail('range must be positive', dur);
    const selector = this.vectorSelector(vs);
    selector.offsetMs = offsetMs;
    return { e: { kind: 'matrix', selector, rangeMs }, t: 'matrix' };
  }

  private duration(n: SyntaxNode): number {
    const inner = n.firstChild;
    if (!inner || inner.nextSibling || !inner.name.startsWith('NumberDurationLiteral')) {
      return this.fail('only literal durations are supported', n);
    }
    const ms = parseDuration(this.text(inner));
    if (ms === undefined) return this.fail(`invalid duration ${JSON.stringify(this.text(inner))}`, inner);
    return ms;
  }

  private offsetDuration(n: SyntaxNode): number {
    const kids = this.children(n);
    if (kids.length === 2 && kids[0].name === 'UnaryOp') {
      const sign = this.text(kids[0]) === '-' ? -1 : 1;
      return sign * this.offsetDuration(kids[1]);
    }
    return this.duration(n);
  }

  private offset(n: SyntaxNode): { e: Expr; t: ValueType } {
    const target = n.firstChild;
    const dur = this.child(n, 'OffsetDurationExpr');
    if (!target || !dur) return this.fail('bad offset', n);
    const ms = this.offsetDuration(dur);
    if (target.name === 'VectorSelector') {
      const vs = this.vectorSelector(target);
      vs.offsetMs = ms;
      return { e: vs, t: 'vector' };
    }
    if (target.name === 'MatrixSelector') return this.matrixSelector(target, ms);
    if (target.name === 'BinaryExpr' || target.name === 'UnaryExpr') {
      // lezer-promql parses `a - b offset 5m` as `(a - b) offset 5m`, but in Prometheus `offset`
      // binds tighter than any operator: it modifies the selector right before it, `a - (b offset 5m)`.
      let operand: SyntaxNode | null = target;
      while (operand && (operand.name === 'BinaryExpr' || operand.name === 'UnaryExpr')) operand = operand.lastChild;
      if (operand && (operand.name === 'VectorSelector' || operand.name === 'MatrixSelector')) {
        this.selectorOffsets.set(Mapper.nodeKey(operand), ms);
        return this.expr(target);
      }
    }
    return this.fail('offset modifier must be preceded by an instant vector selector or range vector selector', n);
  }

  private unary(n: SyntaxNode): { e: Expr; t: ValueType } {
    const [opNode, operand] = this.children(n);
    if (!opNode || !operand) return this.fail('bad unary expression', n);
    const inner = this.expr(operand);
    if (inner.t !== 'scalar' && inner.t !== 'vector') {
      this.fail(`unary expression only allowed on expressions of type scalar or instant vector, got ${inner.t}`, n);
    }
    const op = this.text(opNode) === '-' ? '-' : '+';
    if (inner.e.kind === 'number') {
      return { e: { kind: 'number', value: op === '-' ? -inner.e.value : inner.e.value }, t: 'scalar' };
    }
    return { e: { kind: 'unary', op, expr: inner.e }, t: inner.t };
  }

  private binary(n: SyntaxNode): { e: Expr; t: ValueType } {
    const kids = this.children(n);
    const lhsNode = kids[0];
    const rhsNode = kids[kids.length - 1];
    const opNode = kids[1];
    const op = opNode ? BINARY_OPS[opNode.name] : undefined;
    if (!lhsNode || !rhsNode || !op) {
      return this.fail(`unsupported binary operator ${opNode ? JSON.stringify(this.text(opNode)) : ''}`, opNode ?? n);
    }
    const lhs = this.expr(lhsNode);
    const rhs = this.expr(rhsNode);
    let bool = false;
    let matchingNode: SyntaxNode | undefined;
    for (const c of kids.slice(2, -1)) {
      if (c.name === 'BoolModifier') bool = true;
      else if (c.name === 'MatchingModifierClause') matchingNode = c;
      else this.fail(`unexpected ${c.name} in binary expression`, c);
    }
    for (const side of [lhs, rhs]) {
      if (side.t !== 'scalar' && side.t !== 'vector') {
        this.fail(`binary expression must contain only scalar and instant vector types, got ${side.t}`, n);
      }
    }
    const isComparison = COMPARISON.has(op);
    if (bool && !isComparison) this.fail('bool modifier can only be used on comparison operators', opNode);
    if (SET_OPS.has(op) && (lhs.t !== 'vector' || rhs.t !== 'vector')) {
      this.fail(`set operator "${op}" not allowed in binary scalar expression`, opNode);
    }
    if (isComparison && !bool && lhs.t === 'scalar' && rhs.t === 'scalar') {
      this.fail('comparisons between scalars must use BOOL modifier', opNode);
    }
    const bothVectors = lhs.t === 'vector' && rhs.t === 'vector';
    let matching: VectorMatching | undefined;
    if (matchingNode) {
      if (!bothVectors) this.fail('vector matching only allowed between instant vectors', matchingNode);
      matching = this.matching(matchingNode);
      if (SET_OPS.has(op) && matching.card !== 'one-to-one') {
        this.fail(`no grouping allowed for "${op}" operation`, matchingNode);
      }
      const inc = new Set(matching.include);
      if (matching.on) {
        for (const l of matching.labels) {
          if (inc.has(l)) this.fail(`label ${JSON.stringify(l)} must not occur in ON and GROUP clause at once`, matchingNode);
        }
      }
    } else if (bothVectors) {
      matching = { card: 'one-to-one', on: false, labels: [], include: [] };
    }
    const t: ValueType = lhs.t === 'scalar' && rhs.t === 'scalar' ? 'scalar' : 'vector';
    // lezer-promql lexes `-2` as one literal, so `-2 ^ 2` arrives as (-2) ^ 2. In Prometheus the
    // minus is a unary operator binding looser than `^`: -(2 ^ 2) = -4.
    if (op === '^' && lhsNode.name === 'NumberDurationLiteral' && lhs.e.kind === 'number' && this.text(lhsNode).trimStart().startsWith('-')) {
      const power: Expr = { kind: 'binary', op, lhs: { kind: 'number', value: -lhs.e.value }, rhs: rhs.e, bool, matching };
      return { e: { kind: 'unary', op: '-', expr: power }, t };
    }
    return { e: { kind: 'binary', op, lhs: lhs.e, rhs: rhs.e, bool, matching }, t };
  }

  private labelList(n: SyntaxNode): string[] {
    const out: string[] = [];
    for (const c of this.children(n)) {
      if (c.name === 'LabelName') out.push(this.text(c));
      else if (c.name === 'QuotedLabelName') {
        const lit = c.firstChild;
        if (lit) out.push(unquote(this.text(lit), lit.from, this.src));
      } else if (c.name === 'StringLiteral') out.push(unquote(this.text(c), c.from, this.src));
      else this.fail(`unexpected ${c.name} in label list`, c);
    }
    return out;
  }

  private matching(n: SyntaxNode): VectorMatching {
    const m: VectorMatching = { card: 'one-to-one', on: false, labels: [], include: [] };
    let last: 'on' | 'group' | undefined;
    for (const c of this.children(n)) {
      switch (c.name) {
        case 'On':
          m.on = true;
          last = 'on';
          break;
        case 'Ignoring':
          m.on = false;
          last = 'on';
          break;
        case 'GroupLeft':
          m.card = 'many-to-one';
          last = 'group';
          break;
        case 'GroupRight':
          m.card = 'one-to-many';
          last = 'group';
          break;
        case 'GroupingLabels':
          if (last === 'group') m.include = this.labelList(c);
          else m.labels = this.labelList(c);
          break;
        default:
          this.fail(`unexpected ${c.name} in vector matching`, c);
      }
    }
    return m;
  }

  private aggregate(n: SyntaxNode): { e: Expr; t: ValueType } {
    const opNode = this.child(n, 'AggregateOp');
    const body = this.child(n, 'FunctionCallBody');
    const mod = this.child(n, 'AggregateModifier');
    if (!opNode || !body) return this.fail('bad aggregation', n);
    const kind = opNode.firstChild;
    const op = kind ? AGGREGATE_OPS[kind.name] : undefined;
    if (!op) return this.fail(`unsupported aggregation ${JSON.stringify(this.text(opNode))}`, opNode);
    let grouping: string[] = [];
    let without = false;
    if (mod) {
      for (const c of this.children(mod)) {
        if (c.name === 'Without') without = true;
        else if (c.name === 'By') without = false;
        else if (c.name === 'GroupingLabels') grouping = this.labelList(c);
        else this.fail(`unexpected ${c.name} in aggregation modifier`, c);
      }
    }
    const args = this.children(body).map((c) => ({ node: c, ...this.expr(c) }));
    const paramType = AGGREGATE_PARAM[op];
    const needsParam = paramType !== undefined;
    if (args.length !== (needsParam ? 2 : 1)) {
      this.fail(`wrong number of arguments for aggregate expression provided, expected ${needsParam ? 2 : 1}, got ${args.length}`, body);
    }
    const exprArg = args[args.length - 1];
    if (exprArg.t !== 'vector') {
      this.fail(`expected type instant vector in aggregation expression, got ${exprArg.t}`, exprArg.node);
    }
    if (needsParam && args[0].t !== paramType) {
      this.fail(`expected type ${typeName(paramType)} in aggregation parameter, got ${typeName(args[0].t)}`, args[0].node);
    }
    if (op === 'count_values') {
      // Only a string literal has the string type, so the label name is known now.
      const label = (args[0].e as { value: string }).value;
      if (!LABEL_NAME.test(label)) this.fail(`invalid label name ${JSON.stringify(label)} in count_values()`, args[0].node);
    }
    return {
      e: { kind: 'aggregate', op, expr: exprArg.e, param: needsParam ? args[0].e : undefined, grouping, without },
      t: 'vector',
    };
  }

  private call(n: SyntaxNode): { e: Expr; t: ValueType } {
    const ident = this.child(n, 'FunctionIdentifier');
    const body = this.child(n, 'FunctionCallBody');
    if (!ident || !body) return this.fail('bad function call', n);
    const name = this.text(ident);
    const sig = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
    if (!sig) return this.fail(`unsupported function ${JSON.stringify(name)}`, ident);
    const args = this.children(body).map((c) => ({ node: c, ...this.expr(c) }));
    const min = sig.args.length - (sig.optional ?? 0);
    if (args.length < min || (!sig.variadic && args.length > sig.args.length)) {
      const expected = sig.variadic ? `at least ${min}` : min === sig.args.length ? `${min}` : `${min} to ${sig.args.length}`;
      this.fail(`expected ${expected} argument(s) in call to ${JSON.stringify(name)}, got ${args.length}`, body);
    }
    args.forEach((a, i) => {
      const expected = sig.args[Math.min(i, sig.args.length - 1)];
      if (a.t !== expected) {
        this.fail(`expected type ${typeName(expected)} in call to function ${JSON.stringify(name)}, got ${typeName(a.t)}`, a.node);
      }
    });
    const literal = (i: number) => (args[i].e as { value: string }).value;
    if (name === 'label_replace') {
      const dst = literal(1);
      if (!LABEL_NAME.test(dst)) this.fail(`invalid destination label name in label_replace(): ${dst}`, args[1].node);
      checkRegex(literal(4), args[4].node.from, this.src, true);
    }
    if (name === 'label_join') {
      const dst = literal(1);
      if (!LABEL_NAME.test(dst)) this.fail(`invalid destination label name in label_join(): ${dst}`, args[1].node);
      for (let i = 3; i < args.length; i++) {
        if (!LABEL_NAME.test(literal(i))) this.fail(`invalid source label name in label_join(): ${literal(i)}`, args[i].node);
      }
    }
    return { e: { kind: 'call', func: name, args: args.map((a) => a.e) }, t: sig.returns };
  }
}

function typeName(t: ValueType): string {
  return t === 'vector' ? 'instant vector' : t === 'matrix' ? 'range vector' : t;
}

function matchesEmpty(m: Matcher): boolean {
  switch (m.type) {
    case '=':
      return m.value === '';
    case '!=':
      return m.value !== '';
    case '=~':
      return anchoredRegex(m.value).test('');
    case '!~':
      return !anchoredRegex(m.value).test('');
  }
}

/** Finds the first syntax error node, if any. */
function firstError(top: SyntaxNode): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  top.cursor().iterate((c) => {
    if (found) return false;
    if (c.type.isError) {
      found = c.node;
      return false;
    }
    return undefined;
  });
  return found;
}

/** Parses a PromQL expression into a typed AST; throws {@link PromQLError} with a position on error. */
export interface ParseOptions {
  /**
   * Accept a range vector as the whole expression (`up[5m]`): valid for an instant query of the
   * HTTP API, which returns it as a matrix, never for a rule.
   */
  allowRangeVector?: boolean;
}

/** Stops at the first syntax error instead of recovering from it. */
const strictParser = parser.configure({ strict: true });
/**
 * A failed input up to this long is parsed again with error recovery, which finds the extent of
 * the unexpected token. On long inputs recovery can take seconds and gigabytes (a 600 KB chain of
 * `x^x^…`, deeper than the parser's stack, took 1.5 GB), so those are reported where parsing stopped.
 */
const RECOVERY_MAX_LENGTH = 10_000;

function syntaxError(expr: string, at: number, to: number): PromQLError {
  const fn = /([a-zA-Z_][a-zA-Z0-9_:]*)\s*$/.exec(expr.slice(0, at));
  if (expr[at] === '(' && fn) {
    return new PromQLError(`unknown or unsupported function ${JSON.stringify(fn[1])}`, fn.index, expr);
  }
  const msg = at >= expr.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(expr.slice(at, Math.max(to, at + 1)).slice(0, 20))}`;
  return new PromQLError(`parse error: ${msg}`, at, expr);
}

export function parsePromQL(expr: string, opts: ParseOptions = {}): Expr {
  if (expr.trim() === '') throw new PromQLError('empty expression', 0, expr);
  let tree;
  try {
    tree = strictParser.parse(expr);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    if (expr.length > RECOVERY_MAX_LENGTH) {
      const at = Math.min(Number(/No parse at (\d+)/.exec(e.message)?.[1] ?? 0), expr.length);
      throw syntaxError(expr, at, at + 1);
    }
    tree = parser.parse(expr);
  }
  const err = firstError(tree.topNode);
  if (err) throw syntaxError(expr, err.from, err.to);
  const root = tree.topNode.firstChild;
  if (!root) throw new PromQLError('empty expression', 0, expr);
  if (root.nextSibling) throw new PromQLError('parse error: unexpected input', root.nextSibling.from, expr);
  const { e, t } = new Mapper(expr).expr(root);
  if (t === 'matrix' && !opts.allowRangeVector) {
    throw new PromQLError('range vectors are only supported as function arguments', root.from, expr);
  }
  return e;
}
