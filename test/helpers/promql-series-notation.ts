/**
 * promtool's input series notation (the `values:` of a `promtool test rules` file), so a test can
 * feed our TSDB exactly what it feeds real Prometheus.
 *
 * Items are separated by spaces; item i lands at `startMs + i * intervalMs`:
 * - `7`, `-2.5`, `1e3`, `0x1f`, `Inf`, `NaN`: one sample;
 * - `a+bxn` / `a-bxn`: n+1 samples a, a+b, ..., computed by repeated addition (as Prometheus does,
 *   so `0+0.1x3` yields the same floats on both sides);
 * - `axn`: n+1 samples of a;
 * - `_`: no sample at that step; `_xn`: n steps without samples (n, not n+1);
 * - `stale`: a staleness marker; `stalexn`: n+1 markers.
 */
import { parsePromQL, STALE_NAN } from '../../src/alerting/promql/index.ts';
import { MemorySeriesStore, type Labels } from '../../src/alerting/tsdb/index.ts';

/** One step of a series: a value, a staleness marker, or nothing (`_`). */
export type NotationValue = number | 'stale' | undefined;

/** One `input_series` entry of a promtool test file. */
export interface InputSeries {
  /** e.g. `http_requests_total{job="api", instance="a:80"}` */
  series: string;
  /** e.g. `0+10x5 _ stale 3x2` */
  values: string;
}

export interface NotationSample {
  t: number;
  value: number;
  stale: boolean;
}

const NUMBER = String.raw`(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[iI][nN][fF]|[nN][aA][nN])`;
const ITEM = new RegExp(String.raw`^(?:(_)|(stale)|([+-]?${NUMBER}))(?:([+-]${NUMBER})?x(\d+))?$`);

function parseNumber(text: string): number {
  let sign = 1;
  let body = text;
  if (body.startsWith('+') || body.startsWith('-')) {
    if (body.startsWith('-')) sign = -1;
    body = body.slice(1);
  }
  const lower = body.toLowerCase();
  if (lower === 'inf') return sign * Infinity;
  if (lower === 'nan') return NaN;
  if (lower.startsWith('0x')) return sign * parseInt(body.slice(2), 16);
  return sign * Number(body);
}

/** Expands a `values:` string into one entry per step. Throws on anything it does not understand. */
export function expandSeriesValues(text: string): NotationValue[] {
  const out: NotationValue[] = [];
  for (const item of text.trim().split(/\s+/).filter((s) => s !== '')) {
    const m = ITEM.exec(item);
    if (!m) throw new Error(`invalid series value "${item}" in "${text}"`);
    const [, blank, stale, num, step, timesText] = m;
    const times = timesText === undefined ? undefined : Number(timesText);
    if (blank !== undefined) {
      if (step !== undefined) throw new Error(`"${item}": a missing sample cannot increment`);
      for (let i = 0; i < (times ?? 1); i++) out.push(undefined);
      continue;
    }
    if (stale !== undefined) {
      if (step !== undefined) throw new Error(`"${item}": a stale marker cannot increment`);
      for (let i = 0; i <= (times ?? 0); i++) out.push('stale');
      continue;
    }
    let value = parseNumber(num);
    if (times === undefined) {
      out.push(value);
      continue;
    }
    const increment = step === undefined ? 0 : parseNumber(step);
    for (let i = 0; i <= times; i++) {
      out.push(value);
      value += increment; // repeated addition, not a + i*b: the floats must match Prometheus'
    }
  }
  return out;
}

/** The labels of a series description such as `up{job="api"}` (only `=` matchers make sense here). */
export function parseSeriesLabels(series: string): Labels {
  const expr = parsePromQL(series);
  if (expr.kind !== 'vector' || expr.offsetMs !== 0) throw new Error(`"${series}" is not a series description`);
  const labels: Labels = {};
  for (const m of expr.matchers) {
    if (m.type !== '=') throw new Error(`"${series}": label ${m.name} must be set with "=", not "${m.type}"`);
    if (m.name in labels) throw new Error(`"${series}": label ${m.name} given twice`);
    labels[m.name] = m.value;
  }
  return labels;
}

/** The samples of a `values:` string: step i at `startMs + i * intervalMs`, `_` steps left out. */
export function notationSamples(values: string, intervalMs: number, startMs = 0): NotationSample[] {
  if (!(intervalMs > 0)) throw new Error(`interval must be positive, got ${intervalMs}`);
  const out: NotationSample[] = [];
  expandSeriesValues(values).forEach((v, i) => {
    if (v === undefined) return;
    const t = startMs + i * intervalMs;
    out.push(v === 'stale' ? { t, value: STALE_NAN, stale: true } : { t, value: v, stale: false });
  });
  return out;
}

export interface LoadOptions {
  intervalMs: number;
  /** time of step 0 (promtool: 0, the unix epoch) */
  startMs?: number;
  /** samples after this time are left out (promtool only loads up to its last evaluation time) */
  untilMs?: number;
}

/**
 * Appends every input series to the store. Fails (and stops) on a sample the store refuses,
 * e.g. two series descriptions naming the same series.
 */
export function loadInputSeries(store: MemorySeriesStore, input: InputSeries[], opts: LoadOptions): void {
  const parsed = input.map((s) => ({ labels: parseSeriesLabels(s.series), samples: notationSamples(s.values, opts.intervalMs, opts.startMs) }));
  for (const { labels, samples } of parsed) {
    for (const s of samples) {
      if (opts.untilMs !== undefined && s.t > opts.untilMs) break;
      const r = store.append(labels, s.t, s.stale ? STALE_NAN : s.value);
      if (r !== 'ok') throw new Error(`series ${JSON.stringify(labels)} at ${s.t} ms: ${r}`);
    }
  }
}

/**
 * A store that keeps everything: a test loads a whole time line up front, and the default
 * retention (measured from the newest sample) would drop its beginning before it is evaluated.
 */
export function storeForTimeline(): MemorySeriesStore {
  return new MemorySeriesStore({ retentionMs: 10 * 365 * 86_400_000 });
}
