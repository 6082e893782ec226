/**
 * `kubernaut console`: the console alone against a cluster (deploy/kubernetes runs it so). Every
 * user signs in: there is no anonymous reading outside the embedded stack. With `--auth
 * tokenreview` the cluster checks tokens and rights; with `--auth static` only the token file's
 * users get in, each allowed everything.
 */
import { readFileSync } from 'node:fs';
import { loadKubeConfig, onSignals } from './services.ts';
import { tokenFromFile } from './service-auth.ts';

export interface ConsoleCommandOptions {
  kubeconfig?: string;
  port: number;
  host: string;
  datastorageUrl: string;
  datastorageTokenFile?: string;
  alertingUrl?: string;
  prometheusUrl?: string;
  alertingTokenFile?: string;
  alertsPageUrl?: string;
  auth: 'tokenreview' | 'static';
  tokenFile?: string;
  secureCookies?: boolean;
}

export async function runConsole(opts: ConsoleCommandOptions): Promise<void> {
  if (opts.auth === 'static' && !opts.tokenFile) {
    process.stderr.write('kubernaut console: --auth static needs --token-file (the users who may sign in)\n');
    process.exitCode = 2;
    return;
  }
  const [{ startConsole }, { parseTokenFile }] = await Promise.all([import('../console/server/console-server.ts'), import('../cluster/apiserver/auth.ts')]);
  const kc = await loadKubeConfig(opts.kubeconfig);
  const alertingUrl = (opts.alertingUrl ?? opts.prometheusUrl)?.replace(/\/+$/, '');
  const running = await startConsole({
    kubeconfig: kc,
    host: opts.host,
    port: opts.port,
    dataStorageUrl: opts.datastorageUrl,
    dataStorageToken: opts.datastorageTokenFile ? tokenFromFile(opts.datastorageTokenFile) : undefined,
    alertingUrl,
    alertingToken: opts.alertingTokenFile ? tokenFromFile(opts.alertingTokenFile) : undefined,
    alertsPageUrl: opts.alertsPageUrl ?? (alertingUrl ? `${alertingUrl}/alerts` : undefined),
    auth: {
      mode: opts.auth,
      staticTokens: opts.tokenFile ? parseTokenFile(readFileSync(opts.tokenFile, 'utf8')) : undefined,
      anonymousRead: false,
      secureCookies: opts.secureCookies === true,
    },
  });
  process.stdout.write(`console: ${running.url}\n`);
  onSignals(() => running.close());
}
