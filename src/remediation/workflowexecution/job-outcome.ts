/**
 * What a finished (or stuck) Job means for its WorkflowExecution, as pure functions of the Job, its
 * pod and the tail of the container log: Complete or Failed, and for a failure the `failureDetails`
 * of crds.md §5 (reason, exit code, whether the workflow ever ran) with a one-line summary an SRE
 * can read in `kubectl get we -o wide` and a notification.
 */
import type { V1ContainerStatus, V1Job, V1JobCondition, V1Pod } from '@kubernetes/client-node';
import type { WorkflowExecutionStatus } from '../../api/v1alpha1/index.ts';
import { goDuration } from '../aianalysis/durations.ts';
import { CONTAINER_NAME } from './job-spec.ts';

export type FailureDetails = NonNullable<WorkflowExecutionStatus['failureDetails']>;
export type FailureReason = NonNullable<FailureDetails['reason']>;

/** Waiting reasons of a container whose image never arrived: the workflow did not run at all. */
const IMAGE_WAITING_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull']);
/** Waiting reasons of a container that could not be set up (missing Secret key, bad user, ...). */
const CONFIG_WAITING_REASONS = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);
const FORBIDDEN_RE = /\bforbidden\b/i;
const INTERESTING_LINE_RE = /error|fail|forbidden|denied|unauthori[sz]ed|not found|timed out|timeout|refused|invalid|cannot|can't|unable/i;
const MAX_SUMMARY = 512;

export type JobState = { kind: 'running' } | { kind: 'complete'; at?: string } | { kind: 'failed'; at?: string; reason?: string; message?: string };

function trueCondition(job: V1Job, type: string): V1JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

function isoOf(t: Date | string | undefined): string | undefined {
  if (!t) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** Complete/Failed from the Job's terminal conditions (FailureTarget/SuccessCriteriaMet are not final yet). */
export function jobState(job: V1Job): JobState {
  const complete = trueCondition(job, 'Complete');
  if (complete) return { kind: 'complete', at: isoOf(job.status?.completionTime) ?? isoOf(complete.lastTransitionTime) };
  const failed = trueCondition(job, 'Failed');
  if (failed) return { kind: 'failed', at: isoOf(failed.lastTransitionTime), reason: failed.reason, message: failed.message };
  return { kind: 'running' };
}

/** When the Job finished (for the cooldown), or undefined while it runs. */
export function jobFinishedAt(job: V1Job): string | undefined {
  const s = jobState(job);
  if (s.kind === 'running') return undefined;
  return s.at ?? isoOf(job.metadata?.creationTimestamp);
}

function workflowContainer(pod: V1Pod | undefined): V1ContainerStatus | undefined {
  const statuses = pod?.status?.containerStatuses ?? [];
  return statuses.find((c) => c.name === CONTAINER_NAME) ?? statuses[0];
}

/** A container that never started: its image could not be pulled (or it could not be created). */
export function imagePullProblem(pod: V1Pod | undefined): string | undefined {
  const waiting = workflowContainer(pod)?.state?.waiting;
  return waiting?.reason && IMAGE_WAITING_REASONS.has(waiting.reason) ? `${waiting.reason}: ${waiting.message ?? 'the image could not be pulled'}` : undefined;
}

/** The last meaningful lines of a log, as one line: what an SRE would look at first. */
export function summarizeLog(log: string | undefined, opts: { preferProblems?: boolean; maxLines?: number } = {}): string | undefined {
  const { preferProblems = true, maxLines = 3 } = opts;
  if (!log) return undefined;
  // eslint-disable-next-line no-control-regex
  const lines = log.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (lines.length === 0) return undefined;
  const tail = lines.slice(-20);
  const interesting = preferProblems ? tail.filter((l) => INTERESTING_LINE_RE.test(l)) : [];
  const chosen = (interesting.length ? interesting : tail).slice(-maxLines);
  return cut(chosen.join(' | '), MAX_SUMMARY);
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export interface FailureInput {
  job: V1Job;
  pod?: V1Pod;
  /** The tail of the container log, when it could be read. */
  log?: string;
  workflowId: string;
  /** When the execution started (the WE's startTime), for executionTimeBeforeFailure. */
  startedAt?: string;
  now: Date;
}

/** failureDetails (and the free-text failureReason) of a Failed Job. */
export function failureOfJob(i: FailureInput): { failureReason: string; details: FailureDetails } {
  const state = jobState(i.job);
  const failedAt = (state.kind === 'failed' ? state.at : undefined) ?? i.now.toISOString();
  const container = workflowContainer(i.pod);
  const terminated = container?.state?.terminated ?? container?.lastState?.terminated;
  const waiting = container?.state?.waiting;
  // Without the pod (already gone) nobody can say the workflow did not run: count it as having run.
  const ran = container ? !!terminated || !!container.state?.running || (container.restartCount ?? 0) > 0 : true;
  const exitCode = typeof terminated?.exitCode === 'number' ? terminated.exitCode : undefined;
  const jobReason = state.kind === 'failed' ? state.reason : undefined;

  let reason: FailureReason;
  let what: string;
  if (waiting?.reason && IMAGE_WAITING_REASONS.has(waiting.reason)) {
    reason = 'ImagePullBackOff';
    what = `the image could not be pulled (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''})`;
  } else if (waiting?.reason && CONFIG_WAITING_REASONS.has(waiting.reason)) {
    reason = 'ConfigurationError';
    what = `the container could not be started (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''})`;
  } else if (terminated?.reason === 'OOMKilled') {
    reason = 'OOMKilled';
    what = `the workflow ran out of memory (OOMKilled${exitCode !== undefined ? `, exit code ${exitCode}` : ''})`;
  } else if (jobReason === 'DeadlineExceeded') {
    reason = 'DeadlineExceeded';
    what = `the workflow ran longer than its time limit (${i.job.spec?.activeDeadlineSeconds ?? '?'}s)`;
  } else if (i.log && FORBIDDEN_RE.test(i.log)) {
    reason = 'Forbidden';
    what = `the workflow was refused by the API server (Forbidden: its ServiceAccount ${i.job.spec?.template?.spec?.serviceAccountName ?? '?'} lacks a permission)${exitCode !== undefined ? `, exit code ${exitCode}` : ''}`;
  } else if (i.pod?.status?.reason === 'Evicted' || terminated?.reason === 'Evicted') {
    reason = 'ResourceExhausted';
    what = `the workflow's pod was evicted (${i.pod?.status?.message ?? terminated?.message ?? 'node under resource pressure'})`;
  } else if (exitCode !== undefined && exitCode !== 0) {
    reason = 'TaskFailed';
    what = `the workflow exited with code ${exitCode}${terminated?.reason && terminated.reason !== 'Error' ? ` (${terminated.reason})` : ''}`;
  } else {
    reason = 'Unknown';
    what = `the Job failed (${jobReason ?? 'no reason given'}${state.kind === 'failed' && state.message ? `: ${state.message}` : ''})`;
  }

  const logLine = summarizeLog(i.log) ?? (terminated?.message ? cut(terminated.message.trim(), MAX_SUMMARY) : undefined);
  const summary = cut(`${i.workflowId} failed: ${what}${logLine ? `; last output: ${logLine}` : ''}`, MAX_SUMMARY * 2);
  const started = Date.parse(i.startedAt ?? '');
  const elapsed = Number.isFinite(started) ? goDuration(Date.parse(failedAt) - started) : undefined;
  return {
    failureReason: `${reason}: ${what}`,
    details: {
      reason,
      message: cut(`Job ${i.job.metadata?.namespace}/${i.job.metadata?.name}: ${what}${state.kind === 'failed' && state.message ? ` (Job condition: ${state.reason}: ${state.message})` : ''}`, 4096),
      ...(exitCode !== undefined ? { exitCode } : {}),
      failedAt,
      ...(elapsed ? { executionTimeBeforeFailure: elapsed } : {}),
      naturalLanguageSummary: summary,
      // Only a workflow whose container started can have changed anything.
      wasExecutionFailure: ran,
    },
  };
}

/** A one-line summary of a successful run (the log's last lines, when there are any). */
export function completionSummary(workflowId: string, log: string | undefined): string {
  const line = summarizeLog(log, { preferProblems: false });
  return cut(`${workflowId} completed${line ? `; last output: ${line}` : ''}`, MAX_SUMMARY * 2);
}
