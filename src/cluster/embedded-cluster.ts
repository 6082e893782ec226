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
import { servingPki, type ServingPki } from './pki.ts';
import { DEFAULT_CONTROL_PLANE, type ControlPlaneOptions } from './control-plane/options.ts';
import type { RunningControlPlane } from './control-plane/index.ts';

export interface EmbeddedClusterOptions {
  clock: Clock;
  /** State lives under `<dataDir>/cluster`; omit for a purely in-memory cluster. */
  dataDir?: string;
  /** Size quota of the stored objects in bytes (default 2 GiB), as etcd's --quota-backend-bytes. */
  storageQuotaBytes?: number;
  host?: string;
  port?: number;
  watchCacheSize?: number;
  tokenFile?: string;
  requireAuth?: boolean;
  rbac?: boolean;
  /** Serve HTTPS with a generated CA (kept under `<dataDir>/pki`). */
  tls?: boolean;
  /** Bearer token the written kubeconfig authenticates with. */
  kubeconfigToken?: string;
  /**
   * The simulated control plane (nodes with kubelets, scheduler, workload and storage
   * controllers). `false` runs only the API server with its namespace controller and garbage
   * collector, for tests that drive one component themselves.
   */
  controlPlane?: Partial<ControlPlaneOptions> | false;
  kubeStateMetrics?: { host?: string; port?: number };
}

export class EmbeddedCluster {
  private controllers: Array<{ stop(): void }> = [];
  private controlPlane: RunningControlPlane | undefined;

  private constructor(
    readonly apiServer: ApiServer,
    private readonly http: Server,
    readonly url: string,
    private readonly clock: Clock,
    private readonly host: string,
    private readonly pki: ServingPki | undefined,
    private readonly token: string | undefined,
  ) {}

  static async start(opts: EmbeddedClusterOptions): Promise<EmbeddedCluster> {
    const apiServer = new ApiServer({
      clock: opts.clock,
      stateDir: opts.dataDir ? join(opts.dataDir, 'cluster') : undefined,
      storageQuotaBytes: opts.storageQuotaBytes,
      watchCacheSize: opts.watchCacheSize,
      tokenFile: opts.tokenFile,
      requireAuth: opts.requireAuth,
      rbac: opts.rbac,
    });
    const host = opts.host ?? '127.0.0.1';
    const pki = opts.tls ? await servingPki(opts.dataDir ? join(opts.dataDir, 'pki') : undefined, [host]) : undefined;
    const http = createApiHttpServer((req) => apiServer.handle(req), pki ? { cert: pki.certPem, key: pki.keyPem } : undefined);
    const addr = await listen(http, opts.port ?? 0, host);
    const url = `${pki ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
    apiServer.publicAddress = `${host}:${addr.port}`;
    const cluster = new EmbeddedCluster(apiServer, http, url, opts.clock, host, pki, opts.kubeconfigToken);
    await cluster.startControllers();
    if (opts.controlPlane !== false) await cluster.startControlPlane(opts.controlPlane, opts.kubeStateMetrics);
    return cluster;
  }

  /**
   * Starts the simulated control plane on a cluster started without one. Its modules load only
   * now, so `kubernaut up` serves kubectl before it has even read them.
   */
  async startControlPlane(controlPlane: Partial<ControlPlaneOptions> = {}, kubeStateMetrics: { host?: string; port?: number } = {}): Promise<void> {
    if (this.controlPlane) throw new Error('the control plane is already running');
    const { startControlPlane } = await import('./control-plane/index.ts');
    this.controlPlane = await startControlPlane((ua) => this.client(ua), this.clock, {
      ...DEFAULT_CONTROL_PLANE,
      ...controlPlane,
      kubelet: { ...DEFAULT_CONTROL_PLANE.kubelet, ...controlPlane.kubelet },
      kubeStateMetrics: { host: this.host, ...kubeStateMetrics },
    });
  }

  /** `http://host:port/metrics` of the embedded kube-state-metrics, when the control plane runs. */
  get kubeStateMetricsUrl(): string | undefined {
    return this.controlPlane?.kubeStateMetricsUrl;
  }

  /**
   * Simulates a node whose kubelet died (`stopKubelet`) or came back (`startKubelet`), as
   * `systemctl stop kubelet` would on a real node: nothing in the API says why, the node
   * lifecycle controller notices the missing heartbeats and marks the node Unknown.
   */
  stopKubelet(nodeName: string): void {
    if (!this.controlPlane) throw new Error('the control plane is not running');
    this.controlPlane.stopKubelet(nodeName);
  }

  async startKubelet(nodeName: string): Promise<void> {
    if (!this.controlPlane) throw new Error('the control plane is not running');
    await this.controlPlane.startKubelet(nodeName);
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

  /** A kubeconfig for kubectl and client-node pointing at this cluster (with another user's token if given). */
  kubeconfig(token = this.token): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: kubernaut',
      '  cluster:',
      `    server: ${this.url}`,
      this.pki
        ? `    certificate-authority-data: ${Buffer.from(this.pki.caPem).toString('base64')}`
        : // client-node refuses plain http:// unless told TLS checks are off; kubectl ignores it for http.
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
      ...(token ? ['  user:', `    token: ${token}`] : ['  user: {}']),
      '',
    ].join('\n');
  }

  async close(): Promise<void> {
    this.controlPlane?.stop();
    for (const c of this.controllers) c.stop();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
    this.apiServer.close();
  }
}
