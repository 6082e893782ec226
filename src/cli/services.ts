/**
 * `kubernaut gateway`, `kubernaut datastorage` and `kubernaut alerting`: one service each, for real
 * deployments. Each loads only its own service's modules.
 */
import { join } from 'node:path';
import type { AuditSink } from '../datastorage/client/audit-client.ts';
import { ScaledClock } from '../platform/clock.ts';
import { componentLogger } from '../platform/log.ts';
import { resolveDataDir } from './data-dir.ts';

function onSignals(close: () => Promise<void>): void {
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

export async function runGateway(opts: { kubeconfig?: string; port: number; host: string; datastorageUrl?: string; auditSpillDir?: string; crNamespace?: string; tokenReview?: boolean; timeScale: number }): Promise<void> {
  const [{ PooledKubeConfig }, { AuditClient, NoopAuditSink }, { tokenReviewAuthenticator }, { startGateway }] = await Promise.all([
    import('../platform/kube/pooled-kubeconfig.ts'),
    import('../datastorage/client/audit-client.ts'),
    import('../gateway/authentication.ts'),
    import('../gateway/server.ts'),
  ]);
  const clock = new ScaledClock(opts.timeScale);
  const kc = new PooledKubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  const audit: AuditSink & { close?: () => Promise<void> } = opts.datastorageUrl
    ? new AuditClient({ baseUrl: opts.datastorageUrl, clock, spillDir: opts.auditSpillDir })
    : new NoopAuditSink();
  const gw = await startGateway({
    kubeconfig: kc,
    clock,
    host: opts.host,
    port: opts.port,
    auditClient: audit,
    crNamespace: opts.crNamespace,
    authenticate: opts.tokenReview ? tokenReviewAuthenticator(kc) : undefined,
  });
  componentLogger('gateway').info({ url: gw.url, audit: opts.datastorageUrl ?? 'discarded' }, 'gateway is up');
  process.stdout.write(`gateway: ${gw.url}\n`);
  onSignals(async () => {
    await gw.close();
    await audit.close?.();
  });
}

export async function runDataStorage(opts: { databaseUrl?: string; dataDir?: string; port: number; host: string; shippedWorkflows: boolean; timeScale: number }): Promise<void> {
  const [{ startDataStorage }, { registerShippedWorkflows }] = await Promise.all([import('../datastorage/server.ts'), import('../stack/kubernaut-services.ts')]);
  const clock = new ScaledClock(opts.timeScale);
  const ds = await startDataStorage({
    clock,
    host: opts.host,
    port: opts.port,
    databaseUrl: opts.databaseUrl,
    dataDir: opts.databaseUrl ? undefined : join(resolveDataDir(opts.dataDir), 'datastorage'),
  });
  // A wildcard listen address is not one clients can use; register through loopback.
  const local = ds.url.replace(/\/\/(0\.0\.0\.0|\[::\])/, '//127.0.0.1');
  if (opts.shippedWorkflows) await registerShippedWorkflows(local);
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
  alertmanagerConfig?: string;
  timeScale: number;
}): Promise<void> {
  const [{ PooledKubeConfig }, { startAlerting }] = await Promise.all([import('../platform/kube/pooled-kubeconfig.ts'), import('../stack/alerting.ts')]);
  const clock = new ScaledClock(opts.timeScale);
  const kc = new PooledKubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
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
  });
  componentLogger('alerting').info({ url: alerting.prometheusUrl }, 'alerting is up');
  process.stdout.write(`prometheus API and alerts page: ${alerting.prometheusUrl}/alerts\n`);
  onSignals(() => alerting.close());
}
