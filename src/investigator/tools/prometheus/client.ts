/**
 * The standard Prometheus HTTP query API (`/api/v1/query`, `/api/v1/query_range`), as served by
 * the embedded alerting and by any Prometheus. Answers are read with a size cap: a query over
 * thousands of series must fail with advice, not fill the investigator's memory.
 */
import { ToolError } from '../types.ts';

/** Bodies larger than this are refused (the tools show at most 100 series anyway). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface PromSample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: Array<[number, string]>;
  histogram?: unknown;
  histograms?: unknown;
}

export type PromData =
  | { resultType: 'vector'; result: PromSample[] }
  | { resultType: 'matrix'; result: PromSample[] }
  | { resultType: 'scalar'; result: [number, string] }
  | { resultType: 'string'; result: [number, string] };

export async function promQuery(baseUrl: string, path: '/api/v1/query' | '/api/v1/query_range', params: Record<string, string>, signal: AbortSignal): Promise<PromData> {
  const url = new URL(path.slice(1), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, signal });
    text = await readLimited(res, MAX_BODY_BYTES);
  } catch (err) {
    if (err instanceof ToolError) throw err;
    if (signal.aborted) throw err;
    const e = err as { message?: string; cause?: { code?: string; message?: string } };
    throw new ToolError(`Prometheus at ${url.origin} is unreachable: ${e.cause?.code ?? e.cause?.message ?? e.message ?? String(err)}`);
  }
  let body: { status?: string; data?: PromData; errorType?: string; error?: string };
  try {
    body = JSON.parse(text);
  } catch {
    throw new ToolError(`Prometheus answered ${res.status} with a body that is not JSON`);
  }
  if (body.status !== 'success' || !body.data) {
    throw new ToolError(`Prometheus refused the query (${res.status}${body.errorType ? ` ${body.errorType}` : ''}): ${body.error ?? 'no reason given'}`);
  }
  return body.data;
}

async function readLimited(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new ToolError(`Prometheus's answer exceeds ${max / 1024 / 1024} MiB; narrow the query (label filters, sum by (...), topk)`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
