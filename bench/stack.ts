/** Starts real `kubernaut` processes for benchmarks and tells where they listen and what they weigh. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('..', import.meta.url).pathname;

/** `up` flags that leave the API server alone: no control plane, DataStorage, Gateway or alerting beside it. */
export const API_SERVER_ALONE = ['--no-control-plane', '--no-datastorage', '--no-gateway', '--prometheus', 'none'];

export interface BenchStack {
  url: string;
  dataDir: string;
  /** The `up` process (API server, control plane). */
  pid: number;
  /** Every process of the stack: `up` and its Kubernaut services process (endpoints.json `servicesPid`). */
  pids: number[];
  stop(): Promise<void>;
}

/** Resident memory of a process, in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Resident memory of several processes together (a whole stack), in MB. */
export function totalRssMb(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + rssMb(pid), 0);
}

/** `up` and the services process it forked, as its endpoints.json names them. */
export function stackPids(dataDir: string, upPid: number): number[] {
  const servicesPid = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')).servicesPid as number | undefined;
  return servicesPid ? [upPid, servicesPid] : [upPid];
}

/** Spawns `kubernaut <args>` and resolves with its process and the ready pattern's group 1 (matched on stdout). */
export async function spawnKubernaut(args: string[], ready: RegExp): Promise<{ proc: ChildProcess; match: string }> {
  // BENCH_CPU_PROF_DIR=<dir>: every kubernaut process of the bench writes a V8 CPU profile there on exit.
  const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF_DIR] : [];
  const proc = spawn(process.execPath, [...profile, 'bin/kubernaut.js', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, KUBERNAUT_LOG_LEVEL: 'error' },
  });
  const match = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`kubernaut ${args[0]} exited with ${code}`)));
  });
  return { proc, match };
}

export async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.on('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

/**
 * A `kubernaut up` with the given extra flags, once every component it runs is ready: ephemeral
 * (state in memory) unless `persistent`, where state lives in a temporary data dir as for a user.
 */
export async function startStack(args: string[], opts: { persistent?: boolean } = {}): Promise<BenchStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubernaut-bench-'));
  const { proc } = await spawnKubernaut(['up', ...(opts.persistent ? [] : ['--ephemeral']), '--data-dir', dataDir, '--prometheus-port', '0', ...args], /^(kubernaut is ready)/m);
  const url = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')).apiServer;
  return {
    url,
    dataDir,
    pid: proc.pid!,
    pids: stackPids(dataDir, proc.pid!),
    stop: async () => {
      await stopProcess(proc);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
