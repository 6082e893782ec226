import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, parsePromQL } from '../../../src/alerting/promql/index.ts';
import {
  expandSeriesValues,
  loadInputSeries,
  notationSamples,
  parseSeriesLabels,
  storeForTimeline,
} from '../../helpers/promql-series-notation.ts';

test('expanding notation follows promtool: a+bxn gives n+1 samples, _xn gives n gaps', () => {
  assert.deepEqual(expandSeriesValues('-2+4x3'), [-2, 2, 6, 10]);
  assert.deepEqual(expandSeriesValues(' 1-2x4'), [1, -1, -3, -5, -7]);
  assert.deepEqual(expandSeriesValues('1x4'), [1, 1, 1, 1, 1]);
  assert.deepEqual(expandSeriesValues('1 _x3 stale'), [1, undefined, undefined, undefined, 'stale']);
  assert.deepEqual(expandSeriesValues('0 1 _ 3'), [0, 1, undefined, 3]);
  assert.deepEqual(expandSeriesValues('5-2x3'), [5, 3, 1, -1]);
  assert.deepEqual(expandSeriesValues('stalex1 2'), ['stale', 'stale', 2]);
});

test('numbers may be signed, fractional, exponents, hex, Inf and NaN', () => {
  const v = expandSeriesValues('+1.5 -.5 1e3 2E-1 0x1f Inf -inf');
  assert.deepEqual(v, [1.5, -0.5, 1000, 0.2, 31, Infinity, -Infinity]);
  const nan = expandSeriesValues('NaN')[0];
  assert.ok(typeof nan === 'number' && Number.isNaN(nan));
});

test('increments accumulate by repeated addition, like Prometheus, not a + i*b', () => {
  const v = expandSeriesValues('0+0.1x3');
  assert.equal(v[3], 0.1 + 0.1 + 0.1);
  assert.notEqual(v[3], 0.3);
});

test('bad items are refused with the item named', () => {
  assert.throws(() => expandSeriesValues('1 2 three'), /invalid series value "three"/);
  assert.throws(() => expandSeriesValues('_+1x3'), /cannot increment/);
  assert.throws(() => expandSeriesValues('stale+1x2'), /cannot increment/);
  assert.throws(() => expandSeriesValues('1x'), /invalid series value "1x"/);
});

test('series descriptions give labels; only equality matchers are accepted', () => {
  assert.deepEqual(parseSeriesLabels('up{job="api", instance="a:80"}'), { __name__: 'up', job: 'api', instance: 'a:80' });
  assert.deepEqual(parseSeriesLabels('{__name__="x", a="b"}'), { __name__: 'x', a: 'b' });
  assert.throws(() => parseSeriesLabels('up{job=~"a.*"}'), /must be set with "="/);
  assert.throws(() => parseSeriesLabels('rate(up[5m])'), /not a series description/);
});

test('samples land at start + index * interval and gaps leave no sample', () => {
  const s = notationSamples('1 _ 3 stale', 60_000, 30_000);
  assert.deepEqual(
    s.map((x) => [x.t, x.stale ? 'stale' : x.value]),
    [
      [30_000, 1],
      [150_000, 3],
      [210_000, 'stale'],
    ],
  );
  assert.throws(() => notationSamples('1', 0), /interval must be positive/);
});

test('loaded series answer queries, and a stale marker ends a series before the lookback does', () => {
  const store = storeForTimeline();
  loadInputSeries(
    store,
    [
      { series: 'x{job="a"}', values: '1+1x3 stale' },
      { series: 'x{job="b"}', values: '10 _x2 13' },
    ],
    { intervalMs: 60_000 },
  );
  const at = (expr: string, tMs: number) => {
    const v = evaluate(parsePromQL(expr), tMs, store);
    assert.equal(v.type, 'vector');
    return v.type === 'vector' ? Object.fromEntries(v.samples.map((s) => [s.labels.job, s.value])) : {};
  };
  assert.deepEqual(at('x', 180_000), { a: 4, b: 13 });
  assert.deepEqual(at('x', 150_000), { a: 3, b: 10 });
  // a's marker at 4m hides it although its last value is only 1m old; b is still within 5m
  assert.deepEqual(at('x', 240_000), { b: 13 });
});

test('a long time line is kept whole (no retention cut from the newest sample)', () => {
  const store = storeForTimeline();
  loadInputSeries(store, [{ series: 'x', values: '0+1x200' }], { intervalMs: 60_000 });
  const v = evaluate(parsePromQL('x'), 0, store);
  assert.deepEqual(v.type === 'vector' ? v.samples.map((s) => s.value) : v, [0]);
});

test('two descriptions of the same series are refused', () => {
  assert.throws(
    () =>
      loadInputSeries(
        storeForTimeline(),
        [
          { series: 'x{a="1"}', values: '1 2' },
          { series: 'x{a="1"}', values: '3' },
        ],
        { intervalMs: 1000 },
      ),
    /duplicate|out-of-order/,
  );
});

test('untilMs leaves out the samples after it', () => {
  const store = storeForTimeline();
  loadInputSeries(store, [{ series: 'x', values: '1 2 3 4' }], { intervalMs: 60_000, untilMs: 120_000 });
  const v = evaluate(parsePromQL('x'), 240_000, store);
  assert.deepEqual(v.type === 'vector' ? v.samples.map((s) => s.value) : v, [3]);
});
