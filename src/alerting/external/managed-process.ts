/**
 * One Prometheus or Alertmanager child process: output lines go to the logger at debug (the last
 * ones are kept for error messages), readiness is its `/-/ready` endpoint, and stop() sends
 * SIGTERM, then SIGKILL if it has not exited after a grace period.
 *
 * Waits here are real time on purpose: they are about a process on this machine starting or
 * stopping, not about the incident story that `--time-scale` speeds up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '../../platform/log.ts';

const KEEP_LINES = 40;
export const STOP_GRACE_MS = 5_000;

export interface ManagedProcessOptions {
  name: string;
  binary: string;
  args: string[];
  /** Base URL; ready when `${url}/-/ready` answers 200. */
  url: string;
  log: Logger;
}

export class ManagedProcess {
  private readonly child: ChildProcess;
  private readonly recent: string[] = [];
  private readonly exited: Promise<void>;
  private exitDescription?: string;
  /** Set by stop(), so an exit we asked for is not reported as a crash. */
  private stopping = false;

  private constructor(private readonly opts: ManagedProcessOptions) {
    this.child = spawn(opts.binary, opts.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const onLine = (line: string) => {
      this.recent.push(line);
      if (this.recent.length > KEEP_LINES) this.recent.shift();
      opts.log.debug({ process: opts.name }, line);
    };
    createInterface({ input: this.child.stdout! }).on('line', onLine);
    createInterface({ input: this.child.stderr! }).on('line', onLine);
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.exitDescription = `could not start: ${err.message}`;
        resolve();
      });
      this.child.on('exit', (code, signal) => {
        this.exitDescription = signal ? `killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
    });
    void this.exited.then(() => {
      if (!this.stopping) opts.log.warn({ process: opts.name, how: this.exitDescription, output: this.output() }, `${opts.name} stopped unexpectedly`);
    });
  }

  /** Spawns the process and resolves once it is ready; rejects (after killing it) when it exits or is not ready in time. */
  static async start(opts: ManagedProcessOptions, readyTimeoutMs = 30_000): Promise<ManagedProcess> {
    const p = new ManagedProcess(opts);
    try {
      await p.waitReady(readyTimeoutMs);
    } catch (e) {
      await p.stop();
      throw e;
    }
    opts.log.info({ process: opts.name, url: opts.url, pid: p.pid }, `${opts.name} is ready`);
    return p;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitDescription === undefined;
  }

  /** The last lines it printed. */
  output(): string {
    return this.recent.join('\n');
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.opts.name} ${this.exitDescription} before it was ready:\n${this.output()}`);
      try {
        const res = await fetch(`${this.opts.url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
        await res.body?.cancel();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await Promise.race([new Promise((r) => setTimeout(r, 50)), this.exited]);
    }
    throw new Error(`${this.opts.name} was not ready within ${timeoutMs} ms:\n${this.output()}`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping = true;
    if (!this.running) return;
    this.child.kill('SIGTERM');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.opts.log.warn({ process: this.opts.name, graceMs }, `${this.opts.name} ignored SIGTERM; killing it`);
        this.child.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    await this.exited;
  }
}
