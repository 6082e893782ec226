/**
 * The alerting part of `kubernaut up`: serves the PrometheusRule CRD, then either runs the embedded
 * Prometheus + Alertmanager (default), or writes configs for and starts the real ones
 * (`--prometheus external`), or nothing (`--prometheus none`). Either way alerts are routed to the
 * Gateway unless an Alertmanager config file says otherwise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { ensurePrometheusRuleCrd } from '../api/install.ts';
import { defaultGatewayRouting, parseAlertmanagerYaml } from '../alerting/dispatch/alertmanager-yaml.ts';
import type { DispatcherConfig } from '../alerting/dispatch/index.ts';
import { startEmbeddedAlerting } from '../alerting/embedded/embedded-alerting.ts';
import { startExternalAlerting } from '../alerting/external/index.ts';
import { probePort } from '../alerting/external/ports.ts';
import type { Clock } from '../platform/clock.ts';
import type { HttpAuth } from '../platform/http/auth.ts';
import { componentLogger } from '../platform/log.ts';
import { DEFAULT_ALERTMANAGER_PORT, DEFAULT_PROMETHEUS_PORT, type AlertingMode } from './alerting-modes.ts';

export { ALERTING_MODES, DEFAULT_ALERTMANAGER_PORT, DEFAULT_PROMETHEUS_PORT, type AlertingMode } from './alerting-modes.ts';

export interface AlertingOptions {
  mode: AlertingMode;
  kubeconfig: KubeConfig;
  clock: Clock;
  host: string;
  /** Required for external mode (configs, TSDB); the embedded mode keeps alert `for` state there (else memory only). */
  dataDir?: string;
  prometheusPort: number;
  alertmanagerPort: number;
  /** Scrape targets: the embedded kube-state-metrics plus any `--scrape-target`. */
  targets: Array<{ jobName: string; url: string; labels?: Record<string, string> }>;
  scrapeIntervalMs: number;
  evaluationIntervalMs: number;
  /** The Gateway's base URL, the default webhook receiver. */
  gatewayUrl?: string;
  /** An Alertmanager configuration file that replaces the default routing to the Gateway. */
  alertmanagerConfigFile?: string;
  binaries?: { prometheus?: string; alertmanager?: string };
  /** Sent as the bearer token with alerts to the Gateway (the default routing only). */
  gatewayToken?: string;
  /** Bearer tokens and the right to read the embedded Prometheus API (`get` on `alerts.kubernaut.ai`). */
  auth?: HttpAuth;
}

export interface RunningAlerting {
  prometheusUrl?: string;
  alertmanagerUrl?: string;
  close(): Promise<void>;
}

/** The routing to use: the given Alertmanager file, else everything to the Gateway; none without either. */
export function resolveRouting(opts: Pick<AlertingOptions, 'alertmanagerConfigFile' | 'gatewayUrl' | 'gatewayToken'>): DispatcherConfig | undefined {
  if (opts.alertmanagerConfigFile) {
    let text: string;
    try {
      text = readFileSync(opts.alertmanagerConfigFile, 'utf8');
    } catch (e) {
      throw new Error(`cannot read Alertmanager config ${opts.alertmanagerConfigFile}: ${(e as Error).message}`, { cause: e });
    }
    return parseAlertmanagerYaml(text);
  }
  return opts.gatewayUrl ? defaultGatewayRouting(opts.gatewayUrl, opts.gatewayToken) : undefined;
}

export async function startAlerting(opts: AlertingOptions): Promise<RunningAlerting> {
  const log = componentLogger('alerting');
  if (opts.mode === 'none') return { close: async () => {} };
  // Fail on a bad config file before anything starts.
  const routing = resolveRouting(opts);
  if (!routing) log.warn('no Gateway and no --alertmanager-config: alerts are evaluated and shown but not sent anywhere');
  await ensurePrometheusRuleCrd(opts.kubeconfig, { clock: opts.clock });

  if (opts.mode === 'embedded') {
    const embedded = await startEmbeddedAlerting({
      kubeconfig: opts.kubeconfig,
      clock: opts.clock,
      host: opts.host,
      port: opts.prometheusPort,
      portFallback: opts.prometheusPort === DEFAULT_PROMETHEUS_PORT,
      targets: opts.targets,
      scrapeIntervalMs: opts.scrapeIntervalMs,
      evaluationIntervalMs: opts.evaluationIntervalMs,
      routing,
      stateDir: opts.dataDir ? join(opts.dataDir, 'alerting') : undefined,
      auth: opts.auth,
    });
    // The embedded API serves Alertmanager's /api/v2/alerts too.
    return { prometheusUrl: embedded.url, alertmanagerUrl: embedded.url, close: () => embedded.close() };
  }

  if (!opts.dataDir) throw new Error('--prometheus external needs a data dir for the Prometheus and Alertmanager configs (not --ephemeral)');
  if (!routing) throw new Error('--prometheus external needs the Gateway or --alertmanager-config to route alerts to');
  const external = await startExternalAlerting({
    kubeconfig: opts.kubeconfig,
    clock: opts.clock,
    dataDir: opts.dataDir,
    host: opts.host,
    prometheusPort: await portOrAny(opts.host, opts.prometheusPort, DEFAULT_PROMETHEUS_PORT),
    alertmanagerPort: await portOrAny(opts.host, opts.alertmanagerPort, DEFAULT_ALERTMANAGER_PORT),
    targets: opts.targets,
    scrapeIntervalMs: opts.scrapeIntervalMs,
    evaluationIntervalMs: opts.evaluationIntervalMs,
    routing,
    binaries: opts.binaries,
  });
  if (!external.started.prometheus || !external.started.alertmanager) {
    log.warn({ configDir: external.configDir }, 'Prometheus/Alertmanager binaries not found: configs written, start them by hand');
  }
  return { prometheusUrl: external.prometheusUrl, alertmanagerUrl: external.alertmanagerUrl, close: () => external.close() };
}

/**
 * The port to give a child process: the requested one, except that a default port already taken
 * (another stack, a real Prometheus) becomes 0 (any free port) instead of a failed start.
 */
async function portOrAny(host: string, port: number, defaultPort: number): Promise<number> {
  if (port !== defaultPort) return port;
  const free = (await probePort(host, port)) !== undefined;
  if (!free) componentLogger('alerting').warn({ port }, 'default port taken; using a free port');
  return free ? port : 0;
}
