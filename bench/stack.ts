/** Starts a real `kubernaut up` process for a benchmark and tells where it listens. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;

export interface BenchStack {
  url: string;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

/** Spawns `kubernaut <args>` and resolves with its process and the ready pattern's group 1. */
export async function spawnKubernaut(args: string[], ready: RegExp): Promise<{ proc: ChildProcess; match: string }> {
  const proc = spawn(process.execPath, ['bin/kubernaut.js', ...args], {
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

/** An ephemeral stack with the given extra `up` flags. */
export async function startStack(args: string[]): Promise<BenchStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubernaut-bench-'));
  const { proc } = await spawnKubernaut(['up', '--ephemeral', '--data-dir', dataDir, ...args], /(export KUBECONFIG=)/);
  const url = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')).apiServer;
  return {
    url,
    dataDir,
    pid: proc.pid!,
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.on('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
