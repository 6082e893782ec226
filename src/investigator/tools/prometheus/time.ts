/**
 * Times and steps of the PromQL tools as an LLM writes them. The model does not know the current
 * time, so `now` and `now-1h` are accepted besides RFC 3339 and Unix seconds; everything becomes
 * Unix seconds for the Prometheus API.
 */
import { parseDuration } from '../../../platform/clock.ts';
import { ToolError } from '../types.ts';

const RELATIVE = /^now\s*(?:([-+])\s*([0-9][0-9a-z.]{0,30}))?$/i;

/** Unix seconds of `input`, relative to `now`. */
export function parseTime(input: string | number, now: Date, what: string): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new ToolError(`${what}: ${input} is not a Unix time in seconds`);
    return input;
  }
  const text = input.trim();
  const rel = RELATIVE.exec(text);
  if (rel) {
    const base = now.getTime() / 1000;
    if (!rel[1]) return base;
    const seconds = durationSeconds(rel[2], what);
    return rel[1] === '-' ? base - seconds : base + seconds;
  }
  if (/^\d{1,12}(?:\.\d{1,9})?$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && Number.isFinite(ms)) return ms / 1000;
  throw new ToolError(`${what}: "${input}" is not a time (use RFC 3339 like 2026-01-02T15:04:05Z, Unix seconds, "now" or "now-1h")`);
}

/** Seconds of a duration (`30s`, `5m`, `1h30m`) or a plain number of seconds. */
export function durationSeconds(input: string | number, what: string): number {
  if (typeof input === 'number') {
    if (!(input > 0) || !Number.isFinite(input)) throw new ToolError(`${what}: must be a positive number of seconds`);
    return input;
  }
  const text = input.trim();
  if (/^\d{1,9}(?:\.\d{1,9})?$/.test(text)) return durationSeconds(Number(text), what);
  try {
    const ms = parseDuration(text);
    if (ms <= 0) throw new Error('zero');
    return ms / 1000;
  } catch {
    throw new ToolError(`${what}: "${input}" is not a duration (use e.g. 30s, 5m, 1h)`);
  }
}
