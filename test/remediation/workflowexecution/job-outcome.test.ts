/**
 * What a finished Job means for its WorkflowExecution (pure): Complete/Failed from the Job's
 * conditions, the failure reason from the pod (exit code, OOMKilled, DeadlineExceeded, image pull,
 * Forbidden in the log, eviction), whether the workflow ever ran, and the one-line summary of the
 * log; plus who asked for a dry run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { dryRunRequestedBy } from '../../../src/remediation/workflowexecution/dry-run.ts';
import { completionSummary, failureOfJob, imagePullProblem, jobFinishedAt, jobState, summarizeLog } from '../../../src/remediation/workflowexecution/job-outcome.ts';

const NOW = new Date('2026-11-26T12:10:00Z');
const STARTED = '2026-11-26T12:00:00Z';

function job(condition?: { type: 'Complete' | 'Failed'; reason?: string; message?: string; at?: string }): V1Job {
  return {
    metadata: { name: 'wfe-0123456789abcdef', namespace: 'kubernaut-workflows', creationTimestamp: new Date(STARTED) },
    spec: { activeDeadlineSeconds: 600, template: { spec: { serviceAccountName: 'runner', containers: [{ name: 'workflow' }] } } },
    status: condition
      ? { conditions: [{ type: condition.type, status: 'True', reason: condition.reason, message: condition.message, lastTransitionTime: new Date(condition.at ?? '2026-11-26T12:01:30Z') }] }
      : {},
  };
}

function pod(state: NonNullable<NonNullable<V1Pod['status']>['containerStatuses']>[number]['state'], extra: Partial<NonNullable<V1Pod['status']>> = {}): V1Pod {
  return { metadata: { name: 'p' }, status: { ...extra, containerStatuses: [{ name: 'workflow', image: 'i', imageID: '', ready: false, restartCount: 0, state }] } };
}

const failed = (i: Partial<Parameters<typeof failureOfJob>[0]>) => failureOfJob({ job: job({ type: 'Failed', reason: 'BackoffLimitExceeded' }), workflowId: 'wf', startedAt: STARTED, now: NOW, ...i });

test('the Job state comes from its terminal conditions only', () => {
  assert.equal(jobState(job()).kind, 'running');
  const running: V1Job = { ...job(), status: { conditions: [{ type: 'FailureTarget', status: 'True' }] } };
  assert.equal(jobState(running).kind, 'running');
  assert.equal(jobFinishedAt(running), undefined);
  assert.deepEqual(jobState(job({ type: 'Complete', at: '2026-11-26T12:02:00Z' })), { kind: 'complete', at: '2026-11-26T12:02:00.000Z' });
  assert.equal(jobFinishedAt(job({ type: 'Failed', at: '2026-11-26T12:03:00Z' })), '2026-11-26T12:03:00.000Z');
});

test('a non-zero exit is TaskFailed with the exit code, the time before failure and the log summary', () => {
  const f = failed({
    pod: pod({ terminated: { exitCode: 3, reason: 'Error' } }),
    log: 'checking claim data-kv-store-2\nclaim is Terminating\nerror: timed out waiting for the claim to be deleted\n',
  });
  assert.equal(f.details.reason, 'TaskFailed');
  assert.equal(f.details.exitCode, 3);
  assert.equal(f.details.wasExecutionFailure, true);
  assert.equal(f.details.executionTimeBeforeFailure, '1m30s');
  assert.equal(f.details.failedAt, '2026-11-26T12:01:30.000Z');
  assert.match(f.details.naturalLanguageSummary!, /^wf failed: the workflow exited with code 3; last output: error: timed out waiting/);
  assert.ok(!f.details.naturalLanguageSummary!.includes('\n'));
});

test('OOMKilled, DeadlineExceeded, Forbidden in the log, eviction', () => {
  assert.equal(failed({ pod: pod({ terminated: { exitCode: 137, reason: 'OOMKilled' } }) }).details.reason, 'OOMKilled');
  const late = failed({ job: job({ type: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }), pod: pod({ terminated: { exitCode: 143, reason: 'Error' } }) });
  assert.equal(late.details.reason, 'DeadlineExceeded');
  assert.equal(late.details.wasExecutionFailure, true);
  const forbidden = failed({
    pod: pod({ terminated: { exitCode: 1, reason: 'Error' } }),
    log: 'Error from server (Forbidden): persistentvolumeclaims "data-kv-store-2" is forbidden: User "system:serviceaccount:kubernaut-workflows:runner" cannot delete resource\n',
  });
  assert.equal(forbidden.details.reason, 'Forbidden');
  assert.match(forbidden.details.naturalLanguageSummary!, /Forbidden.*runner/);
  assert.equal(failed({ pod: pod({ terminated: { exitCode: 137, reason: 'Evicted' } }, { reason: 'Evicted', message: 'low on memory' }) }).details.reason, 'ResourceExhausted');
});

test('an image that was never pulled: ImagePullBackOff, and the workflow never ran', () => {
  const p = pod({ waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "kubernaut/wf:1"' } });
  assert.match(imagePullProblem(p)!, /ImagePullBackOff/);
  assert.equal(imagePullProblem(pod({ running: {} })), undefined);
  const f = failed({ job: job({ type: 'Failed', reason: 'DeadlineExceeded' }), pod: p });
  assert.equal(f.details.reason, 'ImagePullBackOff');
  assert.equal(f.details.wasExecutionFailure, false);
  assert.equal(f.details.exitCode, undefined);
});

test('no pod and no log: Unknown, with the Job condition in the message', () => {
  const f = failed({ job: job({ type: 'Failed', reason: 'PodFailurePolicy', message: 'matched rule' }) });
  assert.equal(f.details.reason, 'Unknown');
  assert.equal(f.details.wasExecutionFailure, true, 'without the pod nobody can say it did not run');
  assert.match(f.details.message!, /PodFailurePolicy: matched rule/);
  // Without a log, the termination message stands in.
  const m = failed({ pod: pod({ terminated: { exitCode: 2, reason: 'Error', message: 'no StatefulSet kv-store in demo' } }) });
  assert.match(m.details.naturalLanguageSummary!, /last output: no StatefulSet kv-store in demo/);
});

test('the log summary: last meaningful lines on one line, colour codes dropped, bounded', () => {
  assert.equal(summarizeLog(undefined), undefined);
  assert.equal(summarizeLog('\n\n'), undefined);
  assert.equal(summarizeLog('a\nb\nc\nd\n'), 'b | c | d');
  assert.equal(summarizeLog('\x1b[31merror: boom\x1b[0m\nok\n'), 'error: boom');
  assert.ok(summarizeLog(`${'x'.repeat(5000)}\n`)!.length <= 512);
  assert.equal(completionSummary('wf', 'deleted claim\nStatefulSet kv-store 3/3 ready\n'), 'wf completed; last output: deleted claim | StatefulSet kv-store 3/3 ready');
});

test('dry run: the global setting, the RR annotation, or a namespace label', () => {
  assert.equal(dryRunRequestedBy({ global: false, namespaces: [] }), undefined);
  assert.match(dryRunRequestedBy({ global: true, namespaces: [] })!, /setting dryRun/);
  assert.match(dryRunRequestedBy({ global: false, rr: { namespace: 'd', name: 'rr', annotations: { 'kubernaut.ai/dry-run': 'true' } }, namespaces: [] })!, /annotation .* RemediationRequest d\/rr/);
  assert.equal(dryRunRequestedBy({ global: false, rr: { namespace: 'd', name: 'rr', annotations: { 'kubernaut.ai/dry-run': 'false' } }, namespaces: [{ name: 'd', labels: {} }] }), undefined);
  assert.match(dryRunRequestedBy({ global: false, namespaces: [{ name: 'gone', labels: undefined }, { name: 'd', labels: { 'kubernaut.ai/dry-run': 'true' } }] })!, /namespace d/);
});
