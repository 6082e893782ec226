/**
 * The audit client every Kubernaut service records through. `record()` stamps an event and
 * returns at once; a single delivery loop sends batches to DataStorage in record order, retries
 * with exponential backoff while DataStorage is down, and spills to disk so that neither a long
 * outage nor a crash loses events. DataStorage is idempotent on `eventId`, so resending an event
 * (after a timeout whose answer was lost, or a crash before an ack was written) is harmless.
 *
 * Delivery order is one queue in three parts, oldest first:
 *   1. `head`   — a batch taken from memory that is being sent, or must be resent, before anything else;
 *   2. disk     — the spill store (events spilled earlier, or left by a previous process);
 *   3. `memory` — events recorded since.
 * A spill moves `head` to the front of the disk queue and `memory` to its back, which keeps that
 * order; the loop never takes from memory while disk holds anything, so spilled events are replayed
 * first, in their original order, then the buffer.
 *
 * When events go to disk:
 * - memory holds `maxBufferedEvents` (a burst larger than DataStorage absorbs);
 * - DataStorage is unreachable: every flush interval, so a crash during an outage loses at most
 *   the events of one interval (while DataStorage is up, events are delivered within about one
 *   interval anyway);
 * - on `close()`, whatever could not be delivered in time.
 * Without `spillDir` the client keeps at most `maxBufferedEvents` in memory and drops (and counts)
 * events beyond that.
 */
import type { Registry } from 'prom-client';
import type { Clock, Timer } from '../../platform/clock.ts';
import { componentLogger, type Logger } from '../../platform/log.ts';
import { auditEventInputSchema, completeAuditEvent, type AuditEvent, type AuditEventInput } from './audit-event.ts';
import { registerAuditClientMetrics, type AuditClientStats } from './audit-client-metrics.ts';
import type { AuditSink } from './audit-sink.ts';
import { deliverBatch, MAX_AUDIT_BATCH, type DeliveryResult } from './batch-sender.ts';
import { SpillStore } from './spill-store.ts';

export type { AuditEvent, AuditEventInput } from './audit-event.ts';
export type { AuditSink } from './audit-sink.ts';
export { NoopAuditSink, RecordingAuditSink } from './audit-sink.ts';
export type { AuditClientStats } from './audit-client-metrics.ts';

export interface AuditClientOptions {
  /** DataStorage's base URL, e.g. `http://127.0.0.1:8085`. */
  baseUrl: string;
  clock: Clock;
  /** Directory for spilled events (created if missing). Without it, nothing survives a crash. */
  spillDir?: string;
  /** Events per request (at most 1000, DataStorage's limit). Default 100. */
  batchSize?: number;
  /** Nominal time an event may wait in memory for a fuller batch. Default 1000 ms. */
  flushIntervalMs?: number;
  /**
   * Events kept in memory before spilling (or, without `spillDir`, dropping). Default 10000. While a
   * spill is being written memory may hold up to 10 times this; beyond, events are dropped and counted.
   */
  maxBufferedEvents?: number;
  /** Nominal first retry delay while DataStorage is down; doubles per failure. Default 200 ms. */
  retryInitialDelayMs?: number;
  /** Nominal longest retry delay. Default 5000 ms. */
  retryMaxDelayMs?: number;
  /**
   * Real milliseconds one request may take. Not scaled by the clock: it guards against a hung
   * connection, it is not a simulated wait. Default 10000.
   */
  requestTimeoutMs?: number;
  /**
   * The bearer token for a DataStorage that requires authentication, asked for on every delivery
   * (so a rotated ServiceAccount token file is picked up).
   */
  bearerToken?: () => string | undefined;
  /** Registers the client's metrics (`kubernaut_audit_client_*`) here. */
  metrics?: Registry;
  logger?: Logger;
}

export interface CloseOptions {
  /** Nominal time to keep delivering before spilling the rest. Default 5000 ms. */
  timeoutMs?: number;
}

type Source = 'head' | 'disk';

/** How far beyond `maxBufferedEvents` memory may grow while a spill is being written. */
const SPILL_OVERSHOOT = 10;

export class AuditClient implements AuditSink {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxBufferedEvents: number;
  private readonly retryInitialDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly requestTimeoutMs: number;
  /** Undefined without `spillDir`, or when the directory turned out unusable. */
  private store?: SpillStore;

  /** Taken from memory, being sent or to be resent before anything else. */
  private head: AuditEvent[] = [];
  private headInFlight = false;
  private memory: AuditEvent[] = [];

  /** Spills run one after the other; the loop waits for them before it picks a batch. */
  private spillChain: Promise<void> = Promise.resolve();
  private spillsRunning = 0;
  private diskFailing = false;

  private flushTimer?: Timer;
  /** The memory buffer should go out now rather than when a batch is full. */
  private flushDue = false;

  private reachable = true;
  private failedAttempts = 0;
  /** After DataStorage refused a batch, smaller batches isolate the invalid event(s). */
  private batchCap: number;
  private suspects = 0;

  private backlog = 0;
  private recorded = 0;
  private settled = 0;
  private delivered = 0;
  private dropped = 0;
  private rejected = 0;
  private waiters: Array<{ target: number; resolve: () => void; reject: (e: Error) => void }> = [];

  private woken = false;
  private wakeUp?: () => void;
  private closing = false;
  private stopped = false;
  private closed?: Promise<void>;
  private readonly stop = new AbortController();
  private readonly ready: Promise<void>;
  private readonly loopDone: Promise<void>;

  constructor(private readonly opts: AuditClientOptions) {
    this.clock = opts.clock;
    this.log = opts.logger ?? componentLogger('audit-client');
    this.batchSize = Math.max(1, Math.min(opts.batchSize ?? 100, MAX_AUDIT_BATCH));
    this.batchCap = this.batchSize;
    this.flushIntervalMs = opts.flushIntervalMs ?? 1000;
    this.maxBufferedEvents = Math.max(this.batchSize, opts.maxBufferedEvents ?? 10_000);
    this.retryInitialDelayMs = opts.retryInitialDelayMs ?? 200;
    this.retryMaxDelayMs = opts.retryMaxDelayMs ?? 5000;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    if (opts.spillDir) this.store = new SpillStore(opts.spillDir, { logger: this.log });
    if (opts.metrics) registerAuditClientMetrics(opts.metrics, () => this.stats());
    this.ready = this.openStore();
    this.loopDone = this.run();
  }

  record(input: AuditEventInput): void {
    try {
      if (this.closing) return this.drop('the audit client is closed', input);
      const parsed = auditEventInputSchema.safeParse(input);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
        return this.drop(`invalid audit event: ${issues}`, input);
      }
      // Spilling is asynchronous (record() must not block on the disk), so memory overshoots while
      // a spill is written, e.g. during a burst recorded in one event-loop turn; bounded all the same.
      const room = this.store && !this.diskFailing ? SPILL_OVERSHOOT * this.maxBufferedEvents : this.maxBufferedEvents;
      if (this.memory.length >= room) return this.drop('audit buffer full', input);

      this.memory.push(completeAuditEvent(parsed.data, this.clock.now()));
      this.recorded++;
      if (this.store && this.memory.length >= this.maxBufferedEvents) void this.spill();
      if (this.memory.length >= this.batchSize) this.wake();
      this.flushTimer ??= this.clock.setTimeout(() => this.onFlushInterval(), this.flushIntervalMs);
    } catch (err) {
      // Auditing must never break the audited work.
      this.log.error({ err }, 'audit record failed');
    }
  }

  /** Resolves when every event recorded so far (and any spilled backlog) is acknowledged by DataStorage. */
  async flush(): Promise<void> {
    const recordedSoFar = this.recorded;
    await this.ready;
    const target = this.backlog + recordedSoFar;
    if (this.settled >= target) return;
    if (this.stopped) throw new Error('audit client closed before these events were delivered');
    this.flushDue = true;
    this.wake();
    await new Promise<void>((resolve, reject) => this.waiters.push({ target, resolve, reject }));
  }

  /**
   * Delivers what it can within `timeoutMs` (nominal), then stops and spills the rest (held in
   * memory and lost without `spillDir`). Later `record()` calls are dropped.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.closed ??= this.shutDown(options.timeoutMs ?? 5000);
    return this.closed;
  }

  stats(): AuditClientStats {
    return {
      recorded: this.recorded,
      delivered: this.delivered,
      dropped: this.dropped,
      rejected: this.rejected,
      buffered: this.head.length + this.memory.length,
      spilled: this.store?.pending ?? 0,
      reachable: this.reachable,
    };
  }

  private async shutDown(timeoutMs: number): Promise<void> {
    this.closing = true;
    const deadline = new AbortController();
    const flushed = this.flush().then(
      () => true,
      () => false,
    );
    const timedOut = this.clock.sleep(timeoutMs, deadline.signal).then(
      () => false,
      () => false,
    );
    await Promise.race([flushed, timedOut]);
    deadline.abort();

    this.stopped = true;
    this.stop.abort();
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
    this.wake();
    await this.loopDone;

    if (this.store) {
      await this.spill();
      await this.store.close().catch((err) => this.log.warn({ err }, 'could not release the audit spill directory'));
    }
    const left = this.head.length + this.memory.length;
    if (left > 0) this.log.error({ events: left }, 'audit client closed with undelivered events that could not be spilled: they are lost');
    for (const w of this.waiters.splice(0)) w.reject(new Error('audit client closed before these events were delivered'));
  }

  private async openStore(): Promise<void> {
    if (!this.store) return;
    try {
      this.backlog = await this.store.open();
      if (this.backlog > 0) this.log.info({ events: this.backlog, dir: this.store.dir }, 'replaying spilled audit events');
    } catch (err) {
      this.log.error({ err, dir: this.opts.spillDir }, 'audit spill directory unusable: buffering in memory only');
      this.store = undefined;
    }
  }

  private onFlushInterval(): void {
    this.flushTimer = undefined;
    if (this.memory.length === 0) return;
    this.flushDue = true;
    // During an outage, get recent events onto disk at least once per interval.
    if (!this.reachable && this.store) void this.spill();
    this.wake();
  }

  /** Moves `head` in front of the disk queue and memory behind it. */
  private spill(): Promise<void> {
    const store = this.store;
    if (!store) return Promise.resolve();
    this.spillsRunning++;
    const run = async () => {
      try {
        if (this.head.length > 0 && !this.headInFlight) {
          const n = this.head.length;
          await store.prepend(this.head.slice(0, n));
          this.head.splice(0, n);
        }
        // The loop does not take from memory while a spill runs, so memory[0, n) stays put.
        const n = this.memory.length;
        if (n > 0) {
          await store.append(this.memory.slice(0, n));
          this.memory.splice(0, n);
          this.flushDue = false;
        }
        if (this.diskFailing) this.log.info({ dir: store.dir }, 'audit spill directory writable again');
        this.diskFailing = false;
      } catch (err) {
        if (!this.diskFailing) this.log.error({ err, dir: store.dir }, 'audit spill failed: events stay in memory');
        this.diskFailing = true;
      } finally {
        this.spillsRunning--;
      }
    };
    this.spillChain = this.spillChain.then(run);
    return this.spillChain;
  }

  private async run(): Promise<void> {
    await this.ready;
    while (!this.stopped) {
      try {
        if (!(await this.deliverNext())) await this.waitForWork();
      } catch (err) {
        this.log.error({ err }, 'audit delivery loop error');
        await this.pause();
      }
    }
  }

  /** Sends the oldest batch; false when there was nothing due. */
  private async deliverNext(): Promise<boolean> {
    while (this.spillsRunning > 0) await this.spillChain;
    const diskPending = (this.store?.pending ?? 0) > 0;
    const memoryDue = this.flushDue || this.closing || this.memory.length >= this.batchSize;
    if (this.head.length === 0 && !diskPending && this.memory.length > 0 && memoryDue) {
      this.head = this.memory.splice(0, this.batchCap);
      if (this.memory.length === 0) this.flushDue = false;
    }

    let source: Source;
    let events: AuditEvent[];
    if (this.head.length > 0) {
      source = 'head';
      events = this.head.slice(0, this.batchCap);
    } else if (diskPending) {
      source = 'disk';
      events = await this.store!.peek(this.batchCap);
      if (events.length === 0) throw new Error('spill store reports pending events but returned none');
    } else {
      return false;
    }

    this.headInFlight = source === 'head';
    let result: DeliveryResult;
    try {
      result = await this.send(events);
    } finally {
      this.headInFlight = false;
    }

    if (result.outcome === 'delivered') {
      if (!this.reachable) this.log.info({ failedAttempts: this.failedAttempts, spilled: this.store?.pending ?? 0 }, 'DataStorage reachable again: delivering audit events');
      this.reachable = true;
      this.failedAttempts = 0;
      this.delivered += events.length;
      await this.settle(source, events.length);
      return true;
    }
    if (result.outcome === 'rejected') {
      if (events.length > 1) {
        // Halve until the refused event(s) stand alone; the rest gets through.
        this.suspects = Math.max(this.suspects, events.length);
        this.batchCap = Math.ceil(events.length / 2);
        return true;
      }
      this.rejected++;
      this.log.error({ event: events[0], reason: result.reason }, 'DataStorage refused an audit event: giving up on it');
      await this.store?.reject(events[0], result.reason).catch(() => undefined);
      await this.settle(source, 1);
      return true;
    }
    if (this.stopped) return true;
    if (this.reachable) this.log.warn({ reason: result.reason, spilling: !!this.store }, 'DataStorage unreachable: retrying audit delivery with backoff');
    this.reachable = false;
    this.failedAttempts++;
    await this.spill();
    await this.pause();
    return true;
  }

  /** One request, aborted by close() or after `requestTimeoutMs` real milliseconds. */
  private async send(events: AuditEvent[]): Promise<DeliveryResult> {
    // A controller per request rather than AbortSignal.any: Node 20 leaks listeners on a
    // long-lived parent signal combined that way.
    const abort = new AbortController();
    const onStop = () => abort.abort();
    this.stop.signal.addEventListener('abort', onStop, { once: true });
    // Real time on purpose (see requestTimeoutMs): a guard against a hung connection.
    const timeout = setTimeout(() => abort.abort(), this.requestTimeoutMs);
    try {
      return await deliverBatch(this.opts.baseUrl, events, abort.signal, this.opts.bearerToken?.());
    } finally {
      clearTimeout(timeout);
      this.stop.signal.removeEventListener('abort', onStop);
    }
  }

  /** The first `n` events of the batch from `source` are done with. */
  private async settle(source: Source, n: number): Promise<void> {
    this.settled += n;
    if (this.suspects > 0) {
      this.suspects -= n;
      if (this.suspects <= 0) this.batchCap = this.batchSize;
    }
    for (const w of this.waiters.filter((w) => this.settled >= w.target)) w.resolve();
    this.waiters = this.waiters.filter((w) => this.settled < w.target);
    if (source === 'head') {
      this.head.splice(0, n);
    } else {
      // A lost ack only means these events are sent again later, which DataStorage ignores.
      await this.store!.acknowledge(n).catch((err) => this.log.warn({ err }, 'could not record audit spill progress'));
    }
  }

  /** Exponential backoff with jitter (so replicas do not retry in step), cut short by close(). */
  private async pause(): Promise<void> {
    const exp = this.retryInitialDelayMs * 2 ** Math.min(this.failedAttempts - 1, 30);
    const delay = Math.min(this.retryMaxDelayMs, Math.max(this.retryInitialDelayMs, exp)) * (0.5 + Math.random() / 2);
    await this.clock.sleep(delay, this.stop.signal).catch(() => undefined);
  }

  private waitForWork(): Promise<void> {
    if (this.woken || this.stopped) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wakeUp = () => {
        this.wakeUp = undefined;
        this.woken = false;
        resolve();
      };
    });
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private drop(reason: string, input: unknown): void {
    this.dropped++;
    // The first of a series, then every 1000th: a flood of drops must not become a flood of logs.
    if (this.dropped % 1000 === 1) this.log.error({ reason, dropped: this.dropped, eventType: (input as AuditEventInput)?.eventType }, 'audit event dropped');
  }
}
