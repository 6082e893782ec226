/** The `kubernaut` command line. */
import { Command, InvalidArgumentError } from 'commander';
import { parseDuration } from '../platform/clock.ts';
import { runDataStorage, runGateway } from './services.ts';
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

function nodeCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError('must be a whole number of nodes (1-100)');
  return n;
}

/** `mount=1500ms,pull=600ms,start=300ms` or a single duration for all three (e.g. `0`). */
function kubeletDelays(value: string): { volumeMountMs: number; imagePullMs: number; containerStartMs: number } {
  const keys = { mount: 'volumeMountMs', pull: 'imagePullMs', start: 'containerStartMs' } as const;
  const parse = (text: string): number => {
    if (/^0+$/.test(text.trim())) return 0;
    try {
      return parseDuration(text.trim());
    } catch {
      throw new InvalidArgumentError(`"${text}" is not a duration (e.g. 500ms, 2s)`);
    }
  };
  if (!value.includes('=')) {
    const ms = parse(value);
    return { volumeMountMs: ms, imagePullMs: ms, containerStartMs: ms };
  }
  const out: Record<string, number> = {};
  for (const part of value.split(',')) {
    const [k, v] = part.split('=');
    const key = keys[k?.trim() as keyof typeof keys];
    if (!key || v === undefined) throw new InvalidArgumentError(`unknown kubelet delay "${part}" (use mount=, pull=, start=)`);
    out[key] = parse(v);
  }
  return out as { volumeMountMs: number; imagePullMs: number; containerStartMs: number };
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
  .option('--nodes <n>', 'simulated nodes (kind-control-plane, kind-worker, kind-worker2, ...)', nodeCount, 1)
  .option('--kubelet-delays <spec>', 'simulated kubelet work in real time, not scaled: mount=1500ms,pull=600ms,start=300ms (or one duration for all; 0 = instant)', kubeletDelays)
  .option('--kube-state-metrics-port <n>', 'kube-state-metrics port (0 = a free port)', port, 0)
  .option('--no-control-plane', 'run the API server alone: no nodes, kubelets, scheduler or workload/storage controllers')
  .option('--gateway-port <n>', 'Gateway port (0 = a free port)', port, 0)
  .option('--no-gateway', 'do not run the Gateway')
  .option('--datastorage-port <n>', 'DataStorage port (0 = a free port)', port, 0)
  .option('--no-datastorage', 'do not run DataStorage (audit events are then discarded)')
  .option('--database-url <url>', 'PostgreSQL for DataStorage instead of the embedded PGlite')
  .option('--cr-namespace <ns>', 'put every RemediationRequest and its children in this namespace instead of the target\'s')
  .action(async (opts) => {
    await runUp(opts);
  });

program
  .command('gateway')
  .description('run the Gateway alone against a cluster (signals in, RemediationRequests out)')
  .option('--kubeconfig <file>', 'cluster to talk to (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
  .option('--port <n>', 'port', port, 8080)
  .option('--host <addr>', 'address to listen on', '0.0.0.0')
  .option('--datastorage-url <url>', 'DataStorage base URL for the audit trail (without it, audit events are discarded)')
  .option('--audit-spill-dir <dir>', 'where audit events wait while DataStorage is unreachable')
  .option('--cr-namespace <ns>', 'put every RemediationRequest in this namespace instead of the target\'s')
  .option('--token-review', 'require bearer tokens, checked with the cluster\'s TokenReview API')
  .option('--time-scale <n>', 'divide every waiting time by N', positiveNumber, 1)
  .action(async (opts) => {
    await runGateway(opts);
  });

program
  .command('datastorage')
  .description('run DataStorage alone (audit trail, workflow catalog, remediation history)')
  .option('--database-url <url>', 'PostgreSQL connection URL (default: embedded PGlite under --data-dir)')
  .option('--data-dir <dir>', 'where the embedded PGlite keeps its files (default: $KUBERNAUT_HOME or ./.kubernaut, /datastorage)')
  .option('--port <n>', 'port', port, 8085)
  .option('--host <addr>', 'address to listen on', '0.0.0.0')
  .option('--no-shipped-workflows', 'do not register the workflows/ shipped with Kubernaut')
  .option('--time-scale <n>', 'divide every waiting time by N', positiveNumber, 1)
  .action(async (opts) => {
    await runDataStorage(opts);
  });

await program.parseAsync(process.argv);
