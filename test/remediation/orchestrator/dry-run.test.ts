/**
 * Dry run on the Orchestrator's side: a WorkflowExecution that reports DryRun ends the RR at once
 * (Completed, outcome DryRun, no EffectivenessAssessment), and a dry run never counts in routing as a
 * remediation, a success or a failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WorkflowExecutionStatus } from '../../../src/api/v1alpha1/index.ts';
import { decide } from '../../../src/remediation/orchestrator/lifecycle.ts';
import type { HistoryEntry } from '../../../src/remediation/orchestrator/model.ts';
import { pastFromHistory, pastFromLive } from '../../../src/remediation/orchestrator/past-remediations.ts';
import { consecutiveFailuresBefore } from '../../../src/remediation/orchestrator/routing.ts';
import { AA_SELECTED, HOUR, MINUTE, SELECTED_WORKFLOW, Simulation, T0, iso, pastRR, remediationRequest, snapshot, workflowExecution } from './fixtures.ts';

const dryRunWE = (atMs: number): WorkflowExecutionStatus => ({
  phase: 'Completed',
  completionTime: iso(atMs),
  executionStatus: { status: 'Skipped', reason: 'DryRun', message: 'dry run asked for by the annotation kubernaut.ai/dry-run on RemediationRequest', completedTasks: 0, totalTasks: 1 },
});

test('Executing → Completed [DryRun]: no EA, no verification, a completion notification that says so, audited as completed', () => {
  const sim = new Simulation().driveTo('Executing');
  sim.advance(MINUTE).we(dryRunWE(T0 + MINUTE)).settle();
  assert.equal(sim.phase, 'Completed');
  assert.equal(sim.status.outcome, 'DryRun');
  assert.equal(sim.status.completedAt, iso(sim.nowMs));
  assert.ok(sim.status.retentionExpiryTime);
  assert.match(sim.status.message ?? '', /^Dry run: fix-statefulset-pvc-v1 would have run against .*nothing was changed/);
  assert.equal(sim.children.effectivenessAssessment, undefined, 'nothing ran, nothing to assess');
  assert.equal(sim.status.effectivenessAssessmentRef, undefined);
  assert.equal(sim.status.verificationDeadline, undefined);
  assert.equal(sim.status.consecutiveFailureCount, undefined, 'neither resets nor counts failures');
  assert.equal(sim.status.nextAllowedExecution, undefined, 'no backoff, no suppression');
  assert.equal(sim.status.requiresManualReview, undefined);
  const executed = sim.status.conditions?.find((c) => c.type === 'Executed');
  assert.equal(executed?.status, 'False');
  assert.equal(executed?.reason, 'DryRun');
  assert.equal(sim.status.conditions?.find((c) => c.type === 'Ready')?.reason, 'DryRun');
  assert.equal(sim.status.conditions?.find((c) => c.type === 'Verified'), undefined);

  const nr = sim.notificationNamed('nr-completion')!;
  assert.equal(nr.spec.type, 'completion');
  assert.match(nr.spec.subject, /^Dry run, nothing changed: /);
  assert.match(nr.spec.body ?? '', /Workflow: fix-statefulset-pvc-v1/);

  const last = sim.audit.at(-1)!;
  assert.equal(last.eventType, 'orchestrator.lifecycle.completed');
  assert.equal(last.eventData.outcome, 'DryRun');
  assert.equal(last.eventData.fromPhase, 'Executing');
  assert.deepEqual(sim.audit.map((a) => a.eventData.phase), ['Pending', 'Processing', 'Analyzing', 'Executing', 'Completed']);
});

test('a dry-run RR decided again writes nothing, creates nothing and sends no second notification', () => {
  const sim = new Simulation().driveTo('Executing');
  sim.we(dryRunWE(T0)).settle();
  const again = decide(sim.snapshot());
  assert.equal(again.status, undefined);
  assert.deepEqual(again.create, []);
  assert.deepEqual(again.audit, []);
});

test('a real completion (no DryRun reason) still goes to Verifying', () => {
  const sim = new Simulation().driveTo('Executing');
  sim.we({ phase: 'Completed', executionStatus: { status: 'Succeeded', reason: 'Completed' } }).settle();
  assert.equal(sim.phase, 'Verifying');
  assert.ok(sim.children.effectivenessAssessment);
});

test('history: a dry run neither touched the target nor succeeded, live or from DataStorage', () => {
  const rr = pastRR('rr-dry', 'Completed', T0 - HOUR, { outcome: 'DryRun', preRemediationSpecHash: 'sha256:p' });
  const live = pastFromLive(rr, workflowExecution(dryRunWE(T0 - HOUR), { rr: 'rr-dry' }));
  assert.equal(live.touchedTarget, false);
  assert.equal(live.succeededAt, undefined);
  // The WE alone (its RR already deleted) shows it too.
  const weOnly = pastFromLive(remediationRequest({ name: 'rr-dry' }), workflowExecution(dryRunWE(T0 - HOUR), { rr: 'rr-dry' }));
  assert.equal(weOnly.touchedTarget, false);
  assert.equal(weOnly.succeededAt, undefined);
  const fromHistory = pastFromHistory({ remediationId: 'rr-dry', phase: 'Completed', outcome: 'DryRun', preRemediationSpecHash: 'sha256:p', completedAt: iso(T0 - HOUR) });
  assert.equal(fromHistory.touchedTarget, false);
  assert.equal(fromHistory.succeededAt, undefined);
});

test('ConsecutiveFailures: a dry run neither counts nor breaks a run of failures', () => {
  const rr = remediationRequest({ status: { overallPhase: 'Pending', startTime: iso(T0) } });
  const others = [
    pastRR('rr-f1', 'Failed', T0 - 4 * HOUR),
    pastRR('rr-f2', 'Failed', T0 - 3 * HOUR),
    pastRR('rr-dry', 'Completed', T0 - 2 * HOUR, { outcome: 'DryRun' }),
    pastRR('rr-f3', 'TimedOut', T0 - HOUR),
  ];
  assert.equal(consecutiveFailuresBefore(snapshot(rr, { sameFingerprint: others })), 3);
  const history: HistoryEntry[] = [{ remediationId: 'rr-h-dry', phase: 'Completed', outcome: 'DryRun', startedAt: iso(T0 - 30 * MINUTE) }];
  assert.equal(consecutiveFailuresBefore(snapshot(rr, { sameFingerprint: others, history: { byFingerprint: history } })), 3);
  assert.equal(consecutiveFailuresBefore(snapshot(rr, { sameFingerprint: [...others, pastRR('rr-ok', 'Completed', T0 - 10 * MINUTE, { outcome: 'Remediated' })] })), 0, 'a real completion still breaks it');
});

test('RecentlyRemediated: a dry run of the same workflow on the same target a minute ago does not hold a real run', () => {
  const sim = new Simulation();
  sim.executionsOnTarget = [
    {
      workflowExecution: workflowExecution(dryRunWE(T0 - MINUTE), { rr: 'rr-dry', createdMs: T0 - 2 * MINUTE }),
      remediationRequest: pastRR('rr-dry', 'Completed', T0 - 2 * MINUTE, { outcome: 'DryRun' }),
    },
  ];
  sim.history.byTarget = [{ remediationId: 'rr-h-dry', workflowId: SELECTED_WORKFLOW.workflowId, phase: 'Completed', outcome: 'DryRun', startedAt: iso(T0 - 3 * MINUTE), completedAt: iso(T0 - 2 * MINUTE) }];
  sim.driveTo('Analyzing').aa(AA_SELECTED).settle();
  assert.equal(sim.phase, 'Executing');
});

test('IneffectiveChain: six dry runs of the target within 4 h are not six remediations', () => {
  const sim = new Simulation();
  sim.executionsOnTarget = [1, 2, 3].map((i) => ({
    workflowExecution: workflowExecution(dryRunWE(T0 - i * 30 * MINUTE), { rr: `rr-d${i}`, createdMs: T0 - i * 30 * MINUTE }),
    remediationRequest: pastRR(`rr-d${i}`, 'Completed', T0 - i * 30 * MINUTE, { outcome: 'DryRun', preRemediationSpecHash: 'sha256:' + 'c'.repeat(64) }),
  }));
  // Dry runs whose RRs are gone: only DataStorage remembers them, with the pre-hash captured before the WE.
  sim.history.byTarget = [4, 5, 6].map((i) => ({
    remediationId: `rr-hd${i}`,
    workflowId: SELECTED_WORKFLOW.workflowId,
    phase: 'Completed',
    outcome: 'DryRun',
    startedAt: iso(T0 - i * 30 * MINUTE),
    completedAt: iso(T0 - i * 30 * MINUTE + MINUTE),
    preRemediationSpecHash: 'sha256:' + 'c'.repeat(64),
  }));
  sim.driveTo('Analyzing').aa(AA_SELECTED).settle();
  assert.equal(sim.phase, 'Executing');
  assert.equal(sim.status.blockReason, undefined);
});
