/**
 * The HTTP face of the API server: turns node:http requests into ApiRequests, enforces the
 * body size limit, writes JSON (or text) responses and streams watches as JSON lines.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { ApiError, errors } from '../errors.ts';
import type { ApiRequest, ApiResponse } from '../../core/api-request.ts';
import { isWatchResponse } from '../../core/api-request.ts';

/** kube-apiserver refuses request bodies over 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** A watcher this far behind is disconnected; it resumes from its last resourceVersion. */
const MAX_WATCH_BACKLOG_BYTES = 16 * 1024 * 1024;

export type Handler = (req: ApiRequest) => Promise<ApiResponse>;

/** How many times the body limit a refused body may be to be read to its end before the 413. */
const DRAIN_OVERSIZED_BODIES_UP_TO = 4;

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      // Read a body a few times over the limit to its end before answering, so the client, busy
      // sending, is not cut off and reads the 413; a far larger one is answered at once.
      req.resume();
      if (declared > DRAIN_OVERSIZED_BODIES_UP_TO * limit) resolve('too-large');
      else req.on('end', () => resolve('too-large'));
      req.on('error', () => resolve('too-large'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Stored objects are immutable and shared, so their JSON can be computed once and reused:
 * a change fanned out to 50 watchers is serialized once, not 50 times.
 */
const jsonCache = new WeakMap<object, string>();

export function cachedJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  let text = jsonCache.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    jsonCache.set(value, text);
  }
  return text;
}

/** Lists this long are written item by item, so no single huge string is ever built. */
const STREAM_LIST_ITEMS = 500;

function isLargeList(body: unknown): body is { items: unknown[] } {
  return typeof body === 'object' && body !== null && Array.isArray((body as any).items) && (body as any).items.length >= STREAM_LIST_ITEMS;
}

async function sendList(res: ServerResponse, response: Exclude<ApiResponse, { watch: unknown }>, head: boolean): Promise<void> {
  const { items, ...envelope } = response.body as { items: unknown[] };
  res.writeHead(response.status, { 'content-type': response.contentType ?? 'application/json', 'cache-control': 'no-cache, private', ...(response.headers ?? {}) });
  if (head) {
    res.end();
    return;
  }
  const opening = JSON.stringify(envelope);
  let chunk = opening.slice(0, -1) + (opening.length > 2 ? ',' : '') + '"items":[';
  for (let i = 0; i < items.length; i++) {
    chunk += (i > 0 ? ',' : '') + cachedJson(items[i]);
    if (chunk.length > 64 * 1024) {
      // Respect backpressure: a slow reader must not make us buffer the whole list.
      const flushed = res.write(chunk);
      chunk = '';
      if (!flushed) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
      if (res.destroyed) return;
    }
  }
  res.end(chunk + ']}');
}

async function send(res: ServerResponse, response: Exclude<ApiResponse, { watch: unknown }>, head: boolean): Promise<void> {
  if (isLargeList(response.body)) {
    await sendList(res, response, head);
    return;
  }
  // Strings and buffers are already encoded (log text, pre-serialized OpenAPI documents).
  const text = typeof response.body === 'string' || Buffer.isBuffer(response.body) ? response.body : JSON.stringify(response.body);
  res.writeHead(response.status, {
    'content-type': response.contentType ?? 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-cache, private',
    ...(response.headers ?? {}),
  });
  res.end(head ? undefined : text);
}

/**
 * The request path as sent. WHATWG URL parsing resolves `.`/`..` segments, which would let
 * `/api/v1/namespaces/x/../kube-system` reach another object; kube-apiserver routes the raw
 * path, where a `..` segment is just an unknown resource or name.
 */
function literalPath(raw: string, parsed: URL): string {
  if (!raw.startsWith('/')) return parsed.pathname;
  const end = raw.search(/[?#]/);
  return end < 0 ? raw : raw.slice(0, end);
}

/**
 * A request Node's HTTP parser refuses (request line and headers over the size limit, malformed
 * HTTP) never reaches the listener; it still gets a Status like every other error, not Node's
 * bare 400/431, and the connection is closed as Node does for client errors.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const e =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new ApiError(431, 'BadRequest', 'the request line and headers exceed the size limit')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new ApiError(408, 'Timeout', 'the request did not arrive in time')
        : errors.badRequest('malformed HTTP request');
  const body = JSON.stringify(e.toStatus());
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${e.code} ${STATUS_CODES[e.code]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

/** Serves plain HTTP, or HTTPS when given a certificate and key (PEM). */
export function createApiHttpServer(handler: Handler, tls?: { cert: string; key: string }): Server {
  const listener: RequestListener = async (req, res) => {
    try {
      const target = req.url ?? '/';
      let url: URL;
      try {
        // A target starting with `/` is a path on this server: `//x/...` too (WHATWG would read a host).
        url = new URL(target.startsWith('/') ? `http://localhost${target}` : target, 'http://localhost');
      } catch {
        const e = errors.badRequest(`the request URL is not valid: ${JSON.stringify(target.slice(0, 200))}`);
        await send(res, { status: e.code, body: e.toStatus() }, false);
        return;
      }
      const body = await readBody(req, MAX_BODY_BYTES);
      if (body === 'too-large') {
        const e = errors.tooLarge(MAX_BODY_BYTES);
        await send(res, { status: e.code, body: e.toStatus() }, false);
        return;
      }
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const apiReq: ApiRequest = { method: req.method ?? 'GET', path: literalPath(target, url), query: url.searchParams, headers, body };
      const response = await handler(apiReq);
      if (!isWatchResponse(response)) {
        await send(res, response, req.method === 'HEAD');
        return;
      }
      res.writeHead(200, { 'content-type': response.contentType ?? 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
      // Without this, client-node's Watch sees nothing until the first event arrives.
      res.flushHeaders();
      let ended = false;
      const stop = response.watch.start({
        send(event) {
          if (ended) return false;
          res.write(`{"type":${JSON.stringify(event.type)},"object":${cachedJson(event.object)}}\n`);
          return res.writableLength < MAX_WATCH_BACKLOG_BYTES;
        },
        end() {
          if (ended) return;
          ended = true;
          res.end();
        },
      });
      // On Node 20 the request emits 'close' as soon as its body is read: watch the response.
      res.on('close', () => {
        ended = true;
        stop();
      });
    } catch (e) {
      if (!res.headersSent) {
        const err = errors.internal((e as Error).message);
        await send(res, { status: 500, body: err.toStatus() }, false);
      } else res.destroy();
    }
  };
  const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, listener) : createServer(listener);
  server.on('clientError', answerClientError);
  return server;
}

export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
