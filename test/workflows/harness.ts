/**
 * Runs the shipped workflow scripts (workflows/<id>/remediate.sh) as the Job would: bash with the
 * parameters as environment variables and a kubeconfig for the workflow's ServiceAccount, against
 * an in-process embedded cluster with RBAC on. The ServiceAccount tokens come from a static token
 * file, so each script runs with exactly the grants of its own rbac.yaml.
 *
 * Everything that talks to the cluster is spawned asynchronously: the API server runs on this
 * process's event loop, so a blocking spawnSync would deadlock it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedCluster } from '../../src/cluster/embedded-cluster.ts';
import { ScaledClock } from '../../src/platform/clock.ts';
import { listWorkflowDefinitions } from '../../src/stack/kubernaut-services.ts';
import { ROOT } from '../helpers/kubernaut-process.ts';

export const WORKFLOW_NAMESPACE = 'kubernaut-workflows';
const ADMIN_TOKEN = 'workflow-test-admin';
const runnerToken = (id: string) => `workflow-test-${id}`;
export const runnerName = (id: string) => `${id}-runner`;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface WorkflowCluster {
  cluster: EmbeddedCluster;
  /** Runs a command (e.g. a scenario's fault-injection script) with the admin's KUBECONFIG. */
  runAsAdmin(cmd: string, args: string[], timeoutMs?: number): Promise<Run>;
  /** The admin's kubectl (the test's own setup and checks). */
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<Run>;
  kubectlOk(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<string>;
  getJson(args: string[]): Promise<any | undefined>;
  /** Runs `workflows/<id>/remediate.sh` as the workflow's ServiceAccount with `env` as its parameters. */
  runWorkflow(id: string, env: Record<string, string>, opts?: { timeoutMs?: number; asAdmin?: boolean }): Promise<Run>;
  close(): Promise<void>;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input: string | undefined, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout?.on('data', (d) => (stdout += d));
    p.stderr?.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) {
      // A process may exit before it reads its input; its exit code tells what happened.
      p.stdin?.on('error', () => undefined);
      p.stdin?.end(input);
    }
  });
}

/**
 * Starts the cluster (kubelet timings as in the reference scenario, so the claim race of its fault
 * injection happens as on a real cluster) and installs every workflow's rbac.yaml.
 */
export async function startWorkflowCluster(opts: { volumeMountMs?: number; nodes?: string[] } = {}): Promise<WorkflowCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kubernaut-workflows-test-'));
  const ids = listWorkflowDefinitions().map((d) => d.id);
  const tokenFile = join(dir, 'tokens.csv');
  writeFileSync(
    tokenFile,
    [
      `${ADMIN_TOKEN},workflow-test-admin,admin,"system:masters"`,
      ...ids.map((id) => `${runnerToken(id)},system:serviceaccount:${WORKFLOW_NAMESPACE}:${runnerName(id)},${id},"system:serviceaccounts,system:serviceaccounts:${WORKFLOW_NAMESPACE}"`),
    ].join('\n'),
  );
  const cluster = await EmbeddedCluster.start({
    clock: new ScaledClock(1),
    rbac: true,
    // kubectl sends bearer tokens only over TLS.
    tls: true,
    tokenFile,
    kubeconfigToken: ADMIN_TOKEN,
    controlPlane: { nodes: (opts.nodes ?? ['kind-control-plane']).map((name) => ({ name })), kubelet: { imagePullMs: 600, containerStartMs: 300, volumeMountMs: opts.volumeMountMs ?? 8000 } },
  });
  const kubeconfigFor = (name: string, token: string) => {
    const path = join(dir, `${name}.kubeconfig`);
    writeFileSync(path, cluster.kubeconfig(token));
    return path;
  };
  const envFor = (kubeconfig: string): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'kubectl-cache') });
  const adminEnv = envFor(kubeconfigFor('admin', ADMIN_TOKEN));
  const runnerEnv = new Map(ids.map((id) => [id, envFor(kubeconfigFor(id, runnerToken(id)))]));

  const kubectl = (args: string[], o: { input?: string; timeoutMs?: number } = {}) => run('kubectl', args, adminEnv, o.input, o.timeoutMs ?? 60_000);
  const kubectlOk = async (args: string[], o: { input?: string; timeoutMs?: number } = {}) => {
    const r = await kubectl(args, o);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
    return r.stdout;
  };
  try {
    await kubectlOk(['create', 'namespace', WORKFLOW_NAMESPACE]);
    for (const id of ids) await kubectlOk(['apply', '-f', join(ROOT, 'workflows', id, 'rbac.yaml')]);
  } catch (e) {
    await cluster.close();
    throw e;
  }
  return {
    cluster,
    runAsAdmin: (cmd, args, timeoutMs = 120_000) => run(cmd, args, adminEnv, undefined, timeoutMs),
    kubectl,
    kubectlOk,
    async getJson(args) {
      const r = await kubectl([...args, '-o', 'json']);
      return r.code === 0 ? JSON.parse(r.stdout) : undefined;
    },
    runWorkflow(id, env, o = {}) {
      const base = o.asAdmin ? adminEnv : runnerEnv.get(id);
      if (!base) throw new Error(`no workflow ${id}`);
      return run('bash', [join(ROOT, 'workflows', id, 'remediate.sh')], { ...base, ...env }, undefined, o.timeoutMs ?? 300_000);
    },
    async close() {
      await cluster.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const isReady = (p: any) => (p?.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

/** The script's output for an assertion message. */
export const describeRun = (r: Run) => `exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;

/** The last line a script printed: its summary. */
export const summaryOf = (r: Run) => r.stdout.trimEnd().split('\n').at(-1) ?? '';
