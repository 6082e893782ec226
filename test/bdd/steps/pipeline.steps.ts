/**
 * Steps about Kubernaut's side of the scenario: analysis, approval, the workflow, the assessment,
 * the RemediationRequest's end and the audit trail.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import { eventually } from '../../helpers/kubernaut-process.ts';
import {
  approve, ensureApproved, ensureAwaitingApprovalOrLater, ensureEnded, ensureRR, ensureWorkflowRan, phaseOf, podsReady, waitForChild, waitForRR, WAIT,
} from '../support/story.ts';
import { NS, STATEFULSET, story, WORKFLOW_ID, WORKFLOW_NAMESPACE, type KubernautWorld } from '../support/world.ts';

type Json = Record<string, any>;

Given('a RemediationRequest exists for the alert', async function (this: KubernautWorld) {
  assert.ok(this.getJson('remediationrequest', await ensureRR(this)));
});

When('the AIAnalysis of the RemediationRequest completes', async function (this: KubernautWorld) {
  await waitForChild(this, 'aianalysis', 'aiAnalysisRef', (aa) => aa.status?.phase === 'Completed' || aa.status?.phase === 'Failed', 'Completed or Failed');
});

Then('the SignalProcessing classified the signal as production and critical', function (this: KubernautWorld) {
  const sp = this.child('signalprocessing', 'signalProcessingRef');
  assert.equal(sp.status.phase, 'Completed');
  const ctx = this.child('aianalysis', 'aiAnalysisRef').spec.analysisRequest.signalContext;
  assert.equal(ctx.environment, 'production');
  assert.equal(ctx.severity, 'critical');
});

Then('the AIAnalysis detected stateful=true', function (this: KubernautWorld) {
  const aa = this.child('aianalysis', 'aiAnalysisRef');
  assert.equal(aa.status.phase, 'Completed', aa.status.message);
  assert.equal(aa.status.postRCAContext?.detectedLabels?.stateful, true);
});

Then('the AIAnalysis diagnosed the claim failure of data-kv-store-2', function (this: KubernautWorld) {
  const aa = this.child('aianalysis', 'aiAnalysisRef');
  assert.match(aa.status.rootCause, /data-kv-store-2/);
  assert.match(aa.status.rootCause, /PersistentVolumeClaim|PVC|claim/i);
  assert.equal(aa.status.rootCauseAnalysis.affectedResource.kind, 'StatefulSet');
  assert.equal(aa.status.rootCauseAnalysis.affectedResource.name, STATEFULSET);
});

Then('the AIAnalysis selected the workflow fix-statefulset-pvc-v1', function (this: KubernautWorld) {
  const selected = this.child('aianalysis', 'aiAnalysisRef').status.selectedWorkflow;
  assert.equal(selected.workflowId, WORKFLOW_ID);
  assert.equal(selected.parameters.TARGET_STATEFULSET, STATEFULSET);
  assert.equal(selected.parameters.TARGET_NAMESPACE, NS);
});

Then('the RemediationRequest awaits approval because the target is a production StatefulSet', async function (this: KubernautWorld) {
  const rr = await ensureAwaitingApprovalOrLater(this);
  assert.equal(phaseOf(rr), 'AwaitingApproval', 'nobody has decided yet');
  const aa = this.child('aianalysis', 'aiAnalysisRef');
  assert.equal(aa.status.approvalRequired, true);
  assert.match(aa.status.approvalReason, /production/);
  assert.match(aa.status.approvalReason, /StatefulSet/);
});

Given('the RemediationRequest awaits approval', async function (this: KubernautWorld) {
  const rr = await ensureAwaitingApprovalOrLater(this);
  assert.equal(phaseOf(rr), 'AwaitingApproval');
  const rar = this.child('remediationapprovalrequest', 'remediationApprovalRequestRef');
  assert.equal(rar.spec.recommendedWorkflow.workflowId, WORKFLOW_ID);
  assert.ok(Date.parse(rar.spec.requiredBy) > Date.now(), `still open (requiredBy ${rar.spec.requiredBy})`);
});

When('I approve it with {string}', function (this: KubernautWorld, command: string) {
  assert.equal(command, 'kubernaut approve');
  assert.match(approve(this), /approved by/);
});

Then('the approval request records the decision Approved and who decided', async function (this: KubernautWorld) {
  const rar = await waitForChild(this, 'remediationapprovalrequest', 'remediationApprovalRequestRef', (o) => !!o.status?.decidedAt, 'decidedAt stamped by the Orchestrator');
  assert.equal(rar.status.decision, 'Approved');
  assert.ok(rar.status.decidedBy, 'decidedBy');
  assert.equal(rar.status.decisionMessage, 'approved in the BDD scenario');
});

Then('the RemediationRequest proceeds to execute the workflow', async function (this: KubernautWorld) {
  await waitForRR(this, (rr) => !!rr.status?.workflowExecutionRef, 'a WorkflowExecution');
  const we = this.child('workflowexecution', 'workflowExecutionRef');
  assert.equal(we.spec.workflowRef.workflowId, WORKFLOW_ID);
  assert.match(we.spec.targetResource, new RegExp(`StatefulSet/${STATEFULSET}$`));
});

Given('the remediation was approved', async function (this: KubernautWorld) {
  await ensureApproved(this);
  assert.equal(this.child('remediationapprovalrequest', 'remediationApprovalRequestRef').status.decision, 'Approved');
});

When('the WorkflowExecution completes', async function (this: KubernautWorld) {
  const we = await ensureWorkflowRan(this);
  assert.equal(we.status.phase, 'Completed', JSON.stringify(we.status.failureDetails ?? we.status));
});

Then('the workflow Job for fix-statefulset-pvc-v1 succeeded', function (this: KubernautWorld) {
  const jobs = JSON.parse(this.kubectlOk(['get', 'jobs', '-n', WORKFLOW_NAMESPACE, '-l', `kubernaut.ai/remediation-request=${this.rr}`, '-o', 'json'])).items as Json[];
  assert.equal(jobs.length, 1, `one Job for ${this.rr} in ${WORKFLOW_NAMESPACE}`);
  assert.equal(jobs[0].metadata.labels['kubernaut.ai/workflow-id'], WORKFLOW_ID);
  assert.equal(jobs[0].status.succeeded, 1);
});

Then('claim data-kv-store-2 is Bound to a new volume', async function (this: KubernautWorld) {
  const claim = await eventually(() => {
    const c = this.getJson('pvc', `data-${STATEFULSET}-2`);
    return c?.status?.phase === 'Bound' && !c.metadata.deletionTimestamp ? c : undefined;
  }, 'data-kv-store-2 Bound', WAIT.cluster, 250);
  assert.notEqual(claim.spec.volumeName, story.volumeBeforeFault);
  assert.equal(this.getJson('pv', story.volumeBeforeFault!, undefined), undefined, 'the deleted volume is gone');
});

Then('pod kv-store-2 was deleted and recreated', function (this: KubernautWorld) {
  const pod = this.getJson('pod', `${STATEFULSET}-2`)!;
  assert.notEqual(pod.metadata.uid, story.stuckPodUid, 'the stuck pod was replaced');
});

Then('all 3 replicas of kv-store are Running and Ready', async function (this: KubernautWorld) {
  await eventually(() => this.getJson('statefulset', STATEFULSET)?.status?.readyReplicas === 3, 'kv-store 3/3 ready', WAIT.cluster, 250);
  podsReady(this);
});

Given('the workflow has run', async function (this: KubernautWorld) {
  assert.equal((await ensureWorkflowRan(this)).status.phase, 'Completed');
});

When('the EffectivenessAssessment completes', async function (this: KubernautWorld) {
  await waitForRR(this, (rr) => !!rr.status?.effectivenessAssessmentRef, 'an EffectivenessAssessment');
  await waitForChild(this, 'effectivenessassessment', 'effectivenessAssessmentRef', (ea) => ea.status?.phase === 'Completed' || ea.status?.phase === 'Failed', 'Completed or Failed');
});

Then('it found kv-store healthy and the alert resolved', function (this: KubernautWorld) {
  const ea = this.child('effectivenessassessment', 'effectivenessAssessmentRef');
  assert.equal(ea.status.phase, 'Completed', ea.status.message);
  assert.equal(ea.spec.remediationTarget.name, STATEFULSET);
  const c = ea.status.components;
  assert.deepEqual({ healthAssessed: c.healthAssessed, healthScore: c.healthScore, alertAssessed: c.alertAssessed, alertScore: c.alertScore }, { healthAssessed: true, healthScore: 1, alertAssessed: true, alertScore: 1 });
});

Then('the RemediationRequest is Completed with outcome Remediated', async function (this: KubernautWorld) {
  const rr = await ensureEnded(this);
  assert.equal(`${rr.status.overallPhase}/${rr.status.outcome}`, 'Completed/Remediated', rr.status.message);
});

Given('the remediation has ended', async function (this: KubernautWorld) {
  await ensureEnded(this);
});

/** Every event DataStorage holds under the RR's name (the correlation id of every stage). */
async function auditEvents(w: KubernautWorld): Promise<Json[]> {
  const events: Json[] = [];
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ correlationId: w.rr, limit: '1000', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${w.endpoint('dataStorage')}/api/v1/audit/events?${q}`);
    assert.equal(res.status, 200);
    const page = (await res.json()) as { events: Json[]; nextCursor?: string };
    events.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor);
  return events;
}

Then('DataStorage holds the RemediationRequest\'s audit events from the gateway, signalprocessing, aianalysis, investigator, orchestrator, workflow and effectiveness', async function (this: KubernautWorld) {
  // The last events (the Orchestrator's completion, the assessment) are delivered asynchronously.
  const required = ['gateway.signal.received', 'gateway.crd.created', 'signalprocessing.phase.completed', 'aianalysis.analysis.completed', 'investigator.session.completed', 'orchestrator.lifecycle.started', 'orchestrator.lifecycle.completed', 'workflow.execution.started', 'workflow.execution.completed', 'effectiveness.assessment.completed'];
  let types = new Set<string>();
  await eventually(async () => {
    types = new Set((await auditEvents(this)).map((e) => e.eventType as string));
    return required.every((t) => types.has(t));
  }, `audit events ${required.join(', ')} for ${this.rr}`, WAIT.cluster, 500).catch((e) => {
    throw new Error(`${(e as Error).message}; missing: ${required.filter((t) => !types.has(t)).join(', ')}; present: ${[...types].sort().join(', ')}`, { cause: e });
  });
  const categories = new Set((await auditEvents(this)).map((e) => e.eventCategory as string));
  for (const c of ['gateway', 'signalprocessing', 'aianalysis', 'investigator', 'orchestrator', 'workflow', 'effectiveness']) assert.ok(categories.has(c), `category ${c}`);
});

Then('the audit hash chain verifies', async function (this: KubernautWorld) {
  const res = await fetch(`${this.endpoint('dataStorage')}/api/v1/audit/verify-chain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 200);
  const chain = (await res.json()) as { valid: boolean; checked: number };
  assert.equal(chain.valid, true, JSON.stringify(chain));
  assert.ok(chain.checked > 0);
});

Then('validate.sh prints only PASS lines and exits 0', function (this: KubernautWorld) {
  const r = this.runScript('validate.sh', ['--rr', this.rr]);
  const lines = r.stdout.split('\n').filter(Boolean);
  assert.ok(lines.length >= 20, `validate.sh checked ${lines.length} criteria:\n${r.stdout}`);
  assert.deepEqual(lines.filter((l) => !l.startsWith('PASS ')), [], `${r.stdout}\n${r.stderr}`);
  assert.equal(r.code, 0, r.stderr);
});
