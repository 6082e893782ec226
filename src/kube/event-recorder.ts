/**
 * Records core/v1 Events about objects (what `kubectl describe` shows), fire and forget.
 *
 * Repeats of one event (same object uid, type, reason and message) within 10 minutes of its last
 * occurrence are one Event whose count and lastTimestamp are patched, not a new Event each time;
 * repeats that come while the write is still waiting are folded into it. Writes go out one at a
 * time through a token bucket, at most `maxPending` distinct events wait (newer ones are dropped
 * and counted in the log), and the memory of recent Events is bounded: an event storm costs
 * neither the API server nor this process more than that.
 */
import { CoreV1Api, PatchStrategy, setHeaderOptions, type CoreV1Event, type KubeConfig, type KubernetesObject, type V1ObjectReference } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import type { Clock } from '../platform/clock.ts';
import { componentLogger, type Logger } from '../platform/log.ts';
import { isNotFound, messageOf } from './api-errors.ts';
import { TokenBucket } from './token-bucket.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** Nominal ms after its last occurrence during which a repeat is counted into the same Event (default 10 min). */
  aggregationWindowMs?: number;
  /** API writes per nominal second (default 5) and burst (default 25). */
  ratePerSecond?: number;
  burst?: number;
  /** Distinct events waiting to be written at most (default 1,000). */
  maxPending?: number;
  /** Recent Events remembered for aggregation at most (default 4,096; oldest forgotten first). */
  maxRemembered?: number;
  log?: Logger;
}

interface Pending {
  involved: V1ObjectReference;
  namespace: string;
  type: EventType;
  reason: string;
  message: string;
  /** Occurrences not yet written. */
  count: number;
  first: Date;
  last: Date;
}

interface Written {
  namespace: string;
  name: string;
  count: number;
  /** clock.nowMs() of the last occurrence written. */
  lastMs: number;
}

const MAX_NAME = 253;

export class EventRecorder {
  private readonly api: CoreV1Api;
  private readonly log: Logger;
  private readonly bucket: TokenBucket;
  private readonly pending = new Map<string, Pending>();
  /** Insertion order = least recently written first. */
  private readonly written = new Map<string, Written>();
  private readonly windowMs: number;
  private readonly maxPending: number;
  private readonly maxRemembered: number;
  private readonly instance = hostname();
  private pumping?: Promise<void>;
  private dropped = 0;
  private closed = false;

  constructor(
    kc: KubeConfig,
    private readonly clock: Clock,
    private readonly component: string,
    opts: EventRecorderOptions = {},
  ) {
    this.api = kc.makeApiClient(CoreV1Api);
    this.log = (opts.log ?? componentLogger('event-recorder')).child({ eventSource: component });
    this.bucket = new TokenBucket(clock, opts.ratePerSecond ?? 5, opts.burst ?? 25);
    this.windowMs = opts.aggregationWindowMs ?? 600_000;
    this.maxPending = opts.maxPending ?? 1000;
    this.maxRemembered = opts.maxRemembered ?? 4096;
  }

  /** Records an event about `obj`; returns at once and never throws. */
  event(obj: KubernetesObject, type: EventType, reason: string, message: string): void {
    try {
      if (this.closed) return;
      const involved = referenceTo(obj);
      const key = JSON.stringify([involved.uid ?? `${involved.kind}/${involved.namespace}/${involved.name}`, type, reason, message]);
      const now = this.clock.now();
      const waiting = this.pending.get(key);
      if (waiting) {
        waiting.count++;
        waiting.last = now;
        return;
      }
      if (this.pending.size >= this.maxPending) {
        if (this.dropped++ % 100 === 0) this.log.warn({ dropped: this.dropped, reason }, 'too many events waiting; dropping new ones');
        return;
      }
      this.pending.set(key, { involved, namespace: involved.namespace || 'default', type, reason, message, count: 1, first: now, last: now });
      this.pumping ??= this.pump();
    } catch (err) {
      this.log.warn({ err: messageOf(err), reason }, 'could not record event');
    }
  }

  /** Resolves once every event recorded so far has been written (or given up). */
  async flush(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  /** Forgets what has not been written yet and records nothing more. */
  close(): void {
    this.closed = true;
    this.pending.clear();
  }

  private async pump(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const key = this.pending.keys().next().value!;
        const wait = this.bucket.reserve();
        // Taken only after the wait, so repeats arriving meanwhile join this write.
        if (wait > 0) await this.clock.sleep(wait);
        const event = this.pending.get(key);
        if (!event) continue;
        this.pending.delete(key);
        try {
          await this.write(key, event);
        } catch (err) {
          this.log.warn({ err: messageOf(err), reason: event.reason, object: `${event.involved.kind}/${event.involved.name}` }, 'could not write event');
        }
      }
    } finally {
      this.pumping = undefined;
    }
  }

  private async write(key: string, event: Pending): Promise<void> {
    const nowMs = this.clock.nowMs();
    const seen = this.written.get(key);
    if (seen && this.clock.nominal(nowMs - seen.lastMs) < this.windowMs) {
      const count = seen.count + event.count;
      try {
        await this.api.patchNamespacedEvent(
          { name: seen.name, namespace: seen.namespace, body: { count, lastTimestamp: event.last.toISOString() } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        this.remember(key, { ...seen, count, lastMs: nowMs });
        return;
      } catch (err) {
        // The Event expired on the server (events have a TTL there): start a new one.
        if (!isNotFound(err)) throw err;
      }
    }
    const body: CoreV1Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: this.eventName(event.involved.name ?? 'object'), namespace: event.namespace },
      involvedObject: event.involved,
      type: event.type,
      reason: event.reason,
      message: event.message,
      source: { component: this.component, host: this.instance },
      reportingComponent: this.component,
      reportingInstance: this.instance,
      firstTimestamp: event.first,
      lastTimestamp: event.last,
      count: event.count,
    };
    const created = await this.api.createNamespacedEvent({ namespace: event.namespace, body });
    this.remember(key, { namespace: event.namespace, name: created.metadata?.name ?? body.metadata.name!, count: event.count, lastMs: nowMs });
  }

  private remember(key: string, w: Written): void {
    this.written.delete(key);
    this.written.set(key, w);
    if (this.written.size > this.maxRemembered) this.written.delete(this.written.keys().next().value!);
  }

  /** "<object>.<hex nanoseconds>", as the Kubernetes components name theirs (the sub-ms part random, so replicas do not collide). */
  private eventName(objectName: string): string {
    const suffix = (BigInt(this.clock.nowMs()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16);
    return `${objectName.slice(0, MAX_NAME - suffix.length - 1)}.${suffix}`;
  }
}

function referenceTo(obj: KubernetesObject): V1ObjectReference {
  const m = obj.metadata ?? {};
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
  };
}
