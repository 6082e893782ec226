/**
 * Records core/v1 Events the way client-go's recorder does for kube-controller-manager, the
 * scheduler and the kubelet: one Event per (source, object, type, reason, message), named
 * `<object>.<hex nanoseconds>`, whose `count` and `lastTimestamp` grow when the same thing happens
 * again. Recording never blocks or fails the caller: a lost event is logged, not retried forever.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import type { KubeObject } from '../core/types.ts';
import { ClientError, type ClusterClient } from './cluster-client.ts';
import { EVENTS } from './resources.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventSource {
  /** e.g. `statefulset-controller`, `default-scheduler`, `kubelet`. */
  component: string;
  /** Node name, for node-local components such as the kubelet. */
  host?: string;
}

/** Remembered recent events, to bump counts instead of creating duplicates (client-go keeps 4096). */
const CACHE_SIZE = 4096;

export class EventRecorder {
  private recent = new Map<string, { namespace: string; name: string; count: number }>();
  /** Writes for one aggregation key run one after another so counts never race. */
  private chains = new Map<string, Promise<void>>();

  constructor(
    private readonly client: ClusterClient,
    private readonly clock: Clock,
    private readonly source: EventSource,
    private readonly log: Logger,
  ) {}

  /** Records an event about `obj`; `fieldPath` points into it (e.g. `spec.containers{app}`). */
  event(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    const involved = {
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion,
      ...(fieldPath ? { fieldPath } : {}),
    };
    const key = JSON.stringify([this.source.component, this.source.host, involved.kind, involved.namespace, involved.name, involved.uid, fieldPath, type, reason, message]);
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev
      .then(() => this.write(key, involved, type, reason, message))
      .catch((e) => this.log.warn({ err: (e as Error).message, reason, object: `${involved.namespace ?? ''}/${involved.name}` }, 'could not record event'));
    this.chains.set(key, next);
    void next.finally(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  /** Resolves when every event recorded so far has been written (tests and shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  private async write(key: string, involved: Record<string, unknown>, type: EventType, reason: string, message: string): Promise<void> {
    const now = this.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const seen = this.recent.get(key);
    if (seen) {
      try {
        await this.client.patch(EVENTS, seen.namespace, seen.name, { count: seen.count + 1, lastTimestamp: now });
        seen.count++;
        this.touch(key, seen);
        return;
      } catch (e) {
        // The event was deleted (TTL, namespace cleanup): start a new one.
        if (!(e instanceof ClientError) || e.code !== 404) throw e;
        this.recent.delete(key);
      }
    }
    // Events about cluster-scoped objects (nodes, PVs) live in `default`, as upstream.
    const namespace = (involved.namespace as string | undefined) ?? 'default';
    const name = `${involved.name as string}.${(BigInt(this.clock.nowMs()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`;
    const created = await this.client.create(EVENTS, namespace, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: involved,
      reason,
      message,
      type,
      source: { component: this.source.component, ...(this.source.host ? { host: this.source.host } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
    });
    this.touch(key, { namespace, name: created.metadata.name!, count: 1 });
  }

  private touch(key: string, entry: { namespace: string; name: string; count: number }): void {
    this.recent.delete(key);
    this.recent.set(key, entry);
    if (this.recent.size > CACHE_SIZE) this.recent.delete(this.recent.keys().next().value!);
  }
}
