/**
 * The checks every demo shares, from what a run observed: each criterion holds only on the evidence
 * it names, says what it saw, and the exit code is 0 only when all of them hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCheck, REQUIRED_AUDIT_EVENTS, sharedChecks, verdictExitCode, type RunFacts } from '../../src/demo/verdict.ts';
import { parseValidation } from '../../src/demo/scripts.ts';

const expected = {
  signalName: 'KubernautStatefulSetReplicasMismatch',
  alertForMs: 180_000,
  workflowId: 'fix-statefulset-pvc-v1',
  target: { kind: 'StatefulSet', name: 'kv-store', namespace: 'demo-statefulset' },
  detectedLabels: { stateful: true },
};

function healthyRun(): RunFacts {
  return {
    expected,
    timeScale: 60,
    alert: { activeAtMs: 1_000_000, firedAtMs: 1_003_020 },
    rrName: 'rr-1',
    rr: { status: { overallPhase: 'Completed', outcome: 'Remediated' } },
    aa: {
      status: {
        phase: 'Completed',
        selectedWorkflow: { workflowId: 'fix-statefulset-pvc-v1', confidence: 0.9 },
        rootCauseAnalysis: { affectedResource: { kind: 'StatefulSet', name: 'kv-store', namespace: 'demo-statefulset' } },
        postRCAContext: { detectedLabels: { stateful: true, hpaEnabled: false } },
      },
    },
    we: { status: { phase: 'Completed', duration: '9.5s' } },
    ea: { status: { phase: 'Completed', components: { healthScore: 1, alertScore: 1 }, assessmentReason: 'full' } },
    auditEventTypes: REQUIRED_AUDIT_EVENTS.map((r) => r.eventType),
    chain: { valid: true, checked: 56 },
  };
}

const failing = (f: RunFacts) => sharedChecks(f).filter((c) => !c.ok);

test('a healthy run passes every shared check and exits 0', () => {
  const checks = sharedChecks(healthyRun());
  assert.deepEqual(checks.filter((c) => !c.ok), []);
  assert.equal(verdictExitCode(checks), 0);
  assert.match(formatCheck(checks[0]), /^✓ KubernautStatefulSetReplicasMismatch fired only after its for window — active → firing 3\.0 s ≥ 180\.0 s nominal \/ time scale 60 = 3\.0 s$/);
});

test('an alert that fired before its scaled for window, or never, fails', () => {
  const early = healthyRun();
  early.alert = { activeAtMs: 1_000_000, firedAtMs: 1_002_000 };
  assert.deepEqual(failing(early).map((c) => c.name), ['KubernautStatefulSetReplicasMismatch fired only after its for window']);
  const never = healthyRun();
  never.alert = { activeAtMs: 1_000_000 };
  assert.match(failing(never)[0].detail!, /never seen firing/);
  // In real time the full three minutes are required.
  const realtime = { ...healthyRun(), timeScale: 1 };
  assert.equal(failing(realtime).length, 1);
  realtime.alert = { activeAtMs: 0, firedAtMs: 180_000 };
  assert.equal(failing(realtime).length, 0);
});

test('each pipeline failure is its own failing check, saying what was seen', () => {
  const f = healthyRun();
  f.rr = { status: { overallPhase: 'Failed', failurePhase: 'AwaitingApproval', failureReason: 'ApprovalExpired' } };
  f.aa!.status.selectedWorkflow.workflowId = 'restart-pod-v1';
  f.aa!.status.postRCAContext.detectedLabels.stateful = false;
  f.we = undefined;
  f.ea = { status: { phase: 'Completed', components: { healthScore: 1, alertScore: 0 } } };
  const names = failing(f).map((c) => `${c.name} — ${c.detail}`);
  assert.deepEqual(names, [
    'RemediationRequest Completed with outcome Remediated — rr-1: Failed / no outcome (failed in AwaitingApproval: ApprovalExpired)',
    'AIAnalysis selected fix-statefulset-pvc-v1 — Completed: restart-pod-v1, confidence 90%',
    'detected labels stateful=true — detected: {"stateful":false,"hpaEnabled":false}',
    'WorkflowExecution Completed — no WorkflowExecution',
    'EffectivenessAssessment Completed: healthy and the alert resolved — Completed: health 1, alert 0',
  ]);
  assert.equal(verdictExitCode(sharedChecks(f)), 1);
});

test('the audit trail must hold every stage, and its chain must verify', () => {
  const f = healthyRun();
  f.auditEventTypes = f.auditEventTypes!.filter((t) => t !== 'workflow.execution.completed');
  f.chain = { valid: false, reason: 'hash mismatch at 12' };
  assert.deepEqual(failing(f).map((c) => c.detail), ['missing: workflow completed (workflow.execution.completed)', 'invalid: hash mismatch at 12']);
  const down = healthyRun();
  down.auditError = 'connect ECONNREFUSED';
  down.chain = { error: 'connect ECONNREFUSED' };
  assert.equal(failing(down).length, 2);
});

test('no checks at all is not a pass', () => {
  assert.equal(verdictExitCode([]), 1);
});

test('validate.sh contract: PASS/FAIL lines become checks; the exit code must agree with them', () => {
  const ok = parseValidation({ code: 0, lines: ['==> checking', 'PASS pod kv-store-2 is Running and Ready', 'PASS audit trail: the chain verifies'] });
  assert.deepEqual(ok, [
    { name: 'validate.sh: pod kv-store-2 is Running and Ready', ok: true },
    { name: 'validate.sh: audit trail: the chain verifies', ok: true },
  ]);
  const failed = parseValidation({ code: 1, lines: ['PASS a', 'FAIL claim data-kv-store-2 is Bound: Pending'] });
  assert.deepEqual(failed.map((c) => [c.name, c.ok]), [['validate.sh: a', true], ['validate.sh: claim data-kv-store-2 is Bound: Pending', false]]);
  assert.equal(parseValidation({ code: 1, lines: ['PASS a'] }).at(-1)!.ok, false, 'exit 1 with only passes is a failure');
  assert.equal(parseValidation({ code: 0, lines: ['nothing'] })[0].ok, false, 'no criteria is a failure');
});
