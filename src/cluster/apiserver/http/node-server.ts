/**
 * The HTTP face of the API server: turns node:http requests into ApiRequests, enforces the
 * body size limit, writes JSON (or text) responses and streams watches as JSON lines.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors } from '../errors.ts';
import type { ApiRequest, ApiResponse } from './types.ts';
import { isWatchResponse } from './types.ts';

/** kube-apiserver refuses request bodies over 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** A watcher this far behind is disconnected; it resumes from its last resourceVersion. */
const MAX_WATCH_BACKLOG_BYTES = 16 * 1024 * 1024;

export type Handler = (req: ApiRequest) => Promise<ApiResponse>;

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      resolve('too-large');
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

function send(res: ServerResponse, response: Exclude<ApiResponse, { watch: unknown }>, head: boolean): void {
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

export function createApiHttpServer(handler: Handler): Server {
  return createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = await readBody(req, MAX_BODY_BYTES);
      if (body === 'too-large') {
        const e = errors.tooLarge(MAX_BODY_BYTES);
        send(res, { status: e.code, body: e.toStatus() }, false);
        return;
      }
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const apiReq: ApiRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers, body };
      const response = await handler(apiReq);
      if (!isWatchResponse(response)) {
        send(res, response, req.method === 'HEAD');
        return;
      }
      res.writeHead(200, { 'content-type': response.contentType ?? 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
      // Without this, client-node's Watch sees nothing until the first event arrives.
      res.flushHeaders();
      let ended = false;
      const stop = response.watch.start({
        send(event) {
          if (ended) return false;
          res.write(JSON.stringify(event) + '\n');
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
        send(res, { status: 500, body: err.toStatus() }, false);
      } else res.destroy();
    }
  });
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
