/**
 * The newest copy of each object a controller has seen, from its informer or from its own
 * writes. After a write the informer lags for a moment; reading the informer alone would make
 * the next sync act on the old object and fail with a conflict. Upstream's PV controller keeps
 * the same kind of cache for the same reason.
 */
import type { KubeObject } from '../../core/types.ts';
import type { Informer } from '../../client/informer.ts';

function rvNumber(obj: KubeObject | undefined): number {
  return Number(obj?.metadata.resourceVersion ?? 0) || 0;
}

export class FreshObjects {
  private written = new Map<string, KubeObject>();

  constructor(private readonly informer: Informer) {
    informer.on((type, obj) => {
      const key = this.key(obj.metadata.namespace, obj.metadata.name!);
      const mine = this.written.get(key);
      if (type === 'DELETED' || (mine && rvNumber(obj) >= rvNumber(mine))) this.written.delete(key);
    });
  }

  private key(namespace: string | undefined, name: string): string {
    return `${namespace ?? ''}/${name}`;
  }

  /** A copy the caller may modify. */
  get(namespace: string | undefined, name: string): KubeObject | undefined {
    const cached = this.informer.get(namespace, name);
    const mine = this.written.get(this.key(namespace, name));
    const newest = mine && (!cached || rvNumber(mine) > rvNumber(cached)) ? mine : cached;
    return newest ? structuredClone(newest) : undefined;
  }

  list(): KubeObject[] {
    return this.informer.list().map((o) => this.get(o.metadata.namespace, o.metadata.name!)!);
  }

  /** Remembers the object a write returned. */
  wrote(obj: KubeObject): KubeObject {
    this.written.set(this.key(obj.metadata.namespace, obj.metadata.name!), obj);
    return structuredClone(obj);
  }
}
