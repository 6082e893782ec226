/**
 * The work queue's Prometheus metrics, labelled by queue name. Every queue of a process shares one
 * set per registry (prom-client refuses a second metric of the same name), created on first use.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface WorkQueueMetrics {
  depth: Gauge<'name'>;
  adds: Counter<'name'>;
  queueDuration: Histogram<'name'>;
  workDuration: Histogram<'name'>;
  retries: Counter<'name'>;
  dropped: Counter<'name'>;
}

const BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60];
const perRegistry = new WeakMap<Registry, WorkQueueMetrics>();

function create(registers: Registry[]): WorkQueueMetrics {
  const labelNames = ['name'] as const;
  return {
    depth: new Gauge({ name: 'workqueue_depth', help: 'Keys waiting in the work queue', labelNames, registers }),
    adds: new Counter({ name: 'workqueue_adds_total', help: 'Keys added to the work queue (repeats of a queued key not counted)', labelNames, registers }),
    queueDuration: new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long a key waited in the queue before a worker took it', labelNames, buckets: BUCKETS, registers }),
    workDuration: new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long processing a key took', labelNames, buckets: BUCKETS, registers }),
    retries: new Counter({ name: 'workqueue_retries_total', help: 'Rate-limited re-adds after a failure', labelNames, registers }),
    dropped: new Counter({ name: 'workqueue_dropped_total', help: 'Keys given up after too many failed attempts', labelNames, registers }),
  };
}

export function workQueueMetrics(registry?: Registry): WorkQueueMetrics {
  if (!registry) return create([]);
  let metrics = perRegistry.get(registry);
  if (!metrics) perRegistry.set(registry, (metrics = create([registry])));
  return metrics;
}
