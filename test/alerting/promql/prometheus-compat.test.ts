/** Engine fixes found by the differential tests against real Prometheus (test/alerting/differential). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage, parsePromQL, type BinaryExpr, type UnaryExpr, type VectorSelector } from '../../../src/alerting/promql/index.ts';
import { scalar, vec } from './helpers.ts';

const scalarAt = (s: MemoryStorage, expr: string) => scalar(s, expr, 0);

test('offset after a binary operator modifies the selector before it, not the whole expression', () => {
  const e = parsePromQL('queue_length - queue_length offset 5m') as BinaryExpr;
  assert.equal(e.kind, 'binary');
  assert.equal((e.lhs as VectorSelector).offsetMs, 0);
  assert.equal((e.rhs as VectorSelector).offsetMs, 300_000);

  const cmp = parsePromQL('a > bool on(x) b offset 1m') as BinaryExpr;
  assert.equal(cmp.bool, true);
  assert.equal((cmp.rhs as VectorSelector).offsetMs, 60_000);

  // a * (b offset 5m) + c
  const nested = parsePromQL('a * b offset 5m + c') as BinaryExpr;
  const product = nested.lhs as BinaryExpr;
  assert.equal((product.rhs as VectorSelector).offsetMs, 300_000);
  assert.equal((product.lhs as VectorSelector).offsetMs, 0);
  assert.equal((nested.rhs as VectorSelector).offsetMs, 0);

  const neg = parsePromQL('-a offset 2m') as UnaryExpr;
  assert.equal((neg.expr as VectorSelector).offsetMs, 120_000);
});

test('offset on something that is not a selector is still refused', () => {
  assert.throws(() => parsePromQL('(a - b) offset 5m'), /offset modifier must be preceded by an instant vector selector/);
  assert.throws(() => parsePromQL('a - (b) offset 5m'), /offset modifier must be preceded by an instant vector selector/);
  assert.throws(() => parsePromQL('a - sum(b) offset 5m'), /offset modifier must be preceded by an instant vector selector/);
});

test('x - x offset 5m compares a series with its own past', () => {
  const s = new MemoryStorage().add({ __name__: 'q', queue: 'a' }, [
    [0, 10],
    [300_000, 150],
  ]);
  assert.deepEqual(vec(s, 'q - q offset 5m', 300_000), [{ labels: { queue: 'a' }, value: 140 }]);
});

test('rate applies its extrapolation factor divided by the range, bit-identical to Prometheus', () => {
  // Two samples 60 s apart starting at 0: extrapolated to 90 s of a 120 s range. Prometheus computes
  // 12 * ((90 / 60) / 120) = 0.15000000000000002; 12 * (90 / 60) / 120 would give 0.15.
  const s = new MemoryStorage().add({ __name__: 'c' }, [
    [30_000, 0],
    [90_000, 12],
  ]);
  assert.deepEqual(vec(s, 'rate(c[2m])', 120_000), [{ labels: {}, value: 0.15000000000000002 }]);
  assert.deepEqual(vec(s, 'increase(c[2m])', 120_000), [{ labels: {}, value: 18 }]);
});

test('a leading minus binds looser than ^: -2 ^ 2 is -(2 ^ 2)', () => {
  const s = new MemoryStorage().add({ __name__: 'x' }, [[0, 3]]);
  assert.deepEqual(scalarAt(s, '-2 ^ 2'), -4);
  assert.deepEqual(scalarAt(s, '1 - -2 ^ 2'), 5);
  assert.deepEqual(scalarAt(s, '2 * -2 ^ 2'), -8);
  assert.deepEqual(scalarAt(s, '(-2) ^ 2'), 4);
  assert.deepEqual(scalarAt(s, '2 ^ -1'), 0.5);
  assert.deepEqual(vec(s, '-2 ^ x', 0), [{ labels: {}, value: -8 }]);
  assert.deepEqual(vec(s, '-x ^ 2', 0), [{ labels: {}, value: -9 }]);
});
