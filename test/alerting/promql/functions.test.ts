import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../../../src/alerting/promql/index.ts';
import { approx, run, scalar, series, vec } from './helpers.ts';

const S = 1000; // ms per second
const T0 = 1_700_000_000_000; // base time, all series are relative to it

function at(seconds: number): number {
  return T0 + seconds * S;
}

function shifted(samples: Array<[number, number]>): Array<[number, number]> {
  return samples.map(([t, v]) => [T0 + t, v]);
}

function one(storage: MemoryStorage, expr: string, tS: number): number {
  const r = vec(storage, expr, at(tS));
  assert.equal(r.length, 1, `${expr} should give one sample, got ${JSON.stringify(r)}`);
  return r[0].value;
}

test('rate/increase of a steady counter cover the whole range', () => {
  // 1 per second, scraped every 15 s from t=0.
  const s = new MemoryStorage().add({ __name__: 'c_total', job: 'x' }, shifted(series(0, 600, 15, (x) => x)));
  approx(one(s, 'rate(c_total[1m])', 300), 1);
  approx(one(s, 'increase(c_total[1m])', 300), 60);
  approx(one(s, 'increase(c_total[5m])', 300), 300);
  assert.deepEqual(vec(s, 'rate(c_total[1m])', at(300))[0].labels, { job: 'x' }, 'metric name dropped');
});

test('rate/increase extrapolation is limited near the range edges and at counter zero', () => {
  // Samples at 30 s, 40 s, 50 s of a 60 s range ending at 60 s.
  const late = new MemoryStorage().add({ __name__: 'c' }, shifted([[30 * S, 100], [40 * S, 110], [50 * S, 120]]));
  // start gap 30 s > 1.1 * 10 s avg: extrapolate 5 s only; end gap 10 s < 11 s: extrapolate fully.
  approx(one(late, 'increase(c[1m])', 60), 35);
  approx(one(late, 'rate(c[1m])', 60), 35 / 60);
  // Counter that started near zero: extrapolation stops where it would reach 0 (1 s before the first sample).
  const fresh = new MemoryStorage().add({ __name__: 'c' }, shifted([[30 * S, 1], [40 * S, 11], [50 * S, 21]]));
  approx(one(fresh, 'increase(c[1m])', 60), 31);
  // A reset (20 -> 5) counts the value before the reset.
  const reset = new MemoryStorage().add({ __name__: 'c' }, shifted([[20 * S, 10], [40 * S, 20], [60 * S, 5]]));
  approx(one(reset, 'increase(c[1m])', 60), 22.5);
  approx(one(reset, 'resets(c[1m])', 60), 1);
  // A single sample gives no result.
  const single = new MemoryStorage().add({ __name__: 'c' }, shifted([[50 * S, 3]]));
  assert.deepEqual(vec(single, 'rate(c[1m])', at(60)), []);
});

test('delta (gauge, no counter correction), irate, deriv, predict_linear', () => {
  const g = new MemoryStorage().add({ __name__: 'g' }, shifted([[30 * S, 100], [40 * S, 90], [50 * S, 80]]));
  approx(one(g, 'delta(g[1m])', 60), -35);
  approx(one(g, 'irate(g[1m])', 60), 8, 'irate treats the drop as a reset: 80 / 10 s');
  const lin = new MemoryStorage().add({ __name__: 'l' }, shifted(series(0, 120, 10, (x) => 2 * x + 5)));
  approx(one(lin, 'deriv(l[1m])', 120), 2);
  approx(one(lin, 'predict_linear(l[1m], 30)', 120), 2 * 150 + 5);
  approx(one(lin, 'irate(l[1m])', 120), 2);
  const c = new MemoryStorage().add({ __name__: 'c' }, shifted([[40 * S, 100], [50 * S, 3]]));
  approx(one(c, 'irate(c[1m])', 60), 0.3);
  const flat = new MemoryStorage().add({ __name__: 'f' }, shifted(series(0, 60, 10, () => 7)));
  approx(one(flat, 'deriv(f[1m])', 60), 0);
  approx(one(flat, 'predict_linear(f[1m], 3600)', 60), 7);
});

test('*_over_time, changes, resets', () => {
  const s = new MemoryStorage().add({ __name__: 'm', k: 'v' }, shifted([[10 * S, 3], [20 * S, 1], [30 * S, 4], [40 * S, 4], [50 * S, 2]]));
  approx(one(s, 'avg_over_time(m[1m])', 60), 14 / 5);
  approx(one(s, 'sum_over_time(m[1m])', 60), 14);
  approx(one(s, 'max_over_time(m[1m])', 60), 4);
  approx(one(s, 'min_over_time(m[1m])', 60), 1);
  approx(one(s, 'count_over_time(m[1m])', 60), 5);
  approx(one(s, 'count_over_time(m[25s])', 60), 2, 'range is (t-25s, t]');
  approx(one(s, 'changes(m[1m])', 60), 3);
  approx(one(s, 'resets(m[1m])', 60), 2);
  approx(one(s, 'sum_over_time(m[20s] offset 30s)', 60), 5, 'samples at 20 s and 30 s');
  assert.deepEqual(vec(s, 'max_over_time(m[1m])', at(60))[0].labels, { k: 'v' });
  assert.deepEqual(vec(s, 'avg_over_time(m[1m])', at(200)), []);
});

test('absent and absent_over_time', () => {
  const s = new MemoryStorage().add({ __name__: 'up', job: 'api' }, shifted([[10 * S, 1]]));
  assert.deepEqual(vec(s, 'absent(up{job="api"})', at(20)), []);
  assert.deepEqual(vec(s, 'absent(up{job="db", env=~"p.*"})', at(20)), [{ labels: { job: 'db' }, value: 1 }]);
  assert.deepEqual(vec(s, 'absent(nonexistent)', at(20)), [{ labels: {}, value: 1 }]);
  assert.deepEqual(vec(s, 'absent(sum(nonexistent))', at(20)), [{ labels: {}, value: 1 }]);
  assert.deepEqual(vec(s, 'absent_over_time(up{job="api"}[1m])', at(20)), []);
  assert.deepEqual(vec(s, 'absent_over_time(up{job="api"}[1m])', at(100)), [{ labels: { job: 'api' }, value: 1 }]);
});

test('clamp_min, clamp_max, abs, ceil, floor, round', () => {
  const s = new MemoryStorage().add({ __name__: 'm', k: 'a' }, shifted([[0, -2.5]])).add({ __name__: 'm', k: 'b' }, shifted([[0, 7.26]]));
  const values = (e: string): number[] => vec(s, e, at(1)).map((x) => x.value);
  assert.deepEqual(values('clamp_min(m, 0)'), [0, 7.26]);
  assert.deepEqual(values('clamp_max(m, 5)'), [-2.5, 5]);
  assert.deepEqual(values('abs(m)'), [2.5, 7.26]);
  assert.deepEqual(values('ceil(m)'), [-2, 8]);
  assert.deepEqual(values('floor(m)'), [-3, 7]);
  assert.deepEqual(values('round(m)'), [-2, 7], 'round half up');
  approx(values('round(m, 0.5)')[1], 7.5);
  assert.deepEqual(vec(s, 'abs(m)', at(1))[0].labels, { k: 'a' }, 'metric name dropped');
});

test('time, vector, scalar', () => {
  const s = new MemoryStorage().add({ __name__: 'one' }, shifted([[0, 42]])).add({ __name__: 'two', k: '1' }, shifted([[0, 1]]));
  s.add({ __name__: 'two', k: '2' }, shifted([[0, 2]]));
  assert.equal(scalar(s, 'time()', at(10)), T0 / 1000 + 10);
  assert.deepEqual(vec(s, 'vector(3)', at(10)), [{ labels: {}, value: 3 }]);
  assert.deepEqual(vec(s, 'vector(time())', at(10)), [{ labels: {}, value: T0 / 1000 + 10 }]);
  assert.equal(scalar(s, 'scalar(one)', at(10)), 42);
  assert.ok(Number.isNaN(scalar(s, 'scalar(two)', at(10))));
  assert.ok(Number.isNaN(scalar(s, 'scalar(missing)', at(10))));
  assert.deepEqual(vec(s, 'two * scalar(one)', at(10)).map((x) => x.value), [42, 84]);
  assert.equal(scalar(s, 'time() - time()', at(10)), 0);
  assert.equal(run(s, '"hello"', at(10)).type, 'string');
});

test('label_replace', () => {
  const s = new MemoryStorage().add({ __name__: 'up', instance: 'host-1:9100', job: 'node' }, shifted([[0, 1]]));
  assert.deepEqual(vec(s, 'label_replace(up, "host", "$1", "instance", "(.*):\\\\d+")', at(1)), [
    { labels: { __name__: 'up', instance: 'host-1:9100', job: 'node', host: 'host-1' }, value: 1 },
  ]);
  assert.deepEqual(vec(s, 'label_replace(up, "x", "${1}-$2", "instance", "([a-z]+)-(\\\\d+).*")', at(1))[0].labels.x, 'host-1');
  assert.deepEqual(vec(s, 'label_replace(up, "job", "", "job", ".*")', at(1))[0].labels, { __name__: 'up', instance: 'host-1:9100' });
  // No match (regex is anchored): unchanged.
  assert.deepEqual(vec(s, 'label_replace(up, "host", "$1", "instance", "host")', at(1))[0].labels.host, undefined);
  assert.deepEqual(
    vec(s, 'label_replace(up, "__name__", "renamed", "job", "node")', at(1))[0].labels.__name__,
    'renamed',
  );
});

test('label_join and label_replace refuse to grow the labels of a series past 1 MiB (nested label_join doubles a value; found by fuzzing)', () => {
  const s = new MemoryStorage().add({ __name__: 'up', job: 'node' }, shifted([[0, 1]]));
  let expr = 'label_replace(up, "a", "' + 'a'.repeat(30) + '", "", "")';
  for (let i = 0; i < 15; i++) expr = `label_join(${expr}, "a", "", "a", "a")`;
  assert.equal(vec(s, expr, at(1))[0].labels.a.length, 30 * 2 ** 15, 'just under 1 MiB');
  assert.throws(() => vec(s, `label_join(${expr}, "a", "", "a", "a")`, at(1)), /label_join: the labels of a series would exceed 1048576 characters/);
  assert.throws(() => vec(s, `label_join(${expr}, "b", "", "a")`, at(1)), /label_join: the labels of a series would exceed/);
  assert.throws(() => vec(s, `label_replace(${expr}, "a", "$1$1", "a", "(.*)")`, at(1)), /label_replace: the labels of a series would exceed/);
  const x30k = `label_replace(up, "x", "${'x'.repeat(30_000)}", "", "")`;
  assert.throws(() => vec(s, `label_replace(${x30k}, "y", "${'$1'.repeat(40)}", "x", "(.*)")`, at(1)), /label_replace: the labels of a series would exceed/);
  // What does not grow them stays possible.
  assert.equal(vec(s, `label_replace(${expr}, "a", "short", "a", ".*")`, at(1))[0].labels.a, 'short');
  assert.equal(vec(s, `label_join(${expr}, "a", "", "job")`, at(1))[0].labels.a, 'node');
});
