/**
 * `GET /api/events`: the changes the watch hub sees, as a text/event-stream (`event: change`, one
 * ConsoleEvent as JSON per message) with a `: ping` comment every so often so proxies and the
 * browser keep an idle stream open. Streams are capped (in total and per client address: more are
 * refused with 503 and Retry-After), a client that stops reading is cut off instead of buffering
 * without bound, and every stream is ended when the console closes.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { ProblemError } from '../../platform/http/app.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import type { WatchHub } from './watch-hub.ts';

export interface EventStreamLimits {
  /** Open streams in all (default 100). */
  maxStreams?: number;
  /** Open streams of one client address (default 10). */
  maxStreamsPerClient?: number;
  /** Real milliseconds between `: ping` comments (default 15 s). */
  pingMs?: number;
  /** Unsent bytes a stream may hold before its client counts as gone (default 1 MiB). */
  maxBufferedBytes?: number;
}

interface OpenStream {
  client: string;
  end(): void;
}

export class EventStreams {
  private readonly open = new Set<OpenStream>();
  private readonly perClient = new Map<string, number>();
  private closed = false;
  private readonly limits: Required<EventStreamLimits>;

  constructor(
    private readonly hub: WatchHub,
    limits: EventStreamLimits = {},
  ) {
    this.limits = { maxStreams: 100, maxStreamsPerClient: 10, pingMs: 15_000, maxBufferedBytes: 1024 * 1024, ...limits };
  }

  get size(): number {
    return this.open.size;
  }

  register(app: FastifyInstance): void {
    // No HEAD twin: a stream without a body would only hold a place.
    app.get('/api/events', { exposeHeadRoute: false }, async (req, reply) => {
      const client = req.ip;
      const busy = (detail: string) => {
        reply.header('retry-after', '5');
        return new ProblemError(503, 'Service Unavailable', detail);
      };
      if (this.closed) throw busy('the console is shutting down');
      if (this.open.size >= this.limits.maxStreams) throw busy(`too many open event streams (at most ${this.limits.maxStreams})`);
      if ((this.perClient.get(client) ?? 0) >= this.limits.maxStreamsPerClient) throw busy(`too many open event streams from ${client} (at most ${this.limits.maxStreamsPerClient} per client)`);
      reply.hijack();
      this.serve(reply.raw, client);
      return reply;
    });
  }

  /** Ends every stream; later requests are refused. */
  closeAll(): void {
    this.closed = true;
    for (const stream of [...this.open]) stream.end();
  }

  private serve(res: ServerResponse, client: string): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    let ended = false;
    const stream: OpenStream = { client, end: () => finish(true) };
    const send = (text: string) => {
      if (ended) return;
      res.write(text);
      // A reader that stopped reading: drop it rather than hold its backlog.
      if (res.writableLength > this.limits.maxBufferedBytes) finish(false);
    };
    const unsubscribe = this.hub.subscribe((event) => send(`event: change\ndata: ${JSON.stringify(event)}\n\n`));
    const ping = setInterval(() => send(': ping\n\n'), this.limits.pingMs);
    ping.unref();
    const finish = (graceful: boolean) => {
      if (ended) return;
      ended = true;
      clearInterval(ping);
      unsubscribe();
      this.open.delete(stream);
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left > 0) this.perClient.set(client, left);
      else this.perClient.delete(client);
      if (graceful) res.end();
      else res.destroy();
    };
    res.on('close', () => finish(false));
    res.on('error', () => finish(false));
    this.open.add(stream);
    this.perClient.set(client, (this.perClient.get(client) ?? 0) + 1);
    // How long the browser waits before it reconnects after a drop, then a first line so it knows it is connected.
    send('retry: 3000\n: connected\n\n');
  }
}
