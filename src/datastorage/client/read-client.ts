/**
 * What DataStorage's typed read clients share: a GET that answers JSON, with an optional bearer
 * token, a real-time timeout (a hung connection must not stall a reconcile), and one error type
 * that says what was asked, of whom, and what went wrong.
 */

export interface DataStorageReadClientOptions {
  /** DataStorage's base URL, e.g. `http://127.0.0.1:8085`. */
  baseUrl: string;
  /** For a DataStorage that requires authentication; a function is asked on every request (rotated token files). */
  bearerToken?: string | (() => string | undefined);
  /** Real milliseconds one request may take. Default 5000. */
  timeoutMs?: number;
}

export const DEFAULT_READ_TIMEOUT_MS = 5000;

export class DataStorageRequestError extends Error {
  constructor(
    message: string,
    /** The HTTP status DataStorage answered, or undefined when no answer arrived (timeout, unreachable). */
    readonly status: number | undefined,
    /** The RFC 7807 problem DataStorage answered with, when it did. */
    readonly problem?: { title?: string; detail?: string; errors?: unknown },
  ) {
    super(message);
    this.name = 'DataStorageRequestError';
  }
}

/** GET `path` with `query` (undefined values left out); undefined on 404 when `notFoundIsUndefined`. */
export async function getJson<T>(
  opts: DataStorageReadClientOptions,
  path: string,
  query: Record<string, string | undefined> = {},
  { notFoundIsUndefined = false } = {},
): Promise<T | undefined> {
  const url = new URL(path, opts.baseUrl);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  const token = typeof opts.bearerToken === 'function' ? opts.bearerToken() : opts.bearerToken;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  const what = `GET ${url.pathname}${url.search} at DataStorage ${url.origin}`;
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal: AbortSignal.timeout(timeoutMs) });
    text = await res.text();
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new DataStorageRequestError(`${what} timed out after ${timeoutMs} ms`, undefined);
    throw new DataStorageRequestError(`${what} failed: ${e.cause?.code ?? e.cause?.message ?? e.message ?? String(err)}`, undefined);
  }
  if (res.status === 404 && notFoundIsUndefined) return undefined;
  if (!res.ok) {
    const problem = parseProblem(text);
    const reason = problem?.detail ?? problem?.title ?? text.slice(0, 300);
    throw new DataStorageRequestError(`${what} answered ${res.status}: ${reason}`, res.status, problem);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new DataStorageRequestError(`${what} answered ${res.status} with a body that is not JSON`, res.status);
  }
}

function parseProblem(text: string): DataStorageRequestError['problem'] {
  try {
    const p = JSON.parse(text) as Record<string, unknown>;
    return {
      ...(typeof p.title === 'string' ? { title: p.title } : {}),
      ...(typeof p.detail === 'string' ? { detail: p.detail } : {}),
      ...(p.errors !== undefined ? { errors: p.errors } : {}),
    };
  } catch {
    return undefined;
  }
}
