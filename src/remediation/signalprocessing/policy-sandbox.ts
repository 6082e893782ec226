/**
 * Evaluates CEL policies in a child process with a time and a memory limit.
 *
 * A policy comes from a ConfigMap that anyone allowed to edit the controller namespace can change.
 * CEL cannot loop forever, but it can still describe far too much work: a backtracking regex
 * (`matches("^(a+)+$")`), a list doubled in a chain of `cel.bind`s. cel-js evaluates synchronously,
 * so in the controller's own thread nothing could stop such an evaluation, and a worker thread's
 * heap limit does not contain one huge allocation (V8 aborts the whole process). In a child process
 * with its own heap limit, an evaluation over its time limit is stopped by killing the child, one
 * over its memory dies alone, and a fresh child takes the next request. Requests run one at a time,
 * so the limit applies to exactly one evaluation.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Clock, Timer } from '../../platform/clock.ts';
import { componentLogger, type Logger } from '../../platform/log.ts';
import { CEL_ENVIRONMENT_OPTIONS, POLICY_VARIABLES } from './policy-definitions.ts';

/** The evaluation failed: an error of the expression, or a limit it ran into. */
export class PolicyEvaluationError extends Error {
  constructor(message: string, readonly limitExceeded = false) {
    super(message);
    this.name = 'PolicyEvaluationError';
  }
}

export interface PolicySandboxOptions {
  /**
   * Real milliseconds one evaluation may take (default 1000: policies take well under a
   * millisecond, but a busy machine must not fail a legitimate one). A CPU budget, not a simulated
   * wait: the timer goes through the clock as its nominal equivalent, so `--time-scale` leaves it alone.
   */
  timeLimitMs?: number;
  /** Heap of the child in MiB (default 64). */
  memoryLimitMb?: number;
  /** Real milliseconds a new child may take to start and load cel-js (default 20000: a busy machine). */
  startTimeoutMs?: number;
  log?: Logger;
  /**
   * The policies this sandbox evaluates: per policy name, its CEL variables (name -> CEL type), and
   * the environment options. Default: SignalProcessing's six classification policies.
   */
  declarations?: PolicyDeclarations;
}

export interface PolicyDeclarations {
  variables: Readonly<Record<string, Readonly<Record<string, string>>>>;
  options: object;
}

interface Pending {
  id: number;
  /** The child evaluating it: events of a child already replaced must not settle a newer request. */
  child: ChildProcess;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: Timer;
}

type Answer = { ready: true } | { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

const CHILD_SCRIPT = fileURLToPath(new URL('./policy-sandbox-child.js', import.meta.url));

export class PolicySandbox {
  private readonly timeLimitMs: number;
  private readonly memoryLimitMb: number;
  private readonly startTimeoutMs: number;
  private readonly log: Logger;
  private readonly declarations: PolicyDeclarations;
  private child?: Promise<ChildProcess>;
  /** The child `child` resolved to, once it has started. */
  private current?: ChildProcess;
  private pending?: Pending;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly clock: Clock, opts: PolicySandboxOptions = {}) {
    this.timeLimitMs = opts.timeLimitMs ?? 1000;
    this.memoryLimitMb = opts.memoryLimitMb ?? 64;
    this.startTimeoutMs = opts.startTimeoutMs ?? 20_000;
    this.log = opts.log ?? componentLogger('signalprocessing-policies');
    this.declarations = opts.declarations ?? { variables: POLICY_VARIABLES, options: CEL_ENVIRONMENT_OPTIONS };
  }

  /** The plain value of `text` evaluated as policy `policy` over `vars` (maps as objects, ints as numbers). */
  evaluate(policy: string, text: string, vars: Record<string, unknown>): Promise<unknown> {
    const run = this.queue.then(() => this.send(policy, text, vars));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Starts the child ahead of the first evaluation, so the first signal does not wait for it. */
  async warmUp(): Promise<void> {
    try {
      await this.ready();
    } catch (err) {
      // The first evaluation tries again and reports it.
      this.log.warn({ err: (err as Error).message }, 'policy sandbox did not start');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    this.child = undefined;
    this.current = undefined;
    this.fail(undefined, new PolicyEvaluationError('the policy sandbox is closed'));
    const c = await child?.catch(() => undefined);
    if (c && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((resolve) => c.once('exit', resolve));
      // Unreferenced, the child would not keep the process alive for its own exit event.
      c.ref();
      c.kill('SIGKILL');
      await exited;
    }
  }

  private async send(policy: string, text: string, vars: Record<string, unknown>): Promise<unknown> {
    if (this.closed) throw new PolicyEvaluationError('the policy sandbox is closed');
    const child = await this.ready();
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const timer = this.clock.setTimeout(() => {
        this.fail(child, new PolicyEvaluationError(`the evaluation took longer than the limit of ${this.timeLimitMs} ms`, true));
        this.discard(child);
      }, this.clock.nominal(this.timeLimitMs));
      this.pending = { id, child, resolve, reject, timer };
      child.send({ id, policy, text, vars }, (err) => {
        // A value that cannot be serialized, or a child that just died (its exit settles this too).
        if (err) this.fail(child, new PolicyEvaluationError(`the policy input could not be sent to the sandbox: ${err.message}`));
      });
    });
  }

  /** The running child, started (and waited for) when there is none. */
  private ready(): Promise<ChildProcess> {
    this.child ??= this.start().then(
      (c) => (this.current = c),
      (err) => {
        this.child = undefined;
        throw err;
      },
    );
    return this.child;
  }

  private start(): Promise<ChildProcess> {
    const child = fork(CHILD_SCRIPT, [], {
      // Plain JavaScript: no TypeScript loader (tsx) in the child, whatever the parent runs with.
      execArgv: [`--max-old-space-size=${this.memoryLimitMb}`, `--max-semi-space-size=${Math.max(1, Math.floor(this.memoryLimitMb / 16))}`],
      // Maps (label maps) and BigInts cross as they are.
      serialization: 'advanced',
      // A V8 out-of-memory report goes to stderr: read, then logged in one line instead.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    // The sandbox must not keep the process alive; a pending evaluation's timer does while it waits.
    child.unref();
    child.channel?.unref();
    (child.stderr as unknown as { unref?(): void } | null)?.unref?.();
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 4096) stderr += d.toString();
    });
    return new Promise((resolve, reject) => {
      let started = false;
      const startTimer = this.clock.setTimeout(() => {
        reject(new PolicyEvaluationError(`the policy sandbox did not start within ${this.startTimeoutMs} ms`));
        child.kill('SIGKILL');
      }, this.clock.nominal(this.startTimeoutMs));
      child.on('message', (m: Answer) => {
        if ('ready' in m) {
          started = true;
          startTimer.cancel();
          return resolve(child);
        }
        if (this.pending?.id !== m.id || this.pending.child !== child) return; // an evaluation already given up
        if (m.ok) this.succeed(m.value);
        else this.fail(child, new PolicyEvaluationError(m.error));
      });
      child.on('error', (err) => {
        this.log.error({ err }, 'policy sandbox process failed');
        if (!started) {
          startTimer.cancel();
          reject(new PolicyEvaluationError(`the policy sandbox could not start: ${err.message}`));
        }
      });
      child.on('exit', (code, signal) => {
        startTimer.cancel();
        if (!started) reject(new PolicyEvaluationError(`the policy sandbox exited while starting (${signal ?? code}): ${stderr.trim().split('\n')[0] ?? ''}`));
        const outOfMemory = /heap out of memory|Allocation failed/i.test(stderr);
        this.fail(child, outOfMemory
          ? new PolicyEvaluationError(`the evaluation needed more memory than the limit of ${this.memoryLimitMb} MiB`, true)
          : new PolicyEvaluationError(`the policy sandbox exited during the evaluation (${signal ?? code})`));
        if (outOfMemory) this.log.warn('a policy evaluation ran out of memory; the sandbox is restarted');
        this.discard(child);
      });
      child.send({ init: this.declarations });
    });
  }

  private succeed(value: unknown): void {
    const p = this.pending;
    this.pending = undefined;
    p?.timer.cancel();
    p?.resolve(value);
  }

  private fail(child: ChildProcess | undefined, err: Error): void {
    const p = this.pending;
    if (!p || (child && p.child !== child)) return;
    this.pending = undefined;
    p.timer.cancel();
    p.reject(err);
  }

  /** Forgets `child` (the next evaluation starts a fresh one) and stops it. */
  private discard(child: ChildProcess): void {
    if (this.current === child) {
      this.current = undefined;
      this.child = undefined;
    }
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
