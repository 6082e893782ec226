import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRange, MemoryStorage, parsePromQL, RangeQueryError, staleSample } from '../../../src/alerting/promql/index.ts';

const S = 1000;
const T = 1_000_000 * S;

function range(storage: MemoryStorage, expr: string, start: number, end: number, step: number) {
  return evaluateRange(parsePromQL(expr), start, end, step, storage);
}

test('a range query evaluates at start, start+step, ... <= end and stitches points by label set', () => {
  const s = new MemoryStorage()
    .add({ __name__: 'x', pod: 'b' }, [[T, 1], [T + 20 * S, 2], [T + 40 * S, 3]])
    // starts later: no point before its first sample
    .add({ __name__: 'x', pod: 'a' }, [[T + 25 * S, 10]]);
  // end T+45s is not on a step: the last step is T+40s
  const m = range(s, 'x', T, T + 45 * S, 10 * S);
  assert.equal(m.type, 'matrix');
  assert.deepEqual(m.series, [
    { labels: { __name__: 'x', pod: 'a' }, samples: [[T + 30 * S, 10], [T + 40 * S, 10]] },
    {
      labels: { __name__: 'x', pod: 'b' },
      samples: [[T, 1], [T + 10 * S, 1], [T + 20 * S, 2], [T + 30 * S, 2], [T + 40 * S, 3]],
    },
  ]);
});

test('a series vanishes at stale markers and after the lookback, leaving gaps, not interpolation', () => {
  const s = new MemoryStorage().add({ __name__: 'y' }, [[T, 5], staleSample(T + 15 * S), [T + 35 * S, 7]]);
  const m = range(s, 'y', T, T + 40 * S, 10 * S);
  assert.deepEqual(m.series, [{ labels: { __name__: 'y' }, samples: [[T, 5], [T + 10 * S, 5], [T + 40 * S, 7]] }]);
  const old = new MemoryStorage().add({ __name__: 'z' }, [[T, 1]]);
  const m2 = evaluateRange(parsePromQL('z'), T, T + 3 * 60 * S, 60 * S, old, { lookbackDeltaMs: 90 * S });
  assert.deepEqual(m2.series[0].samples, [[T, 1], [T + 60 * S, 1]], 'lookback 90s: gone from T+2m on');
});

test('functions and aggregations are evaluated at each step (rate over a counter, sum by)', () => {
  // counter +6 per minute on each of two pods
  const counter = (): [number, number][] => Array.from({ length: 11 }, (_, i) => [T + i * 60 * S, i * 6]);
  const s = new MemoryStorage().add({ __name__: 'c_total', pod: 'a', app: 'kv' }, counter()).add({ __name__: 'c_total', pod: 'b', app: 'kv' }, counter());
  const m = range(s, 'sum by (app) (rate(c_total[5m]))', T + 5 * 60 * S, T + 10 * 60 * S, 5 * 60 * S);
  // rate = 6 per 60 s = 0.1/s per pod; two pods → 0.2
  assert.equal(m.series.length, 1);
  assert.deepEqual(m.series[0].labels, { app: 'kv' });
  assert.deepEqual(
    m.series[0].samples.map(([t, v]) => [t, Math.round(v * 1e9) / 1e9]),
    [[T + 5 * 60 * S, 0.2], [T + 10 * 60 * S, 0.2]],
  );
});

test('a scalar expression gives one series without labels; time() reflects each step', () => {
  const m = range(new MemoryStorage(), 'time() * 2', T, T + 2 * S, S);
  assert.deepEqual(m.series, [{ labels: {}, samples: [[T, 2 * (T / 1000)], [T + S, 2 * (T / 1000 + 1)], [T + 2 * S, 2 * (T / 1000 + 2)]] }]);
  // start == end: one point
  assert.deepEqual(range(new MemoryStorage(), '42', T, T, S).series, [{ labels: {}, samples: [[T, 42]] }]);
});

test('bad ranges and non-rangeable expressions are refused before evaluating', () => {
  const s = new MemoryStorage();
  const expr = parsePromQL('up');
  assert.throws(() => evaluateRange(expr, T, T - 1, S, s), (e: Error) => e instanceof RangeQueryError && /end timestamp must not be before start/.test(e.message));
  assert.throws(() => evaluateRange(expr, T, T, 0, s), /zero or negative query resolution step/);
  assert.throws(() => evaluateRange(expr, T, T, -5, s), /zero or negative/);
  assert.throws(() => evaluateRange(expr, NaN, T, S, s), /start must be a finite number/);
  // Prometheus' limit: (end - start) / step may be at most 11,000
  assert.equal(evaluateRange(parsePromQL('1'), T, T + 11_000 * S, S, s).series[0].samples.length, 11_001);
  assert.throws(() => evaluateRange(expr, T, T + 11_001 * S, S, s), /exceeded maximum resolution of 11,000 points per timeseries/);
  assert.throws(() => evaluateRange(parsePromQL('"text"'), T, T, S, s), /invalid expression type "string" for range query/);
});

test('evaluation errors surface as plain errors, not RangeQueryError', () => {
  const s = new MemoryStorage().add({ __name__: 'a', x: '1' }, [[T, 1]]).add({ __name__: 'b', x: '1' }, [[T, 2]]);
  assert.throws(
    () => range(s, '-{__name__=~"a|b"}', T, T + S, S),
    (e: Error) => !(e instanceof RangeQueryError) && /same labelset/.test(e.message),
  );
});
