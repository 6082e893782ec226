/**
 * The embedded Prometheus + Alertmanager of `kubernaut up`: scrapes the configured /metrics targets
 * into an in-memory TSDB, evaluates every PrometheusRule of the cluster, dispatches alerts to the
 * configured webhook receivers (the Gateway), and serves the Prometheus-compatible API and the
 * /alerts page. Every wait (scrape and evaluation intervals, `for`, group_wait ...) is nominal and
 * goes through the Clock, so `--time-scale` shrinks them; sample and alert timestamps stay real.
 */
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../platform/clock.ts';
import { componentLogger } from '../../platform/log.ts';
import { startAlertingApi } from '../api/index.ts';
import { Dispatcher, parseDispatcherConfig, type DispatcherConfigInput } from '../dispatch/index.ts';
import { problemEvent } from '../rules/index.ts';
import { MemorySeriesStore, Scraper } from '../tsdb/index.ts';
import { watchPrometheusRules, type PrometheusRuleObject, type PrometheusRuleSource } from '../k8s/prometheus-rule-source.ts';
import { RuleEventRecorder } from '../k8s/rule-events.ts';
import { RuleManager } from './rule-manager.ts';
import { AlertStateFile } from './alert-state.ts';
import type { HttpAuth } from '../../platform/http/auth.ts';

export interface EmbeddedAlertingOptions {
  kubeconfig: KubeConfig;
  clock: Clock;
  host: string;
  /** Port of the Prometheus API and /alerts page; 0 = any free port. */
  port: number;
  /** When `port` is taken, listen on any free port instead of failing. */
  portFallback?: boolean;
  targets: Array<{ jobName: string; url: string; labels?: Record<string, string> }>;
  /** nominal */
  scrapeIntervalMs: number;
  /** nominal; groups without their own `interval` */
  evaluationIntervalMs: number;
  /** Where alerts go (Alertmanager-like routing); absent: evaluated and shown, not sent. */
  routing?: DispatcherConfigInput;
  /** How much sample history to keep (real ms of sample time). Default 2 h. */
  retentionMs?: number;
  /** Where alert `for` state is kept across restarts; absent: memory only. */
  stateDir?: string;
  /** Bearer tokens and the right to read the API (`get` on `alerts.kubernaut.ai`); absent: open. */
  auth?: HttpAuth;
}

export interface EmbeddedAlerting {
  url: string;
  store: MemorySeriesStore;
  scraper: Scraper;
  rules: RuleManager;
  dispatcher?: Dispatcher;
  /** Resolves once the PrometheusRules present at start have been loaded. */
  synced: Promise<void>;
  close(): Promise<void>;
}

const MAX_SCRAPE_TIMEOUT_MS = 10_000;

export async function startEmbeddedAlerting(opts: EmbeddedAlertingOptions): Promise<EmbeddedAlerting> {
  const log = componentLogger('alerting');
  const { clock } = opts;
  const store = new MemorySeriesStore({ retentionMs: opts.retentionMs ?? 2 * 3_600_000 });
  const scraper = new Scraper({
    store,
    clock,
    targets: opts.targets.map((t) => ({
      jobName: t.jobName,
      url: t.url,
      labels: t.labels,
      intervalMs: opts.scrapeIntervalMs,
      timeoutMs: Math.min(opts.scrapeIntervalMs, MAX_SCRAPE_TIMEOUT_MS),
    })),
  });
  const dispatcher = opts.routing && new Dispatcher({
    clock,
    config: parseDispatcherConfig(opts.routing),
    onNotify: (e) =>
      log.info(
        { groupKey: e.groupKey, receiver: e.receiver, status: e.payload.status, alerts: e.payload.alerts.length, ok: e.result.ok },
        e.result.ok ? 'alert notification sent' : 'alert notification failed',
      ),
    log: (msg, fields) => log.debug(fields ?? {}, msg),
  });

  // The API needs the rule manager and vice versa (generatorURL); bind the URL once listening.
  let externalURL = '';
  const rules = new RuleManager({
    clock,
    store,
    evaluationIntervalMs: opts.evaluationIntervalMs,
    stateFile: opts.stateDir ? new AlertStateFile(join(opts.stateDir, 'alert-state.json'), clock) : undefined,
    get externalURL() {
      return externalURL;
    },
    onAlerts: (alerts) => {
      try {
        dispatcher?.ingest(alerts);
      } catch (e) {
        log.error({ err: (e as Error).message }, 'dispatcher refused alerts');
      }
    },
  });
  const api = await listen(opts, {
    clock,
    storage: store,
    ruleGroups: () => rules.groups(),
    ruleProblems: () => rules.problems(),
    targets: () => scraper.targets(),
    dispatcher,
    get externalURL() {
      return externalURL;
    },
  }).catch(async (e: unknown) => {
    await rules.stop();
    throw e;
  });
  externalURL = api.url;

  const events = new RuleEventRecorder(opts.kubeconfig);
  const onUpsert = (obj: PrometheusRuleObject) => {
    const result = rules.apply(obj);
    if (result) void events.record(obj, problemEvent(result));
  };
  let source: PrometheusRuleSource | undefined;
  try {
    scraper.start();
    source = watchPrometheusRules(opts.kubeconfig, { upsert: onUpsert, remove: (obj) => rules.remove(obj.metadata) });
  } catch (e) {
    await scraper.stop();
    await rules.stop();
    await api.close();
    throw e;
  }
  log.info({ url: api.url, targets: opts.targets.map((t) => t.url) }, 'embedded alerting started');
  void source.synced.then(() => rules.initialRulesLoaded());

  return {
    url: api.url,
    store,
    scraper,
    rules,
    dispatcher,
    synced: source.synced,
    async close() {
      await source?.stop();
      await rules.stop();
      await scraper.stop();
      await dispatcher?.stop();
      await api.close();
    },
  };
}

type Backend = Parameters<typeof startAlertingApi>[0]['backend'];

/** Listens on the preferred port, or on any free one when it is taken and fallback is allowed. */
async function listen(opts: EmbeddedAlertingOptions, backend: Backend): Promise<{ url: string; close(): Promise<void> }> {
  try {
    return await startAlertingApi({ backend, host: opts.host, port: opts.port, auth: opts.auth });
  } catch (e) {
    if (!(opts.portFallback && (e as NodeJS.ErrnoException).code === 'EADDRINUSE')) throw e;
    componentLogger('alerting').warn({ port: opts.port }, 'port taken; serving the Prometheus API on a free port instead');
    return startAlertingApi({ backend, host: opts.host, port: 0, auth: opts.auth });
  }
}
