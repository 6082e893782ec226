/**
 * Routing and blocking (crds.md §2.2): each of the seven block reasons with its default numbers,
 * how it is entered, what happens while blocked and how it is left; the backoff formula; the resume
 * point after Blocked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../../src/remediation/orchestrator/config.ts';
import { decide } from '../../../src/remediation/orchestrator/lifecycle.ts';
import { backoffMs, consecutiveFailuresBefore } from '../../../src/remediation/orchestrator/routing.ts';
import type { HistoryEntry } from '../../../src/remediation/orchestrator/model.ts';
import {
  AA_NEEDS_APPROVAL,
  AA_SELECTED,
  HOUR,
  MINUTE,
  RR_NAME,
  SECOND,
  SP_COMPLETED,
  Simulation,
  T0,
  effectivenessAssessment,
  iso,
  pastRR,
  remediationRequest,
  snapshot,
  workflowExecution,
} from './fixtures.ts';

test('backoff after the n-th consecutive failure: 1, 2, 4, 8, 10, 10 minutes', () => {
  const cfg = resolveConfig().routing;
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, cfg) / MINUTE), [1, 2, 4, 8, 10, 10]);
});

test('each failure of a fingerprint sets nextAllowedExecution = completedAt + backoff(n) and consecutiveFailureCount n', () => {
  for (const [previous, expectedMinutes] of [[0, 1], [1, 2], [2, 4]] as const) {
    const sim = new Simulation(remediationRequest({ createdMs: T0 }));
    sim.sameFingerprint = Array.from({ length: previous }, (_, i) => pastRR(`rr-old-${i}`, 'Failed', T0 - (i + 1) * HOUR));
    sim.driveTo('Executing').we({ phase: 'Failed', failureDetails: { reason: 'TaskFailed' } }).settle();
    assert.equal(sim.status.consecutiveFailureCount, previous + 1);
    assert.equal(sim.status.nextAllowedExecution, iso(sim.nowMs + expectedMinutes * MINUTE));
  }
});

// --- UnmanagedResource ----------------------------------------------------------------------

test('UnmanagedResource: blocked pre-analysis, re-checked with backoff 5 s → 5 min, resumes once managed', () => {
  const sim = new Simulation();
  sim.managed = false;
  sim.step(); // Pending
  const d = sim.step();
  assert.equal(sim.phase, 'Blocked');
  assert.equal(sim.status.blockReason, 'UnmanagedResource');
  assert.match(sim.status.blockMessage!, /kubernaut\.ai\/managed="true"/);
  assert.equal(d.requeueAfterMs, 5 * SECOND);
  assert.equal(sim.children.signalProcessing, undefined);
  assert.equal(sim.auditTypes().at(-1), 'orchestrator.lifecycle.blocked');
  assert.equal(sim.audit.at(-1)?.eventData.blockReason, 'UnmanagedResource');
  assert.equal(sim.audit.at(-1)?.eventOutcome, 'pending');

  assert.equal(sim.advance(5 * SECOND).step().requeueAfterMs, 5 * SECOND);
  assert.equal(sim.advance(5 * SECOND).step().requeueAfterMs, 10 * SECOND);
  assert.equal(sim.advance(10 * SECOND).step().requeueAfterMs, 20 * SECOND);
  assert.equal(sim.advance(10 * MINUTE).step().requeueAfterMs, 5 * MINUTE, 'capped at 5 min');

  sim.managed = true;
  sim.settle();
  assert.equal(sim.phase, 'Processing');
  assert.equal(sim.status.blockReason, undefined);
  assert.ok(sim.children.signalProcessing);
  assert.equal(sim.audit.at(-1)?.eventData.blockReason, null, 'the resume clears the block in the history');
});

test('UnmanagedResource: still unmanaged at the global timeout (1 h) → Skipped', () => {
  const sim = new Simulation();
  sim.managed = false;
  sim.settle();
  sim.advance(HOUR).settle();
  assert.equal(sim.phase, 'Skipped');
  assert.equal(sim.status.skipReason, 'UnmanagedResource');
  assert.equal(sim.auditTypes().at(-1), 'orchestrator.lifecycle.skipped');
});

// --- DuplicateInProgress --------------------------------------------------------------------

test('DuplicateInProgress: an older non-terminal RR of the fingerprint blocks; the original lists the duplicate; re-check 30 s', () => {
  const original = pastRR('rr-aaaaaaaaaaaa-original', 'Executing', T0 - MINUTE);
  const sim = new Simulation();
  sim.sameFingerprint = [original];
  sim.step();
  const d = sim.step();
  assert.equal(sim.phase, 'Blocked');
  assert.equal(sim.status.blockReason, 'DuplicateInProgress');
  assert.equal(sim.status.duplicateOf, original.metadata!.name);
  assert.equal(d.markDuplicateOf, original.metadata!.name);
  assert.equal(d.requeueAfterMs, 30 * SECOND);
  // Once the original lists it, nothing more is written.
  original.status!.duplicateRefs = [RR_NAME];
  original.status!.duplicateCount = 1;
  const again = sim.advance(30 * SECOND).step();
  assert.equal(again.markDuplicateOf, undefined);
  assert.equal(again.status, undefined);
  assert.equal(again.requeueAfterMs, 30 * SECOND);
});

test('DuplicateInProgress: a younger RR (or one created at the same instant with a greater name) is not the original', () => {
  const younger = pastRR('rr-zzzz', 'Executing', T0 + MINUTE);
  const tie = pastRR('rr-zzzz-tie', 'Executing', T0);
  const d = decide(snapshot(remediationRequest({ status: { overallPhase: 'Pending', startTime: iso(T0) } }), { sameFingerprint: [younger, tie] }));
  assert.equal(d.status?.overallPhase, 'Processing');
});

test('DuplicateInProgress: created in the same second, the RR already in progress is the original, whatever the names say', () => {
  // creationTimestamp has whole seconds; the younger RR's random name sorts first.
  const original = pastRR('rr-aaaaaaaaaaaa-zzzzzzzz', 'Analyzing', T0, { processingStartTime: iso(T0 + 100) });
  const me = remediationRequest({ name: 'rr-aaaaaaaaaaaa-00000000', createdMs: T0, annotations: { 'kubernaut.ai/created-at': iso(T0 + 600) }, status: { overallPhase: 'Pending', startTime: iso(T0 + 600) } });
  const d = decide(snapshot(me, { sameFingerprint: [original] }));
  assert.equal(d.status?.overallPhase, 'Blocked');
  assert.equal(d.status?.blockReason, 'DuplicateInProgress');
  assert.equal(d.status?.duplicateOf, original.metadata!.name);
});

test('DuplicateInProgress: of two RRs not yet started in the same second, the Gateway\'s millisecond receipt time decides, not the name', () => {
  const first = remediationRequest({ name: 'rr-aaaaaaaaaaaa-zzzzzzzz', createdMs: T0, annotations: { 'kubernaut.ai/created-at': iso(T0 + 100) }, status: { overallPhase: 'Pending', startTime: iso(T0) } });
  const second = remediationRequest({ name: 'rr-aaaaaaaaaaaa-00000000', createdMs: T0, annotations: { 'kubernaut.ai/created-at': iso(T0 + 700) }, status: { overallPhase: 'Pending', startTime: iso(T0) } });
  assert.equal(decide(snapshot(second, { sameFingerprint: [first] })).status?.blockReason, 'DuplicateInProgress');
  assert.equal(decide(snapshot(first, { sameFingerprint: [second] })).status?.overallPhase, 'Processing');
});

test('DuplicateInProgress: original terminal → Skipped with duplicateOf set and the outcome copied', () => {
  const original = pastRR('rr-aaaaaaaaaaaa-original', 'Executing', T0 - MINUTE);
  const sim = new Simulation();
  sim.sameFingerprint = [original];
  sim.settle();
  original.status = { ...original.status, overallPhase: 'Completed', outcome: 'Remediated', completedAt: iso(T0 + MINUTE) };
  sim.advance(MINUTE).settle();
  assert.equal(sim.phase, 'Skipped');
  assert.equal(sim.status.skipReason, 'DuplicateInProgress');
  assert.equal(sim.status.duplicateOf, original.metadata!.name);
  assert.equal(sim.status.outcome, 'Remediated');
});

test('DuplicateInProgress: the original deleted while running → the duplicate takes over', () => {
  const original = pastRR('rr-aaaaaaaaaaaa-original', 'Executing', T0 - MINUTE);
  const sim = new Simulation();
  sim.sameFingerprint = [original];
  sim.settle();
  sim.sameFingerprint = [];
  sim.advance(SECOND).settle();
  assert.equal(sim.phase, 'Processing');
  assert.equal(sim.status.duplicateOf, undefined);
});

test('the original with duplicates sends one nr-bulk-<rr> summary when it ends', () => {
  const sim = new Simulation(remediationRequest({ status: { overallPhase: 'Completed', outcome: 'Remediated', startTime: iso(T0), completedAt: iso(T0), retentionExpiryTime: iso(T0 + 24 * HOUR), duplicateCount: 2, duplicateRefs: ['rr-a', 'rr-b'] } }));
  sim.settle();
  const bulk = sim.notificationNamed('nr-bulk')!;
  assert.equal(bulk.spec.type, 'status-update');
  assert.match(bulk.spec.body!, /rr-a, rr-b/);
  assert.equal(sim.step().create.length, 0, 'once');
});

// --- ConsecutiveFailures --------------------------------------------------------------------

test('ConsecutiveFailures: 3 failed/timed-out RRs in a row block for 1 h with an escalation, then Failed', () => {
  const sim = new Simulation();
  sim.sameFingerprint = [pastRR('rr-f1', 'Failed', T0 - 3 * HOUR), pastRR('rr-f2', 'TimedOut', T0 - 2 * HOUR), pastRR('rr-f3', 'Failed', T0 - HOUR)];
  const d = sim.settle();
  assert.equal(sim.phase, 'Blocked');
  assert.equal(sim.status.blockReason, 'ConsecutiveFailures');
  assert.equal(sim.status.blockedUntil, iso(T0 + HOUR));
  assert.equal(d.requeueAfterMs, HOUR);
  const escalation = sim.notificationNamed('nr-escalation')!;
  assert.equal(escalation.spec.type, 'escalation');
  assert.equal(escalation.spec.phase, 'Blocked', 'escalated when the block begins');

  // The global timeout (1 h) does not apply while held here.
  sim.advance(59 * MINUTE).settle();
  assert.equal(sim.phase, 'Blocked');
  sim.advance(MINUTE).settle();
  assert.equal(sim.phase, 'Failed');
  assert.equal(sim.status.failureReason, 'ConsecutiveFailures');
  assert.equal(sim.status.failurePhase, 'Blocked');
  assert.equal(sim.status.blockReason, 'ConsecutiveFailures', 'kept: the next RR counts from this block');
  assert.equal(sim.children.notifications.filter((n) => n.spec.type === 'escalation').length, 1, 'one escalation');
});

test('ConsecutiveFailures: 2 failures do not block; counting stops at the last Completed RR and at the last such block; Skipped/Cancelled neither count nor break', () => {
  const rr = remediationRequest({ status: { overallPhase: 'Pending', startTime: iso(T0) } });
  const count = (others: ReturnType<typeof pastRR>[]) => consecutiveFailuresBefore(snapshot(rr, { sameFingerprint: others }));
  assert.equal(count([pastRR('rr-f1', 'Failed', T0 - 2 * HOUR), pastRR('rr-f2', 'Failed', T0 - HOUR)]), 2);
  assert.equal(decide(snapshot(rr, { sameFingerprint: [pastRR('rr-f1', 'Failed', T0 - 2 * HOUR), pastRR('rr-f2', 'Failed', T0 - HOUR)] })).status?.overallPhase, 'Processing');
  assert.equal(count([pastRR('rr-f0', 'Failed', T0 - 5 * HOUR), pastRR('rr-ok', 'Completed', T0 - 4 * HOUR), pastRR('rr-f1', 'Failed', T0 - 2 * HOUR), pastRR('rr-f2', 'Failed', T0 - HOUR)]), 2);
  assert.equal(count([pastRR('rr-f0', 'Failed', T0 - 5 * HOUR), pastRR('rr-cf', 'Failed', T0 - 4 * HOUR, { blockReason: 'ConsecutiveFailures' }), pastRR('rr-f1', 'Failed', T0 - 2 * HOUR)]), 1);
  assert.equal(count([pastRR('rr-f1', 'Failed', T0 - 4 * HOUR), pastRR('rr-s', 'Skipped', T0 - 3 * HOUR), pastRR('rr-c', 'Cancelled', T0 - 2 * HOUR), pastRR('rr-f2', 'TimedOut', T0 - HOUR)]), 2);
  assert.equal(count([pastRR('rr-later', 'Failed', T0 + HOUR)]), 0, 'only RRs before this one');
});

test('ConsecutiveFailures counts DataStorage history too (RRs already deleted after retention)', () => {
  const rr = remediationRequest({ status: { overallPhase: 'Pending', startTime: iso(T0) } });
  const history: HistoryEntry[] = [1, 2, 3].map((i) => ({ remediationId: `rr-gone-${i}`, fingerprint: rr.spec.signalFingerprint, phase: 'Failed', startedAt: iso(T0 - (30 - i) * HOUR), completedAt: iso(T0 - (30 - i) * HOUR + MINUTE) }));
  const d = decide(snapshot(rr, { history: { byFingerprint: history } }));
  assert.equal(d.status?.overallPhase, 'Blocked');
  assert.equal(d.status?.blockReason, 'ConsecutiveFailures');
});

// --- ExponentialBackoff ---------------------------------------------------------------------

test('ExponentialBackoff: a previous failed RR with nextAllowedExecution in the future blocks until then, then resumes', () => {
  const sim = new Simulation();
  sim.sameFingerprint = [pastRR('rr-f1', 'Failed', T0 - 5 * MINUTE, { nextAllowedExecution: iso(T0 + 4 * MINUTE) })];
  const d = sim.settle();
  assert.equal(sim.phase, 'Blocked');
  assert.equal(sim.status.blockReason, 'ExponentialBackoff');
  assert.equal(sim.status.blockedUntil, iso(T0 + 4 * MINUTE));
  assert.equal(d.requeueAfterMs, 4 * MINUTE);
  assert.equal(sim.advance(2 * MINUTE).step().status, undefined, 'waits');
  sim.advance(2 * MINUTE).settle();
  assert.equal(sim.phase, 'Processing');
});

test('ExponentialBackoff ignores the 24 h suppression of a NoActionRequired RR (a new alert episode proceeds at once)', () => {
  const rr = remediationRequest({ status: { overallPhase: 'Pending', startTime: iso(T0) } });
  const resolved = pastRR('rr-ok', 'Completed', T0 - HOUR, { outcome: 'NoActionRequired', nextAllowedExecution: iso(T0 + 23 * HOUR) });
  assert.equal(decide(snapshot(rr, { sameFingerprint: [resolved] })).status?.overallPhase, 'Processing');
});

// --- ResourceBusy ---------------------------------------------------------------------------

test('ResourceBusy: another RR\'s running WE on the same target blocks (re-check 30 s); when it finishes, Executing', () => {
  const other = workflowExecution({ phase: 'Running' }, { rr: 'rr-other' });
  const sim = new Simulation();
  sim.executionsOnTarget = [{ workflowExecution: other }];
  sim.driveTo('Analyzing').aa(AA_SELECTED);
  const d = sim.settle();
  assert.equal(sim.phase, 'Blocked');
  assert.equal(sim.status.blockReason, 'ResourceBusy');
  assert.equal(sim.status.blockingWorkflowExecution, 'we-rr-other');
  assert.equal(d.requeueAfterMs, 30 * SECOND);
  assert.equal(sim.children.workflowExecution, undefined);
  sim.executionsOnTarget = [{ workflowExecution: { ...other, status: { phase: 'Failed' } } }];
  sim.advance(10 * SECOND).settle();
  assert.equal(sim.phase, 'Executing');
  assert.equal(sim.status.blockingWorkflowExecution, undefined);
  assert.ok(sim.children.workflowExecution);
});

test('ResourceBusy after approval: resumes to Executing without asking again (approval kept)', () => {
  const other = workflowExecution({ phase: 'Running' }, { rr: 'rr-other' });
  const sim = new Simulation();
  sim.executionsOnTarget = [{ workflowExecution: other }];
  sim.driveTo('AwaitingApproval').rar({ decision: 'Approved', decidedBy: 'alice' }).settle();
  assert.equal(sim.phase, 'Blocked');
  assert.equal(sim.auditTypes().at(-1), 'orchestrator.lifecycle.blocked');
  sim.executionsOnTarget = [];
  sim.advance(30 * SECOND).settle();
  assert.equal(sim.phase, 'Executing');
  assert.equal(sim.children.notifications.filter((n) => n.spec.type === 'approval').length, 1);
});

// --- RecentlyRemediated ---------------------------------------------------------------------

test('RecentlyRemediated: the same workflow completed on the same target 2 min ago blocks until completion + 5 min', () => {
  const done = workflowExecution({ phase: 'Completed', completionTime: iso(T0 - 2 * MINUTE) }, { rr: 'rr-prev' });
  const sim = new Simulation();
  sim.executionsOnTarget = [{ workflowExecution: done }];
  sim.driveTo('Analyzing').aa(AA_SELECTED);
  const d = sim.settle();
  assert.equal(sim.status.blockReason, 'RecentlyRemediated');
  assert.equal(sim.status.blockedUntil, iso(T0 + 3 * MINUTE));
  assert.equal(d.requeueAfterMs, 3 * MINUTE);
  sim.advance(3 * MINUTE).settle();
  assert.equal(sim.phase, 'Executing');
});

test('RecentlyRemediated: another workflow, or one completed more than 5 min ago, does not block', () => {
  for (const we of [
    workflowExecution({ phase: 'Completed', completionTime: iso(T0 - 2 * MINUTE) }, { rr: 'rr-prev', workflowId: 'restart-pod-v1' }),
    workflowExecution({ phase: 'Completed', completionTime: iso(T0 - 6 * MINUTE) }, { rr: 'rr-prev' }),
  ]) {
    const sim = new Simulation();
    sim.executionsOnTarget = [{ workflowExecution: we }];
    sim.driveTo('Executing');
    assert.equal(sim.phase, 'Executing');
  }
});

// --- IneffectiveChain -----------------------------------------------------------------------

function remediated(name: string, atMs: number, ea: { score?: number; reason?: string; pre?: string; post?: string }, wasExecutionFailure?: boolean) {
  const rr = pastRR(name, wasExecutionFailure === undefined ? 'Completed' : 'Failed', atMs, { preRemediationSpecHash: ea.pre, outcome: wasExecutionFailure === undefined ? 'Remediated' : undefined });
  const we = workflowExecution(
    wasExecutionFailure === undefined ? { phase: 'Completed', completionTime: iso(atMs) } : { phase: 'Failed', failureDetails: { wasExecutionFailure } },
    { rr: name, workflowId: 'other-workflow', createdMs: atMs },
  );
  const assessment = effectivenessAssessment({ phase: 'Completed', overallScore: ea.score, assessmentReason: ea.reason as never, components: { postRemediationSpecHash: ea.post } }, name);
  return { workflowExecution: we, remediationRequest: rr, effectivenessAssessment: assessment };
}

test('IneffectiveChain: 3 ineffective remediations of the target within 4 h (score < 0.5, spec_drift, reverted) block with a manual review', () => {
  const sim = new Simulation();
  sim.targetSpecHash = 'sha256:h0';
  sim.executionsOnTarget = [
    remediated('rr-i1', T0 - 3 * HOUR, { score: 0.2 }),
    remediated('rr-i2', T0 - 2 * HOUR, { score: 0.9, reason: 'spec_drift' }),
    remediated('rr-i3', T0 - HOUR, { score: 0.9, pre: 'sha256:h0', post: 'sha256:h1' }), // reverted: the target is back at h0
  ];
  sim.driveTo('Analyzing').aa(AA_SELECTED).settle();
  assert.equal(sim.phase, 'Blocked');
  assert.equal(sim.status.blockReason, 'IneffectiveChain');
  assert.equal(sim.status.requiresManualReview, true);
  assert.equal(sim.status.blockedUntil, iso(T0 - 3 * HOUR + MINUTE + 4 * HOUR), 'oldest counted + 4 h');
  const nr = sim.notificationNamed('nr-manual-review')!;
  assert.equal(nr.spec.reviewSource, 'IneffectiveChain');

  // Not subject to the global timeout; at blockedUntil → Failed, ManualReviewRequired.
  const until = Date.parse(sim.status.blockedUntil!);
  sim.advance(until - sim.nowMs - SECOND).settle();
  assert.equal(sim.phase, 'Blocked');
  sim.advance(SECOND).settle();
  assert.equal(sim.phase, 'Failed');
  assert.equal(sim.status.outcome, 'ManualReviewRequired');
  assert.equal(sim.status.failureReason, 'IneffectiveChain');
});

test('IneffectiveChain: 5 remediations of the target within 4 h block even when each looked effective', () => {
  const sim = new Simulation();
  sim.executionsOnTarget = [1, 2, 3, 4, 5].map((i) => remediated(`rr-r${i}`, T0 - i * 30 * MINUTE, { score: 1 }));
  sim.driveTo('Analyzing').aa(AA_SELECTED).settle();
  assert.equal(sim.status.blockReason, 'IneffectiveChain');
});

test('IneffectiveChain: failures before touching the cluster, unchanged specs and old remediations do not count', () => {
  const sim = new Simulation();
  sim.targetSpecHash = 'sha256:h0';
  sim.executionsOnTarget = [
    remediated('rr-lock1', T0 - 3 * HOUR, {}, false),
    remediated('rr-lock2', T0 - 2 * HOUR, {}, false),
    remediated('rr-same', T0 - HOUR, { score: 0.9, pre: 'sha256:h0', post: 'sha256:h0' }), // workflow did not change the spec
    remediated('rr-old', T0 - 5 * HOUR, { score: 0.1 }),
    remediated('rr-old2', T0 - 6 * HOUR, { score: 0.1 }),
  ];
  sim.driveTo('Executing');
  assert.equal(sim.phase, 'Executing');
});

test('IneffectiveChain from DataStorage history alone (no live RRs)', () => {
  const sim = new Simulation();
  sim.history.byTarget = [1, 2, 3].map((i) => ({
    remediationId: `rr-h${i}`,
    workflowId: 'x',
    phase: 'Completed',
    outcome: 'Remediated',
    startedAt: iso(T0 - i * HOUR),
    completedAt: iso(T0 - i * HOUR + MINUTE),
    preRemediationSpecHash: `sha256:p${i}`,
    effectivenessScore: 0.3,
    assessmentReason: 'full',
    wasExecutionFailure: null,
  }));
  sim.driveTo('Analyzing').aa(AA_SELECTED).settle();
  assert.equal(sim.status.blockReason, 'IneffectiveChain');
});

// --- Resume point ---------------------------------------------------------------------------

test('resume point after Blocked: no AA → pre-analysis (Processing); AA Completed → post-analysis (Executing)', () => {
  const pre = new Simulation();
  pre.sameFingerprint = [pastRR('rr-f1', 'Failed', T0 - 5 * MINUTE, { nextAllowedExecution: iso(T0 + MINUTE) })];
  pre.settle();
  pre.advance(MINUTE).settle();
  assert.equal(pre.phase, 'Processing');

  const post = new Simulation();
  post.executionsOnTarget = [{ workflowExecution: workflowExecution({ phase: 'Completed', completionTime: iso(T0 - 4 * MINUTE) }, { rr: 'rr-prev' }) }];
  post.driveTo('Analyzing').aa(AA_SELECTED).settle();
  assert.equal(post.phase, 'Blocked');
  post.advance(MINUTE).settle();
  assert.equal(post.phase, 'Executing');
  assert.equal(post.status.processingStartTime, iso(T0), 'not processed again');
});

test('post-analysis checks run after the approval, never before it', () => {
  const other = workflowExecution({ phase: 'Running' }, { rr: 'rr-other' });
  const sim = new Simulation();
  sim.executionsOnTarget = [{ workflowExecution: other }];
  sim.driveTo('Analyzing').aa(AA_NEEDS_APPROVAL).settle();
  assert.equal(sim.phase, 'AwaitingApproval');
});

test('a post-analysis block whose AIAnalysis was deleted fails the RR (ChildDeleted)', () => {
  const sim = new Simulation();
  sim.executionsOnTarget = [{ workflowExecution: workflowExecution({ phase: 'Running' }, { rr: 'rr-other' }) }];
  sim.driveTo('Analyzing').aa(AA_SELECTED).settle();
  sim.children.aiAnalysis = undefined;
  sim.settle();
  assert.equal(sim.phase, 'Failed');
  assert.equal(sim.status.failureReason, 'ChildDeleted');
});

test('SP status used by the AA is taken as written: the AA of a resumed RR comes from SP_COMPLETED', () => {
  const sim = new Simulation().driveTo('Analyzing');
  assert.equal(sim.children.aiAnalysis!.spec.analysisRequest.signalContext.environment, SP_COMPLETED.environmentClassification!.environment);
});
