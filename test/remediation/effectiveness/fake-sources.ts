/**
 * One local HTTP server standing in for Alertmanager (`GET /api/v2/alerts`) and Prometheus
 * (`GET /api/v1/query_range`), scripted per namespace by the tests: the alerts that fire, the
 * metric values, or an outage (503).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NamespaceScript {
  /** Label sets of the active alerts (alertname and namespace are added). */
  alerts?: Array<Record<string, string>>;
  /** Value of every sample of the CPU query (other metrics have no data); absent = no data at all. */
  cpu?: number;
  /** Both APIs answer 503 for this namespace. */
  down?: boolean;
}

export class FakeSources {
  readonly scripts = new Map<string, NamespaceScript>();
  readonly requests: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeSources> {
    const holder: { self?: FakeSources } = {};
    const server = createServer((req, res) =>
      holder.self!.handle(req.url ?? '/', (status, body) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.self = new FakeSources(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.self;
  }

  private handle(raw: string, send: (status: number, body: unknown) => void): void {
    this.requests.push(raw);
    const url = new URL(raw, 'http://x');
    if (url.pathname === '/api/v2/alerts') {
      const filters = Object.fromEntries(url.searchParams.getAll('filter').map((f) => {
        const m = /^([a-zA-Z_]+)="(.*)"$/.exec(f);
        return m ? [m[1], m[2]] : ['?', f];
      }));
      const script = this.scripts.get(filters.namespace ?? '') ?? {};
      if (script.down) return send(503, 'unavailable');
      const alerts = (script.alerts ?? []).map((labels) => ({ alertname: filters.alertname, namespace: filters.namespace, ...labels }));
      return send(200, alerts.map((labels, i) => ({ labels, annotations: {}, fingerprint: String(i), startsAt: '', endsAt: '', updatedAt: '', receivers: [], status: { state: 'active', silencedBy: [], inhibitedBy: [] } })));
    }
    if (url.pathname === '/api/v1/query_range') {
      const query = url.searchParams.get('query') ?? '';
      const ns = /namespace="([^"]+)"/.exec(query)?.[1] ?? '';
      const script = this.scripts.get(ns) ?? {};
      if (script.down) return send(503, { status: 'error', errorType: 'unavailable', error: 'down' });
      const start = Number(url.searchParams.get('start'));
      const data = script.cpu !== undefined && query.includes('container_cpu_usage_seconds_total') ? [{ metric: {}, values: [[start, String(script.cpu)]] }] : [];
      return send(200, { status: 'success', data: { resultType: 'matrix', result: data } });
    }
    send(404, { error: 'not found' });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
