/**
 * Runs Kubernaut's remediation controllers in one process, as a controller-runtime manager does:
 * each controller only while it holds its own Lease (so two replicas never both act, and a process
 * may run any subset: `--only sp` here, `--only ro` there), with their metrics, health and leadership
 * on one small HTTP endpoint. Used by `kubernaut controllers` and by `kubernaut up`.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import type { AuditSink } from '../datastorage/client/audit-client.ts';
import type { Clock } from '../platform/clock.ts';
import { createHttpApp } from '../platform/http/app.ts';
import { componentLogger, type Logger } from '../platform/log.ts';
import { LeaderElector } from '../kube/leader-election.ts';

import type { ControllerName } from './controller-names.ts';

export { CONTROLLER_NAMES, type ControllerName } from './controller-names.ts';

/** What every controller gets from the manager. */
export interface ControllerContext {
  kubeconfig: KubeConfig;
  clock: Clock;
  audit: AuditSink;
  /** Where the controller's metrics go; shared by every controller and leadership term of the process, so metrics are get-or-create. */
  registry: Registry;
  log: Logger;
  /** The controller namespace: policy ConfigMaps, Leases, RRs of cluster-scoped targets. */
  namespace: string;
  /** DataStorage base URL (remediation history), when there is one. */
  dataStorageUrl?: string;
  dataStorageToken?: () => string | undefined;
  /** The investigator's base URL (the AIAnalysis controller runs only with one). */
  investigatorUrl?: string;
  investigatorToken?: () => string | undefined;
  /** Where workflow Jobs run (default kubernaut-workflows). */
  workflowNamespace?: string;
  /** Every WorkflowExecution is a dry run: nothing runs, what would have run is audited. */
  dryRun?: boolean;
  /** Prometheus HTTP API and Alertmanager API the EffectivenessMonitor reads (the embedded alerting serves both). */
  prometheusUrl?: string;
  alertmanagerUrl?: string;
  /** Bearer token for them, when they require one. */
  alertingToken?: () => string | undefined;
}

export interface RunningController {
  stop(): Promise<void>;
}

export type ControllerStarter = (ctx: ControllerContext) => Promise<RunningController>;

/** Each controller's module loads only when it runs. */
const STARTERS: Record<ControllerName, ControllerStarter> = {
  sp: async (ctx) => {
    const { startSignalProcessingController } = await import('./signalprocessing/controller.ts');
    return startSignalProcessingController({ kubeconfig: ctx.kubeconfig, clock: ctx.clock, audit: ctx.audit, policyNamespace: ctx.namespace, registry: ctx.registry, log: ctx.log });
  },
  ro: async (ctx) => {
    const { startOrchestrator } = await import('./orchestrator/controller.ts');
    const { RemediationHistoryClient } = await import('../datastorage/client/history-client.ts');
    const history = ctx.dataStorageUrl ? new RemediationHistoryClient({ baseUrl: ctx.dataStorageUrl, bearerToken: ctx.dataStorageToken }) : undefined;
    return startOrchestrator({ kubeconfig: ctx.kubeconfig, clock: ctx.clock, audit: ctx.audit, history, namespace: ctx.namespace, registry: ctx.registry, log: ctx.log });
  },
  aa: async (ctx) => {
    const { startAIAnalysisController } = await import('./aianalysis/controller.ts');
    return startAIAnalysisController({
      kubeconfig: ctx.kubeconfig,
      clock: ctx.clock,
      audit: ctx.audit,
      investigatorUrl: ctx.investigatorUrl,
      investigatorToken: ctx.investigatorToken,
      policyNamespace: ctx.namespace,
      registry: ctx.registry,
      log: ctx.log,
    });
  },
  we: async (ctx) => {
    const { startWorkflowExecutionController } = await import('./workflowexecution/controller.ts');
    return startWorkflowExecutionController({
      kubeconfig: ctx.kubeconfig,
      clock: ctx.clock,
      audit: ctx.audit,
      workflowNamespace: ctx.workflowNamespace,
      dataStorageUrl: ctx.dataStorageUrl,
      dataStorageToken: ctx.dataStorageToken,
      dryRun: ctx.dryRun,
      registry: ctx.registry,
      log: ctx.log,
    });
  },
  ea: async (ctx) => {
    const { startEffectivenessController } = await import('./effectiveness/controller.ts');
    return startEffectivenessController({
      kubeconfig: ctx.kubeconfig,
      clock: ctx.clock,
      audit: ctx.audit,
      prometheusUrl: ctx.prometheusUrl,
      alertmanagerUrl: ctx.alertmanagerUrl,
      sourceToken: ctx.alertingToken,
      registry: ctx.registry,
      log: ctx.log,
    });
  },
  nr: async (ctx) => {
    const { startNotificationController } = await import('./notification/controller.ts');
    return startNotificationController({ kubeconfig: ctx.kubeconfig, clock: ctx.clock, audit: ctx.audit, routingNamespace: ctx.namespace, registry: ctx.registry, log: ctx.log });
  },
};

const LONG_NAMES: Record<ControllerName, string> = { sp: 'signalprocessing', ro: 'orchestrator', aa: 'aianalysis', we: 'workflowexecution', ea: 'effectiveness', nr: 'notification' };

export interface ControllerManagerOptions {
  kubeconfig: KubeConfig;
  clock: Clock;
  audit: AuditSink;
  controllers: readonly ControllerName[];
  namespace: string;
  dataStorageUrl?: string;
  dataStorageToken?: () => string | undefined;
  /** The investigator's base URL; without it `aa` is not started (alone, it is an error). */
  investigatorUrl?: string;
  investigatorToken?: () => string | undefined;
  workflowNamespace?: string;
  dryRun?: boolean;
  prometheusUrl?: string;
  alertmanagerUrl?: string;
  alertingToken?: () => string | undefined;
  /** Leader election on Leases in `namespace` (default true); off only for a single instance by design. */
  leaderElection?: boolean;
  /** Holder identity in the Leases (default host-pid-random). */
  identity?: string;
  host?: string;
  /** Metrics/health port (0 = a free port); undefined = no HTTP endpoint. */
  port?: number;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Where the controllers' metrics go (default: a registry of their own, served on `port`). */
  registry?: Registry;
  /** Replaces the built-in controllers (tests). */
  starters?: Partial<Record<ControllerName, ControllerStarter>>;
}

export interface ControllerManager {
  /** The metrics/health endpoint, if one was asked for. */
  url?: string;
  identity: string;
  /** The controllers this process currently leads. */
  leading(): ControllerName[];
  close(): Promise<void>;
}

/** One controller under its Lease: started when leadership is won, stopped when it is lost, campaigning again after. */
class LeadingController {
  private current?: RunningController;
  private elector?: LeaderElector;
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(
    private readonly name: ControllerName,
    private readonly start: ControllerStarter,
    private readonly opts: ControllerManagerOptions,
    private readonly identity: string,
    private readonly base: Omit<ControllerContext, 'log'>,
  ) {
    this.done = this.campaign().catch((err: unknown) => componentLogger(LONG_NAMES[name]).error({ err: (err as Error).message }, 'controller stopped for good'));
  }

  isLeading(): boolean {
    return this.current !== undefined;
  }

  private async campaign(): Promise<void> {
    const log = componentLogger(LONG_NAMES[this.name]);
    if (this.opts.leaderElection === false) {
      this.current = await this.startTerm(log);
      if (this.stopped) await this.stopTerm();
      return;
    }
    const { clock } = this.opts;
    // A Lease guards against API-server and network latency, which --time-scale does not shrink:
    // the defaults (15 s / 10 s / 2 s) are scaled like every wait, but never below a few real seconds.
    const atLeastReal = (nominal: number, realMs: number) => Math.max(nominal, clock.nominal(realMs));
    while (!this.stopped) {
      this.elector = new LeaderElector(this.opts.kubeconfig, clock, {
        namespace: this.opts.namespace,
        name: `kubernaut-${LONG_NAMES[this.name]}-leader`,
        identity: this.identity,
        leaseDurationMs: this.opts.leaseDurationMs ?? atLeastReal(15_000, 4_000),
        renewDeadlineMs: this.opts.renewDeadlineMs ?? atLeastReal(10_000, 3_000),
        retryPeriodMs: this.opts.retryPeriodMs ?? atLeastReal(2_000, 500),
      });
      // run() resolves once leadership is won (or the candidacy ends); the term lasts until `lost` aborts.
      let term: Promise<void> | undefined;
      try {
        await this.elector.run((lost) => {
          term = this.lead(lost, log);
        });
      } catch (err) {
        // The API server cannot be reached (yet): a controller process waits for it, it does not exit.
        log.warn({ err: (err as Error).message }, 'cannot campaign for leadership; retrying');
        await clock.sleep(atLeastReal(2_000, 1_000)).catch(() => undefined);
        continue;
      }
      await term;
    }
  }

  private async lead(lost: AbortSignal, log: Logger): Promise<void> {
    if (this.stopped) return;
    log.info({ identity: this.identity }, 'leading');
    try {
      this.current = await this.startTerm(log);
    } catch (err) {
      // A controller that cannot start gives the Lease up, so another replica (or a later attempt here) takes over.
      log.error({ err: (err as Error).message }, 'controller failed to start');
      await this.elector?.release().catch(() => undefined);
      await this.opts.clock.sleep(5_000).catch(() => undefined);
      return;
    }
    // close() came while the controller was starting: it must not keep running behind the close.
    if (this.stopped) return this.stopTerm();
    await new Promise<void>((resolve) => (lost.aborted ? resolve() : lost.addEventListener('abort', () => resolve(), { once: true })));
    if (!this.stopped) log.warn({ identity: this.identity }, 'leadership lost: stopping until it is won again');
    await this.stopTerm();
  }

  private startTerm(log: Logger): Promise<RunningController> {
    return this.start({ ...this.base, log });
  }

  private async stopTerm(): Promise<void> {
    const c = this.current;
    this.current = undefined;
    await c?.stop();
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.stopTerm();
    if (this.opts.leaderElection === false) await this.done.catch(() => undefined);
    // Give the Lease up at once so a successor need not wait for it to expire.
    await this.elector?.release().catch(() => undefined);
    await Promise.race([this.done, this.opts.clock.sleep(5_000)]).catch(() => undefined);
  }
}

/**
 * The controllers this process can run: AIAnalysis needs an investigator to talk to. Without one
 * it is left out (and logged) beside others; asked for alone, that is an error.
 */
export function controllersToRun(opts: Pick<ControllerManagerOptions, 'controllers' | 'investigatorUrl' | 'starters'>): ControllerName[] {
  const wanted = [...new Set(opts.controllers)];
  if (!wanted.includes('aa') || opts.investigatorUrl || opts.starters?.aa) return wanted;
  const others = wanted.filter((n) => n !== 'aa');
  if (others.length === 0) throw new Error('the AIAnalysis controller (aa) needs the investigator\'s URL (--investigator-url)');
  componentLogger(LONG_NAMES.aa).warn({ controllers: others }, 'no investigator URL: the AIAnalysis controller is not started');
  return others;
}

export async function startControllerManager(opts: ControllerManagerOptions): Promise<ControllerManager> {
  const identity = opts.identity ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const registry = opts.registry ?? new Registry();
  const selected = controllersToRun(opts);
  const base = {
    kubeconfig: opts.kubeconfig,
    clock: opts.clock,
    audit: opts.audit,
    namespace: opts.namespace,
    dataStorageUrl: opts.dataStorageUrl,
    dataStorageToken: opts.dataStorageToken,
    investigatorUrl: opts.investigatorUrl,
    investigatorToken: opts.investigatorToken,
    workflowNamespace: opts.workflowNamespace,
    dryRun: opts.dryRun,
    prometheusUrl: opts.prometheusUrl,
    alertmanagerUrl: opts.alertmanagerUrl,
    alertingToken: opts.alertingToken,
    registry,
  };
  const controllers = new Map<ControllerName, LeadingController>();

  let url: string | undefined;
  let closeHttp = async () => undefined as void;
  if (opts.port !== undefined) {
    const { app } = createHttpApp({ name: 'controllers', extraMetrics: () => [registry] });
    app.get('/leadership', async () => ({ identity, leading: [...controllers].filter(([, c]) => c.isLeading()).map(([n]) => n) }));
    url = await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port });
    closeHttp = () => app.close();
  }

  for (const name of selected) {
    const start = opts.starters?.[name] ?? STARTERS[name];
    controllers.set(name, new LeadingController(name, start, opts, identity, base));
  }
  return {
    url,
    identity,
    leading: () => [...controllers].filter(([, c]) => c.isLeading()).map(([n]) => n),
    async close() {
      await Promise.all([...controllers.values()].map((c) => c.close()));
      await closeHttp();
    },
  };
}
