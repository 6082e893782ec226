/**
 * The offline mock LLM as an HTTP server (investigation.md §12): OpenAI's chat-completions
 * protocol with tool calling, so the investigator runs its real agent loop and its real
 * OpenAI-compatible provider against it.
 *
 *   POST /v1/chat/completions (alias /chat/completions)   one reply, or one SSE chunk + [DONE] with stream: true
 *   GET  /v1/models (alias /models), GET /health
 *   GET|POST /admin/faults                                 read / replace the fault injection (re-arms the HTTP faults)
 *   GET|DELETE /admin/requests                             the last chat requests received (bounded), for tests
 *
 * Plain node:http, so every error has OpenAI's `{error: {message, type, param, code}}` shape.
 * Bodies are limited in size and nesting; a slow client is cut off by the request timeout.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScaledClock, type Clock } from '../../platform/clock.ts';
import { jsonNestsDeeperThan } from '../../platform/http/json-depth.ts';
import { componentLogger } from '../../platform/log.ts';
import { mockFaultsSchema, type MockFaults } from './faults.ts';
import { MOCK_MODEL, chatRequestSchema, completionBody, completionId, errorBody, estimateUsage, streamBody, zodMessage } from './openai-wire.ts';
import { respond } from './respond.ts';

export type { MockFaults } from './faults.ts';

export interface MockLlmOptions {
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  faults?: MockFaults;
  /** Include a length-based `usage` estimate (default: none, so the investigator counts with its tokenizer). */
  reportUsage?: boolean;
  /** For `delay_ms` (default: real time). */
  clock?: Clock;
  /** Largest request body (default 8 MiB). */
  bodyLimit?: number;
  /** Chat requests kept for GET /admin/requests (default 200). */
  maxRecordedRequests?: number;
}

export interface RunningMockLlm {
  /** Base URL of the OpenAI API, e.g. `http://127.0.0.1:8089/v1`. */
  url: string;
  setFaults(f: MockFaults): void;
  close(): Promise<void>;
}

export interface RecordedRequest {
  receivedAt: string;
  path: string;
  body: unknown;
}

const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;
const MAX_JSON_DEPTH = 64;
/** Recorded bodies together stay under this; the oldest go first. */
const MAX_RECORDED_CHARS = 64 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new HttpError(413, `the request body exceeds ${limit} bytes`, 'invalid_request_error', 'request_too_large'));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, `the request body exceeds ${limit} bytes`, 'invalid_request_error', 'request_too_large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new HttpError(400, 'the request body is empty: expected a JSON object');
  if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) throw new HttpError(400, `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `could not parse the JSON body: ${(e as Error).message}`);
  }
}

export async function startMockLlm(opts: MockLlmOptions = {}): Promise<RunningMockLlm> {
  const log = componentLogger('mock-llm');
  const clock = opts.clock ?? new ScaledClock(1);
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const maxRecorded = opts.maxRecordedRequests ?? 200;
  let faults: MockFaults = mockFaultsSchema.parse(opts.faults ?? {});
  let pending500 = faults.http_500_once === true;
  let pending429 = faults.http_429_once === true;
  const recorded: Array<RecordedRequest & { chars: number }> = [];
  let recordedChars = 0;
  const closing = new AbortController();

  const setFaults = (f: MockFaults) => {
    faults = mockFaultsSchema.parse(f);
    pending500 = faults.http_500_once === true;
    pending429 = faults.http_429_once === true;
  };

  const record = (path: string, body: unknown, chars: number) => {
    recorded.push({ receivedAt: clock.now().toISOString(), path, body, chars });
    recordedChars += chars;
    while (recorded.length > maxRecorded || (recordedChars > MAX_RECORDED_CHARS && recorded.length > 1)) recordedChars -= recorded.shift()!.chars;
  };

  const chat = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const text = await readBody(req, bodyLimit);
    const body = parseJsonBody(text);
    record(path, body, text.length);
    if (pending500) {
      pending500 = false;
      throw new HttpError(500, 'mock fault http_500_once: the server had an error while processing your request', 'server_error');
    }
    if (pending429) {
      pending429 = false;
      send(res, 429, errorBody('mock fault http_429_once: rate limit reached, retry shortly', 'rate_limit_error', 'rate_limit_exceeded'), { 'retry-after-ms': '20', 'retry-after': '1' });
      return;
    }
    if (faults.delay_ms) {
      const gone = new AbortController();
      const onClose = () => gone.abort();
      res.once('close', onClose);
      closing.signal.addEventListener('abort', onClose, { once: true });
      try {
        await clock.sleep(faults.delay_ms, gone.signal);
      } catch {
        return; // client gone or server closing: nobody to answer
      } finally {
        res.off('close', onClose);
        closing.signal.removeEventListener('abort', onClose);
      }
    }
    const parsed = chatRequestSchema.safeParse(body);
    if (!parsed.success) {
      const { message, param } = zodMessage(parsed.error);
      throw new HttpError(400, message, 'invalid_request_error', null, param);
    }
    const reply = respond(parsed.data, faults);
    const usage = opts.reportUsage ? estimateUsage(text, reply) : undefined;
    const id = completionId(text);
    const created = Math.floor(clock.nowMs() / 1000);
    if (parsed.data.stream) {
      const sse = streamBody(id, created, reply, usage);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'content-length': Buffer.byteLength(sse) });
      res.end(sse);
      return;
    }
    send(res, 200, completionBody(id, created, reply, usage));
  };

  const admin = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (path === '/admin/faults') {
      if (req.method === 'GET') return send(res, 200, faults);
      if (req.method !== 'POST') throw new HttpError(405, `${req.method} is not allowed on ${path}`);
      const r = mockFaultsSchema.safeParse(parseJsonBody(await readBody(req, 64 * 1024)));
      if (!r.success) throw new HttpError(400, zodMessage(r.error).message);
      setFaults(r.data);
      log.info({ faults: r.data }, 'faults set');
      return send(res, 200, faults);
    }
    if (req.method === 'GET') return send(res, 200, { requests: recorded.map(({ chars: _c, ...r }) => r) });
    if (req.method === 'DELETE') {
      recorded.length = 0;
      recordedChars = 0;
      return send(res, 200, { requests: [] });
    }
    throw new HttpError(405, `${req.method} is not allowed on ${path}`);
  };

  const models = { object: 'list', data: [{ id: MOCK_MODEL, object: 'model', created: 0, owned_by: 'kubernaut' }] };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    const handle = async () => {
      if (path === '/v1/chat/completions' || path === '/chat/completions') {
        if (req.method !== 'POST') throw new HttpError(405, `${req.method} is not allowed on ${path}`);
        return chat(req, res, path);
      }
      if (path === '/v1/models' || path === '/models') return send(res, 200, models);
      if (path === `/v1/models/${MOCK_MODEL}` || path === `/models/${MOCK_MODEL}`) return send(res, 200, models.data[0]);
      if (path === '/health') return send(res, 200, { status: 'ok' });
      if (path === '/admin/faults' || path === '/admin/requests') return admin(req, res, path);
      throw new HttpError(404, `no route for ${req.method} ${path}`, 'invalid_request_error', 'not_found');
    };
    handle().catch((err: unknown) => {
      if (err instanceof HttpError) return send(res, err.status, errorBody(err.message, err.type, err.code, err.param));
      log.error({ err, path }, 'mock LLM request failed');
      send(res, 500, errorBody('internal error of the mock LLM', 'server_error'));
    });
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  // A wildcard listen address is not one clients can use: hand out loopback.
  const address = addr.address === '0.0.0.0' ? '127.0.0.1' : addr.address === '::' ? '::1' : addr.address;
  const host = address.includes(':') ? `[${address}]` : address;

  return {
    url: `http://${host}:${addr.port}/v1`,
    setFaults,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
