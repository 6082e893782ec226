/**
 * A list-then-watch cache of one resource type with event handlers, on client-node's Watch.
 *
 * client-node's ListWatch is not used: it stops for good on a watch error, gives update handlers no
 * old object, lets a throwing handler break its loop, and has no way to show our own writes before
 * their watch event. Here the loop lists, watches from the list's resourceVersion, re-watches when
 * the server ends a watch, and after any error or a 410 lists again (with back-off through the
 * clock) and delivers only the differences. Every resourceVersion reaches the handlers once.
 */
import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Clock } from '../platform/clock.ts';
import { componentLogger, type Logger } from '../platform/log.ts';
import { isGone, messageOf, statusCodeOf } from './api-errors.ts';
import { IndexedStore, type IndexFunc } from './indexed-store.ts';
import { keyOf, keyString, type ObjectKey } from './object-key.ts';
import { apiVersionOf, resourcePath, type ResourceType } from './resource.ts';
import { isNewerResourceVersion, isStaleResourceVersion } from './resource-version.ts';
import { WireApi } from './wire-api.ts';
import { untilAborted } from '../platform/abort.ts';

export type InformerEvent = 'add' | 'update' | 'delete';
/** For 'update' `old` is the previous cached copy; for 'delete' `obj` is the last known state. */
export type InformerHandler<T> = (event: InformerEvent, obj: T, old?: T) => void;

export interface InformerOptions<T = any> {
  /** Only this namespace (default: all). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Nominal ms; every cached object is re-delivered as 'update' this often (default: never). */
  resyncMs?: number;
  /** Extra indices; 'namespace' and 'owner' (uid of the controller ownerReference) always exist. */
  indexers?: Record<string, IndexFunc<T>>;
  /** Back-off between failed list/watch attempts, nominal ms (default 200 ms doubling to 30 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  log?: Logger;
}

/** Deletions we made ourselves, so that watch events from before them cannot bring the object back. */
interface Tombstone {
  uid?: string;
  resourceVersion?: string;
}

const MAX_TOMBSTONES = 10_000;

interface WatchOutcome {
  /** The watch ended with an error (or an ERROR event); the cache must be listed again. */
  failed: boolean;
  err?: unknown;
}

export class Informer<T extends KubernetesObject> {
  private readonly store: IndexedStore<T>;
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly tombstones = new Map<string, Tombstone>();
  /** Keys our own writes touched while a list is under way: the list may predate them. */
  private readonly reflectedSinceList = new Set<string>();
  private listing = false;
  private readonly log: Logger;
  private readonly path: string;
  private readonly wire: WireApi;
  private readonly watcher: Watch;
  /** Where the next watch resumes; '' means the cache must be (re)listed first. */
  private resourceVersion = '';
  private synced = false;
  private running?: { stop: AbortController; loop: Promise<void>; synced: Promise<void> };

  constructor(
    kc: KubeConfig,
    readonly type: ResourceType,
    private readonly clock: Clock,
    private readonly opts: InformerOptions<T> = {},
  ) {
    this.log = (opts.log ?? componentLogger('informer')).child({ resource: `${type.plural}${type.group ? `.${type.group}` : ''}`, ...(opts.namespace ? { namespace: opts.namespace } : {}) });
    this.store = new IndexedStore<T>(opts.indexers, (index, obj, err) =>
      this.log.error({ index, object: keyString(keyOf(obj)), err: messageOf(err) }, 'indexer failed; object left out of that index'),
    );
    this.path = resourcePath(type, opts.namespace);
    this.wire = WireApi.forConfig(kc);
    this.watcher = new Watch(kc);
  }

  /**
   * Adds a handler. Objects already cached are delivered to it as 'add' right away, so a handler
   * added to a running informer misses nothing. A handler that throws is logged and skipped.
   */
  onEvent(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
    for (const obj of this.store.values()) this.call(handler, 'add', obj);
  }

  /** Starts listing and watching; resolves once the first list is cached (or when stopped first). */
  start(): Promise<void> {
    if (this.running) return this.running.synced;
    // A restarted informer may have missed anything: list again and deliver the differences.
    this.resourceVersion = '';
    const stop = new AbortController();
    let markSynced!: () => void;
    const synced = new Promise<void>((resolve) => (markSynced = resolve));
    stop.signal.addEventListener('abort', () => markSynced(), { once: true });
    const loop = this.run(stop.signal, markSynced);
    this.running = { stop, loop, synced };
    return synced;
  }

  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.stop.abort();
    await running.loop;
    if (this.running === running) this.running = undefined;
  }

  isRunning(): boolean {
    return !!this.running;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  get(key: ObjectKey): T | undefined {
    return this.store.get(keyString(key));
  }

  /** Every cached object, or those of one namespace. */
  list(namespace?: string): T[] {
    return namespace === undefined ? this.store.values() : this.store.byIndex('namespace', namespace);
  }

  byIndex(index: string, value: string): T[] {
    return this.store.byIndex(index, value);
  }

  /**
   * A write of ours answered with `obj`: cache it now, if its resourceVersion is newer than the
   * cached one, and tell the handlers; its watch event, when it comes, is then not news. With
   * `deleted`, the object is dropped and older watch events of it are ignored.
   */
  reflectWrite(obj: T, deleted = false): void {
    if (!obj?.metadata?.name) return;
    const key = keyString(keyOf(obj));
    const cached = this.store.get(key);
    if (deleted) {
      // A newer incarnation (same name, other uid) is not what we deleted.
      if (cached && obj.metadata.uid && cached.metadata?.uid && obj.metadata.uid !== cached.metadata.uid) return;
      const rv = pickNewer(obj.metadata.resourceVersion, cached?.metadata?.resourceVersion);
      this.addTombstone(key, { uid: obj.metadata.uid ?? cached?.metadata?.uid, resourceVersion: rv });
      if (this.listing) this.reflectedSinceList.add(key);
      if (cached) {
        this.store.delete(key);
        this.emit('delete', cached);
      }
      return;
    }
    if (this.blockedByTombstone(key, obj)) return;
    if (cached && !isNewerResourceVersion(obj.metadata.resourceVersion, cached.metadata?.resourceVersion)) return;
    const full = this.withTypeMeta(obj);
    this.store.put(full);
    if (this.listing) this.reflectedSinceList.add(key);
    this.emit(cached ? 'update' : 'add', full, cached);
  }

  private async run(stop: AbortSignal, markSynced: () => void): Promise<void> {
    const initial = this.opts.initialBackoffMs ?? 200;
    const max = this.opts.maxBackoffMs ?? 30_000;
    let backoff = initial;
    let lastGoneMs = -Infinity;
    const resync = this.opts.resyncMs ? this.clock.setInterval(() => this.resync(), this.opts.resyncMs) : undefined;
    try {
      while (!stop.aborted) {
        let failure: unknown;
        try {
          if (!this.resourceVersion) {
            await this.relist(stop);
            markSynced();
          }
          let connected = false;
          const outcome = await this.watchOnce(stop, () => {
            connected = true;
            backoff = initial;
          });
          // A watch the server ended (its timeout, a restart) resumes where it stopped.
          if (!outcome.failed && connected) continue;
          failure = outcome.err ?? new Error('watch closed before it was established');
        } catch (err) {
          failure = err;
        }
        if (stop.aborted) break;
        this.resourceVersion = '';
        // 410: our resourceVersion is too old to resume from. Expected; list again at once (but
        // not in a tight loop should a server answer every fresh watch with 410).
        if (isGone(failure) && this.clock.nowMs() - lastGoneMs > this.clock.scaled(1000)) {
          lastGoneMs = this.clock.nowMs();
          this.log.debug('watch expired (410); listing again');
          continue;
        }
        this.log.warn({ err: messageOf(failure), code: statusCodeOf(failure), retryInMs: backoff }, 'list/watch failed; listing again after back-off');
        await this.clock.sleep(backoff, stop).catch(() => {});
        backoff = Math.min(backoff * 2, max);
      }
    } finally {
      resync?.cancel();
    }
  }

  /** Lists everything and turns the difference to the cache into add/update/delete events. */
  private async relist(stop: AbortSignal): Promise<void> {
    this.reflectedSinceList.clear();
    this.listing = true;
    try {
      const list = await untilAborted(this.wire.listJson<T>(this.path, { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector }), stop, () => new Error('stopped'));
      this.replaceWith(list.items ?? [], list.metadata?.resourceVersion ?? '');
    } finally {
      this.listing = false;
      this.reflectedSinceList.clear();
    }
  }

  /** The list is the truth, except about objects our own writes touched while it was under way. */
  private replaceWith(items: T[], resourceVersion: string): void {
    const listed = new Set<string>();
    for (const raw of items) {
      const obj = this.withTypeMeta(raw);
      const key = keyString(keyOf(obj));
      listed.add(key);
      if (this.reflectedSinceList.has(key)) {
        // Our write may be newer than this list: only a newer listed copy wins.
        this.applyUpsert(obj);
        continue;
      }
      this.tombstones.delete(key);
      const cached = this.store.get(key);
      if (cached && cached.metadata?.resourceVersion === obj.metadata?.resourceVersion) continue;
      this.store.put(obj);
      this.emit(cached ? 'update' : 'add', obj, cached);
    }
    for (const key of this.store.keys()) {
      if (listed.has(key) || this.reflectedSinceList.has(key)) continue;
      const gone = this.store.delete(key)!;
      this.emit('delete', gone);
    }
    for (const key of [...this.tombstones.keys()]) if (!this.reflectedSinceList.has(key)) this.tombstones.delete(key);
    this.resourceVersion = resourceVersion;
    this.synced = true;
    this.log.debug({ objects: this.store.size, resourceVersion: this.resourceVersion }, 'listed');
  }

  /** One watch from `resourceVersion` until the server ends it, it fails, or we stop. */
  private watchOnce(stop: AbortSignal, connected: () => void): Promise<WatchOutcome> {
    return new Promise<WatchOutcome>((resolve) => {
      let ended = false;
      let request: AbortController | undefined;
      const finish = (outcome: WatchOutcome) => {
        if (ended) return;
        ended = true;
        stop.removeEventListener('abort', onStop);
        request?.abort();
        resolve(outcome);
      };
      const onStop = () => finish({ failed: false });
      stop.addEventListener('abort', onStop, { once: true });
      // Server-side limit, in real seconds: a watch that silently hung is replaced within minutes.
      const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
      const query = {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
      };
      const onEvent = (phase: string, obj: any) => {
        if (ended) return;
        if (phase === 'ERROR') {
          // A Status: 410 when our resourceVersion expired, anything else is a failure too.
          finish({ failed: true, err: { code: obj?.code, message: obj?.message, body: obj } });
          return;
        }
        if (phase === 'ADDED' || phase === 'MODIFIED') this.applyUpsert(this.withTypeMeta(obj));
        else if (phase === 'DELETED') this.applyDelete(this.withTypeMeta(obj));
        const rv = obj?.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
      };
      const onDone = (err: unknown) => finish(err ? { failed: true, err } : { failed: false });
      this.watcher.watch(this.path, query, onEvent, onDone).then(
        (controller) => {
          request = controller;
          if (ended) controller.abort();
          else connected();
        },
        (err: unknown) => finish({ failed: true, err }),
      );
    });
  }

  private applyUpsert(obj: T): void {
    const key = keyString(keyOf(obj));
    if (this.blockedByTombstone(key, obj)) return;
    this.tombstones.delete(key);
    const cached = this.store.get(key);
    // Same or older than what we hold (our own reflected write): not news.
    if (cached && isStaleResourceVersion(obj.metadata?.resourceVersion, cached.metadata?.resourceVersion)) return;
    this.store.put(obj);
    this.emit(cached ? 'update' : 'add', obj, cached);
  }

  private applyDelete(obj: T): void {
    const key = keyString(keyOf(obj));
    this.tombstones.delete(key);
    const cached = this.store.get(key);
    if (!cached) return;
    // We already hold a newer incarnation created by us after this deletion.
    if (obj.metadata?.uid && cached.metadata?.uid && obj.metadata.uid !== cached.metadata.uid) return;
    this.store.delete(key);
    this.emit('delete', obj, cached);
  }

  private blockedByTombstone(key: string, obj: T): boolean {
    const tomb = this.tombstones.get(key);
    if (!tomb) return false;
    const sameObject = !tomb.uid || !obj.metadata?.uid || tomb.uid === obj.metadata.uid;
    if (!sameObject) return false;
    return tomb.resourceVersion === undefined || isStaleResourceVersion(obj.metadata?.resourceVersion, tomb.resourceVersion);
  }

  private addTombstone(key: string, tomb: Tombstone): void {
    this.tombstones.delete(key);
    this.tombstones.set(key, tomb);
    // Oldest first out: a tombstone only matters until the deletion's own watch event arrives.
    if (this.tombstones.size > MAX_TOMBSTONES) this.tombstones.delete(this.tombstones.keys().next().value!);
  }

  private resync(): void {
    if (!this.synced) return;
    for (const obj of this.store.values()) this.emit('update', obj, obj);
  }

  private emit(event: InformerEvent, obj: T, old?: T): void {
    for (const handler of [...this.handlers]) this.call(handler, event, obj, old);
  }

  private call(handler: InformerHandler<T>, event: InformerEvent, obj: T, old?: T): void {
    try {
      handler(event, obj, old);
    } catch (err) {
      this.log.error({ event, object: keyString(keyOf(obj)), err: messageOf(err) }, 'informer event handler failed');
    }
  }

  /** Items of a list of built-in kinds carry no apiVersion/kind; owner references need them. */
  private withTypeMeta(obj: T): T {
    if (obj.apiVersion && obj.kind) return obj;
    return { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(this.type), kind: obj.kind ?? this.type.kind };
  }
}

function pickNewer(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return isNewerResourceVersion(a, b) ? a : b;
}

