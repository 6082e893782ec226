import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../../../src/alerting/promql/index.ts';
import { approx, run, vec } from './helpers.ts';

const T = 1_000_000_000;

/** One classic histogram: cumulative counts per upper bound, as `<name>_bucket{le=...}` series. */
function histogram(s: MemoryStorage, labels: Record<string, string>, buckets: Array<[string, number]>): MemoryStorage {
  for (const [le, count] of buckets) s.add({ __name__: 'latency_seconds_bucket', ...labels, le }, [[T - 5_000, count]]);
  return s;
}

function quantileOf(s: MemoryStorage, phi: string, selector = 'latency_seconds_bucket'): number {
  const r = vec(s, `histogram_quantile(${phi}, ${selector})`, T);
  assert.equal(r.length, 1, `one histogram expected, got ${JSON.stringify(r)}`);
  return r[0].value;
}

// 50 observations: 10 <= 0.1 s, 20 in (0.1, 0.5], 15 in (0.5, 1], 5 above 1 s.
const api = () => histogram(new MemoryStorage(), { job: 'api' }, [['0.1', 10], ['0.5', 30], ['1', 45], ['+Inf', 50]]);

test('histogram_quantile interpolates linearly inside the bucket that holds the rank', () => {
  const s = api();
  // rank 25 lies in (0.1, 0.5]: 15 of its 20 observations -> 0.1 + 0.4 * 15/20
  approx(quantileOf(s, '0.5'), 0.4);
  // rank 5 in the first bucket, whose lower bound is 0: 0.1 * 5/10
  approx(quantileOf(s, '0.1'), 0.05);
  // rank 45 is exactly the top of (0.5, 1]
  assert.equal(quantileOf(s, '0.9'), 1);
  assert.equal(quantileOf(s, '0'), 0);
  assert.deepEqual(vec(s, 'histogram_quantile(0.5, latency_seconds_bucket)', T)[0].labels, { job: 'api' }, 'le and the name are gone');
});

test('a rank in the +Inf bucket answers the highest finite bound; φ outside [0, 1] gives ∓Inf, NaN gives NaN', () => {
  const s = api();
  assert.equal(quantileOf(s, '0.95'), 1);
  assert.equal(quantileOf(s, '1'), 1);
  assert.equal(quantileOf(s, '-0.5'), -Infinity);
  assert.equal(quantileOf(s, '1.5'), Infinity);
  assert.ok(Number.isNaN(quantileOf(s, 'NaN')));
});

test('histograms are grouped by every label but le, also after sum by (le, ...)', () => {
  const s = api();
  histogram(s, { job: 'web' }, [['1', 0], ['2', 4], ['+Inf', 4]]);
  const r = vec(s, 'histogram_quantile(0.5, latency_seconds_bucket)', T);
  assert.deepEqual(
    r.map((x) => [x.labels.job, x.value]),
    [
      ['api', r[0].value],
      ['web', 1.5],
    ],
  );
  approx(r[0].value, 0.4);
  // Summed over jobs: 54 observations, rank 27 in (0.1, 0.5] holding 20 -> 0.1 + 0.4 * 17/20
  approx(quantileOf(s, '0.5', 'sum by (le) (latency_seconds_bucket)'), 0.44);
});

test('buckets are sorted by bound, equal bounds merged, and counts forced monotonic', () => {
  const s = new MemoryStorage();
  // Written out of order; le="1.0" and le="1" are the same bucket (2 + 8 = 10).
  histogram(s, { job: 'a' }, [['+Inf', 12], ['3', 12], ['1', 2], ['2', 4], ['1.0', 8]]);
  // 10, 4, 12, 12 is not cumulative: le=2 is raised to 10. Rank 10.8 -> (2, 3] holding 2 -> 2 + 0.8/2
  approx(quantileOf(s, '0.9'), 2.4);
  approx(quantileOf(s, '0.5'), 0.6);
});

test('a first bucket with a bound <= 0 has no lower bound to interpolate from', () => {
  const s = histogram(new MemoryStorage(), { job: 'a' }, [['-1', 5], ['0', 10], ['+Inf', 10]]);
  assert.equal(quantileOf(s, '0.2'), -1);
  approx(quantileOf(s, '0.75'), -0.5);
});

test('histograms without +Inf bucket, observations or a second bucket give NaN; series without le are ignored', () => {
  const noInf = histogram(new MemoryStorage(), { job: 'a' }, [['1', 5], ['2', 10]]);
  assert.ok(Number.isNaN(quantileOf(noInf, '0.5')));
  const empty = histogram(new MemoryStorage(), { job: 'a' }, [['1', 0], ['+Inf', 0]]);
  assert.ok(Number.isNaN(quantileOf(empty, '0.5')));
  const onlyInf = histogram(new MemoryStorage(), { job: 'a' }, [['+Inf', 7]]);
  assert.ok(Number.isNaN(quantileOf(onlyInf, '0.5')));
  const s = api();
  s.add({ __name__: 'latency_seconds_bucket', job: 'api' }, [[T - 5_000, 1000]]);
  s.add({ __name__: 'latency_seconds_bucket', job: 'api', le: 'fast' }, [[T - 5_000, 1000]]);
  approx(quantileOf(s, '0.5'), 0.4);
  assert.deepEqual(vec(s, 'histogram_quantile(0.5, up)', T), [], 'no buckets, no result');
});

test('histogram_quantile is accepted in the kubernetes-mixin form and rejects a non-scalar φ', () => {
  const s = api();
  const r = vec(s, 'histogram_quantile(0.99, sum by (le, job) (latency_seconds_bucket)) > 0.5', T);
  assert.deepEqual(r.map((x) => x.labels), [{ job: 'api' }]);
  assert.throws(() => run(s, 'histogram_quantile(latency_seconds_bucket, latency_seconds_bucket)', T), /expected type scalar/);
});
