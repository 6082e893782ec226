/**
 * A rate-limited work queue for level-triggered controllers: keys are deduplicated while
 * waiting, a key is never processed twice at once, and failures retry with exponential
 * backoff through the stack clock.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';

export class WorkQueue {
  private queued = new Set<string>();
  private processing = new Set<string>();
  private dirtyWhileProcessing = new Set<string>();
  private failures = new Map<string, number>();
  private order: string[] = [];
  private running = false;
  private stopped = false;
  private timers = new Set<{ cancel(): void }>();

  constructor(
    private readonly clock: Clock,
    private readonly process: (key: string) => Promise<void>,
    private readonly log: Logger,
    private readonly opts: { baseDelayMs?: number; maxDelayMs?: number; startAfter?: Promise<unknown> } = {},
  ) {
    // Keys queue up but are not processed before the caches the handlers read have synced.
    if (opts.startAfter) {
      this.gate = true;
      void opts.startAfter.then(() => {
        this.gate = false;
        if (this.order.length) this.kick();
      });
    }
  }

  private gate = false;

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.order.push(key);
    this.kick();
  }

  addAfter(key: string, nominalMs: number): void {
    const t = this.clock.setTimeout(() => {
      this.timers.delete(t);
      this.add(key);
    }, nominalMs);
    this.timers.add(t);
  }

  private kick(): void {
    if (this.running || this.gate) return;
    this.running = true;
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    while (this.order.length > 0 && !this.stopped) {
      const key = this.order.shift()!;
      this.queued.delete(key);
      this.processing.add(key);
      try {
        await this.process(key);
        this.failures.delete(key);
      } catch (e) {
        const n = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, n);
        const delay = Math.min((this.opts.baseDelayMs ?? 50) * 2 ** (n - 1), this.opts.maxDelayMs ?? 30_000);
        this.log.debug({ key, err: (e as Error).message, retryInMs: delay }, 'reconcile failed, retrying');
        this.addAfter(key, delay);
      } finally {
        this.processing.delete(key);
        if (this.dirtyWhileProcessing.delete(key)) this.add(key);
      }
    }
    this.running = false;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) t.cancel();
  }
}
