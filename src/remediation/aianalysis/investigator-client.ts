/**
 * The AIAnalysis controller's client of the investigator's session API (investigation.md §1):
 * submit an analysis, read a session, read its result. Every answer is checked against the wire
 * schemas (src/investigator/api/wire.ts); every failure is one `InvestigatorError` whose `kind`
 * says what the caller should do:
 *
 * - `lost`: 404 on a session call — the session is gone (investigator restarted, purged): resubmit.
 * - `transient`: no answer (refused, reset, timeout), 408, 429 or 5xx: try again later.
 * - `permanent`: any other 4xx, or an answer that breaks the contract: retrying cannot help.
 *
 * The timeout is real time, not the Clock's: it bounds how long a worker may wait for an answer
 * on the wire, which `--time-scale` does not shorten.
 */
import {
  investigationResultSchema,
  sessionSchema,
  type AnalyzeRequest,
  type InvestigationResult,
  type SessionDocument,
} from '../../investigator/api/wire.ts';

export const ANALYZE_PATH = '/api/v1/incident/analyze';
export const SESSION_PATH = '/api/v1/incident/session';

/** Real milliseconds one call may take (investigation.md §1). */
export const DEFAULT_INVESTIGATOR_TIMEOUT_MS = 180_000;
/** Largest answer read; a result is a few tens of KiB. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export type InvestigatorErrorKind = 'lost' | 'transient' | 'permanent';

export class InvestigatorError extends Error {
  constructor(
    readonly kind: InvestigatorErrorKind,
    message: string,
    /** The HTTP status, when an answer came. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'InvestigatorError';
  }
}

export interface InvestigatorClientOptions {
  /** The investigator's base URL, e.g. `http://127.0.0.1:8090`. */
  baseUrl: string;
  /** Asked on every call, so a rotated token file is picked up. */
  bearerToken?: () => string | undefined;
  /** Real milliseconds per call (default 180 000). */
  timeoutMs?: number;
}

/** What the controller needs of the investigator (the HTTP client, or a fake in tests). */
export interface Investigator {
  /** Starts (or, for the same incident still running, finds) a session: its id. */
  submit(request: AnalyzeRequest): Promise<string>;
  session(id: string): Promise<SessionDocument>;
  /** The result, or `undefined` while the session has not finished (409). */
  result(id: string): Promise<InvestigationResult | undefined>;
  /** For messages: where the investigator is. */
  readonly endpoint: string;
}

export class InvestigatorClient implements Investigator {
  readonly endpoint: string;
  private readonly timeoutMs: number;

  constructor(private readonly opts: InvestigatorClientOptions) {
    // Validated once, so a typo in a flag fails at start, not in every reconcile. A path prefix
    // (an investigator behind a proxy) is kept.
    const base = new URL(opts.baseUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`the investigator URL ${opts.baseUrl} is not http(s)`);
    this.endpoint = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_INVESTIGATOR_TIMEOUT_MS;
  }

  async submit(request: AnalyzeRequest): Promise<string> {
    const { status, body } = await this.call('POST', ANALYZE_PATH, request);
    if (status === 404) throw new InvestigatorError('permanent', `POST ${ANALYZE_PATH} at ${this.endpoint} answered 404: is this the investigator?`, 404);
    expectOk('POST', ANALYZE_PATH, this.endpoint, status, body);
    const id = (body as { session_id?: unknown } | undefined)?.session_id;
    if (typeof id !== 'string' || id === '' || id.length > 253) throw new InvestigatorError('permanent', `POST ${ANALYZE_PATH} at ${this.endpoint} answered ${status} without a usable session_id`, status);
    return id;
  }

  async session(id: string): Promise<SessionDocument> {
    const path = `${SESSION_PATH}/${encodeURIComponent(id)}`;
    const { status, body } = await this.call('GET', path);
    if (status === 404) throw new InvestigatorError('lost', `session ${id} is unknown to the investigator at ${this.endpoint}`, 404);
    expectOk('GET', path, this.endpoint, status, body);
    const parsed = sessionSchema.safeParse(body);
    if (!parsed.success) throw new InvestigatorError('permanent', `GET ${path} answered a session document that breaks the contract: ${issues(parsed.error)}`, status);
    return parsed.data;
  }

  async result(id: string): Promise<InvestigationResult | undefined> {
    const path = `${SESSION_PATH}/${encodeURIComponent(id)}/result`;
    const { status, body } = await this.call('GET', path);
    if (status === 404) throw new InvestigatorError('lost', `the result of session ${id} is unknown to the investigator at ${this.endpoint}`, 404);
    if (status === 409) return undefined;
    expectOk('GET', path, this.endpoint, status, body);
    const parsed = investigationResultSchema.safeParse(body);
    if (!parsed.success) throw new InvestigatorError('permanent', `GET ${path} answered a result that breaks the contract: ${issues(parsed.error)}`, status);
    return parsed.data;
  }

  private async call(method: 'GET' | 'POST', path: string, payload?: unknown): Promise<{ status: number; body: unknown }> {
    const token = this.opts.bearerToken?.();
    const what = `${method} ${path} at ${this.endpoint}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.endpoint}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await readLimited(res, MAX_RESPONSE_BYTES);
    } catch (err) {
      if (err instanceof InvestigatorError) throw err;
      const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new InvestigatorError('transient', `${what} timed out after ${this.timeoutMs} ms`);
      throw new InvestigatorError('transient', `${what} failed: ${e.cause?.code ?? e.cause?.message ?? e.message ?? String(err)}`);
    }
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: res.status, body };
  }
}

function expectOk(method: string, path: string, endpoint: string, status: number, body: unknown): void {
  if (status >= 200 && status < 300) return;
  const detail = problemText(body);
  const message = `${method} ${path} at ${endpoint} answered ${status}${detail ? `: ${detail}` : ''}`;
  const transient = status >= 500 || status === 408 || status === 429;
  throw new InvestigatorError(transient ? 'transient' : 'permanent', message, status);
}

/** The RFC 7807 problem's detail (or title), else the start of the text. */
function problemText(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 300);
  if (body && typeof body === 'object') {
    const p = body as { detail?: unknown; title?: unknown; errors?: unknown };
    const errors = Array.isArray(p.errors) ? ` (${p.errors.slice(0, 10).map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('; ')})` : '';
    const text = typeof p.detail === 'string' ? p.detail : typeof p.title === 'string' ? p.title : '';
    return `${text}${errors}`.slice(0, 1000);
  }
  return '';
}

function issues(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

async function readLimited(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new InvestigatorError('permanent', `the investigator answered ${declared} bytes, more than the limit of ${max}`, res.status);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new InvestigatorError('permanent', `the investigator answered more than the limit of ${max} bytes`, res.status);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
