/**
 * Start-up figures, as a user meets them: how long `kubernaut --help` takes, how long after `up`
 * starts kubectl gets its first answer, how long until the whole stack is ready, and the idle
 * resident memory of each component run alone (aims: 300 ms, 1 s, 4 s).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_SERVER_ALONE, ROOT, rssMb, spawnKubernaut, stackPids, stopProcess, totalRssMb } from './stack.ts';

const KUBERNAUT = [join(ROOT, 'bin/kubernaut.js')];
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function helpTimes(runs: number): number[] {
  return Array.from({ length: runs }, () => {
    const t = performance.now();
    const r = spawnSync(process.execPath, [...KUBERNAUT, '--help'], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error('kubernaut --help failed');
    return performance.now() - t;
  });
}

/** Runs kubectl against the kubeconfig until it answers; resolves when it first does. */
async function firstKubectlAnswer(kubeconfig: string, dataDir: string): Promise<void> {
  while (!existsSync(kubeconfig)) await sleep(5);
  for (;;) {
    const ok = hasKubectl
      ? await new Promise<boolean>((resolve) => {
          const p = spawn('kubectl', ['get', 'namespaces'], { env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dataDir, 'kubectl-cache') }, stdio: 'ignore' });
          p.on('exit', (code) => resolve(code === 0));
        })
      : false;
    if (ok) return;
    await sleep(20);
  }
}

interface UpTimes {
  kubectlMs: number;
  readyMs: number;
  idleRssMb: number;
  proc: ChildProcess;
  dataDir: string;
}

/**
 * Starts `up` with the flags and times kubectl's first answer and the "ready" line from the spawn.
 * Ephemeral unless given a data dir (to time a restart on the state a previous run left).
 */
async function timeUp(args: string[], keepIn?: string): Promise<UpTimes> {
  const dataDir = keepIn ?? mkdtempSync(join(tmpdir(), 'kubernaut-bench-startup-'));
  const t0 = performance.now();
  const up = spawnKubernaut(['up', ...(keepIn ? [] : ['--ephemeral']), '--data-dir', dataDir, '--prometheus-port', '0', ...args], /^(kubernaut is ready)/m);
  const kubectl = firstKubectlAnswer(join(dataDir, 'kubeconfig'), dataDir).then(() => performance.now() - t0);
  const { proc } = await up;
  const readyMs = performance.now() - t0;
  const kubectlMs = await kubectl;
  await sleep(1000);
  // The whole stack: `up` and its services process.
  return { kubectlMs, readyMs, idleRssMb: totalRssMb(stackPids(dataDir, proc.pid!)), proc, dataDir };
}

async function stopUp(u: UpTimes): Promise<void> {
  await stopProcess(u.proc);
  rmSync(u.dataDir, { recursive: true, force: true });
}

/** Idle memory of a `kubernaut <service>` process once it says it is up. */
async function serviceRss(args: string[], ready: RegExp): Promise<{ ms: number; rss: number }> {
  const t0 = performance.now();
  const { proc } = await spawnKubernaut(args, ready);
  const ms = performance.now() - t0;
  await sleep(1000);
  const rss = rssMb(proc.pid!);
  await stopProcess(proc);
  return { ms, rss };
}

export async function startupBench(): Promise<void> {
  const help = helpTimes(5);
  console.log(`kubernaut --help: median ${Math.round(median(help))} ms, best ${Math.round(Math.min(...help))} ms (5 runs; aim 300 ms)`);
  const kubectl = hasKubectl ? 'kubectl get namespaces' : '(no kubectl on the PATH)';

  const whole = await timeUp([]);
  console.log(`whole stack (up --ephemeral): first answer to ${kubectl} after ${seconds(whole.kubectlMs)} (aim 1 s), every component ready after ${seconds(whole.readyMs)} (aim 4 s), idle ${whole.idleRssMb.toFixed(0)} MB resident`);
  await stopUp(whole);
  const kept = mkdtempSync(join(tmpdir(), 'kubernaut-bench-startup-'));
  await stopProcess((await timeUp([], kept)).proc);
  const restart = await timeUp([], kept);
  console.log(`whole stack restarted on its data dir: first kubectl answer after ${seconds(restart.kubectlMs)}, every component ready after ${seconds(restart.readyMs)}`);
  await stopUp(restart);

  const alone = await timeUp(API_SERVER_ALONE);
  console.log(`API server alone (up ${API_SERVER_ALONE.join(' ')}): first kubectl answer after ${seconds(alone.kubectlMs)}, ready after ${seconds(alone.readyMs)}`);
  const kubeconfig = join(alone.dataDir, 'kubeconfig');
  try {
    const memory: Array<[string, number]> = [['API server', alone.idleRssMb]];
    const withControlPlane = await timeUp(['--no-datastorage', '--no-gateway', '--prometheus', 'none']);
    memory.push(['API server + control plane (1 node)', withControlPlane.idleRssMb]);
    await stopUp(withControlPlane);
    const dsDir = mkdtempSync(join(tmpdir(), 'kubernaut-bench-ds-'));
    const ds = await serviceRss(['datastorage', '--host', '127.0.0.1', '--port', '0', '--data-dir', dsDir], /datastorage: (\S+)/);
    rmSync(dsDir, { recursive: true, force: true });
    memory.push([`DataStorage (embedded PGlite, ready after ${seconds(ds.ms)})`, ds.rss]);
    const gw = await serviceRss(['gateway', '--kubeconfig', kubeconfig, '--host', '127.0.0.1', '--port', '0'], /gateway: (\S+)/);
    memory.push([`Gateway (ready after ${seconds(gw.ms)})`, gw.rss]);
    const alerting = await serviceRss(['alerting', '--kubeconfig', kubeconfig, '--host', '127.0.0.1', '--port', '0'], /alerts page: (\S+)/);
    memory.push([`alerting (ready after ${seconds(alerting.ms)})`, alerting.rss]);
    memory.push(['whole stack in one process', whole.idleRssMb]);
    console.log(`idle resident memory, each alone: ${memory.map(([name, mb]) => `${name} ${mb.toFixed(0)} MB`).join('; ')}`);
  } finally {
    await stopUp(alone);
  }
}
