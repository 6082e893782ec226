/** The `kubernaut` command line. */
import { Command, InvalidArgumentError } from 'commander';
import { runUp } from './up.ts';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

const program = new Command();
program.name('kubernaut').description('AIOps for Kubernetes: detect incidents and remediate them safely');

program
  .command('up')
  .description('run the embedded stack in the foreground (API server and control plane)')
  .option('--data-dir <dir>', 'where state, kubeconfig and endpoints.json live (default: $KUBERNAUT_HOME or ./.kubernaut)')
  .option('--port <n>', 'API server port (0 = a free port)', port, 0)
  .option('--host <addr>', 'address to listen on', '127.0.0.1')
  .option('--time-scale <n>', 'divide every waiting time of the stack by N (timestamps stay real)', positiveNumber, 1)
  .option('--ephemeral', 'keep cluster state in memory only')
  .option('--token-file <file>', 'static bearer tokens (kube-apiserver --token-auth-file format)')
  .option('--require-auth', 'reject requests without a valid bearer token')
  .option('--rbac', 'authorize requests with RBAC instead of allowing all')
  .option('--tls', 'serve HTTPS with a generated CA (kept under DIR/pki, trusted by the written kubeconfig)')
  .option('--watch-cache-size <n>', 'how many recent changes watches can resume from', positiveNumber)
  .action(async (opts) => {
    await runUp(opts);
  });

await program.parseAsync(process.argv);
