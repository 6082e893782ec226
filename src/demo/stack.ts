/**
 * The demo's own embedded stack: a `kubernaut up` child process on a fresh data dir, reached only
 * through what any user has (its data dir's kubeconfig, `kubernaut wait`, `kubernaut endpoints`),
 * so the demo treats `up` as a black box and shows nothing a user could not reproduce.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** bin/kubernaut.js of this checkout (or installed package). */
export const KUBERNAUT_BIN = new URL('../../bin/kubernaut.js', import.meta.url).pathname;

export interface DemoStackOptions {
  dataDir: string;
  timeScale: number;
  /** `--kubelet-delays` value, if the scenario needs its own. */
  kubeletDelays?: string;
  nodes?: number;
  upArgs?: string[];
  /** Real milliseconds to wait for every component to be ready. */
  readyTimeoutMs: number;
}

export interface DemoStack {
  dataDir: string;
  kubeconfigPath: string;
  /** Component URLs by the names `kubernaut endpoints` prints (`prometheus`, `datastorage`, `gateway`, ...). */
  endpoints: Record<string, string>;
  /** The `up` command line, for the record. */
  command: string;
  /** Stops `up` (SIGTERM, then SIGKILL after `graceMs`); resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves (with its exit code) if `up` exits on its own. */
  exited: Promise<number | null>;
}

export class DemoStackError extends Error {}

/** Runs `node bin/kubernaut.js <args>` to completion, collecting its output. */
export function runKubernaut(args: string[], opts: { timeoutMs: number; env?: NodeJS.ProcessEnv } = { timeoutMs: 60_000 }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KUBERNAUT_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + String(e) });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `kubernaut endpoints` output (`name   url` lines) as a record. */
export function parseEndpointLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\S+)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** The `kubernaut up` arguments the demo runs with. */
export function upArguments(opts: DemoStackOptions): string[] {
  return [
    'up',
    '--data-dir', opts.dataDir,
    '--ephemeral',
    // Never assume 9190 (or any port) is free: every listener on a port of its own choosing.
    '--port', '0',
    '--prometheus-port', '0',
    '--alertmanager-port', '0',
    '--time-scale', String(opts.timeScale),
    ...(opts.kubeletDelays ? ['--kubelet-delays', opts.kubeletDelays] : []),
    ...(opts.nodes && opts.nodes > 1 ? ['--nodes', String(opts.nodes)] : []),
    ...(opts.upArgs ?? []),
  ];
}

/**
 * Starts `kubernaut up` on the (fresh) data dir and waits with `kubernaut wait`. `say` gets `up`'s
 * progress lines; `up`'s own log file stays in the data dir for a post-mortem.
 */
export async function startDemoStack(opts: DemoStackOptions, say: (line: string) => void, signal: AbortSignal): Promise<DemoStack> {
  mkdirSync(opts.dataDir, { recursive: true });
  const args = upArguments(opts);
  const upLog = join(opts.dataDir, 'demo-up-output.log');
  writeFileSync(upLog, '');
  const child: ChildProcess = spawn(process.execPath, [KUBERNAUT_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Ctrl-C reaches the demo, which stops `up` itself (and waits for it), rather than both racing.
    detached: true,
    env: { ...process.env, KUBERNAUT_LOG_LEVEL: process.env.KUBERNAUT_LOG_LEVEL ?? 'warn' },
  });
  let output = '';
  const collect = (d: Buffer) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : null))));
  const stop = async (graceMs = 20_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    const waiting = runKubernaut(['wait', '--data-dir', opts.dataDir, '--timeout', `${Math.ceil(opts.readyTimeoutMs / 1000)}s`], { timeoutMs: opts.readyTimeoutMs + 10_000 });
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(new DemoStackError('interrupted'));
      signal.addEventListener('abort', () => reject(new DemoStackError('interrupted')), { once: true });
    });
    const died = exited.then((code) => {
      throw new DemoStackError(`kubernaut up exited (${code}) before it was ready:\n${output.trim().split('\n').slice(-20).join('\n')}`);
    });
    const waited = await Promise.race([waiting, died, aborted]);
    if (waited.code !== 0) throw new DemoStackError(`kubernaut wait: ${waited.stderr.trim() || `exit ${waited.code}`}\n${output.trim().split('\n').slice(-20).join('\n')}`);
    const shown = await runKubernaut(['endpoints', '--data-dir', opts.dataDir], { timeoutMs: 30_000 });
    if (shown.code !== 0) throw new DemoStackError(`kubernaut endpoints: ${shown.stderr.trim()}`);
    for (const line of output.split('\n').filter((l) => /^kubernaut is ready/.test(l))) say(line);
    return {
      dataDir: opts.dataDir,
      kubeconfigPath: join(opts.dataDir, 'kubeconfig'),
      endpoints: parseEndpointLines(shown.stdout),
      command: `kubernaut ${args.join(' ')}`,
      stop,
      exited,
    };
  } catch (e) {
    await stop(5_000);
    writeFileSync(upLog, output);
    throw e;
  }
}
