/**
 * A stand-in for DataStorage's audit batch endpoint: stores each event once (idempotent on
 * eventId, like the real one), in arrival order, and can be switched off and on again on the same
 * port to simulate an outage.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditEvent } from '../../../src/datastorage/client/audit-event.ts';

export interface FakeDataStorageOptions {
  /** Events for which the whole batch is refused with 400 (like a validation error). */
  refuse?: (e: AuditEvent) => boolean;
}

export class FakeDataStorage {
  /** Every distinct event, in the order it was first stored. */
  readonly stored: AuditEvent[] = [];
  /** Requests that reached the batch endpoint, and their sizes. */
  readonly batchSizes: number[] = [];
  /** Events received again after they had been stored (harmless retries). */
  duplicates = 0;
  /** When set, batches after this many store their events but never answer (a lost response). */
  holdAfterBatches?: number;
  private readonly ids = new Set<string>();
  private server?: Server;
  private port = 0;

  constructor(private readonly opts: FakeDataStorageOptions = {}) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts (or restarts, on the same port) serving. */
  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops serving and cuts every open connection: clients see connection errors. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  storedOf(correlationId: string): AuditEvent[] {
    return this.stored.filter((e) => e.correlationId === correlationId);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.url !== '/api/v1/audit/events/batch') return answer(res, 404, { title: 'Not Found' });
    if (!String(req.headers['content-type']).startsWith('application/json')) return answer(res, 415, { title: 'Unsupported Media Type' });
    let body: { events?: AuditEvent[] };
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return answer(res, 400, { title: 'Bad Request', detail: 'malformed JSON' });
    }
    const events = body.events;
    if (!Array.isArray(events) || events.length === 0 || events.length > 1000) {
      return answer(res, 400, { title: 'Bad Request', detail: 'events must hold 1 to 1000 events' });
    }
    if (events.some((e) => !e.eventId || !e.eventTimestamp)) return answer(res, 400, { title: 'Bad Request', detail: 'eventId and eventTimestamp are required' });
    if (this.opts.refuse && events.some(this.opts.refuse)) {
      return answer(res, 400, { title: 'Bad Request', detail: 'invalid audit event', errors: [{ path: 'events', message: 'refused' }] });
    }
    this.batchSizes.push(events.length);
    for (const e of events) {
      if (this.ids.has(e.eventId)) {
        this.duplicates++;
        continue;
      }
      this.ids.add(e.eventId);
      this.stored.push(e);
    }
    if (this.holdAfterBatches !== undefined && this.batchSizes.length > this.holdAfterBatches) return; // stored, never answered
    answer(res, 201, { eventIds: events.map((e) => e.eventId) });
  }
}

function answer(res: ServerResponse, status: number, body: object): void {
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  res.writeHead(status, { 'content-type': type }).end(JSON.stringify(status >= 400 ? { status, ...body } : body));
}
