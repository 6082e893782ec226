/**
 * `kubernaut up --prometheus external`: the real Prometheus and Alertmanager, as child processes on
 * this machine, fed by the cluster's PrometheusRule objects.
 *
 * Layout under `dataDir`: prometheus/{prometheus.yml, rules/, data/} and
 * alertmanager/{alertmanager.yml, data/}. Configs are written even when a binary is missing, with
 * the command line to start it by hand in the log.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../platform/clock.ts';
import { componentLogger } from '../../platform/log.ts';
import type { DispatcherConfig } from '../dispatch/config.ts';
import { renderAlertmanagerYaml } from '../dispatch/alertmanager-yaml.ts';
import { watchPrometheusRules, type PrometheusRuleObject, type PrometheusRuleSource } from '../k8s/prometheus-rule-source.ts';
import { resolveBinaries } from './binaries.ts';
import { scaledDuration } from '../prometheus-duration.ts';
import { ManagedProcess } from './managed-process.ts';
import { choosePort } from './ports.ts';
import { renderPrometheusConfig } from './prometheus-config.ts';
import { PrometheusReloader } from './reloader.ts';
import { RuleFiles } from './rule-files.ts';
import { FOR_GRACE_PERIOD_MS, RESEND_DELAY_MS } from '../rules/prometheus-defaults.ts';

export interface ExternalAlertingOptions {
  kubeconfig: KubeConfig;
  clock: Clock;
  /** configs and TSDB under <dataDir>/prometheus, <dataDir>/alertmanager */
  dataDir: string;
  host: string;
  /** 0 = any free port; a port in use is an error */
  prometheusPort: number;
  alertmanagerPort: number;
  targets: Array<{ jobName: string; url: string; labels?: Record<string, string> }>;
  /** nominal */
  scrapeIntervalMs: number;
  evaluationIntervalMs: number;
  routing: DispatcherConfig;
  /** default: `prometheus`, and `prometheus-alertmanager` then `alertmanager`, on PATH */
  binaries?: { prometheus?: string; alertmanager?: string };
}

export interface ExternalAlerting {
  /** Set when Prometheus was started. */
  prometheusUrl?: string;
  /** Set when Alertmanager was started. */
  alertmanagerUrl?: string;
  /** Holds prometheus/ and alertmanager/ (the data dir). */
  configDir: string;
  started: { prometheus: boolean; alertmanager: boolean };
  close(): Promise<void>;
}

/** How long startup waits for the first PrometheusRule list before starting Prometheus anyway. */
const RULES_SYNC_TIMEOUT_MS = 30_000;


function hostPort(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}

function listenAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export async function startExternalAlerting(opts: ExternalAlertingOptions): Promise<ExternalAlerting> {
  const log = componentLogger('external-alerting');
  const timeScale = opts.clock.timeScale;
  const promDir = join(opts.dataDir, 'prometheus');
  const amDir = join(opts.dataDir, 'alertmanager');
  const rulesDir = join(promDir, 'rules');
  await mkdir(join(promDir, 'data'), { recursive: true });
  await mkdir(join(amDir, 'data'), { recursive: true });

  const bins = resolveBinaries(opts.binaries);
  const amPort = await choosePort(opts.host, opts.alertmanagerPort, 'Alertmanager');
  let promPort = await choosePort(opts.host, opts.prometheusPort, 'Prometheus');
  // Two "any free port" answers can coincide, as neither is bound yet.
  while (opts.prometheusPort === 0 && promPort === amPort) promPort = await choosePort(opts.host, 0, 'Prometheus');
  const amUrl = `http://${hostPort(opts.host, amPort)}`;
  const promUrl = `http://${hostPort(opts.host, promPort)}`;

  const amConfigFile = join(amDir, 'alertmanager.yml');
  const promConfigFile = join(promDir, 'prometheus.yml');
  // The receivers may carry bearer tokens.
  await writeFile(amConfigFile, renderAlertmanagerYaml(opts.routing, { timeScale }), { mode: 0o600 });
  await writeFile(
    promConfigFile,
    renderPrometheusConfig({
      targets: opts.targets,
      scrapeIntervalMs: opts.scrapeIntervalMs,
      evaluationIntervalMs: opts.evaluationIntervalMs,
      timeScale,
      rulesDir,
      alertmanager: hostPort(opts.host, amPort),
    }),
  );

  const amArgs = [
    `--config.file=${amConfigFile}`,
    `--storage.path=${join(amDir, 'data')}`,
    `--web.listen-address=${listenAddress(opts.host, amPort)}`,
    `--web.external-url=${amUrl}/`,
    // A single instance: no gossip port to bind or peers to wait for.
    '--cluster.listen-address=',
  ];
  const promArgs = [
    `--config.file=${promConfigFile}`,
    `--storage.tsdb.path=${join(promDir, 'data')}`,
    `--web.listen-address=${listenAddress(opts.host, promPort)}`,
    `--web.external-url=${promUrl}/`,
    // POST /-/reload after every PrometheusRule change.
    '--web.enable-lifecycle',
    `--rules.alert.resend-delay=${scaledDuration(RESEND_DELAY_MS, timeScale)}`,
    `--rules.alert.for-grace-period=${scaledDuration(FOR_GRACE_PERIOD_MS, timeScale)}`,
  ];

  // Rule files follow the cluster's PrometheusRules; changes are applied one at a time.
  const rules = new RuleFiles({ dir: rulesDir, timeScale, promtool: bins.promtool, log });
  await rules.reset();
  if (!bins.promtool) log.warn('promtool not found: PrometheusRules are written without checking, and one bad rule can stop Prometheus from reloading');
  const reloader = new PrometheusReloader(promUrl, log);
  let chain: Promise<void> = Promise.resolve();
  const enqueue = (what: string, obj: PrometheusRuleObject, work: () => Promise<boolean>) => {
    chain = chain
      .then(async () => {
        if (await work()) reloader.request();
      })
      .catch((e) => log.error({ err: (e as Error).message, prometheusRule: `${obj.metadata.namespace}/${obj.metadata.name}` }, `PrometheusRule ${what} failed`));
  };
  const source: PrometheusRuleSource = watchPrometheusRules(opts.kubeconfig, {
    upsert: (obj) =>
      enqueue('update', obj, async () => {
        const outcome = await rules.upsert(obj);
        return outcome.status === 'written' || (outcome.status === 'rejected' && outcome.removedPrevious);
      }),
    remove: (obj) => enqueue('removal', obj, () => rules.remove(obj)),
  });
  let syncTimer: ReturnType<typeof setTimeout> | undefined;
  const synced = await Promise.race([
    source.synced.then(() => true),
    new Promise<false>((resolve) => (syncTimer = setTimeout(() => resolve(false), RULES_SYNC_TIMEOUT_MS))),
  ]);
  clearTimeout(syncTimer);
  if (!synced) log.warn({ timeoutMs: RULES_SYNC_TIMEOUT_MS }, 'PrometheusRules not listed yet; starting Prometheus without them (they are added when the watch catches up)');
  await chain;

  const processes: ManagedProcess[] = [];
  const stopAll = async () => {
    reloader.disable();
    await source.stop();
    await chain;
    await reloader.idle();
    await Promise.all(processes.map((p) => p.stop()));
  };

  const launches: Array<Promise<void>> = [];
  if (bins.alertmanager) {
    const am = bins.alertmanager;
    launches.push(ManagedProcess.start({ name: 'alertmanager', binary: am, args: amArgs, url: amUrl, log }).then((p) => void processes.push(p)));
  } else {
    log.warn({ configFile: amConfigFile, command: `alertmanager ${amArgs.join(' ')}` }, 'Alertmanager not found (apt install prometheus-alertmanager, or --alertmanager-bin); start it by hand with this command');
  }
  if (bins.prometheus) {
    const prom = bins.prometheus;
    launches.push(ManagedProcess.start({ name: 'prometheus', binary: prom, args: promArgs, url: promUrl, log }).then((p) => void processes.push(p)));
  } else {
    log.warn({ configFile: promConfigFile, command: `prometheus ${promArgs.join(' ')}` }, 'Prometheus not found (apt install prometheus, or --prometheus-bin); start it by hand with this command');
  }
  const results = await Promise.allSettled(launches);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    await stopAll();
    throw new Error(failures.map((f) => (f.reason as Error).message).join('\n'));
  }
  if (bins.prometheus) reloader.enable();

  let closed: Promise<void> | undefined;
  return {
    ...(bins.prometheus ? { prometheusUrl: promUrl } : {}),
    ...(bins.alertmanager ? { alertmanagerUrl: amUrl } : {}),
    configDir: opts.dataDir,
    started: { prometheus: Boolean(bins.prometheus), alertmanager: Boolean(bins.alertmanager) },
    close: () => (closed ??= stopAll()),
  };
}
