/**
 * `kubernaut up`: runs the embedded stack in one process. The API server comes first: once it
 * serves, the kubeconfig is written and kubectl can work while the control plane, DataStorage, the
 * Gateway and alerting start in parallel. Each component is announced as it becomes ready and
 * recorded in `endpoints.json` (see endpoints.ts); "kubernaut is ready" follows the last one.
 * SIGINT/SIGTERM shut everything down cleanly.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScaledClock } from '../platform/clock.ts';
import { componentLogger, logToFile } from '../platform/log.ts';
import { EmbeddedCluster } from '../cluster/embedded-cluster.ts';
import { parseTokenFile } from '../cluster/apiserver/auth.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import type { HttpAuth } from '../platform/http/auth.ts';
import { createStackIdentity } from './stack-identity.ts';
import { DEFAULT_CONTROL_PLANE, type KubeletTimings } from '../cluster/control-plane/options.ts';
import type { AlertingMode } from '../stack/alerting-modes.ts';
import { resolveDataDir } from './data-dir.ts';
import { EndpointsFile, type Component } from './endpoints.ts';
import type { ControllerName } from '../remediation/controller-names.ts';

export interface UpOptions {
  dataDir?: string;
  port: number;
  host: string;
  timeScale: number;
  ephemeral?: boolean;
  tokenFile?: string;
  requireAuth?: boolean;
  rbac?: boolean;
  watchCacheSize?: number;
  /** Size quota of the stored cluster state in bytes. */
  storageQuota?: number;
  tls?: boolean;
  nodes: number;
  kubeletDelays?: Partial<KubeletTimings>;
  kubeStateMetricsPort: number;
  controlPlane: boolean;
  gateway: boolean;
  gatewayPort: number;
  controllers: boolean;
  controllersPort: number;
  /** Run only these remediation controllers (default: all that can run). */
  onlyControllers?: ControllerName[];
  /** WorkflowExecutions run nothing and audit what would have run. */
  dryRun?: boolean;
  /** More folders of workflow bundles the embedded kubelet runs for real (besides workflows/). */
  workflowBundles?: string[];
  /** Run the investigator (and, without a configured LLM, the mock LLM); needs DataStorage. */
  investigator: boolean;
  investigatorPort: number;
  mockLlmPort: number;
  llmConfig?: string;
  llmProvider?: string;
  llmModel?: string;
  llmEndpoint?: string;
  datastorage: boolean;
  datastoragePort: number;
  databaseUrl?: string;
  crNamespace?: string;
  prometheus: AlertingMode;
  prometheusPort: number;
  alertmanagerPort: number;
  scrapeInterval: number;
  evaluationInterval: number;
  scrapeTarget?: Array<{ jobName: string; url: string }>;
  alertmanagerConfig?: string;
  prometheusBin?: string;
  alertmanagerBin?: string;
  /** `text`: progress lines on stdout, structured logs in DIR/logs/kubernaut.log; `json`: structured logs on stdout, progress on stderr. */
  logFormat?: 'text' | 'json';
}

/** The investigator needs the workflow catalog: no DataStorage, no investigator. */
function runsInvestigator(opts: UpOptions): boolean {
  return opts.investigator && opts.datastorage;
}

/** kind's node names: kind-control-plane, kind-worker, kind-worker2, ... */
export function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? 'kind-control-plane' : i === 1 ? 'kind-worker' : `kind-worker${i}`));
}

/** The kubeconfig authenticates as the first system:masters user of the token file (else the first user). */
function adminToken(tokenFile: string | undefined): string | undefined {
  if (!tokenFile) return undefined;
  const tokens = [...parseTokenFile(readFileSync(tokenFile, 'utf8')).entries()];
  return (tokens.find(([, u]) => u.groups.includes('system:masters')) ?? tokens[0])?.[0];
}

/** The components this `up` runs besides the API server, in the order they are listed. */
function plannedComponents(opts: UpOptions): Component[] {
  return [
    'apiServer',
    ...(opts.controlPlane ? (['controlPlane'] as const) : []),
    ...(opts.datastorage ? (['dataStorage'] as const) : []),
    ...(opts.gateway ? (['gateway'] as const) : []),
    ...(opts.controllers ? (['controllers'] as const) : []),
    ...(opts.prometheus !== 'none' ? (['alerting'] as const) : []),
    ...(runsInvestigator(opts) ? (['investigator'] as const) : []),
  ];
}

export async function runUp(opts: UpOptions): Promise<void> {
  const dataDir = resolveDataDir(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, 'logs', 'kubernaut.log');
  if (opts.logFormat !== 'json') logToFile(logFile);
  const progress = opts.logFormat === 'json' ? process.stderr : process.stdout;
  const say = (line: string) => progress.write(line + '\n');
  const log = componentLogger('up');
  const clock = new ScaledClock(opts.timeScale);
  const state = opts.ephemeral ? undefined : dataDir;
  const endpoints = new EndpointsFile(dataDir, plannedComponents(opts));
  // With --require-auth the services authenticate to each other (and the API server) as the stack.
  const stack = opts.requireAuth ? createStackIdentity(dataDir, opts.tokenFile) : undefined;

  const cluster = await EmbeddedCluster.start({
    clock,
    dataDir: state,
    host: opts.host,
    port: opts.port,
    tokenFile: stack?.tokenFile ?? opts.tokenFile,
    requireAuth: opts.requireAuth,
    rbac: opts.rbac,
    watchCacheSize: opts.watchCacheSize,
    storageQuotaBytes: opts.storageQuota,
    tls: opts.tls,
    // Without a token file of the user's, kubectl could not get in at all: it gets the stack's token.
    kubeconfigToken: adminToken(opts.tokenFile) ?? stack?.token,
    controlPlane: false,
    bundleDirs: opts.workflowBundles,
  });
  const kubeconfigPath = join(dataDir, 'kubeconfig');
  writeFileSync(kubeconfigPath, cluster.kubeconfig(), { mode: 0o600 });
  endpoints.ready('apiServer', { apiServer: cluster.url });
  say(`API server: ${cluster.url}`);
  say(`export KUBECONFIG=${kubeconfigPath}`);

  const clientConfig = lazyClientConfig(cluster, stack?.token);
  const ctx: StartContext = { opts, clock, state, cluster, endpoints, say, closers: [() => cluster.close()], clientConfig, stackToken: stack?.token, auth: stack ? lazyServiceAuth(clientConfig) : undefined };
  const controlPlaneStarted = startControlPlane(ctx);
  const servicesStarted = startServices(ctx);
  // Alerting scrapes kube-state-metrics and sends to the Gateway: it needs both.
  const alertingStarted = Promise.all([controlPlaneStarted, servicesStarted]).then(([, services]) => startAlerting(ctx, services.gatewayUrl));
  // The investigator queries the alerting's Prometheus API; the AIAnalysis controller needs the
  // investigator: so investigator, then controllers.
  const investigationStarted = Promise.all([servicesStarted, alertingStarted]).then(([services, alerting]) => startInvestigation(ctx, services, alerting?.prometheusUrl));
  const controllersStarted = Promise.all([servicesStarted, alertingStarted, investigationStarted]).then(([services, alerting, investigatorUrl]) => startControllers(ctx, services, alerting, investigatorUrl));
  const started = Promise.allSettled([controlPlaneStarted, servicesStarted, alertingStarted, investigationStarted, controllersStarted]);

  let closing: Promise<void> | undefined;
  const closeAll = () =>
    (closing ??= (async () => {
      // Whatever is still starting finishes first, so nothing is left running behind the close.
      await started;
      for (const close of ctx.closers.reverse()) await close().catch((e) => log.warn({ err: (e as Error).message }, 'close failed'));
      endpoints.remove();
    })());
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await closeAll();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const failure = (await started).find((r) => r.status === 'rejected');
  if (failure) {
    stopping = true;
    await closeAll();
    throw failure.reason;
  }
  if (stopping) return;
  log.info({ apiServer: cluster.url, dataDir, timeScale: clock.timeScale, ephemeral: Boolean(opts.ephemeral) }, 'embedded stack is up');
  say(`kubernaut is ready after ${(performance.now() / 1000).toFixed(1)} s${opts.logFormat === 'json' ? '' : ` (logs: ${logFile})`}`);
}

/** What the components started after the API server share. */
interface StartContext {
  opts: UpOptions;
  clock: ScaledClock;
  /** The data dir, unless --ephemeral. */
  state: string | undefined;
  cluster: EmbeddedCluster;
  endpoints: EndpointsFile;
  say: (line: string) => void;
  /** Closed in reverse order on shutdown. */
  closers: Array<() => Promise<void>>;
  clientConfig: () => Promise<KubeConfig>;
  /** With --require-auth: the token the services present to each other. */
  stackToken?: string;
  /** With --require-auth: how the Gateway, DataStorage and the alerting API check their callers. */
  auth?: () => Promise<HttpAuth>;
}

/** One client-node configuration for every in-process service, its module loaded on first use. */
function lazyClientConfig(cluster: EmbeddedCluster, token: string | undefined): () => Promise<KubeConfig> {
  let kubeconfig: Promise<KubeConfig> | undefined;
  return () =>
    (kubeconfig ??= import('../platform/kube/pooled-kubeconfig.ts').then(({ PooledKubeConfig }) => {
      const kc = new PooledKubeConfig();
      kc.loadFromString(cluster.kubeconfig(token));
      return kc;
    }));
}

/** Callers are checked as on a real cluster: TokenReview, then SubjectAccessReview (RBAC with --rbac). */
function lazyServiceAuth(clientConfig: () => Promise<KubeConfig>): () => Promise<HttpAuth> {
  return async () => {
    const [{ subjectAccessReviewAuthorizer, tokenReviewAuthenticator }, kc] = await Promise.all([import('../platform/http/auth.ts'), clientConfig()]);
    return { authenticate: tokenReviewAuthenticator(kc), authorize: subjectAccessReviewAuthorizer(kc) };
  };
}

async function startControlPlane({ opts, cluster, endpoints, say }: StartContext): Promise<void> {
  if (!opts.controlPlane) return;
  await cluster.startControlPlane(
    { nodes: nodeNames(opts.nodes).map((name) => ({ name })), kubelet: { ...DEFAULT_CONTROL_PLANE.kubelet, ...opts.kubeletDelays } },
    { port: opts.kubeStateMetricsPort },
  );
  endpoints.ready('controlPlane', { kubeStateMetrics: cluster.kubeStateMetricsUrl });
  say(`control plane: ${opts.nodes} node${opts.nodes === 1 ? '' : 's'}, kube-state-metrics ${cluster.kubeStateMetricsUrl}`);
}

type StartedServices = Awaited<ReturnType<typeof import('../stack/kubernaut-services.ts').startServices>>;

/** The Kubernaut CRDs, then DataStorage, then the Gateway (which audits to DataStorage). */
async function startServices(ctx: StartContext): Promise<StartedServices> {
  const { opts, endpoints, say } = ctx;
  const { startServices } = await import('../stack/kubernaut-services.ts');
  const services = await startServices({
    clock: ctx.clock,
    kubeconfig: await ctx.clientConfig(),
    host: opts.host,
    dataDir: ctx.state,
    databaseUrl: opts.databaseUrl,
    dataStorage: opts.datastorage,
    dataStoragePort: opts.datastoragePort,
    gateway: opts.gateway,
    gatewayPort: opts.gatewayPort,
    // Started after the investigator (startControllers), which the AIAnalysis controller submits to.
    controllers: false,
    crNamespace: opts.crNamespace,
    auth: await ctx.auth?.(),
    serviceToken: ctx.stackToken,
    onReady: (service, url) => {
      if (service === 'dataStorage') {
        endpoints.ready('dataStorage', { dataStorage: url });
        say(`datastorage: ${url}`);
      } else {
        endpoints.ready('gateway', { gateway: url });
        say(`gateway: ${url} (Alertmanager webhook: ${url}/api/v1/signals/prometheus)`);
      }
    },
  });
  ctx.closers.push(() => services.close());
  return services;
}

/** The investigator (with the mock LLM unless a model is configured); resolves to its URL. */
async function startInvestigation(ctx: StartContext, services: StartedServices, prometheusUrl: string | undefined): Promise<string | undefined> {
  const { opts, endpoints, say } = ctx;
  if (!runsInvestigator(opts) || !services.dataStorageUrl) return undefined;
  const { startInvestigation } = await import('../stack/investigation.ts');
  const token = ctx.stackToken;
  const investigation = await startInvestigation({
    clock: ctx.clock,
    kubeconfig: await ctx.clientConfig(),
    host: opts.host,
    investigatorPort: opts.investigatorPort,
    mockLlmPort: opts.mockLlmPort,
    llmConfig: opts.llmConfig,
    llmProvider: opts.llmProvider,
    llmModel: opts.llmModel,
    llmEndpoint: opts.llmEndpoint,
    dataStorageUrl: services.dataStorageUrl,
    dataStorageToken: token ? () => token : undefined,
    prometheusUrl,
    audit: services.auditSink,
    auth: await ctx.auth?.(),
    onReady: (part, url, detail) => {
      if (part === 'mockLlm') {
        endpoints.update({ mockLlm: url });
        say(`mock LLM: ${url} (${detail})`);
      } else {
        endpoints.ready('investigator', { investigator: url });
        say(`investigator: ${url} (${detail})`);
      }
    },
  });
  ctx.closers.push(() => investigation.close());
  return investigation.investigatorUrl;
}

/** SignalProcessing, the Orchestrator and, with an investigator, AIAnalysis. */
async function startControllers(ctx: StartContext, services: StartedServices, alerting: AlertingUrls | undefined, investigatorUrl: string | undefined): Promise<void> {
  const { opts, endpoints, say } = ctx;
  if (!opts.controllers) return;
  const { startControllers } = await import('../stack/kubernaut-services.ts');
  const manager = await startControllers({
    clock: ctx.clock,
    kubeconfig: await ctx.clientConfig(),
    host: opts.host,
    controllersPort: opts.controllersPort,
    audit: services.auditSink,
    dataStorageUrl: services.dataStorageUrl,
    serviceToken: ctx.stackToken,
    investigatorUrl,
    only: opts.onlyControllers,
    dryRun: opts.dryRun,
    prometheusUrl: alerting?.prometheusUrl,
    alertmanagerUrl: alerting?.alertmanagerUrl,
  });
  // Closed before the services: their last audit events still reach DataStorage.
  ctx.closers.push(() => manager.close());
  endpoints.ready('controllers', { controllers: manager.url });
  say(`controllers: ${manager.controllers.map((c) => CONTROLLER_TITLES[c] ?? c).join(', ')} (metrics ${manager.url}/metrics)`);
}

const CONTROLLER_TITLES: Record<string, string> = { sp: 'signalprocessing', ro: 'orchestrator', aa: 'aianalysis', we: 'workflowexecution', ea: 'effectiveness', nr: 'notification' };

interface AlertingUrls {
  prometheusUrl?: string;
  alertmanagerUrl?: string;
}

/** Resolves to the Prometheus and Alertmanager API URLs the investigator and the EffectivenessMonitor query, when alerting runs. */
async function startAlerting(ctx: StartContext, gatewayUrl: string | undefined): Promise<AlertingUrls | undefined> {
  const { opts, cluster, endpoints, say } = ctx;
  if (opts.prometheus === 'none') return undefined;
  const { startAlerting } = await import('../stack/alerting.ts');
  const targets = [
    // A stable `instance`: the embedded kube-state-metrics gets a new port on every start, and an
    // alert's identity (its labels) must survive a restart for its `for` state to be restored.
    ...(cluster.kubeStateMetricsUrl ? [{ jobName: 'kube-state-metrics', url: cluster.kubeStateMetricsUrl, labels: { instance: 'kube-state-metrics' } }] : []),
    ...(opts.scrapeTarget ?? []),
  ];
  const alerting = await startAlerting({
    mode: opts.prometheus,
    kubeconfig: await ctx.clientConfig(),
    clock: ctx.clock,
    host: opts.host,
    dataDir: ctx.state,
    prometheusPort: opts.prometheusPort,
    alertmanagerPort: opts.alertmanagerPort,
    targets,
    scrapeIntervalMs: opts.scrapeInterval,
    evaluationIntervalMs: opts.evaluationInterval,
    gatewayUrl,
    alertmanagerConfigFile: opts.alertmanagerConfig,
    binaries: { prometheus: opts.prometheusBin, alertmanager: opts.alertmanagerBin },
    gatewayToken: ctx.stackToken,
    auth: await ctx.auth?.(),
  });
  ctx.closers.push(() => alerting.close());
  endpoints.ready('alerting', { prometheus: alerting.prometheusUrl, alertmanager: alerting.alertmanagerUrl });
  say(`alerts: ${alerting.prometheusUrl}/alerts (Prometheus API ${alerting.prometheusUrl}/api/v1)`);
  if (alerting.alertmanagerUrl && alerting.alertmanagerUrl !== alerting.prometheusUrl) say(`alertmanager: ${alerting.alertmanagerUrl}`);
  return { prometheusUrl: alerting.prometheusUrl, alertmanagerUrl: alerting.alertmanagerUrl };
}
