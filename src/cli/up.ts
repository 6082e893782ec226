/**
 * `kubernaut up`: the embedded stack in the foreground, on two processes as a real deployment
 * runs on several machines. This process runs the embedded cluster (API server, control plane,
 * kube-state-metrics, kubelets); Kubernaut's own services (DataStorage, the Gateway, alerting, the
 * investigator, the controllers) run in a services process it forks (services-process.ts), which
 * reaches the cluster through client-node like any client, so the two event loops share the
 * machine's cores instead of one loop starving the other. The API server comes first: once it
 * serves, the kubeconfig is written and kubectl can work while the control plane, DataStorage,
 * the Gateway and alerting start in parallel. Each component is announced as it becomes ready
 * and recorded in `endpoints.json` (see endpoints.ts); "kubernaut is ready" follows the last one.
 * SIGINT/SIGTERM close the services, then the cluster; if the services process dies, `up` stops.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScaledClock } from '../platform/clock.ts';
import { componentLogger, logToFile, type Logger } from '../platform/log.ts';
import { processAlive } from '../platform/process-alive.ts';
import type { EmbeddedCluster } from '../cluster/embedded-cluster.ts';
import { parseTokenFile } from '../cluster/apiserver/auth.ts';
import { createStackIdentity } from './stack-identity.ts';
import { DEFAULT_CONTROL_PLANE, type KubeletTimings } from '../cluster/control-plane/options.ts';
import type { AlertingMode } from '../stack/alerting-modes.ts';
import { resolveDataDir } from './data-dir.ts';
import { EndpointsFile, readEndpoints, type Component } from './endpoints.ts';
import { KindConfigError, loadKindConfig, nodeNamesForCount, type KindPlan } from './kind-config.ts';
import { SERVICES_SUBCOMMAND } from './services-ipc.ts';
import { ServicesProcess, startServicesInProcess } from './services-process.ts';
import { runsConsole, runsInvestigator, type ControlPlaneInfo, type RunningServicesStack, type ServicesPlan, type ServicesReport } from './up-services.ts';
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
  /** Serve the console (the web page of remediations and approvals). */
  console: boolean;
  consolePort: number;
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
  /** A kind cluster configuration (kind.x-k8s.io/v1alpha4): its nodes and port mappings shape the stack. */
  config?: string;
  /** The options given on the command line, which win over --config (commander's names: `gatewayPort`). */
  explicitOptions?: string[];
  /** Run Kubernaut's services in this process too (one event loop; for comparison and debugging). */
  singleProcess?: boolean;
}


/** kind's node names: kind-control-plane, kind-worker, kind-worker2, ... */
export function nodeNames(count: number): string[] {
  return nodeNamesForCount(count);
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
    ...(runsConsole(opts) ? (['console'] as const) : []),
  ];
}

/** The options with the kind config applied: flags given on the command line win. */
function withKindPlan(opts: UpOptions, plan: KindPlan): UpOptions & { nodeNames: string[] } {
  const explicit = new Set(opts.explicitOptions ?? []);
  return {
    ...opts,
    nodes: explicit.has('nodes') ? opts.nodes : plan.nodeNames.length,
    nodeNames: explicit.has('nodes') ? nodeNamesForCount(opts.nodes, plan.clusterName) : plan.nodeNames,
    gatewayPort: explicit.has('gatewayPort') || plan.ports.gateway === undefined ? opts.gatewayPort : plan.ports.gateway,
    prometheusPort: explicit.has('prometheusPort') || plan.ports.prometheus === undefined ? opts.prometheusPort : plan.ports.prometheus,
    consolePort: explicit.has('consolePort') || plan.ports.console === undefined ? opts.consolePort : plan.ports.console,
  };
}

export async function runUp(given: UpOptions): Promise<void> {
  let kind: KindPlan | undefined;
  if (given.config) {
    try {
      kind = loadKindConfig(given.config);
    } catch (e) {
      if (!(e instanceof KindConfigError)) throw e;
      // Nothing has started: the config is read before anything else.
      process.stderr.write(`kubernaut up: --config ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
  }
  const dataDir = resolveDataDir(given.dataDir);
  const opts = { ...(kind ? withKindPlan(given, kind) : { ...given, nodeNames: nodeNamesForCount(given.nodes) }), dataDir };
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, 'logs', 'kubernaut.log');
  if (opts.logFormat !== 'json') logToFile(logFile);
  const progress = opts.logFormat === 'json' ? process.stderr : process.stdout;
  const say = (line: string) => progress.write(line + '\n');
  const log = componentLogger('up');
  if (kind) describeKindPlan(given.config!, kind, opts, log, say);
  const clock = new ScaledClock(opts.timeScale);
  const state = opts.ephemeral ? undefined : dataDir;
  await previousServicesGone(dataDir, log);
  const endpoints = new EndpointsFile(dataDir, plannedComponents(opts));
  // With --require-auth the services authenticate to each other (and the API server) as the stack.
  const stack = opts.requireAuth ? createStackIdentity(dataDir, opts.tokenFile) : undefined;
  const report: ServicesReport = {
    ready(component, urls, lines) {
      endpoints.ready(component, urls);
      for (const line of lines) say(line);
    },
    update(urls, lines) {
      endpoints.update(urls);
      for (const line of lines) say(line);
    },
  };

  let stopping = false;
  let closeAll: () => Promise<void> = async () => {};
  const servicesDied = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.error(`${why}; stopping the cluster`);
    if (opts.logFormat === 'json') process.stderr.write(`kubernaut up: ${why}; stopping the cluster\n`);
    await closeAll();
    process.exit(1);
  };
  // Forked before the cluster starts: the services process loads its modules meanwhile.
  const servicesProcess = opts.singleProcess ? undefined : new ServicesProcess(opts, report, (why) => void servicesDied(why));
  if (servicesProcess) endpoints.setServicesPid(servicesProcess.pid);

  let cluster: EmbeddedCluster;
  try {
    // Loaded after the fork, so the services process loads its modules while this one loads the cluster's.
    const { EmbeddedCluster } = await import('../cluster/embedded-cluster.ts');
    cluster = await EmbeddedCluster.start({
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
  } catch (e) {
    stopping = true;
    await servicesProcess?.close();
    throw e;
  }
  const kubeconfigPath = join(dataDir, 'kubeconfig');
  writeFileSync(kubeconfigPath, cluster.kubeconfig(), { mode: 0o600 });
  endpoints.ready('apiServer', { apiServer: cluster.url });
  say(`API server: ${cluster.url}`);
  say(`export KUBECONFIG=${kubeconfigPath}`);

  const plan: ServicesPlan = { opts, state, kubeconfig: cluster.kubeconfig(stack?.token), stackToken: stack?.token };
  const controlPlaneStarted = startControlPlane(opts, cluster, endpoints, say);
  let inProcess: RunningServicesStack | undefined;
  if (servicesProcess) {
    servicesProcess.start(plan);
    controlPlaneStarted.then(
      (info) => servicesProcess.controlPlaneReady(info),
      () => servicesProcess.controlPlaneFailed(),
    );
  } else {
    inProcess = await startServicesInProcess(plan, controlPlaneStarted, report);
  }
  const started = Promise.allSettled([controlPlaneStarted, servicesProcess?.started ?? inProcess!.started]);

  let closing: Promise<void> | undefined;
  closeAll = () =>
    (closing ??= (async () => {
      // Whatever is still starting finishes first, so nothing is left running behind the close.
      await started;
      // The services first (controllers, investigator, alerting, then DataStorage: the last audit
      // events are delivered), then the cluster they talk to.
      await (servicesProcess ? servicesProcess.close() : inProcess!.close()).catch((e) => log.warn({ err: (e as Error).message }, 'close failed'));
      await cluster.close().catch((e) => log.warn({ err: (e as Error).message }, 'close failed'));
      endpoints.remove();
    })());
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
    if (stopping) return;
    stopping = true;
    await closeAll();
    throw failure.reason;
  }
  if (stopping) return;
  log.info({ apiServer: cluster.url, dataDir, timeScale: clock.timeScale, ephemeral: Boolean(opts.ephemeral), servicesPid: servicesProcess?.pid }, 'embedded stack is up');
  say(`kubernaut is ready after ${(performance.now() / 1000).toFixed(1)} s${opts.logFormat === 'json' ? '' : ` (logs: ${logFile})`}`);
}

/** One line on what the kind config decided, one on what it holds that is not simulated, a warning per unusable mapping. */
function describeKindPlan(file: string, kind: KindPlan, opts: UpOptions & { nodeNames: string[] }, log: Logger, say: (line: string) => void): void {
  for (const warning of kind.warnings) log.warn(`--config ${file}: ${warning}`);
  const ports = [
    ...(kind.ports.gateway !== undefined ? [`gateway on ${opts.gatewayPort}`] : []),
    ...(kind.ports.prometheus !== undefined ? [`alerts page on ${opts.prometheusPort}`] : []),
    ...(kind.ports.console !== undefined ? [`console on ${opts.consolePort}`] : []),
  ];
  say(`config ${file}: kind cluster "${kind.clusterName}", nodes ${opts.nodeNames.join(', ')}${ports.length ? `; ${ports.join(', ')}` : ''}`);
  if (kind.ignored.length) say(`config ${file}: not simulated by the embedded cluster, ignored: ${kind.ignored.join(', ')}`);
}

/**
 * The services process of an `up` on this data dir that was killed (SIGKILL leaves endpoints.json
 * behind) closes on its own once it notices; its DataStorage files must be closed before new ones
 * open them. A real-time wait for another process, so not on the stack's scaled clock.
 */
async function previousServicesGone(dataDir: string, log: Logger): Promise<void> {
  let pid: number | undefined;
  try {
    const previous = readEndpoints(dataDir);
    if (previous && !processAlive(previous.pid)) pid = previous.servicesPid;
  } catch {
    return; // an unreadable endpoints.json is rewritten below, as before
  }
  if (pid === undefined || !isServicesProcess(pid)) return;
  log.info({ pid }, 'waiting for the services process of the previous kubernaut up to close');
  const deadline = Date.now() + 15_000;
  while (isServicesProcess(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

function isServicesProcess(pid: number): boolean {
  if (!processAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(SERVICES_SUBCOMMAND);
  } catch {
    return process.platform !== 'linux'; // no /proc to tell: alive is all we know
  }
}

async function startControlPlane(opts: UpOptions & { nodeNames: string[] }, cluster: EmbeddedCluster, endpoints: EndpointsFile, say: (line: string) => void): Promise<ControlPlaneInfo> {
  if (!opts.controlPlane) return {};
  await cluster.startControlPlane(
    { nodes: opts.nodeNames.map((name) => ({ name })), kubelet: { ...DEFAULT_CONTROL_PLANE.kubelet, ...opts.kubeletDelays } },
    { port: opts.kubeStateMetricsPort },
  );
  endpoints.ready('controlPlane', { kubeStateMetrics: cluster.kubeStateMetricsUrl });
  say(`control plane: ${opts.nodeNames.length} node${opts.nodeNames.length === 1 ? '' : 's'}, kube-state-metrics ${cluster.kubeStateMetricsUrl}`);
  return { kubeStateMetricsUrl: cluster.kubeStateMetricsUrl };
}
