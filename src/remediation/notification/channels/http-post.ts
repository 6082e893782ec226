/**
 * One bounded JSON POST for the HTTP channels: a real-time limit on the whole exchange (it bounds
 * how long a worker waits for a receiver, so it is not the Clock's), a cap on the request and on
 * the answer read, and errors that name the receiver's origin only.
 */
import { DeliveryError, failureKindOfStatus } from './delivery-error.ts';
import { originOf, redact, urlSecrets } from './secrets.ts';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface PostLimits {
  /** Real milliseconds the exchange may take (default 10 000). */
  timeoutMs?: number;
  /** Largest request body in bytes (default 1 MiB). */
  maxRequestBytes?: number;
  fetch?: FetchLike;
}

export const DEFAULT_POST_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
const MAX_ANSWER_BYTES = 64 * 1024;

export interface PostAnswer {
  status: number;
  text: string;
}

/** POSTs `body`; a non-2xx answer is a DeliveryError (transient for 408, 429 and 5xx). */
export async function postJson(url: string, body: string, headers: Record<string, string>, limits: PostLimits & { what: string; secrets?: ReadonlyArray<string | undefined> }): Promise<PostAnswer> {
  const timeoutMs = limits.timeoutMs ?? DEFAULT_POST_TIMEOUT_MS;
  const maxBytes = limits.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const where = `${limits.what} at ${originOf(url)}`;
  const size = Buffer.byteLength(body, 'utf8');
  if (size > maxBytes) throw new DeliveryError('permanent', `${where}: the payload is ${size} bytes, more than the limit of ${maxBytes}`);
  const doFetch = limits.fetch ?? fetch;
  let res: Response;
  let text: string;
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'kubernaut-notification', ...headers },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await readLimited(res);
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new DeliveryError('transient', `${where} did not answer within ${timeoutMs} ms`);
    throw new DeliveryError('transient', `${where} failed: ${redact(e.cause?.code ?? e.cause?.message ?? e.message ?? String(err), [...urlSecrets(url), ...(limits.secrets ?? [])])}`);
  }
  if (res.status >= 200 && res.status < 300) return { status: res.status, text };
  const detail = redact(text.replace(/\s+/g, ' ').trim().slice(0, 300), [...urlSecrets(url), ...(limits.secrets ?? [])]);
  throw new DeliveryError(failureKindOfStatus(res.status), `${where} answered ${res.status}${detail ? `: ${detail}` : ''}`);
}

/** The answer's text up to a limit (the rest is dropped, not an error: only its start is shown). */
async function readLimited(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER_BYTES);
}
