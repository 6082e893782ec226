/**
 * Storage contract between the PromQL evaluator and a sample store.
 *
 * Staleness: a stale marker is a sample whose value is the NaN {@link STALE_NAN} (bit pattern
 * 0x7ff0000000000002, as in Prometheus) AND whose optional third tuple element is `true`:
 * `[t, STALE_NAN, true]` (see {@link staleSample}). The flag is what the evaluator relies on
 * ({@link isStaleSample}), because V8 canonicalizes NaN payloads whenever a NaN is stored into an
 * array holding only numbers (`[t, v]` tuples, `new Float64Array([v])`, `arr[i] = v`), so the bit
 * pattern alone does not survive building a `[t, v]` tuple. A Float64Array element written with
 * `a[i] = STALE_NAN` does keep it, so stores may keep markers as bits internally and set the flag
 * when they build tuples in `select`. {@link isStaleSample} also accepts a tuple whose value still
 * carries the bit pattern. An ordinary NaN (e.g. 0/0) without the flag is a regular value.
 */

import { compileAnchored } from './regex.ts';

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  type: MatchType;
  name: string;
  value: string;
}

/** One sample: [timestamp in ms, value, stale marker flag (optional, only `true` is meaningful)]. */
export type Sample = [t: number, v: number, stale?: boolean];

export interface StoredSeries {
  labels: Record<string, string>;
  /** Sorted by timestamp ascending. */
  samples: Sample[];
}

export interface SeriesStorage {
  /**
   * Every series matching ALL matchers, with its samples whose timestamp t satisfies
   * startMs <= t <= endMs (samples outside may be included; the evaluator filters them).
   * A label that is absent matches as the empty string (so {foo=""} matches series without foo).
   */
  select(matchers: Matcher[], startMs: number, endMs: number): StoredSeries[];
}

const staleBuf = new DataView(new ArrayBuffer(8));
staleBuf.setUint32(0, 0x7ff00000);
staleBuf.setUint32(4, 0x00000002);
/** The NaN with bit pattern 0x7ff0000000000002 marking a stale series. */
export const STALE_NAN: number = staleBuf.getFloat64(0);

export function isStaleNaN(v: number): boolean {
  if (!Number.isNaN(v)) return false;
  staleBuf.setFloat64(0, v);
  return staleBuf.getUint32(0) === 0x7ff00000 && staleBuf.getUint32(4) === 0x00000002;
}

/** A stale marker at time t. */
export function staleSample(t: number): Sample {
  return [t, STALE_NAN, true];
}

/** Whether a sample is a staleness marker (flag set, or value with the STALE_NAN bit pattern). */
export function isStaleSample(s: readonly [number, number, boolean?]): boolean {
  return s[2] === true || isStaleNaN(s[1]);
}

/** Compiled patterns kept (oldest dropped first): far more than any rule set uses. */
const MAX_CACHED_REGEXES = 10_000;
const regexCache = new Map<string, RegExp>();
const capturingRegexCache = new Map<string, RegExp>();

/**
 * Anchored regex as PromQL uses it (the whole value must match), RE2 syntax subset, run in linear
 * time like RE2 (see {@link compileAnchored}); `captures` for label_replace, which needs its groups.
 */
export function anchoredRegex(pattern: string, { captures = false }: { captures?: boolean } = {}): RegExp {
  const cache = captures ? capturingRegexCache : regexCache;
  let re = cache.get(pattern);
  if (!re) {
    re = compileAnchored(pattern, { captures });
    // Patterns come from rules and from any API client: the cache may not grow without bound.
    if (cache.size >= MAX_CACHED_REGEXES) cache.delete(cache.keys().next().value!);
    cache.set(pattern, re);
  }
  return re;
}

/**
 * Matches on long values are remembered: a range query asks the same regex about the same values
 * at every step (up to 11,001 times), and one match on a long value can take milliseconds once it
 * falls back to the linear-time engine. The memo is bounded by the characters it holds.
 */
const MEMO_MIN_LENGTH = 1024;
const MEMO_MAX_CHARS = 64 * 1024 * 1024;
let memo = new Map<RegExp, Map<string, RegExpExecArray | null>>();
let memoChars = 0;

/** `re.exec(value)` (`re` neither global nor sticky), remembered for a long value. */
export function execRegex(re: RegExp, value: string): RegExpExecArray | null {
  if (value.length < MEMO_MIN_LENGTH) return re.exec(value);
  let byValue = memo.get(re);
  const known = byValue?.get(value);
  if (known !== undefined) return known;
  const m = re.exec(value);
  const chars = value.length + (byValue ? 0 : re.source.length);
  if (chars > MEMO_MAX_CHARS) return m;
  if (memoChars + chars > MEMO_MAX_CHARS) {
    memo = new Map();
    memoChars = 0;
    byValue = undefined;
  }
  if (!byValue) {
    byValue = new Map();
    memo.set(re, byValue);
    memoChars += re.source.length;
  }
  byValue.set(value, m);
  memoChars += value.length;
  return m;
}

export function matchesLabel(m: Matcher, value: string | undefined): boolean {
  const v = value ?? '';
  switch (m.type) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return execRegex(anchoredRegex(m.value), v) !== null;
    case '!~':
      return execRegex(anchoredRegex(m.value), v) === null;
  }
}

export function matchesAll(matchers: Matcher[], labels: Record<string, string>): boolean {
  return matchers.every((m) => matchesLabel(m, labels[m.name]));
}

/** Simple in-memory store for tests and small embeddings. */
export class MemoryStorage implements SeriesStorage {
  private readonly series = new Map<string, StoredSeries>();

  private static key(labels: Record<string, string>): string {
    return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
  }

  /** Adds samples (any order) to the series with these labels. */
  add(labels: Record<string, string>, samples: Sample[]): this {
    const key = MemoryStorage.key(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { ...labels }, samples: [] };
      this.series.set(key, s);
    }
    s.samples.push(...samples.map((x): Sample => (isStaleSample(x) ? staleSample(x[0]) : [x[0], x[1]])));
    s.samples.sort((a, b) => a[0] - b[0]);
    return this;
  }

  select(matchers: Matcher[], startMs: number, endMs: number): StoredSeries[] {
    const out: StoredSeries[] = [];
    for (const s of this.series.values()) {
      if (!matchesAll(matchers, s.labels)) continue;
      out.push({ labels: { ...s.labels }, samples: s.samples.filter(([t]) => t >= startMs && t <= endMs) });
    }
    return out;
  }
}
