/**
 * The WorkflowExecution reconciler (engine `job`): Pending -> Running -> Completed | Failed, with
 * Pending -> Failed when the execution cannot be built (unsupported engine, catalog entry or
 * parameters wrong, dependencies missing, target locked by another running execution).
 *
 * The Job's name is the per-target lock (`job-spec.ts`), so the API server decides who runs: a
 * create that finds the name taken adopts a Job labelled with this WE (a restart), fails on one
 * still running for another WE, waits in Pending (CooldownActive) while a finished one is younger
 * than the cooldown, and otherwise deletes the old Job and creates its own. After the end the Job
 * is kept for the cooldown, then deleted (LockReleased).
 *
 * All state is in the status and the Job: a reconcile after a crash resumes from them. Each write
 * is conditional on the phase it read; the end is audited once the terminal status is written and
 * marked with AuditRecorded, so a crash in between records it on the next reconcile.
 */
import type { KubernetesObject, V1Job } from '@kubernetes/client-node';
import type { WorkflowExecution, WorkflowExecutionStatus } from '../../api/v1alpha1/index.ts';
import { DataStorageRequestError } from '../../datastorage/client/workflow-catalog-client.ts';
import { messageOf, statusCodeOf } from '../../kube/api-errors.ts';
import { isConditionTrue } from '../../kube/conditions.ts';
import type { ReconcileResult, Reconciler } from '../../kube/controller.ts';
import { keyString, type ObjectKey } from '../../kube/object-key.ts';
import type { Clock } from '../../platform/clock.ts';
import { componentLogger, type Logger } from '../../platform/log.ts';
import { executionData, jobForAudit, workflowAuditEvent, type AuditSink, type WorkflowAuditType } from './audit.ts';
import type { WorkflowClusterAccess } from './cluster-access.ts';
import { dryRunRequestedBy } from './dry-run.ts';
import { planExecution, type CatalogEntryForExecution } from './execution-plan.ts';
import { completionSummary, failureOfJob, imagePullProblem, jobFinishedAt, jobState, type FailureDetails } from './job-outcome.ts';
import { buildWorkflowJob, CONTAINER_NAME, jobBelongsTo } from './job-spec.ts';
import type { WorkflowExecutionMetrics } from './metrics.ts';
import {
  auditRecordedStatus,
  completedStatus,
  CONDITIONS,
  cooldownStatus,
  dryRunStatus,
  failedStatus,
  failureBeforeRun,
  pendingStatus,
  REASON_COOLDOWN,
  REASON_DRY_RUN,
  runningStatus,
  type Phase,
} from './status-updates.ts';

type Status = WorkflowExecutionStatus;

export interface WorkflowExecutionStore {
  get(key: ObjectKey): Promise<WorkflowExecution | undefined>;
  /** Conditional read-modify-write; `mutate` returning undefined means no write (then undefined). */
  updateStatus(key: ObjectKey, mutate: (current: WorkflowExecution) => Status | undefined): Promise<WorkflowExecution | undefined>;
}

/** The informer's copy of the workflow Jobs (saves a read per reconcile). */
export interface JobCache {
  get(namespace: string, name: string): V1Job | undefined;
  /** Our own create, shown in the cache at once. */
  reflect(job: V1Job): void;
}

export interface CatalogReader {
  byCatalogId(catalogId: string): Promise<CatalogEntryForExecution | undefined>;
}

export interface EventSink {
  event(obj: KubernetesObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface WorkflowExecutionReconcilerOptions {
  store: WorkflowExecutionStore;
  cluster: WorkflowClusterAccess;
  jobs: JobCache;
  /** DataStorage's catalog; without it parameters are not re-validated and no dependencies mounted. */
  catalog?: CatalogReader;
  audit: AuditSink;
  clock: Clock;
  events?: EventSink;
  log?: Logger;
  metrics?: WorkflowExecutionMetrics;
  workflowNamespace: string;
  /** Nominal ms a finished Job keeps its target locked. */
  cooldownMs: number;
  dryRun: boolean;
  /** Nominal ms a container may wait for its image before the execution fails (ImagePullBackOff). */
  imagePullGraceMs?: number;
}

/** Phase changes one reconcile may make. */
const MAX_STEPS = 8;
/** How often a running execution's pod is looked at for an image that cannot be pulled (nominal). */
const RUNNING_CHECK_MS = 30_000;
const DEFAULT_IMAGE_PULL_GRACE_MS = 2 * 60_000;
/** Wait for a Job being deleted, or for DataStorage to answer again (nominal). */
const SHORT_RETRY_MS = 1_000;
const CATALOG_RETRY_MS = 30_000;

type StepOutcome = { written: WorkflowExecution } | { requeue: ReconcileResult | void } | { unwritten: true };

const isTerminal = (phase: string) => phase === 'Completed' || phase === 'Failed';
const phaseOf = (we: WorkflowExecution): Phase | '' => we.status?.phase ?? '';

export class WorkflowExecutionReconciler implements Reconciler {
  private readonly log: Logger;

  constructor(private readonly o: WorkflowExecutionReconcilerOptions) {
    this.log = o.log ?? componentLogger('workflowexecution');
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    let we = await this.o.store.get(key);
    for (let step = 0; we && step < MAX_STEPS; step++) {
      if (we.metadata?.deletionTimestamp) return;
      const phase = phaseOf(we);
      let outcome: StepOutcome;
      try {
        outcome = await this.step(key, we, phase);
      } catch (err) {
        return this.stepFailed(key, phase, err);
      }
      if ('requeue' in outcome) return outcome.requeue;
      if ('written' in outcome) {
        we = outcome.written;
        continue;
      }
      // Another writer moved the WE: continue from what it wrote, or wait for its event.
      const before = phase;
      we = await this.o.store.get(key);
      if (!we || phaseOf(we) === before) return;
    }
  }

  private async step(key: ObjectKey, we: WorkflowExecution, phase: Phase | ''): Promise<StepOutcome> {
    switch (phase) {
      case '':
        return this.write(key, (cur) => phaseOf(cur) === '', (cur) => pendingStatus(cur, this.o.clock.now()));
      case 'Pending':
        return this.start(key, we);
      case 'Running':
        return this.follow(key, we);
      default:
        return this.afterEnd(key, we);
    }
  }

  // ---- Pending: build, check, create (or wait for the lock) ----------------------------------

  private async start(key: ObjectKey, we: WorkflowExecution): Promise<StepOutcome> {
    const wf = we.spec.workflowRef;
    const now = this.o.clock.now();
    const engine = we.spec.executionEngine ?? 'job';
    if (engine !== 'job') {
      return this.failBeforeRun(key, we, failureBeforeRun('UnsupportedEngine', `execution engine "${engine}" is not supported by this controller (only "job")`, wf.workflowId, now));
    }
    let entry: CatalogEntryForExecution | undefined;
    if (this.o.catalog && wf.catalogId) {
      try {
        entry = await this.o.catalog.byCatalogId(wf.catalogId);
      } catch (err) {
        if (err instanceof DataStorageRequestError && err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429) {
          return this.failBeforeRun(key, we, failureBeforeRun('ConfigurationError', `the catalog refused entry ${wf.catalogId}: ${err.message}`, wf.workflowId, now));
        }
        // DataStorage away: nothing is decided yet; the Orchestrator's executing timeout bounds the wait.
        this.log.warn({ we: keyString(key), err: (err as Error).message }, 'workflow catalog unavailable; retrying');
        this.event(we, 'Warning', 'CatalogUnavailable', `cannot read catalog entry ${wf.catalogId}: ${(err as Error).message}`);
        return { requeue: { requeueAfterMs: CATALOG_RETRY_MS } };
      }
      if (!entry) return this.failBeforeRun(key, we, failureBeforeRun('ConfigurationError', `catalog entry ${wf.catalogId} (${wf.workflowId} ${wf.version ?? ''}) does not exist`, wf.workflowId, now));
    }
    const plan = planExecution(we, { workflowNamespace: this.o.workflowNamespace, entry });
    if (!plan.ok) return this.failBeforeRun(key, we, failureBeforeRun('ConfigurationError', plan.message, wf.workflowId, now));
    const missing = await this.o.cluster.missingDependencies(this.o.workflowNamespace, plan.job.dependencies);
    if (missing.length) {
      return this.failBeforeRun(key, we, failureBeforeRun('ConfigurationError', `dependencies missing in namespace ${this.o.workflowNamespace}: ${missing.join(', ')}`, wf.workflowId, now));
    }
    const job = buildWorkflowJob(plan.job);
    const dryRunBy = await this.dryRunRequestedBy(we);
    if (dryRunBy) return this.dryRun(key, we, job, dryRunBy);
    return this.acquire(key, we, job);
  }

  /** Create the Job; on a taken name adopt, fail, wait out the cooldown, or replace a stale Job. */
  private async acquire(key: ObjectKey, we: WorkflowExecution, job: V1Job): Promise<StepOutcome> {
    const ns = job.metadata!.namespace!;
    const name = job.metadata!.name!;
    const weKey = { name: we.metadata?.name ?? '', namespace: we.metadata?.namespace ?? '' };
    for (let attempt = 0; attempt < 2; attempt++) {
      let created: V1Job | 'exists';
      try {
        created = await this.o.cluster.createJob(job);
      } catch (err) {
        if (statusCodeOf(err) !== 404) throw err;
        const message = `the workflow namespace ${ns} does not exist (Job ${name} cannot be created): ${messageOf(err)}`;
        return this.failBeforeRun(key, we, failureBeforeRun('ConfigurationError', message, we.spec.workflowRef.workflowId, this.o.clock.now()));
      }
      if (created !== 'exists') {
        this.o.jobs.reflect(created);
        return this.started(key, we, created, false);
      }
      const existing = await this.o.cluster.getJob(ns, name);
      if (!existing) continue; // gone between our create and our read
      if (jobBelongsTo(existing, weKey)) return this.started(key, we, existing, true);
      if (existing.metadata?.deletionTimestamp) return { requeue: { requeueAfterMs: SHORT_RETRY_MS } };
      const holder = existing.metadata?.labels?.['kubernaut.ai/workflow-execution'] ?? 'another execution';
      const holderNs = existing.metadata?.labels?.['kubernaut.ai/source-namespace'] ?? '?';
      const finishedAt = jobFinishedAt(existing);
      if (!finishedAt) {
        this.o.metrics?.lockContention.inc({ kind: 'locked' });
        const message = `target resource locked: ${we.spec.targetResource} is being remediated by WorkflowExecution ${holderNs}/${holder} (Job ${ns}/${name})`;
        return this.failBeforeRun(key, we, { ...failureBeforeRun('Unknown', message, we.spec.workflowRef.workflowId, this.o.clock.now()), failureReason: message });
      }
      const remaining = this.cooldownRemaining(finishedAt);
      if (remaining > 0) {
        this.o.metrics?.lockContention.inc({ kind: 'cooldown' });
        const until = new Date(Date.parse(finishedAt) + this.o.clock.scaled(this.o.cooldownMs)).toISOString();
        const message = `target ${we.spec.targetResource} is in its cooldown after WorkflowExecution ${holderNs}/${holder} (Job ${ns}/${name} finished at ${finishedAt}); waiting until ${until}`;
        const current = we.status?.conditions?.find((c) => c.type === CONDITIONS.ready);
        if (current?.reason !== REASON_COOLDOWN || current.message !== message) {
          const written = await this.o.store.updateStatus(key, (cur) => (phaseOf(cur) === 'Pending' ? cooldownStatus(cur, message, this.o.clock.now()) : undefined));
          if (!written) return { unwritten: true };
          this.event(written, 'Normal', REASON_COOLDOWN, message);
        }
        return { requeue: { requeueAfterMs: remaining } };
      }
      // Finished long enough ago: the lock is free, only the old Job still holds the name.
      if (await this.o.cluster.deleteJob(ns, name, existing.metadata?.uid)) {
        this.event(we, 'Normal', 'StaleJobDeleted', `deleted Job ${ns}/${name} of ${holderNs}/${holder}, finished at ${finishedAt} (past the cooldown)`);
      }
    }
    return { requeue: { requeueAfterMs: SHORT_RETRY_MS } };
  }

  private async started(key: ObjectKey, we: WorkflowExecution, job: V1Job, adopted: boolean): Promise<StepOutcome> {
    const ref = { name: job.metadata?.name ?? '', namespace: job.metadata?.namespace ?? '' };
    const written = await this.write(key, (cur) => phaseOf(cur) === 'Pending', (cur) => runningStatus(cur, ref, adopted, this.o.clock.now()));
    if (!('written' in written)) return written;
    const w = written.written;
    this.audit(w, 'execution.started', 'success', executionData(w, { adopted }));
    this.event(w, 'Normal', adopted ? 'JobAdopted' : 'ExecutionCreated', `${adopted ? 'adopted' : 'created'} Job ${ref.namespace}/${ref.name} running ${we.spec.workflowRef.workflowId} against ${we.spec.targetResource}`);
    return written;
  }

  private async dryRun(key: ObjectKey, we: WorkflowExecution, job: V1Job, by: string): Promise<StepOutcome> {
    const message = `dry run (requested by ${by}): would have created Job ${job.metadata?.namespace}/${job.metadata?.name} running ${job.spec?.template.spec?.containers[0]?.image} against ${we.spec.targetResource}`;
    const written = await this.write(key, (cur) => phaseOf(cur) === 'Pending', (cur) => dryRunStatus(cur, message, this.o.clock.now()));
    if (!('written' in written)) return written;
    this.o.metrics?.executions.inc({ outcome: REASON_DRY_RUN });
    this.event(written.written, 'Normal', REASON_DRY_RUN, message);
    // The Job is audited at once: it is not kept anywhere else.
    this.audit(written.written, 'execution.dry_run', 'success', executionData(written.written, { dryRun: true, requestedBy: by, job: jobForAudit(job) }));
    return written;
  }

  private async dryRunRequestedBy(we: WorkflowExecution): Promise<string | undefined> {
    if (this.o.dryRun) return dryRunRequestedBy({ global: true, namespaces: [] });
    const ref = we.spec.remediationRequestRef;
    const rrKey = { namespace: ref.namespace || we.metadata?.namespace || '', name: ref.name };
    const rr = await this.o.cluster.remediationRequest(rrKey);
    const names = [...new Set([we.spec.targetRef.namespace, we.metadata?.namespace].filter((n): n is string => !!n))];
    const namespaces = [];
    for (const name of names) namespaces.push({ name, labels: await this.o.cluster.namespaceLabels(name) });
    return dryRunRequestedBy({ global: false, rr: rr ? { ...rrKey, annotations: rr.metadata?.annotations } : undefined, namespaces });
  }

  // ---- Running: follow the Job ---------------------------------------------------------------

  private async follow(key: ObjectKey, we: WorkflowExecution): Promise<StepOutcome> {
    const ref = we.status?.executionRef;
    const ns = ref?.namespace ?? this.o.workflowNamespace;
    const name = ref?.name ?? '';
    const weKey = { name: we.metadata?.name ?? '', namespace: we.metadata?.namespace ?? '' };
    let job = this.o.jobs.get(ns, name);
    if (!job || !jobBelongsTo(job, weKey)) job = await this.o.cluster.getJob(ns, name);
    const now = this.o.clock.now();
    if (!job || !jobBelongsTo(job, weKey)) {
      const message = `Job ${ns}/${name} disappeared before it finished; the state of ${we.spec.targetResource} is unknown`;
      return this.failAfterRun(key, we, { failureReason: `Unknown: ${message}`, details: { reason: 'Unknown', message, failedAt: now.toISOString(), naturalLanguageSummary: `${we.spec.workflowRef.workflowId} failed: ${message}`, wasExecutionFailure: true } });
    }
    const state = jobState(job);
    if (state.kind === 'complete') {
      const pod = await this.o.cluster.podOfJob(job);
      const log = pod ? await this.o.cluster.logTail(pod, CONTAINER_NAME) : undefined;
      const summary = completionSummary(we.spec.workflowRef.workflowId, log);
      const at = state.at ?? now.toISOString();
      const written = await this.write(key, (cur) => phaseOf(cur) === 'Running', (cur) => completedStatus(cur, at, summary, this.o.clock.now()));
      if ('written' in written) {
        this.ended(written.written, 'Completed');
        this.event(written.written, 'Normal', 'ExecutionCompleted', summary);
      }
      return written;
    }
    const pod = await this.o.cluster.podOfJob(job);
    if (state.kind === 'failed') {
      const log = pod ? await this.o.cluster.logTail(pod, CONTAINER_NAME) : undefined;
      return this.failAfterRun(key, we, failureOfJob({ job, pod, log, workflowId: we.spec.workflowRef.workflowId, startedAt: we.status?.startTime, now }));
    }
    // Still running. An image that never arrives would hold the target until the deadline: give up early.
    const pullProblem = imagePullProblem(pod);
    const grace = this.o.imagePullGraceMs ?? DEFAULT_IMAGE_PULL_GRACE_MS;
    const since = Date.parse(we.status?.startTime ?? '');
    if (pullProblem && Number.isFinite(since) && this.o.clock.nominal(Math.max(0, now.getTime() - since)) >= grace) {
      await this.o.cluster.deleteJob(ns, name, job.metadata?.uid);
      return this.failAfterRun(key, we, failureOfJob({ job, pod, workflowId: we.spec.workflowRef.workflowId, startedAt: we.status?.startTime, now }));
    }
    return { requeue: { requeueAfterMs: RUNNING_CHECK_MS } };
  }

  // ---- the end: audit it, then release the lock after the cooldown ---------------------------

  private async afterEnd(key: ObjectKey, we: WorkflowExecution): Promise<StepOutcome> {
    if (!isConditionTrue(we.status?.conditions, CONDITIONS.auditRecorded)) {
      const type: WorkflowAuditType = we.status?.executionStatus?.reason === REASON_DRY_RUN ? 'execution.dry_run' : phaseOf(we) === 'Completed' ? 'execution.completed' : 'execution.failed';
      // A dry run was audited with its Job when it ended (the Job exists nowhere else).
      if (type !== 'execution.dry_run') this.audit(we, type, type === 'execution.failed' ? 'failure' : 'success', executionData(we));
      return this.write(key, (cur) => isTerminal(phaseOf(cur)) && !isConditionTrue(cur.status?.conditions, CONDITIONS.auditRecorded), (cur) => auditRecordedStatus(cur, `workflow.${type}`, this.o.clock.now()));
    }
    const ref = we.status?.executionRef;
    if (ref?.kind !== 'Job' || !ref.name) return { requeue: undefined };
    const ns = ref.namespace ?? this.o.workflowNamespace;
    const job = this.o.jobs.get(ns, ref.name);
    if (!job || !jobBelongsTo(job, { name: we.metadata?.name ?? '', namespace: we.metadata?.namespace ?? '' })) return { requeue: undefined };
    const finishedAt = jobFinishedAt(job);
    if (!finishedAt) return { requeue: undefined };
    const remaining = this.cooldownRemaining(finishedAt);
    if (remaining > 0) return { requeue: { requeueAfterMs: remaining } };
    if (await this.o.cluster.deleteJob(ns, ref.name, job.metadata?.uid)) {
      this.o.metrics?.locksReleased.inc();
      this.event(we, 'Normal', 'LockReleased', `deleted Job ${ns}/${ref.name} after the cooldown; ${we.spec.targetResource} is free for the next execution`);
    }
    return { requeue: undefined };
  }

  // ---- endings and plumbing ------------------------------------------------------------------

  private async failBeforeRun(key: ObjectKey, we: WorkflowExecution, f: { failureReason: string; details: FailureDetails }): Promise<StepOutcome> {
    const written = await this.write(key, (cur) => phaseOf(cur) === 'Pending' || phaseOf(cur) === '', (cur) => failedStatus(cur, f, true, this.o.clock.now()));
    if ('written' in written) {
      this.log.warn({ we: keyString(key), reason: f.details.reason, message: f.details.message }, 'workflow execution failed before running');
      this.ended(written.written, f.details.reason ?? 'Unknown');
      this.event(written.written, 'Warning', 'ExecutionFailed', f.details.naturalLanguageSummary ?? f.failureReason);
    }
    return written;
  }

  private async failAfterRun(key: ObjectKey, we: WorkflowExecution, f: { failureReason: string; details: FailureDetails }): Promise<StepOutcome> {
    const written = await this.write(key, (cur) => phaseOf(cur) === 'Running', (cur) => failedStatus(cur, f, false, this.o.clock.now()));
    if ('written' in written) {
      this.log.warn({ we: keyString(key), reason: f.details.reason, exitCode: f.details.exitCode }, 'workflow execution failed');
      this.ended(written.written, f.details.reason ?? 'Unknown');
      this.event(written.written, 'Warning', 'ExecutionFailed', f.details.naturalLanguageSummary ?? f.failureReason);
    }
    return written;
  }

  private ended(we: WorkflowExecution, outcome: string): void {
    this.o.metrics?.executions.inc({ outcome });
    const start = Date.parse(we.status?.startTime ?? '');
    const end = Date.parse(we.status?.completionTime ?? '');
    if (Number.isFinite(start) && Number.isFinite(end)) this.o.metrics?.duration.observe({ outcome }, Math.max(0, end - start) / 1000);
  }

  /** Nominal ms until a Job finished at `finishedAt` stops locking its target (0: it does not). */
  private cooldownRemaining(finishedAt: string): number {
    const finished = Date.parse(finishedAt);
    if (!Number.isFinite(finished)) return 0;
    const elapsed = this.o.clock.nominal(Math.max(0, this.o.clock.nowMs() - finished));
    return Math.max(0, Math.ceil(this.o.cooldownMs - elapsed));
  }

  /** A step failed on the API server (or in a way the steps do not handle). */
  private async stepFailed(key: ObjectKey, phase: Phase | '', err: unknown): Promise<ReconcileResult | void> {
    const code = statusCodeOf(err);
    if (code === 404 && !isTerminal(phase)) {
      // The WE itself gone? Then nothing is left to record on; otherwise let the queue retry.
      if (!(await this.o.store.get(key))) return;
    }
    if ((code === 422 || code === 400) && (phase === '' || phase === 'Pending')) {
      // The API server refuses the Job (or the status) we built: no retry fixes that.
      const current = await this.o.store.get(key);
      if (current && !isTerminal(phaseOf(current))) {
        const f = failureBeforeRun('ConfigurationError', `the API server refused the execution: ${messageOf(err)}`, current.spec.workflowRef.workflowId, this.o.clock.now());
        if (phaseOf(current) !== 'Running') await this.failBeforeRun(key, current, f);
      }
      return;
    }
    throw err;
  }

  /** Writes `mutate(current)` when `guard(current)` holds on the fresh copy. */
  private async write(key: ObjectKey, guard: (cur: WorkflowExecution) => boolean, mutate: (cur: WorkflowExecution) => Status): Promise<StepOutcome> {
    const written = await this.o.store.updateStatus(key, (cur) => (guard(cur) ? mutate(cur) : undefined));
    return written ? { written } : { unwritten: true };
  }

  private audit(we: WorkflowExecution, type: WorkflowAuditType, outcome: 'success' | 'failure', data: Record<string, unknown>): void {
    this.o.audit.record(workflowAuditEvent(we, type, outcome, this.o.clock.now(), data));
  }

  private event(we: WorkflowExecution, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.o.events?.event(we, type, reason, message.length > 1024 ? `${message.slice(0, 1023)}…` : message);
  }
}
