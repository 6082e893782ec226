/**
 * The kubelet's HTTP endpoint (plain HTTP on 127.0.0.1 here). The API server proxies
 * `pods/<name>/log` to GET /containerLogs/<namespace>/<pod>/<container>; /healthz answers ok.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LogLine, parseLogQuery, renderLogs } from './container-logs.ts';

/** The lines of a container instance, `undefined` when there is no such pod/container/instance. */
export type LogLookup = (namespace: string, pod: string, container: string, previous: boolean) => LogLine[] | undefined | { error: string };

export class KubeletServer {
  private server: Server | undefined;

  constructor(
    private readonly lookup: LogLookup,
    private readonly nowMs: () => number,
  ) {}

  /** Listens on 127.0.0.1 at a free port and returns it. */
  async listen(): Promise<number> {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://kubelet');
      const reply = (status: number, text: string) => {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(text);
      };
      if (req.method !== 'GET') return reply(405, 'method not allowed\n');
      if (url.pathname === '/healthz') return reply(200, 'ok');
      const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
      if (!m) return reply(404, '404 page not found\n');
      const [ns, pod, container] = m.slice(1).map(decodeURIComponent);
      const q = parseLogQuery(url.searchParams);
      const lines = this.lookup(ns, pod, container, q.previous);
      if (lines === undefined) return reply(404, `pod "${pod}" in namespace "${ns}" or container "${container}" not found\n`);
      if (!Array.isArray(lines)) return reply(400, lines.error + '\n');
      reply(200, renderLogs(lines, q, this.nowMs()));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  close(): void {
    this.server?.close();
    this.server?.closeAllConnections();
    this.server = undefined;
  }
}
