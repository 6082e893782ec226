/**
 * The embedded kube-state-metrics: watches the kinds it reports on (like the real one, through
 * list+watch caches) and serves the KSM v2 families at `GET /metrics` on its own port, plus
 * `/healthz`, `/livez` and `/readyz` (ready once the caches are filled).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Informer } from '../client/informer.ts';
import {
  DAEMON_SETS,
  DEPLOYMENTS,
  HORIZONTAL_POD_AUTOSCALERS,
  JOBS,
  NAMESPACES,
  NODES,
  PERSISTENT_VOLUME_CLAIMS,
  PERSISTENT_VOLUMES,
  POD_DISRUPTION_BUDGETS,
  PODS,
  REPLICA_SETS,
  STATEFUL_SETS,
} from '../client/resources.ts';
import type { Component, ControlPlaneContext } from '../client/component.ts';
import type { ClusterSnapshot } from './model.ts';
import { CONTENT_TYPE, renderMetrics } from './render.ts';

export interface KubeStateMetricsOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export class KubeStateMetrics implements Component {
  private server: Server | undefined;
  private readonly sources: Record<keyof ClusterSnapshot, Informer>;
  private ready = false;
  url = '';

  constructor(
    private readonly context: ControlPlaneContext,
    private readonly opts: KubeStateMetricsOptions = {},
  ) {
    const inf = (gvr: Parameters<ControlPlaneContext['informers']['informer']>[0]) => context.informers.informer(gvr);
    this.sources = {
      pods: inf(PODS),
      statefulSets: inf(STATEFUL_SETS),
      deployments: inf(DEPLOYMENTS),
      replicaSets: inf(REPLICA_SETS),
      daemonSets: inf(DAEMON_SETS),
      jobs: inf(JOBS),
      persistentVolumeClaims: inf(PERSISTENT_VOLUME_CLAIMS),
      persistentVolumes: inf(PERSISTENT_VOLUMES),
      nodes: inf(NODES),
      horizontalPodAutoscalers: inf(HORIZONTAL_POD_AUTOSCALERS),
      podDisruptionBudgets: inf(POD_DISRUPTION_BUDGETS),
      namespaces: inf(NAMESPACES),
    };
    void context.informers.synced.then(() => (this.ready = true));
  }

  snapshot(): ClusterSnapshot {
    return Object.fromEntries(Object.entries(this.sources).map(([k, i]) => [k, i.list()])) as unknown as ClusterSnapshot;
  }

  async start(): Promise<void> {
    const log = this.context.log('kube-state-metrics');
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/healthz' || path === '/livez') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
        return;
      }
      if (path === '/readyz') {
        res.writeHead(this.ready ? 200 : 503, { 'content-type': 'text/plain' }).end(this.ready ? 'OK' : 'caches not synced');
        return;
      }
      if (path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
        return;
      }
      renderMetrics(this.snapshot()).then(
        (text) => res.writeHead(200, { 'content-type': CONTENT_TYPE }).end(req.method === 'HEAD' ? undefined : text),
        (e) => {
          log.error({ err: (e as Error).message }, 'rendering metrics failed');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
        },
      );
    });
    // Scrapers keep connections open between scrapes; Node's 5 s default idle timeout races with
    // clients reusing a socket just as the server closes it ("other side closed").
    server.keepAliveTimeout = 65_000;
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, host, () => resolve());
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`;
    log.info({ url: this.url }, 'kube-state-metrics serving');
  }

  stop(): void {
    this.server?.close();
    this.server?.closeAllConnections();
  }
}
