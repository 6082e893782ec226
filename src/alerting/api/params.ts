/**
 * Request parameters of the Prometheus API: query string and (for POST) form-encoded body, with
 * Prometheus' time and duration syntaxes.
 */
import type { FastifyRequest } from 'fastify';
import { parseDuration } from '../promql/parser.ts';
import { invalidParam } from './errors.ts';

const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** Form body values first, then the query string (Go's `r.Form` order). */
export class Params {
  constructor(
    private readonly query: URLSearchParams,
    private readonly body: URLSearchParams | undefined,
  ) {}

  static of(req: FastifyRequest): Params {
    const q = req.url.indexOf('?');
    const query = new URLSearchParams(q >= 0 ? req.url.slice(q + 1) : '');
    return new Params(query, req.body instanceof URLSearchParams ? req.body : undefined);
  }

  get(name: string): string | undefined {
    return this.body?.get(name) ?? this.query.get(name) ?? undefined;
  }

  getAll(name: string): string[] {
    return [...(this.body?.getAll(name) ?? []), ...this.query.getAll(name)];
  }
}

/** A timestamp parameter: unix seconds (float) or RFC 3339; millisecond precision. */
export function parseTimeParam(name: string, text: string | undefined, defaultMs: number): number {
  if (text === undefined || text === '') return defaultMs;
  if (FLOAT.test(text)) {
    const ms = Math.round(Number(text) * 1000);
    if (Number.isFinite(ms)) return ms;
  } else if (RFC3339.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return ms;
  }
  throw invalidParam(name, `cannot parse ${JSON.stringify(text)} to a valid timestamp`);
}

/** A duration parameter: seconds (float) or a PromQL duration like `15s` or `1m30s`; in ms. */
export function parseDurationParam(name: string, text: string | undefined): number {
  const t = text ?? '';
  if (FLOAT.test(t)) {
    const ms = Math.round(Number(t) * 1000);
    if (Number.isFinite(ms)) return ms;
  } else {
    const ms = parseDuration(t);
    if (ms !== undefined) return ms;
  }
  throw invalidParam(name, `cannot parse ${JSON.stringify(t)} to a valid duration`);
}
