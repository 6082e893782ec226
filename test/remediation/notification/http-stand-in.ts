/**
 * A local HTTP server standing in for Slack's incoming webhooks and for generic webhook receivers:
 * every POST is recorded (path, headers, parsed body); each path answers from a script of status
 * codes (then 200 "ok"), or a fixed status for ever.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
}

export class HttpStandIn {
  readonly requests: ReceivedRequest[] = [];
  private readonly scripts = new Map<string, number[]>();
  private readonly always = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<HttpStandIn> {
    const ref: { current?: HttpStandIn } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => ref.current!.answer(req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    ref.current = new HttpStandIn(server, `http://127.0.0.1:${port}`);
    return ref.current;
  }

  /** The next answers of `path` (status codes), then 200. */
  script(path: string, ...statuses: number[]): void {
    this.scripts.set(path, statuses);
  }

  /** `path` answers `status` until told otherwise (undefined: 200 again). */
  answerAlways(path: string, status: number | undefined): void {
    if (status === undefined) this.always.delete(path);
    else this.always.set(path, status);
  }

  to(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  private answer(path: string, headers: IncomingHttpHeaders, raw: string, res: import('node:http').ServerResponse): void {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    this.requests.push({ path, headers, raw, body });
    const status = this.always.get(path) ?? this.scripts.get(path)?.shift() ?? 200;
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(status === 200 ? 'ok' : status === 404 ? `no_service for ${path}` : 'internal_error');
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
