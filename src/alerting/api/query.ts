/**
 * /api/v1/query and /api/v1/query_range: parse (400 bad_data on failure, with the parser's
 * position message), evaluate (422 execution on failure) and encode results like Prometheus.
 */
import { PromQLError, type Expr } from '../promql/ast.ts';
import { evaluate } from '../promql/eval.ts';
import { parsePromQL } from '../promql/parser.ts';
import { evaluateRange, RangeQueryError } from '../promql/range.ts';
import type { Labels, RangeSeries, Value } from '../promql/value.ts';
import { DEFAULT_LOOKBACK_DELTA_MS, type AlertingApiBackend } from './backend.ts';
import { ApiError, badData, invalidParam } from './errors.ts';
import { formatSampleValue, unixSeconds } from './format.ts';
import { parseDurationParam, parseTimeParam, type Params } from './params.ts';

type Point = [number, string];

export type QueryData =
  | { resultType: 'scalar' | 'string'; result: Point }
  | { resultType: 'vector'; result: { metric: Labels; value: Point }[] }
  | { resultType: 'matrix'; result: { metric: Labels; values: Point[] }[] };

function point(tMs: number, v: number): Point {
  return [unixSeconds(tMs), formatSampleValue(v)];
}

function parseQueryParam(text: string | undefined, opts: { allowRangeVector?: boolean } = {}): Expr {
  try {
    return parsePromQL(text ?? '', opts);
  } catch (e) {
    throw invalidParam('query', (e as Error).message);
  }
}

/** An evaluation failure is the query's runtime problem (422), not a malformed request. */
function executionError(e: unknown): ApiError {
  if (e instanceof RangeQueryError) return badData(e.message);
  if (e instanceof PromQLError || e instanceof Error) return new ApiError(422, 'execution', e.message);
  return new ApiError(422, 'execution', String(e));
}

export function encodeInstant(v: Value, tMs: number): QueryData {
  switch (v.type) {
    case 'scalar':
      return { resultType: 'scalar', result: point(tMs, v.value) };
    case 'string':
      return { resultType: 'string', result: [unixSeconds(tMs), v.value] };
    case 'vector':
      return { resultType: 'vector', result: v.samples.map((s) => ({ metric: s.labels, value: point(tMs, s.value) })) };
    case 'matrix':
      return encodeMatrix(v.series);
  }
}

export function encodeMatrix(series: RangeSeries[]): QueryData {
  return { resultType: 'matrix', result: series.map((s) => ({ metric: s.labels, values: s.samples.map(([t, v]) => point(t, v)) })) };
}

export function instantQuery(backend: AlertingApiBackend, p: Params): QueryData {
  const tMs = parseTimeParam('time', p.get('time'), backend.clock.nowMs());
  // An instant query may be a bare range selector (`up[5m]`): Prometheus answers with a matrix.
  const expr = parseQueryParam(p.get('query'), { allowRangeVector: true });
  let v: Value;
  try {
    v = evaluate(expr, tMs, backend.storage, { lookbackDeltaMs: backend.lookbackDeltaMs ?? DEFAULT_LOOKBACK_DELTA_MS, allowMatrix: true });
  } catch (e) {
    throw executionError(e);
  }
  return encodeInstant(v, tMs);
}

export function rangeQuery(backend: AlertingApiBackend, p: Params): QueryData {
  const now = backend.clock.nowMs();
  if (p.get('start') === undefined) throw invalidParam('start', 'cannot parse "" to a valid timestamp');
  if (p.get('end') === undefined) throw invalidParam('end', 'cannot parse "" to a valid timestamp');
  const startMs = parseTimeParam('start', p.get('start'), now);
  const endMs = parseTimeParam('end', p.get('end'), now);
  if (endMs < startMs) throw invalidParam('end', 'end timestamp must not be before start time');
  const stepMs = parseDurationParam('step', p.get('step'));
  if (stepMs <= 0) throw invalidParam('step', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
  const expr = parseQueryParam(p.get('query'));
  try {
    const m = evaluateRange(expr, startMs, endMs, stepMs, backend.storage, { lookbackDeltaMs: backend.lookbackDeltaMs ?? DEFAULT_LOOKBACK_DELTA_MS });
    return encodeMatrix(m.series);
  } catch (e) {
    throw executionError(e);
  }
}
