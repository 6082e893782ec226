/**
 * The two outside sources of an assessment, over the APIs a real installation has: Alertmanager's
 * `GET /api/v2/alerts` (served by the embedded alerting too) and Prometheus' `GET
 * /api/v1/query_range`. Answers are size-capped and time-limited; every failure is a
 * `SourceError` whose `transient` says whether asking again later may help.
 */
import type { ActiveAlert } from './alerts.ts';

/** Real milliseconds one request may take: a slow source must not hold a worker. */
export const DEFAULT_SOURCE_TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export class SourceError extends Error {
  constructor(
    message: string,
    /** Unreachable, timed out, 5xx, 429: worth another try. A refused query (4xx) is not. */
    readonly transient: boolean,
  ) {
    super(message);
  }
}

export interface SourceOptions {
  baseUrl: string;
  /** Asked on every request (a rotated token file is picked up). */
  bearerToken?: () => string | undefined;
  timeoutMs?: number;
}

async function getJson(o: SourceOptions, path: string, params: Array<[string, string]>, what: string): Promise<{ status: number; body: unknown }> {
  const url = new URL(path.replace(/^\//, ''), o.baseUrl.endsWith('/') ? o.baseUrl : `${o.baseUrl}/`);
  for (const [k, v] of params) url.searchParams.append(k, v);
  const token = o.bearerToken?.();
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      signal: AbortSignal.timeout(o.timeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS),
    });
    text = await readLimited(res, what);
  } catch (err) {
    if (err instanceof SourceError) throw err;
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err));
    throw new SourceError(`${what} at ${url.origin} is unreachable: ${why}`, true);
  }
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new SourceError(`${what} answered ${res.status} with a body that is not JSON`, res.status >= 500);
  }
  return { status: res.status, body };
}

async function readLimited(res: Response, what: string): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new SourceError(`${what}'s answer exceeds ${MAX_BODY_BYTES / 1024 / 1024} MiB`, false);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const transientStatus = (s: number) => s >= 500 || s === 429 || s === 408;

/** Alertmanager's matcher syntax: `name="value"` with `\` and `"` escaped. */
export function equalityMatcher(name: string, value: string): string {
  return `${name}=${JSON.stringify(value)}`;
}

export interface AlertSource {
  /** Active (not silenced, not inhibited) alerts matching every `name=value`. */
  activeAlerts(labels: Record<string, string>): Promise<ActiveAlert[]>;
}

export class AlertmanagerClient implements AlertSource {
  constructor(private readonly o: SourceOptions) {}

  async activeAlerts(labels: Record<string, string>): Promise<ActiveAlert[]> {
    const params: Array<[string, string]> = [
      ['active', 'true'],
      ['silenced', 'false'],
      ['inhibited', 'false'],
      ...Object.entries(labels).map(([k, v]): [string, string] => ['filter', equalityMatcher(k, v)]),
    ];
    const { status, body } = await getJson(this.o, '/api/v2/alerts', params, 'Alertmanager');
    if (status !== 200) throw new SourceError(`Alertmanager answered ${status}${typeof body === 'string' ? `: ${body}` : ''}`, transientStatus(status));
    if (!Array.isArray(body)) throw new SourceError('Alertmanager answered something other than a list of alerts', false);
    return body
      .filter((a): a is { labels: Record<string, unknown>; status?: { state?: string } } => !!a && typeof a === 'object' && !!(a as { labels?: unknown }).labels)
      .filter((a) => (a.status?.state ?? 'active') === 'active')
      .map((a) => ({ labels: Object.fromEntries(Object.entries(a.labels).filter(([, v]) => typeof v === 'string')) as Record<string, string> }));
  }
}

export interface RangeSeries {
  metric: Record<string, string>;
  values?: Array<[number, string]>;
}

export interface MetricSource {
  /** A range query; `start`/`end` real epoch ms, `stepSeconds` > 0. */
  queryRange(query: string, start: number, end: number, stepSeconds: number): Promise<RangeSeries[]>;
}

export class PrometheusClient implements MetricSource {
  constructor(private readonly o: SourceOptions) {}

  async queryRange(query: string, start: number, end: number, stepSeconds: number): Promise<RangeSeries[]> {
    const { status, body } = await getJson(
      this.o,
      '/api/v1/query_range',
      [
        ['query', query],
        ['start', (start / 1000).toFixed(3)],
        ['end', (end / 1000).toFixed(3)],
        ['step', String(stepSeconds)],
      ],
      'Prometheus',
    );
    const b = (body ?? {}) as { status?: string; data?: { resultType?: string; result?: unknown }; errorType?: string; error?: string };
    if (status !== 200 || b.status !== 'success') {
      throw new SourceError(`Prometheus refused the query (${status}${b.errorType ? ` ${b.errorType}` : ''}): ${b.error ?? 'no reason given'}`, transientStatus(status));
    }
    if (b.data?.resultType !== 'matrix' || !Array.isArray(b.data.result)) throw new SourceError('Prometheus answered a range query without a matrix', false);
    return b.data.result as RangeSeries[];
  }
}
