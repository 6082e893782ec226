/**
 * histogram_quantile over classic histograms: one `_bucket` series per upper bound (label `le`),
 * each a cumulative count. Semantics follow the Prometheus 3 documentation:
 * - series are grouped by all labels except `le` (and the metric name);
 * - φ < 0 gives -Inf, φ > 1 +Inf, φ NaN gives NaN;
 * - a group without a +Inf bucket, with fewer than two buckets or without observations gives NaN;
 * - counts that decrease with the bound (scrape races, float noise) are raised to the running
 *   maximum, so the cumulative counts are monotonic before interpolating;
 * - the quantile is interpolated linearly inside the bucket holding the rank; the first bucket
 *   starts at 0 when its upper bound is positive (else its upper bound is the answer), and a rank in
 *   the +Inf bucket answers the highest finite bound.
 */
import { dropMetricName, type InstantSample, type Labels } from './value.ts';

interface Bucket {
  upperBound: number;
  count: number;
}

/** Counts closer than this (relative) are float noise, not a real difference between buckets. */
const SMALL_DELTA_TOLERANCE = 1e-12;

/**
 * Parses an `le` value as a decimal float (what Go's ParseFloat reads in practice, incl. "+Inf");
 * undefined when it is not a usable bound. NaN is not a bound: it cannot be ordered.
 */
export function parseBucketBound(text: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  return undefined;
}

/** Relative equality for counts, with an absolute floor near zero. */
function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (a === b) return true;
  const minNormal = 2.2250738585072014e-308;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < minNormal) return diff < epsilon * minNormal;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/** Merges buckets with the same upper bound (e.g. le="1" and le="1.0"); input sorted by bound. */
function mergeEqualBounds(sorted: Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  for (const b of sorted) {
    const last = out[out.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else out.push({ ...b });
  }
  return out;
}

/** Raises every count to at least the one before it; near-equal counts become equal. */
function makeMonotonic(buckets: Bucket[]): void {
  let previous = buckets[0].count;
  for (let i = 1; i < buckets.length; i++) {
    const current = buckets[i].count;
    if (current === previous) continue;
    if (almostEqual(previous, current, SMALL_DELTA_TOLERANCE) || current < previous) {
      buckets[i].count = previous;
      continue;
    }
    previous = current;
  }
}

/** The φ-quantile of one classic histogram given as (upper bound, cumulative count) buckets. */
export function bucketQuantile(phi: number, input: Bucket[]): number {
  if (Number.isNaN(phi)) return NaN;
  if (phi < 0) return -Infinity;
  if (phi > 1) return Infinity;
  if (input.length === 0) return NaN;
  const sorted = [...input].sort((a, b) => a.upperBound - b.upperBound);
  if (sorted[sorted.length - 1].upperBound !== Infinity) return NaN;
  const buckets = mergeEqualBounds(sorted);
  makeMonotonic(buckets);
  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1].count;
  if (observations === 0) return NaN;
  let rank = phi * observations;
  // The first bucket whose cumulative count reaches the rank (the +Inf bucket if none before it).
  let b = 0;
  while (b < buckets.length - 1 && !(buckets[b].count >= rank)) b++;
  if (b === buckets.length - 1) return buckets[buckets.length - 2].upperBound;
  if (b === 0 && buckets[0].upperBound <= 0) return buckets[0].upperBound;
  let bucketStart = 0;
  const bucketEnd = buckets[b].upperBound;
  let count = buckets[b].count;
  if (b > 0) {
    bucketStart = buckets[b - 1].upperBound;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

/**
 * histogram_quantile(φ, v): one output sample per histogram (labels without `le` and the name).
 * Series without a parseable `le` label are not buckets and are ignored.
 */
export function histogramQuantile(phi: number, samples: InstantSample[]): InstantSample[] {
  const groups = new Map<string, { labels: Labels; buckets: Bucket[] }>();
  for (const s of samples) {
    const upperBound = parseBucketBound(s.labels.le ?? '');
    if (upperBound === undefined) continue;
    const { le: _le, ...rest } = dropMetricName(s.labels);
    const key = JSON.stringify(Object.keys(rest).sort().map((k) => [k, rest[k]]));
    let g = groups.get(key);
    if (!g) {
      g = { labels: rest, buckets: [] };
      groups.set(key, g);
    }
    g.buckets.push({ upperBound, count: s.value });
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(phi, g.buckets) }));
}
