/**
 * One container instance of a workflow bundle running as a local process: spawned from an argv
 * and an environment (never a shell command line), in its own process group so that stopping it
 * reaches whatever it started (kubectl, sleep). stdout and stderr become log lines, kept up to a
 * size bound (the oldest go first, as with the kubelet's log rotation); lines longer than the CRI
 * limit are split like containerd splits them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { LogLine } from './container-logs.ts';

/** Log bytes kept per container instance. */
export const MAX_LOG_BYTES = 2 * 1024 * 1024;
/** containerd writes lines longer than this as several partial lines. */
const MAX_LINE_BYTES = 16 * 1024;

export interface ProcessExit {
  exitCode: number;
  /** Set when the process could not be started at all (the runtime's StartError). */
  startError?: string;
}

export interface BundleProcessOptions {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  nowMs: () => number;
  onExit: (exit: ProcessExit) => void;
}

export class BundleProcess {
  /** The container's log; the same array for the instance's whole life. */
  readonly logs: LogLine[] = [];
  private logBytes = 0;
  private readonly child: ChildProcess;
  private exited = false;
  private readonly partial = { stdout: '', stderr: '' };

  constructor(private readonly opts: BundleProcessOptions) {
    this.child = spawn(opts.argv[0], opts.argv.slice(1), { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true, shell: false });
    for (const stream of ['stdout', 'stderr'] as const) {
      this.child[stream]!.setEncoding('utf8');
      this.child[stream]!.on('data', (chunk: string) => this.write(stream, chunk));
    }
    this.child.on('error', (err: NodeJS.ErrnoException) => {
      // Only a failed spawn reports here before any exit: the runtime could not start the process.
      if (this.exited || this.child.pid !== undefined) return;
      this.finish({ exitCode: 128, startError: startErrorMessage(opts.argv[0], err) });
    });
    // 'close' (not 'exit'): every byte of output has been read by then.
    this.child.on('close', (code, signal) => {
      if (this.exited || this.child.pid === undefined) return;
      for (const stream of ['stdout', 'stderr'] as const) if (this.partial[stream]) this.push(this.partial[stream]);
      this.finish({ exitCode: code ?? 128 + (signal ? (constants.signals[signal] ?? 9) : 9) });
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Signals the whole process group; a group already gone is not an error. */
  signal(sig: 'SIGTERM' | 'SIGKILL'): void {
    if (this.exited || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, sig);
    } catch {
      try {
        this.child.kill(sig);
      } catch {
        // already gone
      }
    }
  }

  private finish(exit: ProcessExit): void {
    this.exited = true;
    this.opts.onExit(exit);
  }

  private write(stream: 'stdout' | 'stderr', chunk: string): void {
    const text = this.partial[stream] + chunk;
    const lines = text.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const line of lines) this.push(line);
    while (Buffer.byteLength(this.partial[stream]) > MAX_LINE_BYTES) {
      this.push(this.partial[stream].slice(0, MAX_LINE_BYTES));
      this.partial[stream] = this.partial[stream].slice(MAX_LINE_BYTES);
    }
  }

  private push(text: string): void {
    for (let i = 0; i === 0 || i < text.length; i += MAX_LINE_BYTES) {
      const piece = text.slice(i, i + MAX_LINE_BYTES);
      this.logs.push({ timeMs: this.opts.nowMs(), text: piece });
      this.logBytes += Buffer.byteLength(piece) + 1;
    }
    if (this.logBytes > MAX_LOG_BYTES) {
      // Drop the oldest lines in one go, down to 3/4 of the bound, so trimming stays cheap.
      let drop = 0;
      while (drop < this.logs.length - 1 && this.logBytes > (MAX_LOG_BYTES * 3) / 4) this.logBytes -= Buffer.byteLength(this.logs[drop++].text) + 1;
      this.logs.splice(0, drop);
    }
  }
}

/** The runtime's words for a program that could not be executed. */
function startErrorMessage(program: string, err: NodeJS.ErrnoException): string {
  const why = err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
  return `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${program}": ${why}: unknown`;
}
