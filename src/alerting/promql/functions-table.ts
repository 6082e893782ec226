import type { ValueType } from './ast.ts';

export interface FunctionSignature {
  args: ValueType[];
  /** Number of trailing args that may be omitted. */
  optional?: number;
  /** The last arg type may repeat any number of times (label_join's source labels). */
  variadic?: boolean;
  returns: ValueType;
}

/** Calendar functions: one optional instant vector, by default vector(time()). */
const DATE_FUNCTION: FunctionSignature = { args: ['vector'], optional: 1, returns: 'vector' };
const RANGE_TO_VECTOR: FunctionSignature = { args: ['matrix'], returns: 'vector' };
const VECTOR_TO_VECTOR: FunctionSignature = { args: ['vector'], returns: 'vector' };

/** The functions this engine evaluates; anything else is rejected at parse time. */
export const FUNCTIONS: Record<string, FunctionSignature> = {
  rate: { args: ['matrix'], returns: 'vector' },
  increase: { args: ['matrix'], returns: 'vector' },
  irate: { args: ['matrix'], returns: 'vector' },
  delta: { args: ['matrix'], returns: 'vector' },
  deriv: { args: ['matrix'], returns: 'vector' },
  predict_linear: { args: ['matrix', 'scalar'], returns: 'vector' },
  avg_over_time: { args: ['matrix'], returns: 'vector' },
  max_over_time: { args: ['matrix'], returns: 'vector' },
  min_over_time: { args: ['matrix'], returns: 'vector' },
  sum_over_time: { args: ['matrix'], returns: 'vector' },
  count_over_time: { args: ['matrix'], returns: 'vector' },
  absent: { args: ['vector'], returns: 'vector' },
  absent_over_time: { args: ['matrix'], returns: 'vector' },
  changes: { args: ['matrix'], returns: 'vector' },
  resets: { args: ['matrix'], returns: 'vector' },
  clamp_min: { args: ['vector', 'scalar'], returns: 'vector' },
  clamp_max: { args: ['vector', 'scalar'], returns: 'vector' },
  time: { args: [], returns: 'scalar' },
  vector: { args: ['scalar'], returns: 'vector' },
  scalar: { args: ['vector'], returns: 'scalar' },
  label_replace: { args: ['vector', 'string', 'string', 'string', 'string'], returns: 'vector' },
  abs: { args: ['vector'], returns: 'vector' },
  ceil: { args: ['vector'], returns: 'vector' },
  floor: { args: ['vector'], returns: 'vector' },
  round: { args: ['vector', 'scalar'], optional: 1, returns: 'vector' },
  histogram_quantile: { args: ['scalar', 'vector'], returns: 'vector' },
  last_over_time: RANGE_TO_VECTOR,
  present_over_time: RANGE_TO_VECTOR,
  quantile_over_time: { args: ['scalar', 'matrix'], returns: 'vector' },
  stddev_over_time: RANGE_TO_VECTOR,
  stdvar_over_time: RANGE_TO_VECTOR,
  clamp: { args: ['vector', 'scalar', 'scalar'], returns: 'vector' },
  sqrt: VECTOR_TO_VECTOR,
  exp: VECTOR_TO_VECTOR,
  ln: VECTOR_TO_VECTOR,
  log2: VECTOR_TO_VECTOR,
  log10: VECTOR_TO_VECTOR,
  sgn: VECTOR_TO_VECTOR,
  timestamp: VECTOR_TO_VECTOR,
  sort: VECTOR_TO_VECTOR,
  sort_desc: VECTOR_TO_VECTOR,
  // label_join(v, dst, separator, src...): zero or more source labels.
  label_join: { args: ['vector', 'string', 'string', 'string'], optional: 1, variadic: true, returns: 'vector' },
  day_of_month: DATE_FUNCTION,
  day_of_week: DATE_FUNCTION,
  day_of_year: DATE_FUNCTION,
  days_in_month: DATE_FUNCTION,
  hour: DATE_FUNCTION,
  minute: DATE_FUNCTION,
  month: DATE_FUNCTION,
  year: DATE_FUNCTION,
  pi: { args: [], returns: 'scalar' },
};
