/**
 * Controllers in the controller-runtime style: informer events become keys in a WorkQueue, N
 * workers call the reconciler with them. The reconciler looks at the world (informer caches) and
 * moves it one step towards what it should be; it never gets the event, so a missed or repeated
 * event does no harm.
 *
 *   const c = ControllerBuilder.named('signalprocessing', { clock, registry })
 *     .for(spInformer).owns(podInformer, 'SignalProcessing').workers(4)
 *     .complete({ reconcile: async (key) => { ...; return { requeueAfterMs: 30_000 } } });
 *   await c.start(); ... await c.stop();
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../platform/clock.ts';
import { componentLogger, type Logger } from '../platform/log.ts';
import { messageOf } from './api-errors.ts';
import type { Informer, InformerEvent } from './informer.ts';
import { keyOf, keyString, parseKey, type ObjectKey } from './object-key.ts';
import { controllerOf } from './ownership.ts';
import { WorkQueue, type WorkQueueOptions } from './work-queue.ts';

/** requeueAfterMs: nominal ms until the key is reconciled again; nothing = done until the next event. */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

export interface Reconciler {
  /** A thrown error re-queues the key with back-off; after maxRetries it is dropped (logged, counted). */
  reconcile(key: ObjectKey): Promise<ReconcileResult | void>;
}

export interface Controller {
  /** Starts the informers not yet running, waits until every one has synced, then runs the workers. */
  start(): Promise<void>;
  /** Stops taking keys, waits for the reconciles under way, stops the informers it started. */
  stop(): Promise<void>;
  enqueue(key: ObjectKey, afterMs?: number): void;
}

export interface ControllerDeps {
  clock: Clock;
  registry?: Registry;
  log?: Logger;
  /** Back-off, rate limit and retry cap of the controller's queue. */
  queue?: Omit<WorkQueueOptions, 'name' | 'log'>;
}

type KeyMapper = (obj: any) => ObjectKey[];

interface Source {
  informer: Informer<any>;
  map: KeyMapper;
}

export class ControllerBuilder<P extends KubernetesObject = KubernetesObject> {
  private readonly sources: Source[] = [];
  private workerCount = 4;
  private hasPrimary = false;

  private constructor(
    private readonly name: string,
    private readonly deps: ControllerDeps,
  ) {}

  static named<P extends KubernetesObject = KubernetesObject>(name: string, deps: ControllerDeps): ControllerBuilder<P> {
    return new ControllerBuilder<P>(name, deps);
  }

  /** The primary kind: its own events reconcile its own key. */
  for<Q extends P>(primary: Informer<Q>): ControllerBuilder<Q> {
    if (this.hasPrimary) throw new Error(`controller ${this.name}: for() may be called once`);
    this.hasPrimary = true;
    this.sources.push({ informer: primary, map: (obj: KubernetesObject) => [keyOf(obj)] });
    // Only the type parameter narrows (P is not used at run time).
    return this as unknown as ControllerBuilder<Q>;
  }

  /** Children: an event of a child reconciles its controller owner of kind `ownerKind` (same namespace). */
  owns(child: Informer<any>, ownerKind: string): this {
    this.sources.push({
      informer: child,
      map: (obj: KubernetesObject) => {
        const owner = controllerOf(obj);
        return owner && owner.kind === ownerKind ? [{ namespace: obj.metadata?.namespace ?? '', name: owner.name }] : [];
      },
    });
    return this;
  }

  /** Anything else: `map` says which keys an event of `other` concerns. */
  watches(other: Informer<any>, map: KeyMapper): this {
    this.sources.push({ informer: other, map });
    return this;
  }

  workers(n: number): this {
    if (!(n >= 1) || !Number.isInteger(n)) throw new Error(`controller ${this.name}: workers must be a positive integer, got ${n}`);
    this.workerCount = n;
    return this;
  }

  complete(reconciler: Reconciler): Controller {
    if (!this.hasPrimary) throw new Error(`controller ${this.name}: for() is required`);
    return new RunningController(this.name, this.deps, [...this.sources], this.workerCount, reconciler);
  }
}

interface ReconcileMetrics {
  total: Counter<'controller' | 'result'>;
  duration: Histogram<'controller'>;
}

const metricsPerRegistry = new WeakMap<Registry, ReconcileMetrics>();

function reconcileMetrics(registry?: Registry): ReconcileMetrics {
  const create = (registers: Registry[]): ReconcileMetrics => ({
    total: new Counter({ name: 'controller_reconcile_total', help: 'Reconciles by result (success, requeue_after, error)', labelNames: ['controller', 'result'], registers }),
    duration: new Histogram({ name: 'controller_reconcile_duration_seconds', help: 'How long a reconcile took', labelNames: ['controller'], buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30], registers }),
  });
  if (!registry) return create([]);
  let m = metricsPerRegistry.get(registry);
  if (!m) metricsPerRegistry.set(registry, (m = create([registry])));
  return m;
}

class RunningController implements Controller {
  private readonly queue: WorkQueue;
  private readonly log: Logger;
  private readonly metrics: ReconcileMetrics;
  private readonly startedInformers = new Set<Informer<any>>();
  private workers: Promise<void>[] = [];
  private state: 'new' | 'running' | 'stopped' = 'new';

  constructor(
    private readonly name: string,
    private readonly deps: ControllerDeps,
    private readonly sources: Source[],
    private readonly workerCount: number,
    private readonly reconciler: Reconciler,
  ) {
    this.log = (deps.log ?? componentLogger('controller')).child({ controller: name });
    this.queue = new WorkQueue(deps.clock, { ...deps.queue, name, log: this.log }, deps.registry);
    this.metrics = reconcileMetrics(deps.registry);
    for (const source of sources) source.informer.onEvent((event, obj, old) => this.route(source, event, obj, old));
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`controller ${this.name} was already started`);
    this.state = 'running';
    const informers = [...new Set(this.sources.map((s) => s.informer))];
    for (const informer of informers) if (!informer.isRunning()) this.startedInformers.add(informer);
    await Promise.all(informers.map((i) => i.start()));
    if (this.state !== 'running') return;
    this.workers = Array.from({ length: this.workerCount }, () => this.work());
    this.log.info({ workers: this.workerCount }, 'controller started');
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.queue.shutDown();
    await Promise.all(this.workers);
    await Promise.all([...this.startedInformers].map((i) => i.stop()));
    this.log.info('controller stopped');
  }

  enqueue(key: ObjectKey, afterMs?: number): void {
    if (afterMs && afterMs > 0) this.queue.addAfter(keyString(key), afterMs);
    else this.queue.add(keyString(key));
  }

  /** An update may move a child between owners: both the old and the new owner hear of it. */
  private route(source: Source, _event: InformerEvent, obj: KubernetesObject, old?: KubernetesObject): void {
    const keys = new Set<string>();
    for (const o of old && old !== obj ? [obj, old] : [obj]) for (const k of source.map(o)) keys.add(keyString(k));
    for (const k of keys) this.queue.add(k);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      await this.reconcileOne(key);
    }
  }

  private async reconcileOne(key: string): Promise<void> {
    const started = this.deps.clock.nowMs();
    try {
      const result = await this.reconciler.reconcile(parseKey(key));
      this.queue.forget(key);
      if (result && result.requeueAfterMs !== undefined) {
        this.queue.addAfter(key, result.requeueAfterMs);
        this.metrics.total.inc({ controller: this.name, result: 'requeue_after' });
      } else {
        this.metrics.total.inc({ controller: this.name, result: 'success' });
      }
    } catch (err) {
      this.metrics.total.inc({ controller: this.name, result: 'error' });
      const requeued = this.queue.addRateLimited(key);
      this.log.warn({ key, err: messageOf(err), attempts: this.queue.numRequeues(key), requeued }, 'reconcile failed');
    } finally {
      this.metrics.duration.observe({ controller: this.name }, (this.deps.clock.nowMs() - started) / 1000);
      this.queue.done(key);
    }
  }
}
