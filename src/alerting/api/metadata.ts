/**
 * /api/v1/series, /api/v1/labels, /api/v1/label/:name/values: what Grafana's query editor and
 * metric browser call. Selectors must be plain vector selectors (`up{job="x"}`).
 */
import type { Matcher } from '../promql/storage.ts';
import { parsePromQL } from '../promql/parser.ts';
import { compareLabels } from '../promql/range.ts';
import { labelsKey, type Labels } from '../promql/value.ts';
import type { AlertingApiBackend } from './backend.ts';
import { badData, invalidParam } from './errors.ts';
import { parseTimeParam, type Params } from './params.ts';

/** The widest range a JS Date can hold: "no start/end given" means all data. */
const MIN_MS = -8.64e15;
const MAX_MS = 8.64e15;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const ALL_SERIES: Matcher[] = [{ type: '=~', name: '__name__', value: '.+' }];

export function parseSelector(text: string): Matcher[] {
  let expr;
  try {
    expr = parsePromQL(text);
  } catch (e) {
    throw invalidParam('match[]', (e as Error).message);
  }
  if (expr.kind !== 'vector' || expr.offsetMs !== 0) {
    throw invalidParam('match[]', `${JSON.stringify(text)} is not a plain series selector like up{job="api"}`);
  }
  return expr.matchers;
}

/** Label sets of the series matching any match[] selector with samples within [start, end]. */
function matchingSeries(backend: AlertingApiBackend, p: Params, required: boolean): Labels[] {
  const selectors = p.getAll('match[]');
  if (required && selectors.length === 0) throw badData('no match[] parameter provided');
  const matcherSets = selectors.length > 0 ? selectors.map(parseSelector) : [ALL_SERIES];
  const startMs = parseTimeParam('start', p.get('start'), MIN_MS);
  const endMs = parseTimeParam('end', p.get('end'), MAX_MS);
  if (endMs < startMs) throw invalidParam('end', 'end timestamp must not be before start time');
  const byKey = new Map<string, Labels>();
  for (const matchers of matcherSets) {
    for (const s of backend.storage.select(matchers, startMs, endMs)) byKey.set(labelsKey(s.labels), s.labels);
  }
  return [...byKey.values()];
}

export function seriesOf(backend: AlertingApiBackend, p: Params): Labels[] {
  return matchingSeries(backend, p, true).sort(compareLabels);
}

export function labelNames(backend: AlertingApiBackend, p: Params): string[] {
  const names = new Set<string>();
  for (const labels of matchingSeries(backend, p, false)) for (const [k, v] of Object.entries(labels)) if (v !== '') names.add(k);
  return [...names].sort();
}

export function labelValues(backend: AlertingApiBackend, name: string, p: Params): string[] {
  if (!LABEL_NAME.test(name)) throw badData(`invalid label name: ${JSON.stringify(name)}`);
  const values = new Set<string>();
  for (const labels of matchingSeries(backend, p, false)) if (labels[name]) values.add(labels[name]);
  return [...values].sort();
}
