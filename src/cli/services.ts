/**
 * `kubernaut gateway`, `kubernaut datastorage` and `kubernaut alerting`: one service each, for real
 * deployments. Each loads only its own service's modules.
 */
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { AuditSink } from '../datastorage/client/audit-client.ts';
import { ScaledClock } from '../platform/clock.ts';
import { componentLogger } from '../platform/log.ts';
import { resolveDataDir } from './data-dir.ts';
import { serviceAuth, tokenFromFile, withLoopbackToken, type ServiceAuthFlags } from './service-auth.ts';

export function onSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

/** The cluster in --kubeconfig, else $KUBECONFIG, ~/.kube/config or in-cluster. */
export async function loadKubeConfig(path: string | undefined): Promise<KubeConfig> {
  const { PooledKubeConfig } = await import('../platform/kube/pooled-kubeconfig.ts');
  const kc = new PooledKubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

export async function runGateway(
  opts: { kubeconfig?: string; port: number; host: string; datastorageUrl?: string; datastorageTokenFile?: string; auditSpillDir?: string; crNamespace?: string; timeScale: number } & ServiceAuthFlags,
): Promise<void> {
  const [{ AuditClient, NoopAuditSink }, { startGateway }] = await Promise.all([import('../datastorage/client/audit-client.ts'), import('../gateway/server.ts')]);
  const clock = new ScaledClock(opts.timeScale);
  const kc = await loadKubeConfig(opts.kubeconfig);
  const audit: AuditSink & { close?: () => Promise<void> } = opts.datastorageUrl
    ? new AuditClient({ baseUrl: opts.datastorageUrl, clock, spillDir: opts.auditSpillDir, bearerToken: opts.datastorageTokenFile ? tokenFromFile(opts.datastorageTokenFile) : undefined })
    : new NoopAuditSink();
  const gw = await startGateway({
    kubeconfig: kc,
    clock,
    host: opts.host,
    port: opts.port,
    auditClient: audit,
    crNamespace: opts.crNamespace,
    auth: await serviceAuth(opts, () => kc),
  });
  componentLogger('gateway').info({ url: gw.url, audit: opts.datastorageUrl ?? 'discarded', auth: opts.auth }, 'gateway is up');
  process.stdout.write(`gateway: ${gw.url}\n`);
  onSignals(async () => {
    await gw.close();
    await audit.close?.();
  });
}

export async function runDataStorage(
  opts: { kubeconfig?: string; databaseUrl?: string; dataDir?: string; port: number; host: string; shippedWorkflows: boolean; timeScale: number } & ServiceAuthFlags,
): Promise<void> {
  const [{ startDataStorage }, { registerShippedWorkflows, SHIPPED_WORKFLOWS_DIR }] = await Promise.all([import('../datastorage/server.ts'), import('../stack/kubernaut-services.ts')]);
  const clock = new ScaledClock(opts.timeScale);
  // Only TokenReview/SubjectAccessReview need a cluster; DataStorage alone does not otherwise.
  const kc = opts.auth === 'tokenreview' ? await loadKubeConfig(opts.kubeconfig) : undefined;
  const callers = await serviceAuth(opts, () => kc!);
  const loopback = callers ? withLoopbackToken(callers) : undefined;
  const ds = await startDataStorage({
    auth: loopback?.auth,
    clock,
    host: opts.host,
    port: opts.port,
    databaseUrl: opts.databaseUrl,
    dataDir: opts.databaseUrl ? undefined : join(resolveDataDir(opts.dataDir), 'datastorage'),
  });
  // A wildcard listen address is not one clients can use; register through loopback.
  const local = ds.url.replace(/\/\/(0\.0\.0\.0|\[::\])/, '//127.0.0.1');
  if (opts.shippedWorkflows) await registerShippedWorkflows(local, SHIPPED_WORKFLOWS_DIR, loopback?.token);
  componentLogger('datastorage').info({ url: ds.url, database: opts.databaseUrl ? 'postgresql' : 'embedded PGlite' }, 'datastorage is up');
  process.stdout.write(`datastorage: ${ds.url}\n`);
  onSignals(() => ds.close());
}

export async function runAlerting(opts: {
  kubeconfig?: string;
  port: number;
  host: string;
  scrapeTarget?: Array<{ jobName: string; url: string }>;
  scrapeInterval: number;
  evaluationInterval: number;
  gatewayUrl?: string;
  gatewayTokenFile?: string;
  alertmanagerConfig?: string;
  timeScale: number;
} & ServiceAuthFlags): Promise<void> {
  const { startAlerting } = await import('../stack/alerting.ts');
  const clock = new ScaledClock(opts.timeScale);
  const kc = await loadKubeConfig(opts.kubeconfig);
  const alerting = await startAlerting({
    mode: 'embedded',
    kubeconfig: kc,
    clock,
    host: opts.host,
    prometheusPort: opts.port,
    alertmanagerPort: 0,
    targets: opts.scrapeTarget ?? [],
    scrapeIntervalMs: opts.scrapeInterval,
    evaluationIntervalMs: opts.evaluationInterval,
    gatewayUrl: opts.gatewayUrl,
    alertmanagerConfigFile: opts.alertmanagerConfig,
    // Read once: the dispatcher's receivers are fixed at start.
    gatewayToken: opts.gatewayTokenFile ? tokenFromFile(opts.gatewayTokenFile)() : undefined,
    auth: await serviceAuth(opts, () => kc),
  });
  componentLogger('alerting').info({ url: alerting.prometheusUrl }, 'alerting is up');
  process.stdout.write(`prometheus API and alerts page: ${alerting.prometheusUrl}/alerts\n`);
  onSignals(() => alerting.close());
}
