/**
 * The informer's cache: objects by "ns/name" plus secondary indices (index name -> value -> keys),
 * kept in step on every put and delete.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { keyOf, keyString } from './object-key.ts';
import { controllerOf } from './ownership.ts';

export type IndexFunc<T> = (obj: T) => string[];

/** Present on every informer: by namespace, and by the uid of the controller ownerReference. */
export const BUILTIN_INDEXERS: Record<string, IndexFunc<KubernetesObject>> = {
  namespace: (obj) => [obj.metadata?.namespace ?? ''],
  owner: (obj) => {
    const uid = controllerOf(obj)?.uid;
    return uid ? [uid] : [];
  },
};

export class IndexedStore<T extends KubernetesObject> {
  private readonly objects = new Map<string, T>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly indexers: Record<string, IndexFunc<T>>;

  constructor(
    custom: Record<string, IndexFunc<T>> = {},
    private readonly onIndexError: (index: string, obj: T, err: unknown) => void = () => {},
  ) {
    this.indexers = { ...custom, ...BUILTIN_INDEXERS };
    for (const name of Object.keys(this.indexers)) this.indices.set(name, new Map());
  }

  get size(): number {
    return this.objects.size;
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  values(): T[] {
    return [...this.objects.values()];
  }

  put(obj: T): void {
    const key = keyString(keyOf(obj));
    const old = this.objects.get(key);
    if (old) this.unindex(key, old);
    this.objects.set(key, obj);
    this.index(key, obj);
  }

  delete(key: string): T | undefined {
    const old = this.objects.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.objects.delete(key);
    return old;
  }

  byIndex(index: string, value: string): T[] {
    const values = this.indices.get(index);
    if (!values) throw new Error(`no index named "${index}" (have: ${[...this.indices.keys()].join(', ')})`);
    return [...(values.get(value) ?? [])].map((k) => this.objects.get(k)!);
  }

  private index(key: string, obj: T): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const values = this.indices.get(name)!;
      for (const v of this.valuesOf(name, fn, obj)) {
        let keys = values.get(v);
        if (!keys) values.set(v, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const values = this.indices.get(name)!;
      for (const v of this.valuesOf(name, fn, obj)) {
        const keys = values.get(v);
        keys?.delete(key);
        if (keys?.size === 0) values.delete(v);
      }
    }
  }

  /** A throwing indexer leaves the object out of that index rather than out of the cache. */
  private valuesOf(name: string, fn: IndexFunc<T>, obj: T): string[] {
    try {
      return [...new Set(fn(obj))];
    } catch (err) {
      this.onIndexError(name, obj, err);
      return [];
    }
  }
}
