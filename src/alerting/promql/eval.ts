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
import { DATE_FUNCTIONS, dateField } from './date-functions.ts';
import {
  absentLabels,
  applyRangeFunction,
  checkUniqueLabels,
  ELEMENT_FUNCTIONS,
  formatLabelValue,
  labelJoin,
  labelReplace,
  matrixArgIndex,
  RANGE_FUNCTIONS,
} from './functions.ts';
import { histogramQuantile } from './histogram.ts';
import { quantile, runningVariance } from './stats.ts';
import { isStaleSample, type Sample, type SeriesStorage } from './storage.ts';
import { dropMetricName, labelsKey, type InstantSample, type Labels, type RangeSeries, type Value } from './value.ts';

export interface EvalOptions {
  /** How far back an instant selector looks for the latest sample (default 5 minutes). */
  lookbackDeltaMs?: number;
  /** Return a range vector expression's samples as a matrix (instant queries of the HTTP API). */
  allowMatrix?: boolean;
}

const COMPARISON = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);

/**
 * Identity of a label set where it is only compared, never shown (duplicate checks, aggregation
 * groups): cheaper than the JSON of {@link labelsKey} and as unambiguous (a name ends at "=", the
 * value's length says where it ends).
 */
function identityKey(labels: Labels): string {
  let key = '';
  for (const name of Object.keys(labels).sort()) {
    const value = labels[name];
    key += `${name}=${value.length}:${value}`;
  }
  return key;
}

interface Ctx {
  t: number;
  storage: SeriesStorage;
  lookbackMs: number;
}

/** Evaluates `expr` at time `t` (ms since epoch). Returns a scalar, a string or an instant vector. */
export function evaluate(expr: Expr, t: number, storage: SeriesStorage, opts: EvalOptions = {}): Value {
  const ctx: Ctx = { t, storage, lookbackMs: opts.lookbackDeltaMs ?? 300_000 };
  const v = evalExpr(expr, ctx);
  if (v.type === 'matrix' && !opts.allowMatrix) throw new PromQLError('range vectors are only supported as function arguments');
  return v;
}

function evalExpr(e: Expr, ctx: Ctx): Value {
  const v = evalNode(e, ctx);
  // Dropping the metric name can make two series identical: Prometheus rejects such a vector.
  if (v.type === 'vector' && (e.kind === 'unary' || e.kind === 'binary' || e.kind === 'call')) {
    checkUniqueLabels(v.samples, identityKey);
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

/** The newest sample of every selected series within the lookback window (none if it is a stale marker). */
function latestSamples(vs: VectorSelector, ctx: Ctx): Array<{ labels: Labels; sample: Sample }> {
  const end = ctx.t - vs.offsetMs;
  const start = end - ctx.lookbackMs;
  const out: Array<{ labels: Labels; sample: Sample }> = [];
  for (const s of ctx.storage.select(vs.matchers, start, end)) {
    let last: Sample | undefined;
    for (const sample of s.samples) {
      if (sample[0] > start && sample[0] <= end && (!last || sample[0] >= last[0])) last = sample;
    }
    if (!last || isStaleSample(last)) continue;
    out.push({ labels: s.labels, sample: last });
  }
  return out;
}

function selectInstant(vs: VectorSelector, ctx: Ctx): InstantSample[] {
  return latestSamples(vs, ctx).map(({ labels, sample }) => ({ labels: { ...labels }, value: sample[1] }));
}

function selectRange(vs: VectorSelector, rangeMs: number, ctx: Ctx): RangeSeries[] {
  const out: RangeSeries[] = [];
  forEachRangeSeries(vs, rangeMs, ctx, (s) => out.push(s));
  return out;
}

/** Calls `fn` with the (t - range, t] window of every selected series that has samples there. */
function forEachRangeSeries(vs: VectorSelector, rangeMs: number, ctx: Ctx, fn: (s: RangeSeries) => void): void {
  const end = ctx.t - vs.offsetMs;
  const start = end - rangeMs;
  for (const s of ctx.storage.select(vs.matchers, start, end)) {
    // One pass (this runs for every sample of every range selector); sorted only if the storage
    // did not already return the samples in time order.
    const samples: Array<[number, number]> = [];
    let ordered = true;
    for (const x of s.samples) {
      if (x[0] <= start || x[0] > end || isStaleSample(x)) continue;
      if (ordered && samples.length > 0 && x[0] < samples[samples.length - 1][0]) ordered = false;
      samples.push([x[0], x[1]]);
    }
    if (!ordered) samples.sort((a, b) => a[0] - b[0]);
    if (samples.length > 0) fn({ labels: { ...s.labels }, samples });
  }
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
  if (e.op === 'count_values') return countValues(e, input, ctx);
  const groups = new Map<string, { labels: Labels; members: InstantSample[] }>();
  for (const s of input) {
    const labels = groupLabels(s.labels, e);
    const key = identityKey(labels);
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
  // φ is evaluated once, even when there is nothing to aggregate (it may still fail).
  const phi = e.op === 'quantile' ? scalarArg(e.param!, ctx) : NaN;
  const out: InstantSample[] = [];
  for (const g of groups.values()) {
    const vals = g.members.map((s) => s.value);
    let value: number;
    switch (e.op) {
      case 'group':
        value = 1;
        break;
      case 'stddev':
        value = Math.sqrt(runningVariance(vals));
        break;
      case 'stdvar':
        value = runningVariance(vals);
        break;
      case 'quantile':
        value = quantile(phi, vals);
        break;
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
      default:
        throw new PromQLError(`unsupported aggregation ${e.op}`);
    }
    out.push({ labels: g.labels, value });
  }
  return out;
}

/** count_values("label", v): per group, how many elements have each value (written into `label`). */
function countValues(e: AggregateExpr, input: InstantSample[], ctx: Ctx): InstantSample[] {
  const label = stringArg(e.param!, ctx);
  const counts = new Map<string, InstantSample>();
  for (const s of input) {
    const labels = { ...groupLabels(s.labels, e), [label]: formatLabelValue(s.value) };
    const key = identityKey(labels);
    const c = counts.get(key);
    if (c) c.value++;
    else counts.set(key, { labels, value: 1 });
  }
  return [...counts.values()];
}

// ---------------------------------------------------------------- function calls

function evalCall(e: CallExpr, ctx: Ctx): Value {
  const name = e.func;
  if (name in RANGE_FUNCTIONS) {
    const matrixAt = matrixArgIndex(name);
    const arg = e.args[matrixAt];
    if (arg.kind !== 'matrix') throw new PromQLError(`${name}() expects a range vector selector`);
    const rest = e.args.filter((_a, i) => i !== matrixAt).map((a) => scalarArg(a, ctx));
    const rctx = { endMs: ctx.t - arg.selector.offsetMs, rangeMs: arg.rangeMs };
    // Series by series, so each window's samples die young (see MemorySeriesStore.select).
    const samples: InstantSample[] = [];
    forEachRangeSeries(arg.selector, arg.rangeMs, ctx, (s) => samples.push(...applyRangeFunction(name, [s], rctx, rest)));
    return { type: 'vector', samples };
  }
  if (name in ELEMENT_FUNCTIONS) {
    const vec = vectorArg(e.args[0], ctx);
    const rest = e.args.slice(1).map((a) => scalarArg(a, ctx));
    // An empty interval clamps nothing into it: Prometheus returns no samples.
    if (name === 'clamp' && rest[1] < rest[0]) return { type: 'vector', samples: [] };
    const fn = ELEMENT_FUNCTIONS[name];
    return { type: 'vector', samples: vec.map((s) => ({ labels: dropMetricName(s.labels), value: fn(s.value, rest) })) };
  }
  if (name in DATE_FUNCTIONS) {
    // Without an argument the calendar field of the evaluation time, as vector(time()).
    const vec = e.args.length > 0 ? vectorArg(e.args[0], ctx) : [{ labels: {}, value: ctx.t / 1000 }];
    return { type: 'vector', samples: vec.map((s) => ({ labels: dropMetricName(s.labels), value: dateField(name, s.value) })) };
  }
  switch (name) {
    case 'time':
      return { type: 'scalar', value: ctx.t / 1000 };
    case 'pi':
      return { type: 'scalar', value: Math.PI };
    case 'histogram_quantile': {
      const phi = scalarArg(e.args[0], ctx);
      return { type: 'vector', samples: histogramQuantile(phi, vectorArg(e.args[1], ctx)) };
    }
    case 'timestamp':
      return { type: 'vector', samples: timestamps(e.args[0], ctx) };
    case 'sort':
    case 'sort_desc':
      return { type: 'vector', samples: sortByValue(vectorArg(e.args[0], ctx), name === 'sort_desc') };
    case 'label_join': {
      const vec = vectorArg(e.args[0], ctx);
      const [dst, sep, ...src] = e.args.slice(1).map((a) => stringArg(a, ctx));
      return { type: 'vector', samples: labelJoin(vec, dst, sep, src) };
    }
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

/**
 * timestamp(v): for a plain selector the time of each series' sample (what was scraped when),
 * for any other expression the evaluation time; in seconds, without the metric name.
 */
function timestamps(arg: Expr, ctx: Ctx): InstantSample[] {
  if (arg.kind === 'vector') {
    return latestSamples(arg, ctx).map(({ labels, sample }) => ({ labels: dropMetricName(labels), value: sample[0] / 1000 }));
  }
  return vectorArg(arg, ctx).map((s) => ({ labels: dropMetricName(s.labels), value: ctx.t / 1000 }));
}

/** sort/sort_desc: by value, NaN last either way; labels (and name) are kept. */
function sortByValue(samples: InstantSample[], descending: boolean): InstantSample[] {
  return [...samples].sort((a, b) => {
    if (Number.isNaN(a.value)) return Number.isNaN(b.value) ? 0 : 1;
    if (Number.isNaN(b.value)) return -1;
    // Compared, not subtracted: Inf - Inf is NaN, which would break the order.
    const [x, y] = descending ? [b.value, a.value] : [a.value, b.value];
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
