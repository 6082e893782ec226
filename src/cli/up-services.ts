/**
 * Kubernaut's own services as `kubernaut up` runs them on top of its cluster: DataStorage and the
 * Gateway, then alerting, then the investigator (with the mock LLM), then the remediation
 * controllers; the console once DataStorage and alerting run. They reach the cluster only through
 * client-node, with the kubeconfig they are given, so they run the same in the services process
 * `up` forks (services-child.ts) as in up's own process (`--single-process`). What they report (readiness, URLs, progress lines) goes
 * through `ServicesReport`, which `up` turns into endpoints.json entries and printed lines.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { ScaledClock } from '../platform/clock.ts';
import { componentLogger } from '../platform/log.ts';
import type { HttpAuth } from '../platform/http/auth.ts';
import type { Component, EndpointUrls } from './endpoints.ts';
import type { UpOptions } from './up.ts';

/** Everything the services need from `up`; plain data, so it crosses the IPC channel as JSON. */
export interface ServicesPlan {
  opts: UpOptions;
  /** The data dir, unless --ephemeral. */
  state: string | undefined;
  /** A kubeconfig (YAML) of the embedded cluster, authenticating as the stack with --require-auth. */
  kubeconfig: string;
  /** With --require-auth: the token the services present to each other. */
  stackToken?: string;
}

/** What the embedded control plane offers the services once it runs. */
export interface ControlPlaneInfo {
  kubeStateMetricsUrl?: string;
}

export interface ServicesReport {
  /** A component is ready: record its URLs, then print the lines. */
  ready(component: Component, urls: EndpointUrls, lines: string[]): void;
  /** URLs of a part without readiness of its own (the mock LLM), then lines to print. */
  update(urls: EndpointUrls, lines: string[]): void;
}

export interface RunningServicesStack {
  /** Settles once every service started (or one failed: the first failure). */
  started: Promise<void>;
  /** Closes what started, in reverse order, after whatever is still starting finished. */
  close(): Promise<void>;
}

/** The investigator needs the workflow catalog: no DataStorage, no investigator. */
export function runsInvestigator(opts: Pick<UpOptions, 'investigator' | 'datastorage'>): boolean {
  return opts.investigator && opts.datastorage;
}

/**
 * The console shows what DataStorage keeps (audit trail, catalog, history) beside the cluster's
 * objects: a stack without DataStorage (the lean stacks of tests) serves no console.
 */
export function runsConsole(opts: Pick<UpOptions, 'console' | 'datastorage'>): boolean {
  return opts.console && opts.datastorage;
}

/**
 * The modules the services of `opts` load, fetched ahead so they load while the cluster starts: in
 * the order they are needed, so the CRD installation (first in line) does not wait for the
 * modules of services that start after it.
 */
export async function preloadServiceModules(opts: UpOptions): Promise<void> {
  const stages: Array<Array<() => Promise<unknown>>> = [
    [() => import('../stack/kubernaut-services.ts'), () => import('../platform/kube/pooled-kubeconfig.ts'), ...(opts.requireAuth ? [() => import('../platform/http/auth.ts')] : [])],
    opts.datastorage ? [() => import('../datastorage/server.ts')] : [],
    opts.gateway ? [() => import('../gateway/server.ts')] : [],
    opts.prometheus !== 'none' ? [() => import('../stack/alerting.ts')] : [],
    runsInvestigator(opts) ? [() => import('../stack/investigation.ts')] : [],
    opts.controllers ? [() => import('../remediation/manager.ts')] : [],
    runsConsole(opts) ? [() => import('../console/server/console-server.ts')] : [],
  ];
  // A module that fails to load fails again, with its error, where it is used.
  for (const stage of stages) await Promise.allSettled(stage.map((load) => load()));
}

/**
 * Starts the services in `up`'s order. `controlPlane` settles when the cluster's control plane
 * runs (alerting scrapes its kube-state-metrics), or rejects when it failed.
 */
export function startKubernautServices(plan: ServicesPlan, controlPlane: Promise<ControlPlaneInfo>, report: ServicesReport): RunningServicesStack {
  const clock = new ScaledClock(plan.opts.timeScale);
  const clientConfig = lazyClientConfig(plan.kubeconfig);
  const ctx: StartContext = { ...plan, clock, report, closers: [], clientConfig, auth: plan.stackToken ? lazyServiceAuth(clientConfig) : undefined };
  const servicesStarted = startServices(ctx);
  // Alerting scrapes kube-state-metrics and sends to the Gateway: it needs both.
  const alertingStarted = Promise.all([controlPlane, servicesStarted]).then(([cp, services]) => startAlerting(ctx, cp, services.gatewayUrl));
  // The investigator queries the alerting's Prometheus API; the AIAnalysis controller needs the
  // investigator: so investigator, then controllers.
  const investigationStarted = Promise.all([servicesStarted, alertingStarted]).then(([services, alerting]) => startInvestigation(ctx, services, alerting?.prometheusUrl));
  const controllersStarted = Promise.all([servicesStarted, alertingStarted, investigationStarted]).then(([services, alerting, investigatorUrl]) => startControllers(ctx, services, alerting, investigatorUrl));
  // The console reads DataStorage and the alerting's API: after both, beside the investigator and controllers.
  const consoleStarted = Promise.all([servicesStarted, alertingStarted]).then(([services, alerting]) => startConsole(ctx, services.dataStorageUrl, alerting?.prometheusUrl));
  const all = Promise.allSettled([servicesStarted, alertingStarted, investigationStarted, controllersStarted, consoleStarted]);
  const started = all.then((results) => {
    const failure = results.find((r) => r.status === 'rejected');
    if (failure) throw failure.reason;
  });
  // Nobody may be listening yet; the caller reads the failure from `started`.
  started.catch(() => undefined);
  let closing: Promise<void> | undefined;
  const log = componentLogger('up');
  const close = () =>
    (closing ??= (async () => {
      await all;
      for (const closeOne of ctx.closers.reverse()) await closeOne().catch((e) => log.warn({ err: (e as Error).message }, 'close failed'));
    })());
  return { started, close };
}

/** What the services started after the API server share. */
interface StartContext extends ServicesPlan {
  clock: ScaledClock;
  report: ServicesReport;
  /** Closed in reverse order on shutdown. */
  closers: Array<() => Promise<void>>;
  clientConfig: () => Promise<KubeConfig>;
  /** With --require-auth: how the Gateway, DataStorage and the alerting API check their callers. */
  auth?: () => Promise<HttpAuth>;
}

/** One client-node configuration for every service, its module loaded on first use. */
function lazyClientConfig(kubeconfig: string): () => Promise<KubeConfig> {
  let config: Promise<KubeConfig> | undefined;
  return () =>
    (config ??= import('../platform/kube/pooled-kubeconfig.ts').then(({ PooledKubeConfig }) => {
      const kc = new PooledKubeConfig();
      kc.loadFromString(kubeconfig);
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

type StartedServices = Awaited<ReturnType<typeof import('../stack/kubernaut-services.ts').startServices>>;

/** The Kubernaut CRDs, then DataStorage, then the Gateway (which audits to DataStorage). */
async function startServices(ctx: StartContext): Promise<StartedServices> {
  const { opts, report } = ctx;
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
      if (service === 'dataStorage') report.ready('dataStorage', { dataStorage: url }, [`datastorage: ${url}`]);
      else report.ready('gateway', { gateway: url }, [`gateway: ${url} (Alertmanager webhook: ${url}/api/v1/signals/prometheus)`]);
    },
  });
  ctx.closers.push(() => services.close());
  return services;
}

/** The investigator (with the mock LLM unless a model is configured); resolves to its URL. */
async function startInvestigation(ctx: StartContext, services: StartedServices, prometheusUrl: string | undefined): Promise<string | undefined> {
  const { opts, report } = ctx;
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
      if (part === 'mockLlm') report.update({ mockLlm: url }, [`mock LLM: ${url} (${detail})`]);
      else report.ready('investigator', { investigator: url }, [`investigator: ${url} (${detail})`]);
    },
  });
  ctx.closers.push(() => investigation.close());
  return investigation.investigatorUrl;
}

const CONTROLLER_TITLES: Record<string, string> = { sp: 'signalprocessing', ro: 'orchestrator', aa: 'aianalysis', we: 'workflowexecution', ea: 'effectiveness', nr: 'notification' };

/** SignalProcessing, the Orchestrator and, with an investigator, AIAnalysis. */
async function startControllers(ctx: StartContext, services: StartedServices, alerting: AlertingUrls | undefined, investigatorUrl: string | undefined): Promise<void> {
  const { opts, report } = ctx;
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
  report.ready('controllers', { controllers: manager.url }, [`controllers: ${manager.controllers.map((c) => CONTROLLER_TITLES[c] ?? c).join(', ')} (metrics ${manager.url}/metrics)`]);
}

/**
 * The console, readable without signing in (unless --require-auth): the embedded cluster is the
 * user's own. Deciding needs a user: the local one signs in with a token made here (the link `up`
 * prints and endpoints.json keeps), anyone else with a token the cluster's TokenReview accepts.
 */
async function startConsole(ctx: StartContext, dataStorageUrl: string | undefined, prometheusUrl: string | undefined): Promise<void> {
  const { opts, report } = ctx;
  if (!runsConsole(opts)) return;
  const [{ startConsole }, { randomBytes }, { userInfo }] = await Promise.all([import('../console/server/console-server.ts'), import('node:crypto'), import('node:os')]);
  const signInToken = randomBytes(32).toString('hex');
  let username = 'kubernaut-user';
  try {
    username = userInfo().username || username;
  } catch {
    // no passwd entry for this uid (some containers): the generic name
  }
  const token = ctx.stackToken;
  const running = await startConsole({
    kubeconfig: await ctx.clientConfig(),
    host: opts.host,
    port: opts.consolePort,
    dataStorageUrl,
    dataStorageToken: token ? () => token : undefined,
    alertingUrl: prometheusUrl,
    alertingToken: token ? () => token : undefined,
    alertsPageUrl: prometheusUrl ? `${prometheusUrl}/alerts` : undefined,
    auth: {
      mode: 'tokenreview',
      staticTokens: new Map([[signInToken, { username, groups: ['system:authenticated'] }]]),
      anonymousRead: !opts.requireAuth,
      secureCookies: false,
    },
  });
  ctx.closers.push(() => running.close());
  const signIn = `${running.url}/sign-in#token=${signInToken}`;
  report.ready('console', { console: running.url, consoleSignIn: signIn }, [`console: ${running.url}${opts.requireAuth ? '' : ' (read-only without signing in)'}`, `  sign in to approve: ${signIn}`]);
}

interface AlertingUrls {
  prometheusUrl?: string;
  alertmanagerUrl?: string;
}

/** Resolves to the Prometheus and Alertmanager API URLs the investigator and the EffectivenessMonitor query, when alerting runs. */
async function startAlerting(ctx: StartContext, controlPlane: ControlPlaneInfo, gatewayUrl: string | undefined): Promise<AlertingUrls | undefined> {
  const { opts, report } = ctx;
  if (opts.prometheus === 'none') return undefined;
  const { startAlerting } = await import('../stack/alerting.ts');
  const targets = [
    // A stable `instance`: the embedded kube-state-metrics gets a new port on every start, and an
    // alert's identity (its labels) must survive a restart for its `for` state to be restored.
    ...(controlPlane.kubeStateMetricsUrl ? [{ jobName: 'kube-state-metrics', url: controlPlane.kubeStateMetricsUrl, labels: { instance: 'kube-state-metrics' } }] : []),
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
  const lines = [`alerts: ${alerting.prometheusUrl}/alerts (Prometheus API ${alerting.prometheusUrl}/api/v1)`];
  if (alerting.alertmanagerUrl && alerting.alertmanagerUrl !== alerting.prometheusUrl) lines.push(`alertmanager: ${alerting.alertmanagerUrl}`);
  report.ready('alerting', { prometheus: alerting.prometheusUrl, alertmanager: alerting.alertmanagerUrl }, lines);
  return { prometheusUrl: alerting.prometheusUrl, alertmanagerUrl: alerting.alertmanagerUrl };
}
