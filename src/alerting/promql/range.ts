/**
 * Range queries, as Prometheus' `query_range` computes them: the instant evaluator runs at
 * start, start + step, ... (never past end) and the points of each label set are stitched into
 * one series. Nothing is interpolated: a series simply has no point at a step where the instant
 * query did not return it.
 */
import { PromQLError, type Expr, type ValueType } from './ast.ts';
import { evaluate, type EvalOptions } from './eval.ts';
import { FUNCTIONS } from './functions-table.ts';
import type { SeriesStorage } from './storage.ts';
import { labelsKey, type Labels, type RangeSeries } from './value.ts';

/** Prometheus refuses range queries with more than this many steps (11,001 points) per series. */
export const MAX_RANGE_STEPS = 11_000;

export interface RangeResult {
  type: 'matrix';
  /** Sorted by label set; each series' samples ascend in time. */
  series: RangeSeries[];
}

/**
 * A problem with the query itself (bad start/end/step, or an expression that is not a scalar or an
 * instant vector), found before anything is evaluated: the caller's fault, unlike evaluation errors.
 */
export class RangeQueryError extends PromQLError {
  constructor(message: string) {
    super(message);
    this.name = 'RangeQueryError';
  }
}

/** The static type of an expression (the parser already rejected ill-typed ones). */
export function exprType(e: Expr): ValueType {
  switch (e.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vector':
      return 'vector';
    case 'matrix':
      return 'matrix';
    case 'unary':
      return exprType(e.expr);
    case 'binary':
      return exprType(e.lhs) === 'scalar' && exprType(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'aggregate':
      return 'vector';
    case 'call':
      return FUNCTIONS[e.func]?.returns ?? 'vector';
  }
}

/** Throws a {@link RangeQueryError} unless start/end/step describe an acceptable range. */
export function checkRange(startMs: number, endMs: number, stepMs: number): void {
  for (const [name, v] of [['start', startMs], ['end', endMs], ['step', stepMs]] as const) {
    if (!Number.isFinite(v)) throw new RangeQueryError(`${name} must be a finite number, got ${v}`);
  }
  if (endMs < startMs) throw new RangeQueryError('end timestamp must not be before start time');
  if (!(stepMs > 0)) throw new RangeQueryError('zero or negative query resolution step widths are not accepted. Try a positive integer');
  // Same test as Prometheus: whole steps between start and end (so up to 11,001 points).
  if (Math.floor((endMs - startMs) / stepMs) > MAX_RANGE_STEPS) {
    throw new RangeQueryError(
      `exceeded maximum resolution of ${MAX_RANGE_STEPS.toLocaleString('en-US')} points per timeseries. Try decreasing the query resolution (?step=XX)`,
    );
  }
}

/**
 * Evaluates `expr` at every step from `startMs` to `endMs` (inclusive when it falls on a step).
 * A scalar expression yields one series without labels, like Prometheus.
 */
export function evaluateRange(expr: Expr, startMs: number, endMs: number, stepMs: number, storage: SeriesStorage, opts: EvalOptions = {}): RangeResult {
  checkRange(startMs, endMs, stepMs);
  const type = exprType(expr);
  if (type !== 'scalar' && type !== 'vector') {
    const name = type === 'matrix' ? 'range vector' : type;
    throw new RangeQueryError(`invalid expression type "${name}" for range query, must be Scalar or instant Vector`);
  }
  const byKey = new Map<string, RangeSeries>();
  const add = (labels: Labels, t: number, v: number) => {
    const key = labelsKey(labels);
    let s = byKey.get(key);
    if (!s) {
      s = { labels, samples: [] };
      byKey.set(key, s);
    }
    s.samples.push([t, v]);
  };
  // Steps are computed from the index, not by accumulating, so float steps do not drift.
  const steps = Math.floor((endMs - startMs) / stepMs);
  for (let i = 0; i <= steps; i++) {
    const t = startMs + i * stepMs;
    const v = evaluate(expr, t, storage, opts);
    if (v.type === 'scalar') add({}, t, v.value);
    else if (v.type === 'vector') for (const s of v.samples) add(s.labels, t, s.value);
    else throw new PromQLError(`unexpected ${v.type} result at step ${t}`);
  }
  return { type: 'matrix', series: [...byKey.values()].sort((a, b) => compareLabels(a.labels, b.labels)) };
}

/** Prometheus' label set order: pairwise by sorted name, then value; a prefix sorts first. */
export function compareLabels(a: Labels, b: Labels): number {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    const va = a[ka[i]];
    const vb = b[kb[i]];
    if (va !== vb) return va < vb ? -1 : 1;
  }
  return ka.length - kb.length;
}
