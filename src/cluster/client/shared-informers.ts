/**
 * One informer per resource for all in-process control-plane components (a real cluster runs one
 * per component process; sharing them here saves a watch and a cache copy per component).
 * Components register handlers before `start()`, so every handler sees the initial ADDED events.
 */
import type { Clock } from '../../platform/clock.ts';
import type { ClusterClient, Gvr } from './cluster-client.ts';
import { Informer } from './informer.ts';

export class SharedInformers {
  private informers = new Map<string, Informer>();
  private started = false;
  private resolveSynced!: () => void;
  /** Resolves once every informer has listed: work queues wait for it before reconciling. */
  readonly synced: Promise<void> = new Promise((r) => (this.resolveSynced = r));

  constructor(
    private readonly client: ClusterClient,
    private readonly clock: Clock,
  ) {}

  informer(gvr: Gvr): Informer {
    const key = `${gvr.group}/${gvr.version}/${gvr.resource}`;
    let inf = this.informers.get(key);
    if (!inf) {
      if (this.started) throw new Error(`informer for ${key} requested after start`);
      inf = new Informer(this.client, gvr, this.clock);
      this.informers.set(key, inf);
    }
    return inf;
  }

  async start(): Promise<void> {
    this.started = true;
    await Promise.all([...this.informers.values()].map((i) => i.start()));
    this.resolveSynced();
  }

  stop(): void {
    for (const i of this.informers.values()) i.stop();
  }
}
