/**
 * The object store: every object of every resource, one global resourceVersion counter
 * (as etcd's revision), and a bounded log of recent changes that watches replay from.
 *
 * Stored objects are never mutated: writers hand in a fresh object and readers may share it.
 * Durability is delegated to an optional Persistence (write-ahead log + snapshot): a change is
 * recorded there before it is applied, so a write that fails to persist is not applied either.
 */
import type { KubeObject } from '../../core/types.ts';
import type { Persistence } from './persistence.ts';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  rv: number;
  type: ChangeType;
  /** Storage key of the resource: `<group>/<resource>` ('' group for core). */
  resourceKey: string;
  object: KubeObject;
  /** The previous state, for MODIFIED and DELETED (selector-filtered watches need it). */
  previous?: KubeObject;
}

export type ChangeListener = (change: Change) => void;

class Bucket {
  readonly byNamespace = new Map<string, Map<string, KubeObject>>();
  private sortedNamespaces: string[] | undefined;
  private sortedNames = new Map<string, string[]>();

  get(ns: string, name: string): KubeObject | undefined {
    return this.byNamespace.get(ns)?.get(name);
  }

  put(ns: string, name: string, obj: KubeObject): void {
    let names = this.byNamespace.get(ns);
    if (!names) {
      names = new Map();
      this.byNamespace.set(ns, names);
      this.sortedNamespaces = undefined;
    }
    if (!names.has(name)) this.sortedNames.delete(ns);
    names.set(name, obj);
  }

  remove(ns: string, name: string): void {
    const names = this.byNamespace.get(ns);
    if (!names?.delete(name)) return;
    this.sortedNames.delete(ns);
    if (names.size === 0) {
      this.byNamespace.delete(ns);
      this.sortedNamespaces = undefined;
    }
  }

  /** Objects ordered by namespace then name, the order the real server lists in. */
  list(ns?: string): KubeObject[] {
    const namespaces = ns !== undefined ? [ns] : (this.sortedNamespaces ??= [...this.byNamespace.keys()].sort());
    const out: KubeObject[] = [];
    for (const n of namespaces) {
      const names = this.byNamespace.get(n);
      if (!names) continue;
      let order = this.sortedNames.get(n);
      if (!order) {
        order = [...names.keys()].sort();
        this.sortedNames.set(n, order);
      }
      for (const name of order) out.push(names.get(name)!);
    }
    return out;
  }

  count(): number {
    let n = 0;
    for (const m of this.byNamespace.values()) n += m.size;
    return n;
  }
}

export interface ObjectStoreOptions {
  /** How many recent changes watches can resume from; older resourceVersions get 410 Gone. */
  watchCacheSize?: number;
  persistence?: Persistence;
}

export class ObjectStore {
  private buckets = new Map<string, Bucket>();
  private rv = 0;
  private log: Change[] = [];
  private logStart = 0; // index of the oldest change in the ring
  /** Watches may resume from any resourceVersion >= this one. */
  private oldestResumableRv = 0;
  private listeners = new Map<string, Set<ChangeListener>>();
  /** Listeners to every change of every resource (to learn when a resourceVersion is reached). */
  private anyListeners = new Set<ChangeListener>();
  private readonly watchCacheSize: number;
  private readonly persistence?: Persistence;

  constructor(opts: ObjectStoreOptions = {}) {
    this.watchCacheSize = Math.max(1, opts.watchCacheSize ?? 20000);
    this.persistence = opts.persistence;
    if (this.persistence) {
      const state = this.persistence.load();
      for (const { resourceKey, object } of state.objects) {
        this.bucket(resourceKey).put(object.metadata.namespace ?? '', object.metadata.name!, object);
      }
      this.rv = state.resourceVersion;
    }
    this.oldestResumableRv = this.rv;
  }

  currentResourceVersion(): number {
    return this.rv;
  }

  get(resourceKey: string, namespace: string, name: string): KubeObject | undefined {
    return this.buckets.get(resourceKey)?.get(namespace, name);
  }

  list(resourceKey: string, namespace?: string): KubeObject[] {
    return this.buckets.get(resourceKey)?.list(namespace) ?? [];
  }

  count(resourceKey: string): number {
    return this.buckets.get(resourceKey)?.count() ?? 0;
  }

  resourceKeys(): string[] {
    return [...this.buckets.keys()];
  }

  /** Stores a new object; `object.metadata.resourceVersion` is set here. */
  create(resourceKey: string, object: KubeObject): KubeObject {
    return this.commit('ADDED', resourceKey, object, undefined);
  }

  update(resourceKey: string, object: KubeObject, previous: KubeObject): KubeObject {
    return this.commit('MODIFIED', resourceKey, object, previous);
  }

  /** Removes the object; the DELETED event carries its last state with a fresh resourceVersion. */
  delete(resourceKey: string, previous: KubeObject): KubeObject {
    const last: KubeObject = { ...previous, metadata: { ...previous.metadata } };
    return this.commit('DELETED', resourceKey, last, previous);
  }

  private commit(type: ChangeType, resourceKey: string, object: KubeObject, previous: KubeObject | undefined): KubeObject {
    const rv = this.rv + 1;
    const ns = object.metadata.namespace ?? '';
    const name = object.metadata.name!;
    const givenRv = object.metadata.resourceVersion;
    object.metadata.resourceVersion = String(rv);
    // Durable first, then visible: a write the log refuses (quota, I/O) leaves no trace.
    try {
      if (type === 'DELETED') this.persistence?.recordDelete(rv, resourceKey, ns, name);
      else this.persistence?.recordPut(rv, resourceKey, object);
    } catch (e) {
      object.metadata.resourceVersion = givenRv;
      throw e;
    }
    this.rv = rv;
    if (type === 'DELETED') this.buckets.get(resourceKey)?.remove(ns, name);
    else this.bucket(resourceKey).put(ns, name, object);
    const change: Change = { rv, type, resourceKey, object, previous };
    this.appendToLog(change);
    const listeners = this.listeners.get(resourceKey);
    if (listeners) for (const l of [...listeners]) l(change);
    for (const l of [...this.anyListeners]) l(change);
    return object;
  }

  private appendToLog(change: Change): void {
    if (this.log.length - this.logStart >= this.watchCacheSize) {
      const dropped = this.log[this.logStart];
      this.log[this.logStart] = undefined as unknown as Change;
      this.logStart++;
      this.oldestResumableRv = dropped.rv;
      if (this.logStart > 4096 && this.logStart * 2 > this.log.length) {
        this.log = this.log.slice(this.logStart);
        this.logStart = 0;
      }
    }
    this.log.push(change);
  }

  /**
   * Changes to one resource after `rv`, or 'expired' when some of them have already left the
   * log (the caller answers 410 Gone and the client relists).
   */
  changesSince(resourceKey: string, rv: number): Change[] | 'expired' {
    if (rv < this.oldestResumableRv) return 'expired';
    const out: Change[] = [];
    // Binary search the first change newer than rv, then filter by resource.
    let lo = this.logStart;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.log[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.log.length; i++) {
      if (this.log[i].resourceKey === resourceKey) out.push(this.log[i]);
    }
    return out;
  }

  subscribe(resourceKey: string, listener: ChangeListener): () => void {
    let set = this.listeners.get(resourceKey);
    if (!set) {
      set = new Set();
      this.listeners.set(resourceKey, set);
    }
    set.add(listener);
    return () => set!.delete(listener);
  }

  /** Listens to every change, whatever its resource; returns the unsubscribe function. */
  subscribeAll(listener: ChangeListener): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  close(): void {
    this.persistence?.close();
  }

  private bucket(resourceKey: string): Bucket {
    let b = this.buckets.get(resourceKey);
    if (!b) {
      b = new Bucket();
      this.buckets.set(resourceKey, b);
    }
    return b;
  }
}
