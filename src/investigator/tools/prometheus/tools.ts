/** The PromQL tools (investigation.md §4) against the configured Prometheus API. */
import { z } from 'zod';
import { ToolError, type ToolDefinition, type ToolRunContext } from '../types.ts';
import { promQuery } from './client.ts';
import { formatInstant, formatMatrix } from './format.ts';
import { durationSeconds, parseTime } from './time.ts';

export const MAX_INSTANT_SERIES = 100;
export const MAX_RANGE_SERIES = 20;
export const MAX_RANGE_POINTS = 300;

const time = z.union([z.string().max(64), z.number()]);
const query = z.string().min(1).max(4096).describe('PromQL');

const instantArgs = z.strictObject({
  query,
  time: time.optional().describe('RFC 3339, Unix seconds, or now-<duration> (e.g. now-1h); default now'),
});
const rangeArgs = z.strictObject({
  query,
  start: time.describe('RFC 3339, Unix seconds, or now-<duration>'),
  end: time.describe('same forms, e.g. now'),
  step: time.describe('e.g. 60s, 5m, or seconds'),
});

function prometheusUrl(ctx: ToolRunContext): string {
  if (!ctx.deps.prometheusUrl) throw new ToolError('no Prometheus configured: metrics cannot be queried in this installation');
  return ctx.deps.prometheusUrl;
}

export const prometheusQueryTool: ToolDefinition<z.output<typeof instantArgs>> = {
  name: 'prometheus_query',
  description: `Instant PromQL query (at most ${MAX_INSTANT_SERIES} series shown).`,
  args: instantArgs,
  async run(a, ctx) {
    const base = prometheusUrl(ctx);
    const at = parseTime(a.time ?? 'now', ctx.deps.clock.now(), 'time');
    const data = await promQuery(base, '/api/v1/query', { query: a.query, time: String(at) }, ctx.signal);
    return formatInstant(data, at, MAX_INSTANT_SERIES);
  },
};

export const prometheusQueryRangeTool: ToolDefinition<z.output<typeof rangeArgs>> = {
  name: 'prometheus_query_range',
  description: `Range PromQL query (at most ${MAX_RANGE_SERIES} series, ${MAX_RANGE_POINTS} points each: (end-start)/step must stay below ${MAX_RANGE_POINTS}).`,
  args: rangeArgs,
  async run(a, ctx) {
    const base = prometheusUrl(ctx);
    const now = ctx.deps.clock.now();
    const start = parseTime(a.start, now, 'start');
    const end = parseTime(a.end, now, 'end');
    const step = durationSeconds(a.step, 'step');
    if (end < start) throw new ToolError(`end (${new Date(end * 1000).toISOString()}) is before start (${new Date(start * 1000).toISOString()})`);
    const points = Math.floor((end - start) / step) + 1;
    if (points > MAX_RANGE_POINTS) {
      const minStep = Math.ceil((end - start) / (MAX_RANGE_POINTS - 1));
      throw new ToolError(`a range of ${Math.round(end - start)}s at step ${step}s gives ${points} points per series, more than ${MAX_RANGE_POINTS}: use step >= ${minStep}s or a shorter range`);
    }
    const data = await promQuery(base, '/api/v1/query_range', { query: a.query, start: String(start), end: String(end), step: String(step) }, ctx.signal);
    if (data.resultType !== 'matrix') return formatInstant(data, end, MAX_RANGE_SERIES);
    const header = `range ${new Date(start * 1000).toISOString()} .. ${new Date(end * 1000).toISOString()} step ${step}s`;
    return formatMatrix(data.result, header, MAX_RANGE_SERIES);
  },
};

export const prometheusTools: ToolDefinition[] = [prometheusQueryTool, prometheusQueryRangeTool];
