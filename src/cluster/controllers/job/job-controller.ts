/**
 * The Job controller (kube-controller-manager's `job-controller`): runs pods until enough succeed
 * (NonIndexed or Indexed completions, `parallelism` at a time), gives up after `backoffLimit`
 * failures or `activeDeadlineSeconds`, honours `suspend`, and counts finished pods exactly once
 * through the `batch.kubernetes.io/job-tracking` finalizer and `status.uncountedTerminatedPods`.
 * Terminal conditions come in two steps as since v1.31: SuccessCriteriaMet/FailureTarget first,
 * Complete/Failed once no pod of the Job is still running or terminating.
 */
import type { Logger } from '../../../platform/log.ts';
import type { KubeObject } from '../../core/types.ts';
import type { ClusterClient } from '../../client/cluster-client.ts';
import type { Informer } from '../../client/informer.ts';
import { JOBS, PODS } from '../../client/resources.ts';
import type { Component, ControlPlaneContext } from '../../client/component.ts';
import type { EventRecorder } from '../../client/event-recorder.ts';
import { isPodReady } from '../../core/pods.ts';
import { errorMessage, Expectations, isNotFound, omitZero, selectorMatches, slowStartBatch } from '../shared/controller-utils.ts';
import { rankPodsForDeletion } from '../shared/pod-ranking.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { formatIndexes, isIndexed, JOB_TRACKING_FINALIZER, parseIndexes, podForJob, podIndex } from './job-pods.ts';
import { controllerRef } from '../../core/owner-refs.ts';
import { claimObjects } from '../shared/claim-objects.ts';
import { metaTime } from '../../core/meta-time.ts';
import { objectKey, splitKey } from '../../core/object-keys.ts';

const COMPLETIONS_REACHED = { reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
const BACKOFF_LIMIT_EXCEEDED = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
const DEADLINE_EXCEEDED = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };

/** Pod re-creation backoff after failures: 10 s doubling up to 6 min (upstream DefaultJobPodFailureBackOff / MaxJobPodFailureBackOff). */
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 360_000;

export function jobFinished(job: KubeObject): boolean {
  return (job.status?.conditions ?? []).some((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

function cond(status: any, type: string): any | undefined {
  return (status?.conditions ?? []).find((c: any) => c.type === type && c.status === 'True');
}

const isTerminal = (p: KubeObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const hasTracking = (p: KubeObject) => (p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

export class JobController implements Component {
  private readonly client: ClusterClient;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly jobs: Informer;
  private readonly pods: Informer;
  private readonly queue: WorkQueue;
  private readonly expectations: Expectations;
  /** Failures since the last success and when the last one was counted, per Job: paces re-creation. */
  private readonly backoff = new Map<string, { failures: number; lastMs: number }>();

  constructor(private readonly context: ControlPlaneContext) {
    this.client = context.client('kube-controller-manager/v1.32.2 (job-controller)');
    this.recorder = context.recorder({ component: 'job-controller' });
    this.log = context.log('job-controller');
    this.expectations = new Expectations(context.clock);
    this.jobs = context.informers.informer(JOBS);
    this.pods = context.informers.informer(PODS);
    this.queue = new WorkQueue(context.clock, (key) => this.sync(key), this.log, { baseDelayMs: 50, maxDelayMs: 30_000, startAfter: context.informers.synced });
    this.jobs.on((type, job) => {
      if (type === 'DELETED') {
        this.expectations.forget(objectKey(job));
        this.backoff.delete(objectKey(job));
      }
      this.queue.add(objectKey(job));
    });
    this.pods.on((_type, pod, old) => {
      for (const p of old ? [pod, old] : [pod]) {
        const ref = controllerRef(p);
        if (ref?.kind === 'Job') this.queue.add(`${p.metadata.namespace}/${ref.name}`);
      }
    });
  }

  async start(): Promise<void> {}

  stop(): void {
    this.queue.stop();
  }

  private now(): string {
    return metaTime(this.context.clock.now());
  }

  private async sync(key: string): Promise<void> {
    const { namespace: ns, name } = splitKey(key);
    const cached = this.jobs.get(ns, name);
    if (!cached) {
      await this.releaseOrphanedPods(ns, name);
      return;
    }
    const job = structuredClone(cached);
    const candidates = this.pods.list().filter((p) => p.metadata.namespace === ns);
    const pods = await claimObjects(this.client, PODS, job, candidates, (p) => selectorMatches(job.spec?.selector, p.metadata.labels));
    const status: any = structuredClone(job.status ?? {});
    status.uncountedTerminatedPods ??= {};
    const finished = jobFinished(job);
    const suspended = job.spec?.suspend === true;
    if (!finished && !suspended && !status.startTime) status.startTime = this.now();

    await this.countFinishedPods(job, pods, status);

    const live = pods.filter((p) => !isTerminal(p));
    let active = live.filter((p) => !p.metadata.deletionTimestamp);
    let terminating = live.length - active.length;

    if (!finished) {
      // Decide whether the Job has reached an end (first step of the two-step terminal conditions).
      if (!cond(status, 'FailureTarget') && !cond(status, 'SuccessCriteriaMet')) {
        const failure = this.failureReason(job, status, active);
        if (failure) this.setCondition(status, 'FailureTarget', failure);
        else if (this.succeeded(job, status, active)) this.setCondition(status, 'SuccessCriteriaMet', COMPLETIONS_REACHED);
      }
      const ending = cond(status, 'FailureTarget') ?? cond(status, 'SuccessCriteriaMet');
      if (ending) {
        const deleted = await this.deletePods(job, active);
        active = active.slice(deleted);
        terminating += deleted;
        if (active.length === 0 && terminating === 0) this.finish(job, status, ending);
      } else if (suspended) {
        const deleted = await this.deletePods(job, active);
        terminating += deleted;
        active = active.slice(deleted);
        if (!cond(status, 'Suspended')) {
          this.setCondition(status, 'Suspended', { reason: 'JobSuspended', message: 'Job suspended' });
          this.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
        }
      } else {
        if (cond(status, 'Suspended')) {
          this.setCondition(status, 'Suspended', { reason: 'JobResumed', message: 'Job resumed' }, 'False');
          this.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
          // The deadline counts from when the Job (re)started running.
          status.startTime = this.now();
        }
        const r = await this.manage(job, status, active);
        active = r.active;
        terminating += r.deleted;
      }
    }

    status.active = active.length;
    status.ready = active.filter(isPodReady).length;
    status.terminating = terminating;
    // Go's omitempty: zero counts are not serialized (ready/terminating are pointers and stay).
    omitZero(status, ['active', 'succeeded', 'failed']);
    if (JSON.stringify(normalizeStatus(status)) !== JSON.stringify(normalizeStatus(job.status))) {
      await this.client.update(JOBS, { ...job, status }, 'status');
    }
    this.requeueForDeadline(job, status);
  }

  /**
   * Finished pods are counted exactly once: recorded as uncounted in the status, their tracking
   * finalizer removed, then moved into succeeded/failed (and completedIndexes).
   */
  private async countFinishedPods(job: KubeObject, pods: KubeObject[], status: any): Promise<void> {
    const uncounted = status.uncountedTerminatedPods;
    const succeededUids = new Set<string>(uncounted.succeeded ?? []);
    const failedUids = new Set<string>(uncounted.failed ?? []);
    let added = false;
    for (const p of pods) {
      if (!hasTracking(p)) continue;
      const uid = p.metadata.uid!;
      if (succeededUids.has(uid) || failedUids.has(uid)) continue;
      if (p.status?.phase === 'Succeeded') succeededUids.add(uid);
      // A deleted pod that never succeeded counts as failed (it may never reach a phase).
      else if (p.status?.phase === 'Failed' || p.metadata.deletionTimestamp) failedUids.add(uid);
      else continue;
      added = true;
    }
    if (!succeededUids.size && !failedUids.size) {
      delete status.uncountedTerminatedPods.succeeded;
      delete status.uncountedTerminatedPods.failed;
      return;
    }
    if (added) {
      status.uncountedTerminatedPods = { ...(succeededUids.size ? { succeeded: [...succeededUids] } : {}), ...(failedUids.size ? { failed: [...failedUids] } : {}) };
      const updated = await this.client.update(JOBS, { ...job, status }, 'status');
      job.metadata = updated.metadata;
    }
    const byUid = new Map(pods.map((p) => [p.metadata.uid!, p]));
    const completed = parseIndexes(status.completedIndexes);
    const completions = job.spec?.completions ?? 0;
    for (const [uids, outcome] of [[succeededUids, 'succeeded'], [failedUids, 'failed']] as const) {
      for (const uid of [...uids]) {
        const pod = byUid.get(uid);
        if (pod && hasTracking(pod)) {
          try {
            await this.client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, { metadata: { finalizers: (pod.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER) } }, 'merge');
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
        }
        uids.delete(uid);
        if (outcome === 'failed') {
          status.failed = (status.failed ?? 0) + 1;
          const b = this.backoff.get(objectKey(job)) ?? { failures: 0, lastMs: 0 };
          this.backoff.set(objectKey(job), { failures: b.failures + 1, lastMs: this.context.clock.nowMs() });
        } else if (isIndexed(job)) {
          const idx = pod ? podIndex(pod) : undefined;
          if (idx !== undefined && idx < completions) completed.add(idx);
          status.succeeded = completed.size;
          this.backoff.delete(objectKey(job));
        } else {
          status.succeeded = (status.succeeded ?? 0) + 1;
          this.backoff.delete(objectKey(job));
        }
      }
    }
    if (isIndexed(job)) status.completedIndexes = formatIndexes(completed);
    status.uncountedTerminatedPods = {};
  }

  private failureReason(job: KubeObject, status: any, active: KubeObject[]): { reason: string; message: string } | undefined {
    const limit: number = job.spec?.backoffLimit ?? 6;
    if ((status.failed ?? 0) > limit) return BACKOFF_LIMIT_EXCEEDED;
    if (job.spec?.template?.spec?.restartPolicy === 'OnFailure') {
      // With OnFailure the kubelet restarts containers in place: restarts count against the limit.
      const restarts = active.reduce((n, p) => n + [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])].reduce((m: number, c: any) => m + (c.restartCount ?? 0), 0), 0);
      if (limit === 0 ? restarts > 0 : restarts >= limit) return BACKOFF_LIMIT_EXCEEDED;
    }
    const deadline = job.spec?.activeDeadlineSeconds;
    if (deadline !== undefined && deadline !== null && status.startTime) {
      const elapsed = this.context.clock.nominal(this.context.clock.nowMs() - Date.parse(status.startTime));
      if (elapsed >= deadline * 1000) return DEADLINE_EXCEEDED;
    }
    return undefined;
  }

  private succeeded(job: KubeObject, status: any, active: KubeObject[]): boolean {
    const completions = job.spec?.completions;
    if (completions === undefined || completions === null) return (status.succeeded ?? 0) > 0 && active.length === 0;
    return (status.succeeded ?? 0) >= completions;
  }

  /** The second step: Complete or Failed once nothing runs any more. */
  private finish(job: KubeObject, status: any, ending: any): void {
    if (ending.type === 'SuccessCriteriaMet') {
      this.setCondition(status, 'Complete', { reason: ending.reason, message: ending.message });
      status.completionTime = this.now();
      this.recorder.event(job, 'Normal', 'Completed', 'Job completed');
    } else {
      this.setCondition(status, 'Failed', { reason: ending.reason, message: ending.message });
      this.recorder.event(job, 'Warning', ending.reason, ending.message);
    }
  }

  private setCondition(status: any, type: string, what: { reason: string; message: string }, value: 'True' | 'False' = 'True'): void {
    const now = this.now();
    const conditions: any[] = status.conditions ?? [];
    const current = conditions.find((c) => c.type === type);
    const next = { type, status: value, lastProbeTime: now, lastTransitionTime: current?.status === value ? current.lastTransitionTime : now, reason: what.reason, message: what.message };
    status.conditions = current ? conditions.map((c) => (c === current ? next : c)) : [...conditions, next];
  }

  /** Creates missing pods / deletes surplus ones toward parallelism and completions. */
  private async manage(job: KubeObject, status: any, active: KubeObject[]): Promise<{ active: KubeObject[]; deleted: number }> {
    const key = objectKey(job);
    const ns = job.metadata.namespace!;
    const satisfied = this.expectations.satisfied(key, (n) => {
      const p = this.pods.get(ns, n);
      return { present: !!p, terminating: !!p?.metadata.deletionTimestamp };
    });
    if (!satisfied) return { active, deleted: 0 };
    const parallelism: number = job.spec?.parallelism ?? 1;
    const completions: number | undefined = job.spec?.completions ?? undefined;
    const succeeded: number = status.succeeded ?? 0;

    let toCreate: Array<number | undefined> = [];
    let surplus: KubeObject[] = [];
    if (isIndexed(job)) {
      const done = parseIndexes(status.completedIndexes);
      const seen = new Set<number>();
      const keep: KubeObject[] = [];
      for (const p of active) {
        const idx = podIndex(p);
        // Pods for finished, duplicate or out-of-range indexes go; so does anything past parallelism.
        if (idx === undefined || idx >= (completions ?? 0) || done.has(idx) || seen.has(idx)) surplus.push(p);
        else {
          seen.add(idx);
          keep.push(p);
        }
      }
      if (keep.length > parallelism) surplus.push(...rankPodsForDeletion(keep, () => 0, this.context.clock.nowMs()).slice(0, keep.length - parallelism));
      const room = Math.max(0, parallelism - Math.min(keep.length, parallelism));
      for (let i = 0; i < (completions ?? 0) && toCreate.length < room; i++) if (!done.has(i) && !seen.has(i)) toCreate.push(i);
    } else {
      let want: number;
      if (completions === undefined) want = succeeded > 0 ? Math.min(active.length, parallelism) : parallelism;
      else want = Math.max(0, Math.min(parallelism, completions - succeeded));
      if (active.length > want) surplus = rankPodsForDeletion(active, () => 0, this.context.clock.nowMs()).slice(0, active.length - want);
      else toCreate = Array.from({ length: want - active.length }, () => undefined);
    }

    const deleted = await this.deletePods(job, surplus);
    const remaining = active.filter((p) => !surplus.slice(0, deleted).includes(p));
    if (!toCreate.length) return { active: remaining, deleted };

    // After failures, wait (10 s doubling) before replacing pods.
    const b = this.backoff.get(key);
    if (b && b.failures > 0) {
      const delay = Math.min(BACKOFF_BASE_MS * 2 ** (b.failures - 1), BACKOFF_MAX_MS);
      const waited = this.context.clock.nominal(this.context.clock.nowMs() - b.lastMs);
      if (waited < delay) {
        this.queue.addAfter(key, delay - waited);
        return { active: remaining, deleted };
      }
    }
    const created: KubeObject[] = [];
    const queue = [...toCreate];
    const { error } = await slowStartBatch(queue.length, 1, async () => {
      const index = queue.shift();
      const pod = await this.client.create(PODS, ns, podForJob(job, index));
      this.expectations.expectCreate(key, pod.metadata.name!);
      created.push(pod);
      this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
    });
    if (error) {
      this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(error)}`);
      this.queue.addAfter(key, 1000);
    }
    return { active: [...remaining, ...created], deleted };
  }

  /** Deletes pods (recording SuccessfulDelete); returns how many, in order, were deleted. */
  private async deletePods(job: KubeObject, pods: KubeObject[]): Promise<number> {
    let n = 0;
    for (const pod of pods) {
      this.expectations.expectDelete(objectKey(job), pod.metadata.name!);
      try {
        await this.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!);
        this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      } catch (e) {
        this.expectations.deleteFailed(objectKey(job), pod.metadata.name!);
        if (!isNotFound(e)) throw e;
      }
      n++;
    }
    return n;
  }

  private requeueForDeadline(job: KubeObject, status: any): void {
    const deadline = job.spec?.activeDeadlineSeconds;
    if (deadline === undefined || deadline === null || !status.startTime || jobFinished({ ...job, status }) || job.spec?.suspend) return;
    const elapsed = this.context.clock.nominal(this.context.clock.nowMs() - Date.parse(status.startTime));
    this.queue.addAfter(objectKey(job), Math.max(0, deadline * 1000 - elapsed) + 1000);
  }

  /** A Job is gone: its pods still carrying the tracking finalizer must not stay stuck. */
  private async releaseOrphanedPods(ns: string | undefined, name: string): Promise<void> {
    for (const p of this.pods.list()) {
      if (p.metadata.namespace !== ns || !hasTracking(p)) continue;
      const ref = controllerRef(p);
      if (ref?.kind !== 'Job' || ref.name !== name) continue;
      try {
        await this.client.patch(PODS, ns, p.metadata.name!, { metadata: { finalizers: (p.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER) } }, 'merge');
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
}

function normalizeStatus(s: any): any {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(s ?? {}).sort()) {
    const v = s[k];
    if (v === undefined) continue;
    if (k === 'uncountedTerminatedPods' && !v.succeeded?.length && !v.failed?.length) continue;
    out[k] = v;
  }
  return out;
}
