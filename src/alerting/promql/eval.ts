/**
 * Instant-query evaluation of a parsed PromQL expression at one timestamp, with Prometheus semantics:
 * lookback window for instant selectors, staleness markers, metric-name dropping, vector matching
 * (one-to-one, many-to-one, one-to-many), comparison filters and `bool`, and set operators.
 */
import {
  PromQLError,
  type AggregateExpr,
  type BinaryExpr,
  type BinaryOp,
  type CallExpr,
  type Expr,
  type VectorMatching,
  type VectorSelector,
} from './ast.ts';
import {
  absentLabels,
  applyRangeFunction,
  checkUniqueLabels,
  ELEMENT_FUNCTIONS,
  labelReplace,
  RANGE_FUNCTIONS,
} from './functions.ts';
import { isStaleSample, type Sample, type SeriesStorage } from './storage.ts';
import { dropMetricName, labelsKey, type InstantSample, type Labels, type RangeSeries, type Value } from './value.ts';

export interface EvalOptions {
  /** How far back an instant selector looks for the latest sample (default 5 minutes). */
  lookbackDeltaMs?: number;
}

const COMPARISON = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);

interface Ctx {
  t: number;
  storage: SeriesStorage;
  lookbackMs: number;
}

/** Evaluates `expr` at time `t` (ms since epoch). Returns a scalar, a string or an instant vector. */
export function evaluate(expr: Expr, t: number, storage: SeriesStorage, opts: EvalOptions = {}): Value {
  const ctx: Ctx = { t, storage, lookbackMs: opts.lookbackDeltaMs ?? 300_000 };
  const v = evalExpr(expr, ctx);
  if (v.type === 'matrix') throw new PromQLError('range vectors are only supported as function arguments');
  return v;
}

function evalExpr(e: Expr, ctx: Ctx): Value {
  const v = evalNode(e, ctx);
  // Dropping the metric name can make two series identical: Prometheus rejects such a vector.
  if (v.type === 'vector' && (e.kind === 'unary' || e.kind === 'binary' || e.kind === 'call')) {
    checkUniqueLabels(v.samples, labelsKey);
  }
  return v;
}

function evalNode(e: Expr, ctx: Ctx): Value {
  switch (e.kind) {
    case 'number':
      return { type: 'scalar', value: e.value };
    case 'string':
      return { type: 'string', value: e.value };
    case 'vector':
      return { type: 'vector', samples: selectInstant(e, ctx) };
    case 'matrix':
      return { type: 'matrix', series: selectRange(e.selector, e.rangeMs, ctx) };
    case 'unary': {
      const v = evalExpr(e.expr, ctx);
      if (e.op === '+') return v;
      if (v.type === 'scalar') return { type: 'scalar', value: -v.value };
      if (v.type === 'vector') {
        return { type: 'vector', samples: v.samples.map((s) => ({ labels: dropMetricName(s.labels), value: -s.value })) };
      }
      throw new PromQLError(`unary minus on ${v.type}`);
    }
    case 'binary':
      return evalBinary(e, ctx);
    case 'aggregate':
      return { type: 'vector', samples: evalAggregate(e, ctx) };
    case 'call':
      return evalCall(e, ctx);
  }
}

function selectInstant(vs: VectorSelector, ctx: Ctx): InstantSample[] {
  const end = ctx.t - vs.offsetMs;
  const start = end - ctx.lookbackMs;
  const out: InstantSample[] = [];
  for (const s of ctx.storage.select(vs.matchers, start, end)) {
    let last: Sample | undefined;
    for (const sample of s.samples) {
      if (sample[0] > start && sample[0] <= end && (!last || sample[0] >= last[0])) last = sample;
    }
    if (!last || isStaleSample(last)) continue;
    out.push({ labels: { ...s.labels }, value: last[1] });
  }
  return out;
}

function selectRange(vs: VectorSelector, rangeMs: number, ctx: Ctx): RangeSeries[] {
  const end = ctx.t - vs.offsetMs;
  const start = end - rangeMs;
  const out: RangeSeries[] = [];
  for (const s of ctx.storage.select(vs.matchers, start, end)) {
    const samples = s.samples
      .filter((x) => x[0] > start && x[0] <= end && !isStaleSample(x))
      .map((x): [number, number] => [x[0], x[1]])
      .sort((a, b) => a[0] - b[0]);
    if (samples.length > 0) out.push({ labels: { ...s.labels }, samples });
  }
  return out;
}

function scalarArg(e: Expr, ctx: Ctx): number {
  const v = evalExpr(e, ctx);
  if (v.type !== 'scalar') throw new PromQLError(`expected scalar, got ${v.type}`);
  return v.value;
}

function vectorArg(e: Expr, ctx: Ctx): InstantSample[] {
  const v = evalExpr(e, ctx);
  if (v.type !== 'vector') throw new PromQLError(`expected instant vector, got ${v.type}`);
  return v.samples;
}

function stringArg(e: Expr, ctx: Ctx): string {
  const v = evalExpr(e, ctx);
  if (v.type !== 'string') throw new PromQLError(`expected string, got ${v.type}`);
  return v.value;
}

// ---------------------------------------------------------------- binary operators

/** Arithmetic / comparison on two numbers: [value, keep] (keep=false filters a comparison out). */
function applyOp(op: BinaryOp, a: number, b: number): [number, boolean] {
  switch (op) {
    case '+':
      return [a + b, true];
    case '-':
      return [a - b, true];
    case '*':
      return [a * b, true];
    case '/':
      return [a / b, true];
    case '%':
      return [a % b, true];
    case '^':
      return [Math.pow(a, b), true];
    case '==':
      return [a, a === b];
    case '!=':
      return [a, a !== b];
    case '>':
      return [a, a > b];
    case '<':
      return [a, a < b];
    case '>=':
      return [a, a >= b];
    case '<=':
      return [a, a <= b];
    default:
      throw new PromQLError(`operator ${op} not defined on numbers`);
  }
}

function evalBinary(e: BinaryExpr, ctx: Ctx): Value {
  const lhs = evalExpr(e.lhs, ctx);
  const rhs = evalExpr(e.rhs, ctx);
  const isCmp = COMPARISON.has(e.op);
  if (lhs.type === 'scalar' && rhs.type === 'scalar') {
    const [v, keep] = applyOp(e.op, lhs.value, rhs.value);
    return { type: 'scalar', value: isCmp ? (keep ? 1 : 0) : v };
  }
  if (lhs.type === 'vector' && rhs.type === 'scalar') {
    return { type: 'vector', samples: vectorScalar(e, lhs.samples, rhs.value, false) };
  }
  if (lhs.type === 'scalar' && rhs.type === 'vector') {
    return { type: 'vector', samples: vectorScalar(e, rhs.samples, lhs.value, true) };
  }
  if (lhs.type === 'vector' && rhs.type === 'vector') {
    const matching = e.matching ?? { card: 'one-to-one', on: false, labels: [], include: [] };
    switch (e.op) {
      case 'and':
        return { type: 'vector', samples: setAnd(lhs.samples, rhs.samples, matching) };
      case 'or':
        return { type: 'vector', samples: setOr(lhs.samples, rhs.samples, matching) };
      case 'unless':
        return { type: 'vector', samples: setUnless(lhs.samples, rhs.samples, matching) };
      default:
        return { type: 'vector', samples: vectorVector(e, lhs.samples, rhs.samples, matching) };
    }
  }
  throw new PromQLError(`binary operator ${e.op} not defined between ${lhs.type} and ${rhs.type}`);
}

function vectorScalar(e: BinaryExpr, vec: InstantSample[], scalar: number, scalarOnLeft: boolean): InstantSample[] {
  const isCmp = COMPARISON.has(e.op);
  const out: InstantSample[] = [];
  for (const s of vec) {
    const [a, b] = scalarOnLeft ? [scalar, s.value] : [s.value, scalar];
    const [v, keep] = applyOp(e.op, a, b);
    if (isCmp) {
      if (e.bool) out.push({ labels: dropMetricName(s.labels), value: keep ? 1 : 0 });
      // A filter keeps the vector element unchanged (value and name), whichever side it is on.
      else if (keep) out.push({ labels: s.labels, value: s.value });
    } else {
      out.push({ labels: dropMetricName(s.labels), value: v });
    }
  }
  return out;
}

/** The label set two series are matched on. */
function signature(labels: Labels, m: VectorMatching): string {
  const picked: Labels = {};
  if (m.on) {
    for (const l of m.labels) if (l in labels) picked[l] = labels[l];
  } else {
    const ignored = new Set([...m.labels, '__name__']);
    for (const [k, v] of Object.entries(labels)) if (!ignored.has(k)) picked[k] = v;
  }
  return labelsKey(picked);
}

function vectorVector(e: BinaryExpr, lhs: InstantSample[], rhs: InstantSample[], m: VectorMatching): InstantSample[] {
  const isCmp = COMPARISON.has(e.op);
  // The "one" side is looked up by signature; with group_right the roles of the sides swap.
  const swap = m.card === 'one-to-many';
  const many = swap ? rhs : lhs;
  const one = swap ? lhs : rhs;
  const oneBySig = new Map<string, InstantSample>();
  for (const s of one) {
    const sig = signature(s.labels, m);
    if (oneBySig.has(sig)) {
      const side = swap ? 'left' : 'right';
      throw new PromQLError(
        `found duplicate series for the match group ${sig} on the ${side} hand-side of the operation: ` +
          `[${labelsKey(oneBySig.get(sig)!.labels)}, ${labelsKey(s.labels)}]; many-to-many matching not allowed: ` +
          'matching labels must be unique on one side',
      );
    }
    oneBySig.set(sig, s);
  }
  const matchedSigs = new Set<string>();
  const outKeys = new Set<string>();
  const out: InstantSample[] = [];
  for (const s of many) {
    const sig = signature(s.labels, m);
    const other = oneBySig.get(sig);
    if (!other) continue;
    if (m.card === 'one-to-one') {
      if (matchedSigs.has(sig)) {
        throw new PromQLError(
          `multiple matches for labels ${sig}: many-to-one matching must be explicit (group_left/group_right)`,
        );
      }
      matchedSigs.add(sig);
    }
    const [l, r] = swap ? [other, s] : [s, other];
    const [v, keep] = applyOp(e.op, l.value, r.value);
    let value = v;
    if (isCmp) {
      if (e.bool) value = keep ? 1 : 0;
      else if (!keep) continue;
    }
    const labels = resultLabels(s.labels, other.labels, e, m);
    const key = labelsKey(labels);
    if (outKeys.has(key)) {
      throw new PromQLError(`multiple matches for labels ${key}: grouping labels must ensure unique matches`);
    }
    outKeys.add(key);
    out.push({ labels, value });
  }
  return out;
}

function resultLabels(manyLabels: Labels, oneLabels: Labels, e: BinaryExpr, m: VectorMatching): Labels {
  const isCmp = COMPARISON.has(e.op);
  let labels: Labels = { ...manyLabels };
  if (!isCmp || e.bool) labels = dropMetricName(labels);
  if (m.card === 'one-to-one') {
    if (m.on) {
      const keep = new Set(m.labels);
      for (const k of Object.keys(labels)) if (!keep.has(k)) delete labels[k];
    } else {
      for (const k of m.labels) delete labels[k];
    }
  } else {
    for (const k of m.include) {
      if (k in oneLabels && oneLabels[k] !== '') labels[k] = oneLabels[k];
      else delete labels[k];
    }
  }
  return labels;
}

function setAnd(lhs: InstantSample[], rhs: InstantSample[], m: VectorMatching): InstantSample[] {
  const sigs = new Set(rhs.map((s) => signature(s.labels, m)));
  return lhs.filter((s) => sigs.has(signature(s.labels, m)));
}

function setOr(lhs: InstantSample[], rhs: InstantSample[], m: VectorMatching): InstantSample[] {
  const sigs = new Set(lhs.map((s) => signature(s.labels, m)));
  return [...lhs, ...rhs.filter((s) => !sigs.has(signature(s.labels, m)))];
}

function setUnless(lhs: InstantSample[], rhs: InstantSample[], m: VectorMatching): InstantSample[] {
  const sigs = new Set(rhs.map((s) => signature(s.labels, m)));
  return lhs.filter((s) => !sigs.has(signature(s.labels, m)));
}

// ---------------------------------------------------------------- aggregations

function groupLabels(labels: Labels, e: AggregateExpr): Labels {
  const out: Labels = {};
  if (e.without) {
    const drop = new Set([...e.grouping, '__name__']);
    for (const [k, v] of Object.entries(labels)) if (!drop.has(k)) out[k] = v;
  } else {
    for (const k of e.grouping) if (k in labels && labels[k] !== '') out[k] = labels[k];
  }
  return out;
}

function evalAggregate(e: AggregateExpr, ctx: Ctx): InstantSample[] {
  const input = vectorArg(e.expr, ctx);
  const groups = new Map<string, { labels: Labels; members: InstantSample[] }>();
  for (const s of input) {
    const labels = groupLabels(s.labels, e);
    const key = labelsKey(labels);
    let g = groups.get(key);
    if (!g) {
      g = { labels, members: [] };
      groups.set(key, g);
    }
    g.members.push(s);
  }
  if (e.op === 'topk' || e.op === 'bottomk') {
    const k = Math.floor(scalarArg(e.param!, ctx));
    if (!(k >= 1)) return [];
    const out: InstantSample[] = [];
    const top = e.op === 'topk';
    for (const g of groups.values()) {
      // NaN always sorts last, so it is only chosen when nothing else is left.
      const sorted = [...g.members].sort((a, b) => {
        if (Number.isNaN(a.value)) return Number.isNaN(b.value) ? 0 : 1;
        if (Number.isNaN(b.value)) return -1;
        return top ? b.value - a.value : a.value - b.value;
      });
      out.push(...sorted.slice(0, k));
    }
    return out;
  }
  const out: InstantSample[] = [];
  for (const g of groups.values()) {
    const vals = g.members.map((s) => s.value);
    let value: number;
    switch (e.op) {
      case 'sum':
        value = vals.reduce((a, b) => a + b, 0);
        break;
      case 'count':
        value = vals.length;
        break;
      case 'avg':
        value = vals.reduce((a, b) => a + b, 0) / vals.length;
        break;
      case 'min':
        value = vals.reduce((a, b) => (Number.isNaN(a) || b < a ? b : a));
        break;
      case 'max':
        value = vals.reduce((a, b) => (Number.isNaN(a) || b > a ? b : a));
        break;
    }
    out.push({ labels: g.labels, value });
  }
  return out;
}

// ---------------------------------------------------------------- function calls

function evalCall(e: CallExpr, ctx: Ctx): Value {
  const name = e.func;
  if (name in RANGE_FUNCTIONS) {
    const arg = e.args[0];
    if (arg.kind !== 'matrix') throw new PromQLError(`${name}() expects a range vector selector`);
    const series = selectRange(arg.selector, arg.rangeMs, ctx);
    const rest = e.args.slice(1).map((a) => scalarArg(a, ctx));
    const rctx = { endMs: ctx.t - arg.selector.offsetMs, rangeMs: arg.rangeMs };
    return { type: 'vector', samples: applyRangeFunction(name, series, rctx, rest) };
  }
  if (name in ELEMENT_FUNCTIONS) {
    const vec = vectorArg(e.args[0], ctx);
    const rest = e.args.slice(1).map((a) => scalarArg(a, ctx));
    const fn = ELEMENT_FUNCTIONS[name];
    return { type: 'vector', samples: vec.map((s) => ({ labels: dropMetricName(s.labels), value: fn(s.value, rest) })) };
  }
  switch (name) {
    case 'time':
      return { type: 'scalar', value: ctx.t / 1000 };
    case 'vector':
      return { type: 'vector', samples: [{ labels: {}, value: scalarArg(e.args[0], ctx) }] };
    case 'scalar': {
      const vec = vectorArg(e.args[0], ctx);
      return { type: 'scalar', value: vec.length === 1 ? vec[0].value : NaN };
    }
    case 'absent': {
      const vec = vectorArg(e.args[0], ctx);
      if (vec.length > 0) return { type: 'vector', samples: [] };
      const arg = e.args[0];
      const labels = arg.kind === 'vector' ? absentLabels(arg.matchers) : {};
      return { type: 'vector', samples: [{ labels, value: 1 }] };
    }
    case 'absent_over_time': {
      const arg = e.args[0];
      if (arg.kind !== 'matrix') throw new PromQLError('absent_over_time() expects a range vector selector');
      if (selectRange(arg.selector, arg.rangeMs, ctx).length > 0) return { type: 'vector', samples: [] };
      return { type: 'vector', samples: [{ labels: absentLabels(arg.selector.matchers), value: 1 }] };
    }
    case 'label_replace': {
      const vec = vectorArg(e.args[0], ctx);
      const [dst, repl, src, regex] = e.args.slice(1).map((a) => stringArg(a, ctx));
      return { type: 'vector', samples: labelReplace(vec, dst, repl, src, regex) };
    }
    default:
      throw new PromQLError(`unsupported function ${JSON.stringify(name)}`);
  }
}
