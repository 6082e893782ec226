export type Labels = Record<string, string>;

export interface InstantSample {
  labels: Labels;
  value: number;
}

export interface RangeSeries {
  labels: Labels;
  /** [timestamp ms, value], ascending, stale markers removed. */
  samples: Array<[number, number]>;
}

export type Value =
  | { type: 'scalar'; value: number }
  | { type: 'string'; value: string }
  | { type: 'vector'; samples: InstantSample[] }
  /** Only produced internally, as a function argument. */
  | { type: 'matrix'; series: RangeSeries[] };

/** Canonical key of a label set (order independent). */
export function labelsKey(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

export function dropMetricName(labels: Labels): Labels {
  const { __name__: _drop, ...rest } = labels;
  return rest;
}
