/**
 * Test helpers: a local HTTP webhook receiver that records payloads and can answer errors or be
 * down (connection refused), and a manual Clock for deterministic counting tests.
 */
import { createServer, type Server } from 'node:http';

export { ManualClock } from '../../helpers/manual-clock.ts';
import type { AddressInfo } from 'node:net';
import type { WebhookPayload } from '../../../src/alerting/dispatch/index.ts';

export class TestReceiver {
  readonly payloads: WebhookPayload[] = [];
  /** Real receipt time of each recorded payload. */
  readonly receivedAt: number[] = [];
  /** Authorization header of each recorded payload. */
  readonly authorization: (string | undefined)[] = [];
  /** Requests answered with an error status (not recorded as payloads). */
  rejected = 0;
  /** Status to answer; 200 records the payload. */
  status = 200;
  private server: Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/api/v1/signals/prometheus`;
  }

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.status !== 200) {
          this.rejected++;
          res.writeHead(this.status).end('unavailable');
          return;
        }
        this.payloads.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookPayload);
        this.receivedAt.push(Date.now());
        this.authorization.push(req.headers.authorization);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** Polls until `cond` holds (real time, generous limit: a failure, never a timing assertion). */
export async function waitFor(cond: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A fetch that records payloads and answers with the status the test chooses. */
export function recordingFetch(): { fetchFn: typeof fetch; payloads: WebhookPayload[]; setStatus(s: number): void } {
  const payloads: WebhookPayload[] = [];
  let status = 200;
  const fetchFn = (async (_url: string | URL | Request, init?: RequestInit) => {
    if (status === 200) payloads.push(JSON.parse(String(init?.body)) as WebhookPayload);
    return new Response(status === 200 ? '{}' : 'down', { status });
  }) as typeof fetch;
  return { fetchFn, payloads, setStatus: (s) => void (status = s) };
}
