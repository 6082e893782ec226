import assert from 'node:assert/strict';
import { evaluate, parsePromQL, type InstantSample, type SeriesStorage, type Value } from '../../../src/alerting/promql/index.ts';

export function run(storage: SeriesStorage, expr: string, tMs: number): Value {
  return evaluate(parsePromQL(expr), tMs, storage);
}

export function vec(storage: SeriesStorage, expr: string, tMs: number): InstantSample[] {
  const v = run(storage, expr, tMs);
  assert.equal(v.type, 'vector', `${expr} should give an instant vector`);
  if (v.type !== 'vector') return [];
  return [...v.samples].sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
}

export function scalar(storage: SeriesStorage, expr: string, tMs: number): number {
  const v = run(storage, expr, tMs);
  assert.equal(v.type, 'scalar', `${expr} should give a scalar`);
  return v.type === 'scalar' ? v.value : NaN;
}

export function approx(actual: number, expected: number, msg?: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${msg ?? ''} expected ${expected}, got ${actual}`);
}

/** Samples every `stepS` seconds from `fromS` to `toS` (inclusive) with value f(seconds). */
export function series(fromS: number, toS: number, stepS: number, f: (s: number) => number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = fromS; s <= toS; s += stepS) out.push([s * 1000, f(s)]);
  return out;
}
