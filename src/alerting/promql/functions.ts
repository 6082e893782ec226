/** Implementations of the supported PromQL functions (semantics follow Prometheus' documentation). */
import { PromQLError } from './ast.ts';
import { goLog10, goLog2 } from './go-math.ts';
import { compensatedVariance, quantile } from './stats.ts';
import { anchoredRegex, execRegex } from './storage.ts';
import { dropMetricName, type InstantSample, type Labels, type RangeSeries } from './value.ts';

export interface RangeContext {
  /** Evaluation time minus offset (end of the range, ms). */
  endMs: number;
  rangeMs: number;
}

/**
 * Extrapolated rate/increase/delta: the sampled change is extrapolated toward the range edges,
 * but by at most half an average sample interval when the series starts/ends well inside the range,
 * and (for counters) never below zero.
 */
export function extrapolatedRate(
  samples: Array<[number, number]>,
  ctx: RangeContext,
  isCounter: boolean,
  isRate: boolean,
): number | undefined {
  if (samples.length < 2) return undefined;
  const [firstT, firstV] = samples[0];
  const [lastT, lastV] = samples[samples.length - 1];
  let change = lastV - firstV;
  if (isCounter) {
    for (let i = 1; i < samples.length; i++) {
      if (samples[i][1] < samples[i - 1][1]) change += samples[i - 1][1];
    }
  }
  const rangeStart = ctx.endMs - ctx.rangeMs;
  const sampled = (lastT - firstT) / 1000;
  if (sampled <= 0) return undefined;
  const avgGap = sampled / (samples.length - 1);
  const threshold = avgGap * 1.1;
  let toStart = (firstT - rangeStart) / 1000;
  let toEnd = (ctx.endMs - lastT) / 1000;
  if (toStart >= threshold) toStart = avgGap / 2;
  if (isCounter && change > 0 && firstV >= 0) {
    // A counter cannot go below zero: do not extrapolate past the point where it would be 0.
    const toZero = sampled * (firstV / change);
    if (toZero < toStart) toStart = toZero;
  }
  if (toEnd >= threshold) toEnd = avgGap / 2;
  // One factor applied once, in Prometheus' order of operations, so results match it to the bit
  // (change * f / range rounds differently from change * (f / range)).
  let factor = (sampled + toStart + toEnd) / sampled;
  if (isRate) factor /= ctx.rangeMs / 1000;
  return change * factor;
}

export function instantRate(samples: Array<[number, number]>): number | undefined {
  if (samples.length < 2) return undefined;
  const [t1, v1] = samples[samples.length - 2];
  const [t2, v2] = samples[samples.length - 1];
  const dt = (t2 - t1) / 1000;
  if (dt <= 0) return undefined;
  const change = v2 < v1 ? v2 : v2 - v1;
  return change / dt;
}

/** Least-squares slope and intercept with x = seconds relative to `atMs`. */
export function linearRegression(samples: Array<[number, number]>, atMs: number): { slope: number; intercept: number } {
  let n = 0;
  let sumX = 0;
  let sumY = 0;
  let sumXY = 0;
  let sumX2 = 0;
  let constY = true;
  const y0 = samples[0][1];
  for (const [t, v] of samples) {
    const x = (t - atMs) / 1000;
    n++;
    sumX += x;
    sumY += v;
    sumXY += x * v;
    sumX2 += x * x;
    if (v !== y0) constY = false;
  }
  if (constY && Number.isFinite(y0)) return { slope: 0, intercept: y0 };
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return { slope, intercept };
}

export type RangeFn = (samples: Array<[number, number]>, ctx: RangeContext, args: number[]) => number | undefined;

export const RANGE_FUNCTIONS: Record<string, RangeFn> = {
  rate: (s, ctx) => extrapolatedRate(s, ctx, true, true),
  increase: (s, ctx) => extrapolatedRate(s, ctx, true, false),
  delta: (s, ctx) => extrapolatedRate(s, ctx, false, false),
  irate: (s) => instantRate(s),
  deriv: (s, ctx) => (s.length < 2 ? undefined : linearRegression(s, ctx.endMs).slope),
  predict_linear: (s, ctx, [seconds]) => {
    if (s.length < 2) return undefined;
    const { slope, intercept } = linearRegression(s, ctx.endMs);
    return intercept + slope * seconds;
  },
  avg_over_time: (s) => (s.length === 0 ? undefined : s.reduce((a, [, v]) => a + v, 0) / s.length),
  sum_over_time: (s) => (s.length === 0 ? undefined : s.reduce((a, [, v]) => a + v, 0)),
  count_over_time: (s) => (s.length === 0 ? undefined : s.length),
  max_over_time: (s) => (s.length === 0 ? undefined : s.reduce((a, [, v]) => (Number.isNaN(a) || v > a ? v : a), s[0][1])),
  min_over_time: (s) => (s.length === 0 ? undefined : s.reduce((a, [, v]) => (Number.isNaN(a) || v < a ? v : a), s[0][1])),
  changes: (s) => {
    if (s.length === 0) return undefined;
    let n = 0;
    for (let i = 1; i < s.length; i++) {
      const a = s[i - 1][1];
      const b = s[i][1];
      if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) n++;
    }
    return n;
  },
  resets: (s) => {
    if (s.length === 0) return undefined;
    let n = 0;
    for (let i = 1; i < s.length; i++) if (s[i][1] < s[i - 1][1]) n++;
    return n;
  },
  last_over_time: (s) => (s.length === 0 ? undefined : s[s.length - 1][1]),
  present_over_time: (s) => (s.length === 0 ? undefined : 1),
  quantile_over_time: (s, _ctx, [phi]) => (s.length === 0 ? undefined : quantile(phi, valuesOf(s))),
  stddev_over_time: (s) => (s.length === 0 ? undefined : Math.sqrt(compensatedVariance(valuesOf(s)))),
  stdvar_over_time: (s) => (s.length === 0 ? undefined : compensatedVariance(valuesOf(s))),
};

/** Range functions that keep the metric name: they pick a sample, they do not compute a new quantity. */
export const NAME_KEEPING_RANGE_FUNCTIONS = new Set(['last_over_time']);

/**
 * Range functions whose matrix argument is not the first one (quantile_over_time(φ, m)): the
 * index of that argument; every other argument is a scalar.
 */
export function matrixArgIndex(name: string): number {
  return name === 'quantile_over_time' ? 1 : 0;
}

function valuesOf(samples: Array<[number, number]>): number[] {
  return samples.map(([, v]) => v);
}

export function applyRangeFunction(
  name: string,
  series: RangeSeries[],
  ctx: RangeContext,
  args: number[],
): InstantSample[] {
  const fn = RANGE_FUNCTIONS[name];
  const keepName = NAME_KEEPING_RANGE_FUNCTIONS.has(name);
  const out: InstantSample[] = [];
  for (const s of series) {
    const v = fn(s.samples, ctx, args);
    if (v !== undefined) out.push({ labels: keepName ? s.labels : dropMetricName(s.labels), value: v });
  }
  return out;
}

export type ElementFn = (v: number, args: number[]) => number;

export const ELEMENT_FUNCTIONS: Record<string, ElementFn> = {
  abs: (v) => Math.abs(v),
  ceil: (v) => Math.ceil(v),
  floor: (v) => Math.floor(v),
  round: (v, args) => {
    const to = args.length > 0 ? args[0] : 1;
    const inv = 1 / to;
    return Math.floor(v * inv + 0.5) / inv;
  },
  clamp_min: (v, [min]) => Math.max(v, min),
  clamp_max: (v, [max]) => Math.min(v, max),
  // clamp with max < min is handled by the caller: Prometheus then returns an empty vector.
  clamp: (v, [min, max]) => Math.max(min, Math.min(max, v)),
  sqrt: (v) => Math.sqrt(v),
  exp: (v) => Math.exp(v),
  ln: (v) => Math.log(v),
  log2: (v) => goLog2(v),
  log10: (v) => goLog10(v),
  sgn: (v) => Math.sign(v),
};

/** Labels for absent()/absent_over_time(): the equality matchers' labels, if each label is set once. */
export function absentLabels(matchers: Array<{ type: string; name: string; value: string }>): Labels {
  const out: Labels = {};
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const m of matchers) {
    if (m.name === '__name__') continue;
    if (seen.has(m.name)) dup.add(m.name);
    seen.add(m.name);
    if (m.type === '=') out[m.name] = m.value;
  }
  for (const d of dup) delete out[d];
  return out;
}

/**
 * The most a series' label names and values may total once label_replace or label_join has
 * written a label (UTF-16 code units). Without a bound, each nested label_join can double a value
 * (`label_join(x, "a", "", "a", "a")`), so a 1 KB query would build gigabytes.
 */
export const MAX_LABELS_LENGTH = 1024 * 1024;

function labelsLength(labels: Labels): number {
  let n = 0;
  for (const [k, v] of Object.entries(labels)) n += k.length + v.length;
  return n;
}

/** Throws unless writing `dst` = a value of `length` keeps the series' labels within {@link MAX_LABELS_LENGTH} (or does not grow them). */
function checkLabelsLength(func: string, labels: Labels, dst: string, length: number): void {
  const before = labelsLength(labels);
  const old = labels[dst];
  const after = before - (old === undefined ? 0 : dst.length + old.length) + (length === 0 ? 0 : dst.length + length);
  if (after > MAX_LABELS_LENGTH && after > before) {
    throw new PromQLError(`${func}: the labels of a series would exceed ${MAX_LABELS_LENGTH} characters`);
  }
}

/** Expands $1, ${1}, $name, ${name} and $$ in a label_replace replacement, giving up past `maxLength`. */
function expandReplacement(repl: string, match: RegExpExecArray, maxLength: number): string {
  let length = repl.length;
  return repl.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_all, tok: string, braced?: string, bare?: string) => {
    if (tok === '$') return '$';
    const ref = braced ?? bare ?? '';
    const value = (/^\d+$/.test(ref) ? match[Number(ref)] : match.groups?.[ref]) ?? '';
    length += value.length;
    if (length > maxLength) throw new PromQLError(`label_replace: the labels of a series would exceed ${MAX_LABELS_LENGTH} characters`);
    return value;
  });
}

export function labelReplace(
  samples: InstantSample[],
  dst: string,
  repl: string,
  src: string,
  regex: string,
): InstantSample[] {
  const re = anchoredRegex(regex, { captures: true });
  const out = samples.map((s) => {
    const m = execRegex(re, s.labels[src] ?? '');
    if (!m) return s;
    // Never longer than the labels may become (a value that only replaces a longer one may be as long).
    const value = expandReplacement(repl, m, Math.max(MAX_LABELS_LENGTH, labelsLength(s.labels)));
    checkLabelsLength('label_replace', s.labels, dst, value.length);
    const labels = { ...s.labels };
    if (value === '') delete labels[dst];
    else labels[dst] = value;
    return { labels, value: s.value };
  });
  return out;
}

/**
 * label_join: `dst` becomes the values of the `src` labels joined by `sep` (a missing label counts
 * as empty); an empty result removes `dst`. The metric name is kept.
 */
export function labelJoin(samples: InstantSample[], dst: string, sep: string, src: string[]): InstantSample[] {
  return samples.map((s) => {
    // The length first: the joined value itself may be far too large to build.
    const length = src.reduce((n, name) => n + (s.labels[name] ?? '').length, Math.max(0, src.length - 1) * sep.length);
    checkLabelsLength('label_join', s.labels, dst, length);
    const value = src.map((name) => s.labels[name] ?? '').join(sep);
    const labels = { ...s.labels };
    if (value === '') delete labels[dst];
    else labels[dst] = value;
    return { labels, value: s.value };
  });
}

/**
 * A sample value as count_values writes it into a label: the shortest decimal that reads back as
 * the same float, never in exponent notation (1e21 -> "1000000000000000000000"), "+Inf", "-Inf",
 * "NaN" - the form Prometheus uses.
 */
export function formatLabelValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const text = String(v);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text;
  const [, sign, lead, fraction = '', expText] = m;
  const digits = lead + fraction;
  // Position of the decimal point within `digits` after applying the exponent.
  const point = 1 + Number(expText);
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

export function checkUniqueLabels(samples: InstantSample[], key: (l: Labels) => string): void {
  const seen = new Set<string>();
  for (const s of samples) {
    const k = key(s.labels);
    if (seen.has(k)) throw new PromQLError('vector cannot contain metrics with the same labelset');
    seen.add(k);
  }
}
