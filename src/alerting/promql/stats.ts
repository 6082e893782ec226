/**
 * Numeric building blocks shared by aggregations and range functions. Each follows the arithmetic
 * order Prometheus documents/uses, because rule thresholds compare floats exactly and a last-bit
 * difference can flip an alert.
 */

/**
 * One step of Neumaier's compensated summation: returns the new sum and compensation. An infinite
 * running sum makes the compensation meaningless, so it is reset (Inf - Inf would give NaN).
 */
export function compensatedAdd(inc: number, sum: number, comp: number): [number, number] {
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) return [t, 0];
  if (Math.abs(sum) >= Math.abs(inc)) return [t, comp + (sum - t + inc)];
  return [t, comp + (inc - t + sum)];
}

/**
 * Population variance of a range of samples (stdvar_over_time), Welford's running mean with
 * compensated sums for both the mean and the squared deviations, as Prometheus 3 does.
 */
export function compensatedVariance(values: number[]): number {
  let count = 0;
  let mean = 0;
  let meanComp = 0;
  let m2 = 0;
  let m2Comp = 0;
  for (const v of values) {
    count++;
    const delta = v - (mean + meanComp);
    [mean, meanComp] = compensatedAdd(delta / count, mean, meanComp);
    [m2, m2Comp] = compensatedAdd(delta * (v - (mean + meanComp)), m2, m2Comp);
  }
  return (m2 + m2Comp) / count;
}

/**
 * Population variance across an aggregation group (stdvar): plain Welford running mean, as
 * Prometheus does. The last bit depends on the order of the values (Prometheus' own order of a
 * group's series is not the label order), so results can differ from Prometheus by an ulp.
 */
export function runningVariance(values: number[]): number {
  let count = 1;
  let mean = values[0];
  let m2 = 0;
  for (let i = 1; i < values.length; i++) {
    count++;
    const delta = values[i] - mean;
    mean += delta / count;
    m2 += delta * (values[i] - mean);
  }
  return m2 / count;
}

/**
 * The φ-quantile of a set of values (quantile aggregation, quantile_over_time): linear
 * interpolation between the two closest ranks of the sorted values. φ < 0 gives -Inf, φ > 1 +Inf,
 * φ NaN or no values NaN. NaN values sort first, so they only matter at low ranks.
 */
export function quantile(phi: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(phi)) return NaN;
  if (phi < 0) return -Infinity;
  if (phi > 1) return Infinity;
  const sorted = [...values].sort(nanFirstAscending);
  const n = sorted.length;
  const rank = phi * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower] * (1 - weight) + sorted[upper] * weight;
}

function nanFirstAscending(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

