/**
 * A local HTTP server that answers with scripted replies in order and records every request, so
 * each provider adapter can be tested against its own wire format without a real provider.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../helpers/manual-clock.ts';

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is (for malformed bodies). */
  body?: unknown;
  /** Never answer (for timeouts); the socket is destroyed on close. */
  hang?: boolean;
}

export interface ReceivedRequest {
  method: string;
  /** Path with query string. */
  url: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, or undefined for none. */
  body: any;
}

export interface FakeServer {
  url: string;
  requests: ReceivedRequest[];
  /** Queues replies; each request takes the next one (an empty queue answers 599). */
  reply(...replies: FakeReply[]): void;
  close(): Promise<void>;
}

export async function startFakeServer(): Promise<FakeServer> {
  const queue: FakeReply[] = [];
  const requests: ReceivedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined });
      const reply = queue.shift() ?? { status: 599, body: { error: { message: 'fake server: no reply queued' } } };
      if (reply.hang) {
        hanging.add(res);
        return;
      }
      const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (...replies) => void queue.push(...replies),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A ManualClock whose sleeps return at once and are recorded, so back-off waits can be asserted without waiting. */
export class InstantSleepClock extends ManualClock {
  readonly sleeps: number[] = [];
  override sleep(nominalMs: number): Promise<void> {
    this.sleeps.push(nominalMs);
    return Promise.resolve();
  }
}
