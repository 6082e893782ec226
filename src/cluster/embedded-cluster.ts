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
import { BundleRegistry, PROJECT_WORKFLOWS_DIR } from './kubelet/bundles.ts';
import type { ApiEndpoint } from './kubelet/bundle-runtime.ts';

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
  /**
   * Folders of workflow bundles the kubelets run as real processes, besides the project's own
   * `workflows/` (each a bundle folder or a folder of them; see kubelet/bundles.ts).
   */
  bundleDirs?: string[];
}

export class EmbeddedCluster {
  private controllers: Array<{ stop(): void }> = [];
  private controlPlane: RunningControlPlane | undefined;
  private pkiDir: string | undefined;
  /** The HTTPS listener for pods' processes when the main one is plain HTTP (opened on first use). */
  private podEndpoint: Promise<{ endpoint: ApiEndpoint; server?: Server }> | undefined;

  private constructor(
    readonly apiServer: ApiServer,
    private readonly http: Server,
    readonly url: string,
    private readonly clock: Clock,
    private readonly host: string,
    private readonly pki: ServingPki | undefined,
    private readonly token: string | undefined,
    /** The workflow bundles this cluster's kubelets run for real. */
    readonly bundles: BundleRegistry,
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
      serviceAccountKeyDir: opts.dataDir ? join(opts.dataDir, 'pki') : undefined,
    });
    const host = opts.host ?? '127.0.0.1';
    const pki = opts.tls ? await servingPki(opts.dataDir ? join(opts.dataDir, 'pki') : undefined, [host]) : undefined;
    const http = createApiHttpServer((req) => apiServer.handle(req), pki ? { cert: pki.certPem, key: pki.keyPem } : undefined);
    const addr = await listen(http, opts.port ?? 0, host);
    const url = `${pki ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
    apiServer.publicAddress = `${host}:${addr.port}`;
    const bundles = BundleRegistry.load([PROJECT_WORKFLOWS_DIR, ...(opts.bundleDirs ?? [])]);
    for (const problem of bundles.problems) componentLogger('kubelet').warn({ problem }, 'workflow bundle folder skipped');
    const cluster = new EmbeddedCluster(apiServer, http, url, opts.clock, host, pki, opts.kubeconfigToken, bundles);
    cluster.pkiDir = opts.dataDir ? join(opts.dataDir, 'pki') : undefined;
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
      bundles: controlPlane.bundles ?? { registry: this.bundles, apiServer: () => this.podApiEndpoint() },
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

  /**
   * Where processes in pods reach the API server: always HTTPS, like the in-cluster endpoint of a
   * real cluster (kubectl sends a bearer token over TLS only). This server when it serves HTTPS,
   * else a second listener with the cluster's CA, opened the first time a pod needs it.
   */
  podApiEndpoint(): Promise<ApiEndpoint> {
    if (this.pki) return Promise.resolve({ url: this.url, caPem: this.pki.caPem });
    this.podEndpoint ??= (async () => {
      const pki = await servingPki(this.pkiDir, [this.host]);
      const server = createApiHttpServer((req) => this.apiServer.handle(req), { cert: pki.certPem, key: pki.keyPem });
      const addr = await listen(server, 0, this.host);
      const url = `https://${this.host.includes(':') ? `[${this.host}]` : this.host}:${addr.port}`;
      return { endpoint: { url, caPem: pki.caPem }, server };
    })();
    return this.podEndpoint.then((p) => p.endpoint);
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
    const podServer = this.podEndpoint ? (await this.podEndpoint.catch(() => undefined))?.server : undefined;
    for (const server of [this.http, ...(podServer ? [podServer] : [])]) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    this.apiServer.close();
  }
}
