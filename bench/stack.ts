/** Starts a real `kubernaut up` process for a benchmark and tells where it listens. */
import { spawn } from 'node:child_process';
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

/** An ephemeral stack with the given extra `up` flags. */
export async function startStack(args: string[]): Promise<BenchStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubernaut-bench-'));
  const proc = spawn(process.execPath, ['bin/kubernaut.js', 'up', '--ephemeral', '--data-dir', dataDir, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, KUBERNAUT_LOG_LEVEL: 'error' },
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('export KUBECONFIG=')) resolve();
    });
    proc.on('exit', (code) => reject(new Error(`kubernaut up exited with ${code}`)));
  });
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
