/**
 * Embedded PromQL: instant and range queries.
 *
 * - {@link parsePromQL} parses with the official lezer grammar (@prometheus-io/lezer-promql), rejects
 *   syntax errors and every construct the evaluator does not support (subqueries, `@`, unknown
 *   functions or aggregations, type errors) with a {@link PromQLError} carrying the position.
 * - {@link evaluate} runs the AST at one timestamp against a {@link SeriesStorage}. Windows follow
 *   Prometheus 3: instant selectors take the newest sample in (t - lookback, t], range selectors the
 *   samples in (t - range, t] (both shifted by `offset`); stale markers (see storage.ts) end a series.
 * - {@link evaluateRange} evaluates at every step of [start, end] and stitches the series (query_range).
 */
export * from './ast.ts';
export { parsePromQL, parseDuration } from './parser.ts';
export { evaluate, type EvalOptions } from './eval.ts';
export * from './storage.ts';
export * from './value.ts';
export { FUNCTIONS, type FunctionSignature } from './functions-table.ts';
export { evaluateRange, checkRange, exprType, compareLabels, RangeQueryError, MAX_RANGE_STEPS, type RangeResult } from './range.ts';
