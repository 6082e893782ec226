/**
 * `kubernaut controllers`: Kubernaut's remediation controllers against any cluster (the embedded one
 * or a real one), each under its own Lease, metrics and health on --port.
 */
import type { AuditSink } from '../datastorage/client/audit-client.ts';
import { ScaledClock } from '../platform/clock.ts';
import { componentLogger } from '../platform/log.ts';
import type { ControllerName } from '../remediation/controller-names.ts';
import { loadKubeConfig, onSignals } from './services.ts';
import { tokenFromFile } from './service-auth.ts';

export interface ControllersFlags {
  kubeconfig?: string;
  only: ControllerName[];
  namespace: string;
  datastorageUrl?: string;
  datastorageTokenFile?: string;
  investigatorUrl?: string;
  investigatorTokenFile?: string;
  workflowNamespace: string;
  dryRun?: boolean;
  prometheusUrl?: string;
  alertmanagerUrl?: string;
  alertingTokenFile?: string;
  auditSpillDir?: string;
  port: number;
  host: string;
  leaderElect: boolean;
  timeScale: number;
}

export async function runControllers(opts: ControllersFlags): Promise<void> {
  const [{ AuditClient, NoopAuditSink }, { startControllerManager, controllersToRun }] = await Promise.all([import('../datastorage/client/audit-client.ts'), import('../remediation/manager.ts')]);
  let running: ControllerName[];
  try {
    // AIAnalysis needs an investigator: left out beside other controllers (logged), an error alone.
    running = controllersToRun({ controllers: opts.only, investigatorUrl: opts.investigatorUrl });
    if (opts.investigatorUrl && !(URL.canParse(opts.investigatorUrl) && /^https?:$/.test(new URL(opts.investigatorUrl).protocol))) throw new Error(`--investigator-url "${opts.investigatorUrl}" is not an http(s) URL`);
  } catch (err) {
    process.stderr.write(`kubernaut controllers: ${(err as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const clock = new ScaledClock(opts.timeScale);
  const kc = await loadKubeConfig(opts.kubeconfig);
  const token = opts.datastorageTokenFile ? tokenFromFile(opts.datastorageTokenFile) : undefined;
  const audit: AuditSink & { close?: () => Promise<void> } = opts.datastorageUrl
    ? new AuditClient({ baseUrl: opts.datastorageUrl, clock, spillDir: opts.auditSpillDir, bearerToken: token })
    : new NoopAuditSink();
  const manager = await startControllerManager({
    kubeconfig: kc,
    clock,
    audit,
    controllers: running,
    namespace: opts.namespace,
    dataStorageUrl: opts.datastorageUrl,
    dataStorageToken: token,
    investigatorUrl: opts.investigatorUrl,
    investigatorToken: opts.investigatorTokenFile ? tokenFromFile(opts.investigatorTokenFile) : undefined,
    workflowNamespace: opts.workflowNamespace,
    dryRun: opts.dryRun,
    prometheusUrl: opts.prometheusUrl,
    alertmanagerUrl: opts.alertmanagerUrl,
    alertingToken: opts.alertingTokenFile ? tokenFromFile(opts.alertingTokenFile) : undefined,
    leaderElection: opts.leaderElect,
    host: opts.host,
    port: opts.port,
  });
  componentLogger('controllers').info({ controllers: running, investigator: opts.investigatorUrl ?? 'none', identity: manager.identity, url: manager.url, audit: opts.datastorageUrl ?? 'discarded' }, 'controllers are up');
  process.stdout.write(`controllers: ${running.join(', ')} (identity ${manager.identity}; metrics ${manager.url}/metrics)\n`);
  onSignals(async () => {
    await manager.close();
    await audit.close?.();
  });
}
