/**
 * The embedded cluster as one unit: the API server on an HTTP port plus the control-plane
 * controllers, which reach the server only as API clients (in-process transport).
 */
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Clock } from '../platform/clock.ts';
import { componentLogger } from '../platform/log.ts';
import { LOOPBACK_USER } from './apiserver/auth.ts';
import { createApiHttpServer, listen } from './apiserver/http/node-server.ts';
import { ApiServer } from './apiserver/server.ts';
import { ClusterClient } from './client/cluster-client.ts';
import { GarbageCollector } from './controllers/garbage-collector.ts';
import { NamespaceController } from './controllers/namespace-controller.ts';

export interface EmbeddedClusterOptions {
  clock: Clock;
  /** State lives under `<dataDir>/cluster`; omit for a purely in-memory cluster. */
  dataDir?: string;
  host?: string;
  port?: number;
  watchCacheSize?: number;
  tokenFile?: string;
  requireAuth?: boolean;
  rbac?: boolean;
}

export class EmbeddedCluster {
  private controllers: Array<{ stop(): void }> = [];

  private constructor(
    readonly apiServer: ApiServer,
    private readonly http: Server,
    readonly url: string,
    private readonly clock: Clock,
  ) {}

  static async start(opts: EmbeddedClusterOptions): Promise<EmbeddedCluster> {
    const apiServer = new ApiServer({
      clock: opts.clock,
      stateDir: opts.dataDir ? join(opts.dataDir, 'cluster') : undefined,
      watchCacheSize: opts.watchCacheSize,
      tokenFile: opts.tokenFile,
      requireAuth: opts.requireAuth,
      rbac: opts.rbac,
    });
    const http = createApiHttpServer((req) => apiServer.handle(req));
    const host = opts.host ?? '127.0.0.1';
    const addr = await listen(http, opts.port ?? 0, host);
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
    apiServer.publicAddress = `${host}:${addr.port}`;
    const cluster = new EmbeddedCluster(apiServer, http, url, opts.clock);
    await cluster.startControllers();
    return cluster;
  }

  /** A client that talks to this cluster in-process, as a control-plane component. */
  client(userAgent: string): ClusterClient {
    return new ClusterClient({ handle: (req) => this.apiServer.handle(req) }, LOOPBACK_USER, userAgent);
  }

  private async startControllers(): Promise<void> {
    const ns = new NamespaceController(this.client('kube-controller-manager/namespace-controller'), this.clock, componentLogger('namespace-controller'));
    const gc = new GarbageCollector(this.client('kube-controller-manager/generic-garbage-collector'), this.clock, componentLogger('garbage-collector'));
    this.controllers.push(ns, gc);
    await ns.start();
    await gc.start();
  }

  /** A kubeconfig for kubectl and client-node pointing at this cluster. */
  kubeconfig(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: kubernaut',
      '  cluster:',
      `    server: ${this.url}`,
      // client-node refuses plain http:// unless told TLS checks are off; kubectl ignores it for http.
      '    insecure-skip-tls-verify: true',
      'contexts:',
      '- name: kubernaut',
      '  context:',
      '    cluster: kubernaut',
      '    user: kubernaut-admin',
      '    namespace: default',
      'current-context: kubernaut',
      'users:',
      '- name: kubernaut-admin',
      '  user: {}',
      '',
    ].join('\n');
  }

  async close(): Promise<void> {
    for (const c of this.controllers) c.stop();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
    this.apiServer.close();
  }
}
