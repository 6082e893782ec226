/**
 * Starts the real `kubernaut up` binary for end-to-end tests and drives it with the real
 * kubectl on the PATH (each call its own process, as an SRE or a script would run it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunningKubernaut {
  dataDir: string;
  kubeconfig: string;
  url: string;
  process: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far (JSON logs at KUBERNAUT_LOG_LEVEL, default warn, and progress lines). */
  output(): string;
  /** Runs kubectl; never throws. */
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): KubectlResult;
  /** Runs kubectl and throws with its stderr unless it exits 0. */
  kubectlOk(args: string[], opts?: { input?: string; timeoutMs?: number }): string;
  /** Starts a long-running kubectl (e.g. `get -w`) and collects its output. */
  kubectlBackground(args: string[]): { proc: ChildProcess; output: () => string; stop: () => void };
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Spawns `kubernaut <args>` and resolves once its output (stdout and stderr) matches `ready`
 * (group 1 is returned); rejects with everything it printed if it exits first or takes longer than 90 s.
 */
async function spawnUntil(args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<{ proc: ChildProcess; match: string; output: () => string }> {
  const proc = spawn(process.execPath, ['bin/kubernaut.js', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBERNAUT_LOG_LEVEL: process.env.KUBERNAUT_LOG_LEVEL ?? 'warn', ...env } });
  let out = '';
  const match = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kubernaut ${args[0]} did not start in time:\n${out}`)), 90_000);
    const collect = (d: Buffer) => {
      out += d;
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout!.on('data', collect);
    proc.stderr!.on('data', collect);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubernaut ${args[0]} exited with ${code}:\n${out}`));
    });
  });
  return { proc, match, output: () => out };
}

export async function startKubernaut(opts: { args?: string[]; dataDir?: string; keepDataDir?: boolean } = {}): Promise<RunningKubernaut> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'kubernaut-test-'));
  const cacheDir = join(dataDir, 'kubectl-cache');
  // JSON logs on stdout, so output() holds them for tests that look for a log line; the stack is
  // ready for the test when `up` says every component is.
  const { proc, output } = await spawnUntil(
    ['up', '--data-dir', dataDir, '--port', '0', '--prometheus-port', '0', '--alertmanager-port', '0', '--log-format', 'json', ...(opts.args ?? [])],
    /^(kubernaut is ready)/m,
  );
  const kubeconfig = join(dataDir, 'kubeconfig');
  const url = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')).apiServer as string;
  const env = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: cacheDir, HOME: dataDir };
  const kubectl = (kargs: string[], o: { input?: string; timeoutMs?: number } = {}): KubectlResult => {
    const r = spawnSync('kubectl', kargs, { env, input: o.input, encoding: 'utf8', timeout: o.timeoutMs ?? 60_000 });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
  };
  return {
    dataDir,
    kubeconfig,
    url,
    process: proc,
    output,
    kubectl,
    kubectlOk(kargs, o) {
      const r = kubectl(kargs, o);
      if (r.code !== 0) throw new Error(`kubectl ${kargs.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
      return r.stdout;
    },
    kubectlBackground(kargs) {
      const p = spawn('kubectl', kargs, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let buf = '';
      p.stdout!.on('data', (d) => (buf += d));
      p.stderr!.on('data', (d) => (buf += d));
      return { proc: p, output: () => buf, stop: () => p.kill('SIGTERM') };
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode !== null) return proc.exitCode;
      const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
      proc.kill(signal);
      const code = await exited;
      if (!opts.keepDataDir && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Polls until `check` returns a truthy value or the deadline passes. */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000, intervalMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface RunningService {
  process: ChildProcess;
  /** The first match of the ready pattern's group 1 (e.g. the URL the service printed). */
  url: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `kubernaut <args>` (e.g. `gateway`, `datastorage`) and waits until stdout matches `ready`. */
export async function startService(args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<RunningService> {
  const { proc, match: url, output } = await spawnUntil(args, ready, env);
  return {
    process: proc,
    url,
    output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
      proc.kill(signal);
      return exited;
    },
  };
}

/** A TCP port that is free right now. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
