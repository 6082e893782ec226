/**
 * Compact text of PromQL results for the LLM: one line of labels per series, values with short
 * times, runs of equal values collapsed (a flat line of 300 points costs one entry).
 */
import type { PromData, PromSample } from './client.ts';

export function seriesName(metric: Record<string, string>): string {
  const { __name__: name, ...labels } = metric;
  const body = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return `${name ?? ''}{${body}}`;
}

/** Prometheus values are strings; long decimals are shortened to 6 significant digits. */
export function formatValue(v: string): string {
  const n = Number(v);
  if (!Number.isFinite(n) || v.length <= 8) return v;
  return String(Number(n.toPrecision(6)));
}

function isoSeconds(t: number): string {
  return new Date(t * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** Times of one day are shown as HH:MM:SS (the header carries the date). */
function timeFormatter(times: number[]): (t: number) => string {
  const days = new Set(times.map((t) => isoSeconds(t).slice(0, 10)));
  return days.size <= 1 ? (t) => isoSeconds(t).slice(11, 19) : (t) => isoSeconds(t).replace('T', ' ').replace('Z', '');
}

function formatPoints(values: Array<[number, string]>, fmt: (t: number) => string): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1][1] === values[i][1]) j++;
    const v = formatValue(values[i][1]);
    parts.push(j - i >= 2 ? `${fmt(values[i][0])}..${fmt(values[j][0])} ${v} (${j - i + 1} points)` : values.slice(i, j + 1).map(([t]) => `${fmt(t)} ${v}`).join('; '));
    i = j + 1;
  }
  return parts.join('; ');
}

function tooMany(shown: number, total: number, limit: number): string[] {
  return total > shown ? [`… ${total - shown} more series not shown (at most ${limit}); filter by labels or aggregate (sum by (...), topk) to see them`] : [];
}

/** An instant query's answer (`time` = the evaluation time in Unix seconds). */
export function formatInstant(data: PromData, time: number, maxSeries: number): string {
  if (data.resultType === 'scalar' || data.resultType === 'string') {
    return `${data.resultType} at ${isoSeconds(data.result[0])}: ${data.resultType === 'string' ? JSON.stringify(data.result[1]) : formatValue(data.result[1])}`;
  }
  if (data.resultType === 'matrix') return formatMatrix(data.result, `range vector at ${isoSeconds(time)}`, maxSeries);
  return formatVector(data.result, time, maxSeries);
}

function formatVector(series: PromSample[], time: number, maxSeries: number): string {
  const shown = series.slice(0, maxSeries);
  return [
    `instant vector at ${isoSeconds(time)}: ${series.length} series`,
    ...shown.map((s) => `${seriesName(s.metric)} ${s.value ? formatValue(s.value[1]) : s.histogram ? '(native histogram)' : '(no value)'}`),
    ...tooMany(shown.length, series.length, maxSeries),
  ].join('\n');
}

export function formatMatrix(series: PromSample[], header: string, maxSeries: number): string {
  const shown = series.slice(0, maxSeries);
  const times = shown.flatMap((s) => (s.values ?? []).map(([t]) => t));
  const fmt = timeFormatter(times);
  const day = times.length > 0 && fmt(times[0]).length === 8 ? ` (times UTC on ${isoSeconds(times[0]).slice(0, 10)})` : '';
  return [
    `${header}: ${series.length} series${day}`,
    ...shown.map((s) => `${seriesName(s.metric)}\n  ${s.values?.length ? formatPoints(s.values, fmt) : s.histograms ? '(native histograms)' : '(no points)'}`),
    ...tooMany(shown.length, series.length, maxSeries),
  ].join('\n');
}
