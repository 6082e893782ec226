/** A Clock for tests whose time moves only when the test advances it; timers fire in due order. */
import type { Clock, Timer } from '../../src/platform/clock.ts';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  readonly timeScale = 1;
  private t: number;
  private seq = 0;
  private queue: Pending[] = [];

  constructor(startMs = Date.parse('2026-11-26T12:00:00Z')) {
    this.t = startMs;
  }

  now(): Date {
    return new Date(this.t);
  }
  nowMs(): number {
    return this.t;
  }
  scaled(nominalMs: number): number {
    return Math.max(0, nominalMs);
  }
  nominal(realMs: number): number {
    return realMs;
  }
  setTimeout(fn: () => void, nominalMs: number): Timer {
    const p: Pending = { at: this.t + Math.max(0, nominalMs), seq: this.seq++, fn, cancelled: false };
    this.queue.push(p);
    return { cancel: () => void (p.cancelled = true) };
  }
  setInterval(fn: () => void, nominalMs: number): Timer {
    let current: Timer | undefined;
    let stopped = false;
    const arm = () => {
      current = this.setTimeout(() => {
        if (stopped) return;
        arm();
        fn();
      }, Math.max(1, nominalMs));
    };
    arm();
    return { cancel: () => ((stopped = true), current?.cancel()) };
  }
  sleep(nominalMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new Error('aborted'));
      const onAbort = () => {
        timer.cancel();
        reject(new Error('aborted'));
      };
      const timer = this.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, nominalMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Timers not yet fired or cancelled. */
  get pending(): number {
    return this.queue.filter((p) => !p.cancelled).length;
  }

  /** Runs every timer due within `ms` in order, synchronously (no promise settles in between). */
  advanceNow(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = this.queue.filter((p) => !p.cancelled && p.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.queue = this.queue.filter((p) => p !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
    this.queue = this.queue.filter((p) => !p.cancelled);
  }

  /** Runs every timer due within `ms`, in order, letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const next = this.queue
        .filter((p) => !p.cancelled && p.at <= end)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.queue = this.queue.filter((p) => p !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

/**
 * Moves the clock forward in small steps until `check` holds, letting real I/O (an API server's
 * watches, HTTP) settle between steps, so a whole cluster can run on a clock the test drives.
 * The real-time deadline only guards against a hang; it never decides what the test sees.
 */
export async function driveUntil(clock: ManualClock, check: () => unknown, what: string, opts: { stepMs?: number; deadlineMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (opts.deadlineMs ?? 20_000);
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (clock at ${clock.now().toISOString()})`);
    await clock.advance(opts.stepMs ?? 50);
    await new Promise((r) => setTimeout(r, 1));
  }
}
