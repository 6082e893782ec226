/**
 * List-then-watch cache of one resource for the embedded controllers: keeps a local copy,
 * calls back on every change, resumes after a closed watch and relists after 410 Gone.
 */
import type { Clock } from '../../platform/clock.ts';
import type { KubeObject } from '../core/types.ts';
import { ClusterClient, type Gvr } from './cluster-client.ts';

export type InformerEvent = 'ADDED' | 'MODIFIED' | 'DELETED';

export class Informer {
  private cache = new Map<string, KubeObject>();
  private rv = '';
  private stopWatch: (() => void) | undefined;
  private stopped = false;
  private handlers: Array<(type: InformerEvent, obj: KubeObject, old?: KubeObject) => void> = [];
  synced = false;

  constructor(
    private readonly client: ClusterClient,
    readonly gvr: Gvr,
    private readonly clock: Clock,
  ) {}

  on(handler: (type: InformerEvent, obj: KubeObject, old?: KubeObject) => void): this {
    this.handlers.push(handler);
    return this;
  }

  list(): KubeObject[] {
    return [...this.cache.values()];
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.cache.get(`${namespace ?? ''}/${name}`);
  }

  async start(): Promise<void> {
    await this.relist();
    this.synced = true;
  }

  private emit(type: InformerEvent, obj: KubeObject, old?: KubeObject): void {
    for (const h of this.handlers) h(type, obj, old);
  }

  private async relist(): Promise<void> {
    const { items, resourceVersion } = await this.client.list(this.gvr);
    const seen = new Set<string>();
    for (const obj of items) {
      const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
      seen.add(key);
      const old = this.cache.get(key);
      this.cache.set(key, obj);
      if (!old) this.emit('ADDED', obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.emit('MODIFIED', obj, old);
    }
    for (const [key, obj] of [...this.cache]) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.emit('DELETED', obj);
      }
    }
    this.rv = resourceVersion;
    await this.watch();
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    let expired = false;
    this.stopWatch = await this.client.watch(
      this.gvr,
      undefined,
      this.rv,
      (e) => {
        if (e.type === 'ERROR') {
          expired = (e.object as any)?.code === 410;
          return;
        }
        const obj = e.object as KubeObject;
        this.rv = obj.metadata.resourceVersion ?? this.rv;
        if (e.type === 'BOOKMARK') return;
        const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
        const old = this.cache.get(key);
        if (e.type === 'DELETED') this.cache.delete(key);
        else this.cache.set(key, obj);
        this.emit(e.type, obj, old);
      },
      () => {
        if (this.stopped) return;
        const restart = () => (expired ? this.relist() : this.watch()).catch(() => this.clock.setTimeout(restart, 1000));
        void restart();
      },
    );
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
  }
}
