/**
 * `kubernaut up`: starts the embedded stack in one process, writes `kubeconfig` and
 * `endpoints.json` into the data dir, and shuts down cleanly on SIGINT/SIGTERM.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ScaledClock } from '../platform/clock.ts';
import { componentLogger } from '../platform/log.ts';
import { EmbeddedCluster } from '../cluster/embedded-cluster.ts';
import { parseTokenFile } from '../cluster/apiserver/auth.ts';
import { DEFAULT_CONTROL_PLANE, type KubeletTimings } from '../cluster/control-plane/context.ts';
import { PooledKubeConfig } from '../platform/kube/pooled-kubeconfig.ts';
import { startServices } from '../stack/kubernaut-services.ts';
import { startAlerting, type AlertingMode } from '../stack/alerting.ts';

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
  tls?: boolean;
  nodes: number;
  kubeletDelays?: Partial<KubeletTimings>;
  kubeStateMetricsPort: number;
  controlPlane: boolean;
  gateway: boolean;
  gatewayPort: number;
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

export function resolveDataDir(flag: string | undefined): string {
  return resolve(flag ?? process.env.KUBERNAUT_HOME ?? '.kubernaut');
}

export async function runUp(opts: UpOptions): Promise<void> {
  const log = componentLogger('up');
  const dataDir = resolveDataDir(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const clock = new ScaledClock(opts.timeScale);
  const cluster = await EmbeddedCluster.start({
    clock,
    dataDir: opts.ephemeral ? undefined : dataDir,
    host: opts.host,
    port: opts.port,
    tokenFile: opts.tokenFile,
    requireAuth: opts.requireAuth,
    rbac: opts.rbac,
    watchCacheSize: opts.watchCacheSize,
    tls: opts.tls,
    kubeconfigToken: adminToken(opts.tokenFile),
    controlPlane: opts.controlPlane
      ? { nodes: nodeNames(opts.nodes).map((name) => ({ name })), kubelet: { ...DEFAULT_CONTROL_PLANE.kubelet, ...opts.kubeletDelays } }
      : false,
    kubeStateMetrics: { port: opts.kubeStateMetricsPort },
  });
  const kc = new PooledKubeConfig();
  kc.loadFromString(cluster.kubeconfig());
  const services = await startServices({
    clock,
    kubeconfig: kc,
    host: opts.host,
    dataDir: opts.ephemeral ? undefined : dataDir,
    databaseUrl: opts.databaseUrl,
    dataStorage: opts.datastorage,
    dataStoragePort: opts.datastoragePort,
    gateway: opts.gateway,
    gatewayPort: opts.gatewayPort,
    crNamespace: opts.crNamespace,
  }).catch(async (e) => {
    await cluster.close();
    throw e;
  });
  const targets = [
    // A stable `instance`: the embedded kube-state-metrics gets a new port on every start, and an
    // alert's identity (its labels) must survive a restart for its `for` state to be restored.
    ...(cluster.kubeStateMetricsUrl ? [{ jobName: 'kube-state-metrics', url: cluster.kubeStateMetricsUrl, labels: { instance: 'kube-state-metrics' } }] : []),
    ...(opts.scrapeTarget ?? []),
  ];
  const alerting = await startAlerting({
    mode: opts.prometheus,
    kubeconfig: kc,
    clock,
    host: opts.host,
    dataDir: opts.ephemeral ? undefined : dataDir,
    prometheusPort: opts.prometheusPort,
    alertmanagerPort: opts.alertmanagerPort,
    targets,
    scrapeIntervalMs: opts.scrapeInterval,
    evaluationIntervalMs: opts.evaluationInterval,
    gatewayUrl: services.gatewayUrl,
    alertmanagerConfigFile: opts.alertmanagerConfig,
    binaries: { prometheus: opts.prometheusBin, alertmanager: opts.alertmanagerBin },
  }).catch(async (e) => {
    await services.close();
    await cluster.close();
    throw e;
  });
  const kubeconfigPath = join(dataDir, 'kubeconfig');
  const endpointsPath = join(dataDir, 'endpoints.json');
  writeFileSync(kubeconfigPath, cluster.kubeconfig(), { mode: 0o600 });
  const endpoints: Record<string, string> = { apiServer: cluster.url };
  if (cluster.kubeStateMetricsUrl) endpoints.kubeStateMetrics = cluster.kubeStateMetricsUrl;
  if (services.dataStorageUrl) endpoints.dataStorage = services.dataStorageUrl;
  if (services.gatewayUrl) endpoints.gateway = services.gatewayUrl;
  if (alerting.prometheusUrl) endpoints.prometheus = alerting.prometheusUrl;
  if (alerting.alertmanagerUrl) endpoints.alertmanager = alerting.alertmanagerUrl;
  writeFileSync(endpointsPath, JSON.stringify(endpoints, null, 2) + '\n');

  log.info({ apiServer: cluster.url, dataDir, timeScale: clock.timeScale, ephemeral: Boolean(opts.ephemeral) }, 'embedded stack is up');
  process.stdout.write(`kubernaut is up: API server ${cluster.url}\n`);
  if (cluster.kubeStateMetricsUrl) process.stdout.write(`kube-state-metrics: ${cluster.kubeStateMetricsUrl}\n`);
  if (services.dataStorageUrl) process.stdout.write(`datastorage: ${services.dataStorageUrl}\n`);
  if (services.gatewayUrl) process.stdout.write(`gateway: ${services.gatewayUrl} (Alertmanager webhook: ${services.gatewayUrl}/api/v1/signals/prometheus)\n`);
  if (alerting.prometheusUrl) process.stdout.write(`alerts: ${alerting.prometheusUrl}/alerts (Prometheus API ${alerting.prometheusUrl}/api/v1)\n`);
  if (alerting.alertmanagerUrl && alerting.alertmanagerUrl !== alerting.prometheusUrl) process.stdout.write(`alertmanager: ${alerting.alertmanagerUrl}\n`);
  process.stdout.write(`export KUBECONFIG=${kubeconfigPath}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await alerting.close();
    await services.close();
    await cluster.close();
    // endpoints.json describes running components only.
    rmSync(endpointsPath, { force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
