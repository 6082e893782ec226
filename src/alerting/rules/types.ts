/** Interfaces through which the rules module reaches the PromQL engine (injected, so tests use fakes). */

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Evaluates an instant query at `tMs` (real epoch milliseconds). */
export type QueryFn = (expr: string, tMs: number) => Promise<Sample[]>;

/** Validates an expression: throws (with a readable message) when it does not parse. */
export type ParseFn = (expr: string) => unknown;

/** The shape of an instant-query result (structurally the promql module's `Value`). */
export type QueryValue =
  | { type: 'scalar'; value: number }
  | { type: 'string'; value: string }
  | { type: 'vector'; samples: Sample[] }
  | { type: 'matrix'; series: unknown[] };

/**
 * What a rule sees of a query result, as Prometheus: a vector as is, a scalar as one sample with
 * no labels, anything else an error.
 */
export function toRuleSamples(v: QueryValue): Sample[] {
  if (v.type === 'vector') return v.samples;
  if (v.type === 'scalar') return [{ labels: {}, value: v.value }];
  throw new Error(`rule result is not a vector or scalar (got ${v.type})`);
}
