/**
 * The TTL-after-finished controller (`ttl-after-finished-controller`): deletes a finished Job
 * (Complete or Failed) `spec.ttlSecondsAfterFinished` seconds after it finished. It re-reads the
 * Job before deleting (the TTL may have been changed) and deletes with a UID precondition and
 * foreground propagation, as upstream does, so the Job's pods go first.
 */
import type { Logger } from '../../../platform/log.ts';
import type { KubeObject } from '../../core/types.ts';
import type { ClusterClient } from '../../client/cluster-client.ts';
import type { Informer } from '../../client/informer.ts';
import { JOBS } from '../../client/resources.ts';
import type { Component, ControlPlaneContext } from '../../client/component.ts';
import { ClientError } from '../../client/cluster-client.ts';
import { isNotFound } from '../shared/controller-utils.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { objectKey, splitKey } from '../../core/object-keys.ts';

/** When the Job finished (its Complete/Failed condition's transition time), in ms, or undefined. */
export function finishTimeMs(job: KubeObject): number | undefined {
  const c = (job.status?.conditions ?? []).find((x: any) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  if (!c) return undefined;
  const t = Date.parse(c.lastTransitionTime ?? job.status?.completionTime ?? '');
  return Number.isFinite(t) ? t : undefined;
}

export class TtlAfterFinishedController implements Component {
  private readonly client: ClusterClient;
  private readonly log: Logger;
  private readonly jobs: Informer;
  private readonly queue: WorkQueue;

  constructor(private readonly context: ControlPlaneContext) {
    this.client = context.client('kube-controller-manager/v1.32.2 (ttl-after-finished-controller)');
    this.log = context.log('ttl-after-finished-controller');
    this.jobs = context.informers.informer(JOBS);
    this.queue = new WorkQueue(context.clock, (key) => this.sync(key), this.log, { baseDelayMs: 100, maxDelayMs: 30_000, startAfter: context.informers.synced });
    this.jobs.on((type, job) => {
      if (type !== 'DELETED' && this.needsCleanup(job)) this.queue.add(objectKey(job));
    });
  }

  async start(): Promise<void> {}

  stop(): void {
    this.queue.stop();
  }

  private needsCleanup(job: KubeObject): boolean {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    return ttl !== undefined && ttl !== null && !job.metadata.deletionTimestamp && finishTimeMs(job) !== undefined;
  }

  /** Nominal ms until the TTL expires (<= 0: expired), or undefined when it does not apply. */
  private remaining(job: KubeObject): number | undefined {
    if (!this.needsCleanup(job)) return undefined;
    const elapsed = this.context.clock.nominal(this.context.clock.nowMs() - finishTimeMs(job)!);
    return job.spec.ttlSecondsAfterFinished * 1000 - elapsed;
  }

  private async sync(key: string): Promise<void> {
    const { namespace: ns, name } = splitKey(key);
    const cached = this.jobs.get(ns, name);
    if (!cached) return;
    let left = this.remaining(cached);
    if (left === undefined) return;
    if (left > 0) {
      this.queue.addAfter(key, left);
      return;
    }
    // The cache may be stale: decide on a fresh read.
    const fresh = await this.client.find(JOBS, ns, name);
    if (!fresh) return;
    left = this.remaining(fresh);
    if (left === undefined) return;
    if (left > 0) {
      this.queue.addAfter(key, left);
      return;
    }
    try {
      await this.client.delete(JOBS, ns, name, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid } });
      this.log.debug({ job: key }, 'deleted finished job after its TTL');
    } catch (e) {
      if (isNotFound(e) || (e instanceof ClientError && e.code === 409)) return;
      throw e;
    }
  }
}
