/**
 * The queue between informer events and reconcile workers. Keys, not events: a key queued many
 * times is processed once; a key re-added while a worker has it is processed again after `done`,
 * never by two workers at once. Delays and back-offs run on the Clock.
 */
import type { Registry } from 'prom-client';
import type { Clock, Timer } from '../platform/clock.ts';
import { componentLogger, type Logger } from '../platform/log.ts';
import { TokenBucket } from './token-bucket.ts';
import { workQueueMetrics, type WorkQueueMetrics } from './work-queue-metrics.ts';

export interface WorkQueueOptions {
  /** Label of the metrics and the logs. */
  name: string;
  /** First back-off of a failing key, nominal ms (default 5); doubles per failure. */
  baseDelayMs?: number;
  /** Longest back-off, nominal ms (default 1,000 s). */
  maxDelayMs?: number;
  /** Rate-limited adds of all keys together: sustained per nominal second (default 10) and burst (default 100). */
  ratePerSecond?: number;
  burst?: number;
  /** Failures of a key after which addRateLimited drops it instead (default 15). */
  maxRetries?: number;
  log?: Logger;
}

interface Delayed {
  /** Due time on clock.nowMs(). */
  at: number;
  timer: Timer;
}

export class WorkQueue {
  readonly name: string;
  private readonly queue: string[] = [];
  /** Keys that need processing (queued, or re-added while being processed). */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, Delayed>();
  private readonly failures = new Map<string, number>();
  /** When each dirty key was added, for the queue-latency metric. */
  private readonly addedAt = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private readonly bucket: TokenBucket;
  private readonly metrics: WorkQueueMetrics;
  private readonly log: Logger;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetries: number;
  private shuttingDown = false;

  constructor(
    private readonly clock: Clock,
    opts: WorkQueueOptions,
    registry?: Registry,
  ) {
    this.name = opts.name;
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
    this.maxRetries = opts.maxRetries ?? 15;
    this.bucket = new TokenBucket(clock, opts.ratePerSecond ?? 10, opts.burst ?? 100);
    this.metrics = workQueueMetrics(registry);
    this.metrics.depth.set({ name: this.name }, 0);
    this.log = (opts.log ?? componentLogger('workqueue')).child({ queue: this.name });
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.addedAt.set(key, this.clock.nowMs());
    this.metrics.adds.inc({ name: this.name });
    // Being processed: it goes back in the queue when its worker calls done().
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Adds `key` after `nominalMs`; pending delayed adds of one key merge into the earliest. */
  addAfter(key: string, nominalMs: number): void {
    if (this.shuttingDown) return;
    if (!(nominalMs > 0)) return this.add(key);
    const at = this.clock.nowMs() + this.clock.scaled(nominalMs);
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    pending?.timer.cancel();
    const timer = this.clock.setTimeout(() => {
      if (this.delayed.get(key)?.timer !== timer) return;
      this.delayed.delete(key);
      this.add(key);
    }, nominalMs);
    this.delayed.set(key, { at, timer });
  }

  /**
   * Adds `key` after its back-off (base·2^failures, capped) or the overall rate limit, whichever
   * is later. After `maxRetries` failures the key is dropped (logged, counted); returns false then.
   */
  addRateLimited(key: string): boolean {
    if (this.shuttingDown) return false;
    const failures = this.failures.get(key) ?? 0;
    if (failures >= this.maxRetries) {
      this.failures.delete(key);
      this.metrics.dropped.inc({ name: this.name });
      this.log.error({ key, failures }, 'giving up on key after too many failed attempts');
      return false;
    }
    this.failures.set(key, failures + 1);
    this.metrics.retries.inc({ name: this.name });
    const backoff = Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs);
    this.addAfter(key, Math.max(backoff, this.bucket.reserve()));
    return true;
  }

  /** Clears the key's failure count (call after it was processed successfully). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process (the caller must call done(key)); undefined once shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    if (this.queue.length > 0) return Promise.resolve(this.take());
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    if (!this.processing.delete(key)) return;
    const started = this.startedAt.get(key);
    this.startedAt.delete(key);
    if (started !== undefined) this.metrics.workDuration.observe({ name: this.name }, (this.clock.nowMs() - started) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
    if (this.processing.size === 0) for (const idle of this.idleWaiters.splice(0)) idle();
  }

  /** Stops handing out keys (get() answers undefined; adds are ignored) and cancels delayed adds. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const d of this.delayed.values()) d.timer.cancel();
    this.delayed.clear();
    this.queue.length = 0;
    this.dirty.clear();
    this.metrics.depth.set({ name: this.name }, 0);
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Resolves when no key is being processed (after shutDown: when the last worker is done). */
  idle(): Promise<void> {
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Keys waiting to be taken (not counting delayed ones or those being processed). */
  len(): number {
    return this.queue.length;
  }

  /** Keys with a delayed add pending. */
  delayedLen(): number {
    return this.delayed.size;
  }

  private push(key: string): void {
    this.queue.push(key);
    this.metrics.depth.set({ name: this.name }, this.queue.length);
    while (this.waiters.length > 0 && this.queue.length > 0) this.waiters.shift()!(this.take());
  }

  private take(): string {
    const key = this.queue.shift()!;
    this.dirty.delete(key);
    this.processing.add(key);
    const now = this.clock.nowMs();
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.metrics.queueDuration.observe({ name: this.name }, (now - added) / 1000);
    this.startedAt.set(key, now);
    this.metrics.depth.set({ name: this.name }, this.queue.length);
    return key;
  }
}
