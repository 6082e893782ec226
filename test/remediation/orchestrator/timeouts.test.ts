/**
 * Timeouts (crds.md §2.3 and the per-RR annotation of §12): every phase timeout and the global one,
 * what expiry does, the annotation override (and a broken annotation), and the time scale.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../../src/remediation/orchestrator/lifecycle.ts';
import { effectiveTimeouts } from '../../../src/remediation/orchestrator/timeouts.ts';
import { DEFAULT_CONFIG } from '../../../src/remediation/orchestrator/config.ts';
import { AA_SELECTED, HOUR, MINUTE, SECOND, Simulation, T0, iso, remediationRequest, snapshot } from './fixtures.ts';

function expectTimedOut(sim: Simulation, phase: string, reason: string): void {
  assert.equal(sim.phase, 'TimedOut');
  assert.equal(sim.status.timeoutPhase, phase);
  assert.equal(sim.status.timeoutTime, iso(sim.nowMs));
  assert.equal(sim.status.failureReason, reason);
  assert.ok(sim.status.nextAllowedExecution, 'a timeout backs off like a failure');
  assert.ok(sim.notificationNamed('nr-escalation'), 'every timeout escalates');
  assert.equal(sim.auditTypes().at(-1), 'orchestrator.lifecycle.failed');
  assert.equal(sim.audit.at(-1)?.eventData.phase, 'TimedOut');
}

test('defaults: global 1 h, Processing 5 min, Analyzing 10 min, AwaitingApproval 15 min, Executing 30 min, Verifying 30 min', () => {
  assert.deepEqual(DEFAULT_CONFIG.timeouts, { global: HOUR, processing: 5 * MINUTE, analyzing: 10 * MINUTE, awaitingApproval: 15 * MINUTE, executing: 30 * MINUTE, verifying: 30 * MINUTE });
});

test('Processing times out after 5 min', () => {
  const sim = new Simulation().driveTo('Processing');
  sim.advance(5 * MINUTE - SECOND).settle();
  assert.equal(sim.phase, 'Processing');
  sim.advance(SECOND).settle();
  expectTimedOut(sim, 'Processing', 'ProcessingTimeout');
});

test('Analyzing times out after 10 min', () => {
  const sim = new Simulation().driveTo('Analyzing');
  assert.equal(sim.step().requeueAfterMs, 10 * MINUTE);
  sim.advance(10 * MINUTE).settle();
  expectTimedOut(sim, 'Analyzing', 'AnalyzingTimeout');
});

test('Executing times out after 30 min', () => {
  const sim = new Simulation().driveTo('Executing');
  sim.we({ phase: 'Running' });
  sim.advance(30 * MINUTE).settle();
  expectTimedOut(sim, 'Executing', 'ExecutingTimeout');
});

test('the global timeout (1 h from startTime) applies across phases', () => {
  const sim = new Simulation(remediationRequest({ annotations: { 'kubernaut.ai/timeouts': '{"executing":"2h"}' } })).driveTo('Executing');
  sim.advance(HOUR).settle();
  expectTimedOut(sim, 'Executing', 'GlobalTimeout');
});

test('the global timeout does not apply while Verifying', () => {
  const sim = new Simulation(remediationRequest({ annotations: { 'kubernaut.ai/timeouts': '{"global":"10m"}' } })).driveTo('Verifying');
  sim.advance(20 * MINUTE).settle();
  assert.equal(sim.phase, 'Verifying');
});

test('a global timeout while awaiting approval also expires the RAR', () => {
  const sim = new Simulation(remediationRequest({ annotations: { 'kubernaut.ai/timeouts': '{"global":"10m"}' } })).driveTo('AwaitingApproval');
  sim.advance(10 * MINUTE).settle();
  assert.equal(sim.phase, 'TimedOut');
  assert.equal(sim.children.approvalRequest!.status?.decision, 'Expired');
  assert.equal(sim.children.approvalRequest!.status?.decidedBy, 'system');
});

test('per-RR annotation kubernaut.ai/timeouts overrides the defaults (here Analyzing 1 min, approval 2 min)', () => {
  const rr = remediationRequest({ annotations: { 'kubernaut.ai/timeouts': '{"analyzing":"1m","awaitingApproval":"2m"}' } });
  const sim = new Simulation(rr).driveTo('Analyzing');
  sim.advance(MINUTE).settle();
  expectTimedOut(sim, 'Analyzing', 'AnalyzingTimeout');

  const approval = new Simulation(remediationRequest({ annotations: { 'kubernaut.ai/timeouts': '{"awaitingApproval":"2m"}' } })).driveTo('AwaitingApproval');
  assert.equal(approval.children.approvalRequest!.spec.requiredBy, iso(T0 + 2 * MINUTE));
});

test('per-RR executing and verifying overrides reach the WE timeout and the EA validity window', () => {
  const sim = new Simulation(remediationRequest({ annotations: { 'kubernaut.ai/timeouts': '{"executing":"45m","verifying":"10m"}' } })).driveTo('Verifying');
  assert.equal(sim.children.workflowExecution!.spec.executionConfig?.timeout, '45m');
  assert.equal(sim.children.effectivenessAssessment!.spec.config?.validityWindow, '10m');
  assert.equal(sim.status.verificationDeadline, iso(T0 + 10 * MINUTE + 30 * SECOND));
});

test('a broken annotation keeps the defaults and says why in a Warning event', () => {
  const rr = remediationRequest({ annotations: { 'kubernaut.ai/timeouts': '{"analyzing":"ten minutes"}' } });
  assert.match(effectiveTimeouts(rr, DEFAULT_CONFIG.timeouts).problem!, /analyzing/);
  const sim = new Simulation(rr);
  sim.step();
  assert.ok(sim.events.some((e) => e.type === 'Warning' && e.reason === 'InvalidTimeoutsAnnotation'));
  sim.driveTo('Analyzing');
  sim.advance(9 * MINUTE).settle();
  assert.equal(sim.phase, 'Analyzing');
});

test('a result that is in is acted on even when the RO looks after the deadline', () => {
  const sim = new Simulation().driveTo('Analyzing');
  sim.aa(AA_SELECTED).advance(11 * MINUTE).settle();
  assert.equal(sim.phase, 'Executing');
  sim.we({ phase: 'Completed' }).advance(40 * MINUTE).settle();
  assert.equal(sim.phase, 'Verifying', 'a finished execution is verified, not timed out');
});

test('under --time-scale, timeouts are nominal: 5 min of Processing pass in 5 s real at scale 60, timestamps stay real', () => {
  const sim = new Simulation(remediationRequest(), { scale: 60 }).driveTo('Processing');
  assert.equal(sim.step().requeueAfterMs, 5 * MINUTE, 'requeues are nominal');
  sim.advance(4 * SECOND).settle();
  assert.equal(sim.phase, 'Processing');
  sim.advance(SECOND).settle();
  assert.equal(sim.phase, 'TimedOut');
  // The backoff timestamp is real time: 1 min nominal = 1 s real.
  assert.equal(sim.status.nextAllowedExecution, iso(sim.nowMs + SECOND));
  assert.equal(sim.status.retentionExpiryTime, iso(sim.nowMs + (24 * HOUR) / 60));
});

test('an RR without a phase is started even if its timeouts are long past (Pending first)', () => {
  const d = decide(snapshot(remediationRequest(), { nowMs: T0 + 2 * HOUR }));
  assert.equal(d.status?.overallPhase, 'Pending');
});
