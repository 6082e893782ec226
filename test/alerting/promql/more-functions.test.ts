/** Aggregations and functions added for real-world rules (kube-prometheus, kubernetes-mixin, node-mixin). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage, parsePromQL } from '../../../src/alerting/promql/index.ts';
import { approx, run, scalar, vec } from './helpers.ts';

const T = 1_000_000_000;

/** x{job, i} with one recent sample each. */
function gauges(values: Record<string, number>, job = 'a'): MemoryStorage {
  const s = new MemoryStorage();
  for (const [i, v] of Object.entries(values)) s.add({ __name__: 'x', job, i }, [[T - 1_000, v]]);
  return s;
}

function only(s: MemoryStorage, expr: string): number {
  const r = vec(s, expr, T);
  assert.equal(r.length, 1, `${expr}: one sample expected, got ${JSON.stringify(r)}`);
  return r[0].value;
}

// The textbook set: mean 5, population variance 4.
const textbook = { a: 2, b: 4, c: 4, d: 4, e: 5, f: 5, g: 7, h: 9 };

test('group, stddev, stdvar per group', () => {
  const s = gauges(textbook);
  s.add({ __name__: 'x', job: 'b', i: 'z' }, [[T - 1_000, 42]]);
  assert.deepEqual(vec(s, 'group by (job) (x)', T), [
    { labels: { job: 'a' }, value: 1 },
    { labels: { job: 'b' }, value: 1 },
  ]);
  assert.equal(only(s, 'stdvar by (job) (x{job="a"})'), 4);
  assert.equal(only(s, 'stddev(x{job="a"})'), 2);
  assert.equal(only(s, 'stddev(x{job="b"})'), 0, 'a single element deviates by nothing');
});

test('quantile interpolates between the closest ranks; φ outside [0, 1] gives ∓Inf', () => {
  const s = gauges(textbook);
  // 8 values, rank 0.5 * 7 = 3.5 between 4 and 5
  assert.equal(only(s, 'quantile(0.5, x)'), 4.5);
  // rank 6.3: 7 * 0.7 + 9 * 0.3
  approx(only(s, 'quantile(0.9, x)'), 7.6);
  assert.equal(only(s, 'quantile(0, x)'), 2);
  assert.equal(only(s, 'quantile(1, x)'), 9);
  assert.equal(only(s, 'quantile(-1, x)'), -Infinity);
  assert.equal(only(s, 'quantile(2, x)'), Infinity);
  assert.deepEqual(vec(s, 'quantile(0.5, nothing)', T), []);
  assert.deepEqual(vec(s, 'quantile by (job) (0.5, x)', T)[0].labels, { job: 'a' });
});

test('count_values counts equal values into a label, written like Prometheus formats floats', () => {
  const s = gauges({ ...textbook, big: 1e21, tiny: 1e-7, inf: Infinity });
  const r = vec(s, 'count_values("value", x)', T);
  const byValue = Object.fromEntries(r.map((x) => [x.labels.value, x.value]));
  assert.deepEqual(byValue, { '2': 1, '4': 3, '5': 2, '7': 1, '9': 1, '1000000000000000000000': 1, '0.0000001': 1, '+Inf': 1 });
  assert.deepEqual(Object.keys(r[0].labels), ['value'], 'no other labels without by()');
  const byJob = vec(gauges({ a: 1, b: 1 }), 'count_values by (job) ("v", x)', T);
  assert.deepEqual(byJob, [{ labels: { job: 'a', v: '1' }, value: 2 }]);
});

test('range functions: last, present, quantile, stddev, stdvar over time; mad_over_time refused', () => {
  const s = new MemoryStorage().add({ __name__: 'g', job: 'a' }, [
    [T - 45_000, 1],
    [T - 30_000, 3],
    [T - 15_000, 2],
    [T, 6],
  ]);
  assert.deepEqual(vec(s, 'last_over_time(g[1m])', T), [{ labels: { __name__: 'g', job: 'a' }, value: 6 }], 'keeps the name');
  assert.deepEqual(vec(s, 'last_over_time(g[1m])', T - 10_000).map((x) => x.value), [2]);
  assert.deepEqual(vec(s, 'present_over_time(g[1m])', T), [{ labels: { job: 'a' }, value: 1 }]);
  assert.deepEqual(vec(s, 'present_over_time(g[1m])', T + 120_000), [], 'nothing in the window');
  // sorted 1 2 3 6: rank 1.5 -> 2.5
  assert.equal(only(s, 'quantile_over_time(0.5, g[1m])'), 2.5);
  assert.equal(only(s, 'quantile_over_time(1.5, g[1m])'), Infinity);
  // mean 3, squared deviations 4 0 1 9 -> 14 / 4
  assert.equal(only(s, 'stdvar_over_time(g[1m])'), 3.5);
  approx(only(s, 'stddev_over_time(g[1m])'), Math.sqrt(3.5));
  // Experimental in Prometheus 3 (behind a feature flag), so refused like any unknown function.
  assert.throws(() => parsePromQL('mad_over_time(g[1m])'), /unsupported function "mad_over_time"/);
});

test('clamp, sqrt, exp, ln, log2, log10, sgn drop the name; clamp with max < min returns nothing', () => {
  const s = gauges({ low: -5, mid: 5, high: 15 });
  assert.deepEqual(vec(s, 'clamp(x, 0, 10)', T).map((x) => [x.labels.i, x.value]), [
    ['high', 10],
    ['low', 0],
    ['mid', 5],
  ]);
  assert.equal(vec(s, 'clamp(x, 0, 10)', T)[0].labels.__name__, undefined);
  assert.deepEqual(vec(s, 'clamp(x, 10, 0)', T), []);
  const one = (expr: string, v: number) => only(gauges({ a: v }), expr);
  assert.equal(one('sqrt(x)', 16), 4);
  assert.equal(one('exp(x)', 0), 1);
  assert.equal(one('ln(x)', 1), 0);
  assert.equal(one('log2(x)', 8), 3);
  assert.equal(one('log10(x)', 1000), 3);
  // Prometheus computes log10 as ln(x) * log10(e) (Go), which is one ulp off here; so do we.
  assert.equal(one('log10(x)', 0.1), -0.9999999999999999);
  assert.ok(Number.isNaN(one('sqrt(x)', -1)));
  assert.equal(one('ln(x)', 0), -Infinity);
  assert.deepEqual(
    vec(s, 'sgn(x)', T).map((x) => x.value),
    [1, -1, 1],
  );
  assert.equal(one('sgn(x)', 0), 0);
  approx(scalar(s, 'pi()', T), 3.141592653589793);
});

test('timestamp gives the sample time for a selector, the evaluation time otherwise', () => {
  const s = new MemoryStorage().add({ __name__: 'x', job: 'a' }, [[T - 30_000, 1]]);
  assert.deepEqual(vec(s, 'timestamp(x)', T), [{ labels: { job: 'a' }, value: (T - 30_000) / 1000 }]);
  assert.deepEqual(vec(s, 'timestamp(x offset 10s)', T).map((x) => x.value), [(T - 30_000) / 1000]);
  assert.deepEqual(vec(s, 'timestamp(x * 1)', T).map((x) => x.value), [T / 1000]);
  assert.deepEqual(vec(s, 'time() - timestamp(x) > 20', T).map((x) => x.value), [30]);
});

test('sort and sort_desc order an instant vector by value with NaN last, keeping the labels', () => {
  const s = gauges({ a: 3, b: NaN, c: -Infinity, d: 10, e: Infinity });
  const order = (expr: string) => {
    const v = run(s, expr, T);
    assert.equal(v.type, 'vector');
    return v.type === 'vector' ? v.samples.map((x) => x.labels.i) : [];
  };
  assert.deepEqual(order('sort(x)'), ['c', 'a', 'd', 'e', 'b']);
  assert.deepEqual(order('sort_desc(x)'), ['e', 'd', 'a', 'c', 'b']);
  const first = run(s, 'sort(x)', T);
  assert.equal(first.type === 'vector' && first.samples[0].labels.__name__, 'x');
});

test('label_join joins source labels (missing ones as empty) and removes an empty result', () => {
  const s = new MemoryStorage();
  s.add({ __name__: 'up', namespace: 'demo', pod: 'web-0' }, [[T - 1_000, 1]]);
  s.add({ __name__: 'up', pod: 'web-1', target: 'old' }, [[T - 1_000, 0]]);
  assert.deepEqual(vec(s, 'label_join(up, "target", "/", "namespace", "pod")', T), [
    { labels: { __name__: 'up', namespace: 'demo', pod: 'web-0', target: 'demo/web-0' }, value: 1 },
    { labels: { __name__: 'up', pod: 'web-1', target: '/web-1' }, value: 0 },
  ]);
  assert.deepEqual(
    vec(s, 'label_join(up, "target", ",")', T).map((x) => x.labels.target),
    [undefined, undefined],
    'no sources: the label is removed',
  );
  const twoPods = new MemoryStorage();
  for (const pod of ['a', 'b']) twoPods.add({ __name__: 'up', pod }, [[T - 1_000, 1]]);
  assert.throws(() => run(twoPods, 'label_join(up, "pod", "", "__name__")', T), /same labelset/, 'colliding results are an error');
});

test('calendar functions read values as Unix seconds in UTC, default to the evaluation time', () => {
  // 2024-02-29T13:45:30Z, a Thursday in a leap year
  const at = Date.UTC(2024, 1, 29, 13, 45, 30);
  const s = new MemoryStorage().add({ __name__: 'boot_time', job: 'a' }, [[T - 1_000, at / 1000 + 0.9]]);
  const fields: Record<string, number> = {
    day_of_month: 29,
    day_of_week: 4,
    day_of_year: 60,
    days_in_month: 29,
    hour: 13,
    minute: 45,
    month: 2,
    year: 2024,
  };
  for (const [fn, expected] of Object.entries(fields)) {
    assert.deepEqual(vec(s, `${fn}(boot_time)`, T), [{ labels: { job: 'a' }, value: expected }], fn);
    assert.deepEqual(vec(s, `${fn}()`, at), [{ labels: {}, value: expected }], `${fn}()`);
  }
  assert.equal(only(s, 'days_in_month(vector(0))'), 31, '1970-01');
  assert.equal(only(s, `day_of_year(vector(${Date.UTC(2023, 11, 31) / 1000}))`), 365);
  assert.equal(only(s, `day_of_year(vector(${Date.UTC(2024, 11, 31) / 1000}))`), 366, 'leap year');
  assert.equal(only(s, 'minute(vector(-0.5))'), 0, 'fractions are dropped toward zero: still 00:00:00');
  assert.ok(Number.isNaN(only(s, 'year(vector(NaN))')));
});

test('the new functions and aggregations are type-checked at parse time', () => {
  assert.throws(() => parsePromQL('count_values("not a label", up)'), /invalid label name/);
  assert.throws(() => parsePromQL('count_values(1, up)'), /expected type string in aggregation parameter/);
  assert.throws(() => parsePromQL('quantile("0.5", up)'), /expected type scalar in aggregation parameter/);
  assert.throws(() => parsePromQL('quantile(up)'), /expected 2, got 1/);
  assert.throws(() => parsePromQL('quantile_over_time(up[5m], 0.5)'), /expected type scalar/);
  assert.throws(() => parsePromQL('label_join(up, "1bad", ",", "a")'), /invalid destination label name in label_join/);
  assert.throws(() => parsePromQL('label_join(up, "dst", ",", "a", "b-c")'), /invalid source label name/);
  assert.throws(() => parsePromQL('label_join(up, "dst")'), /at least 3 argument/);
  assert.throws(() => parsePromQL('clamp(up, 1)'), /expected 3 argument/);
  assert.throws(() => parsePromQL('hour(up, up)'), /expected 0 to 1 argument/);
  assert.equal(parsePromQL('label_join(up, "dst", ",", "a", "b", "c", "d")').kind, 'call');
  assert.equal(parsePromQL('stddev without (instance) (up)').kind, 'aggregate');
});
