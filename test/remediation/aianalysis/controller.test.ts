/**
 * The AIAnalysis controller against an in-process embedded API server and a fake investigator the
 * tests script (fake-investigator.ts). The controller runs on a ManualClock the tests drive
 * (`driveUntil`), so back-offs of minutes pass in moments and nothing depends on timing; the
 * policy sandbox keeps a real clock for its CPU limits.
 *
 * Covered: the reference analysis to Completed with approval required (production StatefulSet),
 * what the Orchestrator builds from it accepted by the API server; a lost session resubmitted as
 * the next generation; five regenerations then SessionRegenerationExceeded; 5xx retried then
 * TransientError (and a recovery); 400 -> PermanentError; a failed session; resolved ->
 * WorkflowNotNeeded and low confidence -> LowConfidence; a restarted controller polling the stored
 * session without a second POST; two analyses in parallel, one never finishing; the approval
 * policy ConfigMap (a bad key rejected with an Event, a good one applied, removal restoring the default).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { installKubernautCrds } from '../../../src/api/install.ts';
import type { AIAnalysis, AIAnalysisStatus } from '../../../src/api/v1alpha1/index.ts';
import { RecordingAuditSink } from '../../../src/datastorage/client/audit-sink.ts';
import { KubernautClient } from '../../../src/kube/kubernaut-client.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { startAIAnalysisController, type RunningAIAnalysisController } from '../../../src/remediation/aianalysis/controller.ts';
import { buildApprovalRequest, buildWorkflowExecution } from '../../../src/remediation/orchestrator/children.ts';
import { resolveConfig } from '../../../src/remediation/orchestrator/config.ts';
import { stageToCheck } from '../../../src/remediation/orchestrator/facts.ts';
import { remediationTargetOf } from '../../../src/remediation/orchestrator/targets.ts';
import { driveUntil, ManualClock } from '../../helpers/manual-clock.ts';
import { startTestCluster, type TestCluster } from '../../helpers/test-cluster.ts';
import { FakeInvestigator } from './fake-investigator.ts';
import { aiAnalysis, NS, remediationRequest, result, workflow, type AAOptions } from './fixtures.ts';

const POLICY_NS = 'kubernaut-system';
const POLICY_CM = 'kubernaut-aianalysis-policies';
const DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

let cluster: TestCluster;
let kc: KubeConfig;
let client: KubernautClient;
let core: CoreV1Api;
let fake: FakeInvestigator;
let controller: RunningAIAnalysisController | undefined;
const clock = new ManualClock(Date.now());
const audit = new RecordingAuditSink();
const registry = new Registry();
let seq = 0;

async function startController(): Promise<void> {
  controller = await startAIAnalysisController({ kubeconfig: kc, clock, sandboxClock: new ScaledClock(1), investigatorUrl: fake.url, investigatorToken: () => 'test-token', audit, registry });
}

/** Stops the controller, driving the clock meanwhile (its last Events wait on it). */
async function stopController(): Promise<void> {
  const c = controller;
  controller = undefined;
  if (!c) return;
  let done = false;
  const stopping = c.stop().finally(() => (done = true));
  await driveUntil(clock, () => done, 'the controller to stop', { stepMs: 500 });
  await stopping;
}

before(async () => {
  cluster = await startTestCluster();
  kc = new KubeConfig();
  kc.loadFromString(cluster.cluster.kubeconfig());
  await installKubernautCrds(kc, { clock: cluster.clock });
  core = kc.makeApiClient(CoreV1Api);
  for (const name of [POLICY_NS, NS]) await core.createNamespace({ body: { metadata: { name } } });
  client = new KubernautClient(kc);
  fake = await FakeInvestigator.start();
  await startController();
});

after(async () => {
  await stopController();
  await fake?.close();
  await cluster?.close();
});

/** A fresh RR and its AA (as the Orchestrator creates them); returns the AA name. */
async function createAnalysis(o: AAOptions = {}, dedup?: { occurrenceCount: number }): Promise<string> {
  const rrName = `rr-aaaaaaaaaaaa-${String(++seq).padStart(8, '0')}`;
  const rr = await client.create('RemediationRequest', remediationRequest(rrName));
  if (dedup) await client.updateStatus('RemediationRequest', { namespace: NS, name: rrName }, (cur) => ({ ...cur.status, deduplication: { firstSeenAt: rr.spec.receivedTime, lastSeenAt: rr.spec.receivedTime, ...dedup } }));
  const aa = await client.create('AIAnalysis', aiAnalysis({ ...o, rr: rrName, uid: rr.metadata?.uid }));
  return aa.metadata!.name!;
}

async function getAA(name: string): Promise<AIAnalysis> {
  const aa = await client.get('AIAnalysis', { namespace: NS, name });
  assert.ok(aa, `${name} exists`);
  return aa;
}

/** Drives the clock until the AA satisfies `check`; returns it. */
async function waitAA(name: string, what: string, check: (s: AIAnalysisStatus) => unknown, stepMs = 100): Promise<AIAnalysis> {
  let last: AIAnalysis | undefined;
  try {
    await driveUntil(
      clock,
      async () => {
        last = await client.get('AIAnalysis', { namespace: NS, name });
        return last?.status && check(last.status);
      },
      `${name} ${what}`,
      { stepMs, deadlineMs: 60_000 },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last?.status ?? null).slice(0, 1500)}`, { cause: err });
  }
  return last!;
}

const sessionOf = (s: AIAnalysisStatus) => s.investigationSession;
const condition = (s: AIAnalysisStatus, type: string) => s.conditions?.find((c) => c.type === type);

async function eventReasons(name: string): Promise<string[]> {
  const list = await core.listNamespacedEvent({ namespace: NS, fieldSelector: `involvedObject.name=${name}` });
  return list.items.map((e) => e.reason ?? '');
}

test('reference: production StatefulSet -> Completed, WorkflowSelected, approval required; the Orchestrator can build its children from it', async () => {
  const name = await createAnalysis({}, { occurrenceCount: 3 });
  const started = await waitAA(name, 'has a session', (s) => s.phase === 'Investigating' && sessionOf(s)?.id);
  const session = sessionOf(started.status!)!;
  assert.equal(session.generation, 0);
  assert.equal(condition(started.status!, 'InvestigationSessionReady')?.status, 'True');
  // Polling goes on while the session runs.
  await waitAA(name, 'polled twice', (s) => (sessionOf(s)?.pollCount ?? 0) >= 2);
  fake.complete(name, result());
  const aa = await waitAA(name, 'Completed', (s) => s.phase === 'Completed');
  const s = aa.status!;

  assert.deepEqual([s.reason, s.subReason, s.approvalRequired], ['WorkflowSelected', undefined, true]);
  assert.equal(s.approvalReason, 'production environment and the remediation target is a StatefulSet');
  assert.deepEqual(s.approvalContext?.policyEvaluation, { policyName: 'default-approval-policy', matchedRules: ['production-stateful-or-node', 'production'], decision: 'manual_review_required' });
  assert.equal(s.approvalContext?.confidenceLevel, 'high');
  assert.equal(s.approvalContext?.evidenceCollected?.length, 2);
  assert.deepEqual(
    [s.selectedWorkflow?.workflowId, s.selectedWorkflow?.actionType, s.selectedWorkflow?.catalogId, s.selectedWorkflow?.executionEngine, s.selectedWorkflow?.parameters?.PVC_NAME],
    ['fix-statefulset-pvc-v1', 'FixStatefulSetPVC', '3f1c2a4e-8d7b-4c1e-9a2b-1234567890ab', 'job', 'data-kv-store-2'],
  );
  assert.deepEqual(s.rootCauseAnalysis?.affectedResource, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NS });
  assert.equal(s.investigationOutcome, 'actionable');
  assert.equal(s.postRCAContext?.detectedLabels?.stateful, true);
  assert.ok(s.postRCAContext?.setAt);
  assert.deepEqual([s.investigationUsage?.totalTokens, s.investigationUsage?.llmTurns, s.investigationUsage?.tokensEstimated], [12_800, 6, true]);
  assert.equal(s.investigationId, session.id);
  assert.equal(sessionOf(s)?.id, session.id);
  assert.ok(s.startedAt && s.completedAt);
  assert.match(s.investigationTime ?? '', DURATION);
  assert.match(s.totalAnalysisTime ?? '', DURATION);
  for (const type of ['InvestigationSessionReady', 'InvestigationComplete', 'WorkflowResolved', 'ApprovalRequired', 'AnalysisComplete', 'Ready']) assert.equal(condition(s, type)?.status, 'True', type);
  assert.equal(condition(s, 'Ready')?.reason, 'WorkflowSelected');

  // The request: from the AA's signal context and the RR, with the token.
  const posts = fake.postsFor(name);
  assert.equal(posts.length, 1);
  assert.deepEqual([posts[0].remediation_id, posts[0].occurrence_count, posts[0].error_message, posts[0].signal_labels.statefulset, posts[0].environment], [aa.spec.remediationId, 3, 'kv-store has 2 of 3 replicas ready', 'kv-store', 'production']);
  assert.equal(fake.tokens.at(-1), 'Bearer test-token');

  // Audit: correlated by the RR name; phases, the session, the end with workflow, approval and usage.
  const mine = audit.events.filter((e) => e.correlationId === aa.spec.remediationId);
  assert.ok(mine.every((e) => e.eventCategory === 'aianalysis'));
  assert.deepEqual(mine.filter((e) => e.eventType === 'aianalysis.phase.transitioned').map((e) => e.eventData.phase), ['Pending', 'Investigating', 'Analyzing']);
  assert.equal(mine.filter((e) => e.eventType === 'aianalysis.investigation.submitted').length, 1);
  const end = mine.find((e) => e.eventType === 'aianalysis.analysis.completed');
  assert.deepEqual([end?.eventData.workflowId, end?.eventData.approvalRequired, end?.eventData.approvalDecision, (end?.eventData.usage as { totalTokens: number }).totalTokens], ['fix-statefulset-pvc-v1', true, 'manual_review_required', 12_800]);

  // Kubernetes Events on the AA.
  const expectedEvents = ['InvestigationStarted', 'InvestigationComplete', 'AnalysisCompleted', 'ApprovalRequired'];
  await driveUntil(clock, async () => {
    const reasons = await eventReasons(name);
    return expectedEvents.every((r) => reasons.includes(r));
  }, 'Events on the AA');

  // Metrics.
  const metrics = await registry.getMetricsAsJSON();
  const analyses = metrics.find((m) => m.name === 'aianalysis_analyses_total');
  assert.ok((analyses?.values as Array<{ labels: { outcome: string }; value: number }>).some((v) => v.labels.outcome === 'WorkflowSelected' && v.value >= 1));

  // What the Orchestrator reads: it waits for approval, and the RAR and WE it builds are accepted.
  const rr = await client.get('RemediationRequest', { namespace: NS, name: aa.spec.remediationId });
  assert.ok(rr);
  const target = remediationTargetOf(rr, aa);
  assert.deepEqual(target, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NS });
  assert.equal(stageToCheck({ ...rr, status: { overallPhase: 'Analyzing' } }, { aiAnalysis: aa } as never, { nowMs: Date.now(), scaled: (x) => x, nominal: (x) => x }), undefined, 'approval required: no post-analysis check before the decision');
  const rar = await client.create('RemediationApprovalRequest', buildApprovalRequest(rr, aa, target, new Date(Date.now() + 900_000).toISOString()));
  assert.deepEqual(rar.spec.policyEvaluation?.matchedRules, ['production-stateful-or-node', 'production']);
  assert.equal(rar.spec.recommendedWorkflow.catalogId, '3f1c2a4e-8d7b-4c1e-9a2b-1234567890ab');
  const we = await client.create('WorkflowExecution', buildWorkflowExecution(rr, aa, target, 1_800_000, resolveConfig()));
  assert.equal(we.spec.workflowRef.workflowId, 'fix-statefulset-pvc-v1');
});

test('a lost session (404) is resubmitted as the next generation, then completes', async () => {
  const name = await createAnalysis({ environment: 'staging' });
  const first = sessionOf((await waitAA(name, 'has a session', (s) => sessionOf(s)?.id)).status!)!;
  fake.forget(name);
  const again = await waitAA(name, 'resubmitted', (s) => sessionOf(s)?.generation === 1 && sessionOf(s)?.id);
  assert.notEqual(sessionOf(again.status!)?.id, first.id);
  assert.equal(condition(again.status!, 'InvestigationSessionReady')?.reason, 'SessionRegenerated');
  fake.complete(name, result({ root_cause_analysis: { ...result().root_cause_analysis, affectedResource: { kind: 'Deployment', name: 'web', namespace: NS } } }));
  const done = await waitAA(name, 'Completed', (s) => s.phase === 'Completed');
  assert.equal(fake.postsFor(name).length, 2);
  assert.equal(sessionOf(done.status!)?.generation, 1);
  assert.equal(done.status?.approvalRequired, false, 'staging Deployment: auto-approved');
  assert.equal(condition(done.status!, 'ApprovalRequired')?.reason, 'AutoApproved');
});

test('after 5 regenerations a lost session fails the analysis: SessionRegenerationExceeded', async () => {
  const name = await createAnalysis();
  fake.script(name, { alwaysLose: true });
  const aa = await waitAA(name, 'Failed', (s) => s.phase === 'Failed');
  assert.deepEqual([aa.status?.reason, aa.status?.subReason], ['InvestigationFailed', 'SessionRegenerationExceeded']);
  assert.equal(sessionOf(aa.status!)?.generation, 5);
  assert.equal(fake.postsFor(name).length, 6);
  assert.equal(condition(aa.status!, 'InvestigationSessionReady')?.status, 'False');
  assert.equal(condition(aa.status!, 'Ready')?.reason, 'SessionRegenerationExceeded');
  assert.ok(audit.events.some((e) => e.eventType === 'aianalysis.analysis.failed' && e.eventData.subReason === 'SessionRegenerationExceeded'));
});

test('5xx: retried with back-off (consecutiveFailures), then TransientError; a recovery resets the count', async () => {
  const name = await createAnalysis();
  fake.script(name, { postError: { status: 503, count: Infinity } });
  const retrying = await waitAA(name, 'retrying', (s) => (s.consecutiveFailures ?? 0) >= 2, 1000);
  assert.equal(condition(retrying.status!, 'Ready')?.reason, 'Retrying');
  const aa = await waitAA(name, 'Failed', (s) => s.phase === 'Failed', 10_000);
  assert.deepEqual([aa.status?.reason, aa.status?.subReason], ['InvestigationFailed', 'TransientError']);
  assert.equal(fake.postsFor(name).length, 6, 'the first attempt and 5 retries');
  assert.match(aa.status?.message ?? '', /answered 503: scripted 503; gave up after 6 attempts/);
  await driveUntil(clock, async () => (await eventReasons(name)).includes('InvestigatorUnavailable'), 'a Warning Event per retry');

  const healing = await createAnalysis();
  fake.script(healing, { postError: { status: 500, count: 2 }, autoComplete: result() });
  const done = await waitAA(healing, 'Completed', (s) => s.phase === 'Completed', 10_000);
  assert.equal(done.status?.consecutiveFailures, 0);
  assert.equal(fake.postsFor(healing).length, 3);

  // An AA with its own investigating timeout never schedules a retry past it.
  const bounded = await createAnalysis({ investigatingTimeout: '1m' });
  fake.script(bounded, { postError: { status: 502, count: Infinity } });
  const gaveUp = await waitAA(bounded, 'Failed', (s) => s.phase === 'Failed', 5000);
  assert.equal(gaveUp.status?.subReason, 'TransientError');
  assert.match(gaveUp.status?.message ?? '', /after the investigating timeout \(1m\)/);
  assert.ok(fake.postsFor(bounded).length < 6);
});

test('400 on submit: PermanentError, no retry', async () => {
  const name = await createAnalysis();
  fake.script(name, { postError: { status: 400, count: Infinity } });
  const aa = await waitAA(name, 'Failed', (s) => s.phase === 'Failed');
  assert.equal(aa.status?.subReason, 'PermanentError');
  assert.match(aa.status?.message ?? '', /answered 400: scripted 400/);
  assert.equal(fake.postsFor(name).length, 1);
  assert.equal(condition(aa.status!, 'InvestigationComplete')?.reason, 'PermanentError');
});

test('a failed session: Failed with its reason', async () => {
  const name = await createAnalysis();
  await waitAA(name, 'has a session', (s) => sessionOf(s)?.id);
  fake.fail(name, 'MaxRetriesExceeded', 'the LLM endpoint answered 503 three times');
  const aa = await waitAA(name, 'Failed', (s) => s.phase === 'Failed');
  assert.deepEqual([aa.status?.reason, aa.status?.subReason], ['InvestigationFailed', 'MaxRetriesExceeded']);
  assert.match(aa.status?.message ?? '', /the LLM endpoint answered 503/);
});

test('results: resolved -> Completed WorkflowNotNeeded; low confidence -> Failed LowConfidence with the human review fields', async () => {
  const resolved = await createAnalysis();
  fake.script(resolved, { autoComplete: result({ investigation_outcome: 'resolved', selected_workflow: null, confidence: 0.85 }) });
  const low = await createAnalysis();
  fake.script(low, { autoComplete: result({ selected_workflow: workflow({ confidence: 0.69 }) }) });
  const r = (await waitAA(resolved, 'Completed', (s) => s.phase === 'Completed')).status!;
  assert.deepEqual([r.reason, r.subReason, r.approvalRequired, r.selectedWorkflow, r.investigationOutcome], ['WorkflowNotNeeded', 'ProblemResolved', false, undefined, 'resolved']);
  assert.equal(condition(r, 'Ready')?.reason, 'WorkflowNotNeeded');
  const l = (await waitAA(low, 'Failed', (s) => s.phase === 'Failed')).status!;
  assert.deepEqual([l.reason, l.subReason, l.needsHumanReview, l.humanReviewReason], ['HumanReviewRequired', 'LowConfidence', true, 'low_confidence']);
  assert.equal(l.selectedWorkflow?.confidence, 0.69, 'the proposal stays visible for the reviewer');
  assert.equal(condition(l, 'InvestigationComplete')?.status, 'True');
  assert.equal(condition(l, 'WorkflowResolved')?.reason, 'LowConfidence');
});

test('a restarted controller polls the stored session: no second POST', async () => {
  const name = await createAnalysis();
  const before = sessionOf((await waitAA(name, 'has a session', (s) => sessionOf(s)?.id)).status!)!;
  await stopController();
  await startController();
  // The new controller polls the same session.
  const polled = await waitAA(name, 'polled by the new controller', (s) => (sessionOf(s)?.pollCount ?? 0) > (before.pollCount ?? 0) + 1);
  assert.equal(sessionOf(polled.status!)?.id, before.id);
  fake.complete(name, result());
  const done = await waitAA(name, 'Completed', (s) => s.phase === 'Completed');
  assert.equal(fake.postsFor(name).length, 1);
  assert.equal(done.status?.investigationId, before.id);
});

test('two analyses in parallel: one session never finishes, the other completes', async () => {
  const slow = await createAnalysis();
  const quick = await createAnalysis();
  fake.script(quick, { autoComplete: result() });
  await waitAA(slow, 'has a session', (s) => sessionOf(s)?.id);
  const done = await waitAA(quick, 'Completed', (s) => s.phase === 'Completed');
  assert.equal(done.status?.selectedWorkflow?.workflowId, 'fix-statefulset-pvc-v1');
  const still = await getAA(slow);
  assert.equal(still.status?.phase, 'Investigating');
  // It is still being polled, not abandoned.
  const count = sessionOf(still.status!)?.pollCount ?? 0;
  await waitAA(slow, 'polled again', (s) => (sessionOf(s)?.pollCount ?? 0) > count);
});

test('the approval policy ConfigMap: a bad key is rejected with an Event, a good one applies, removing it restores the default', async () => {
  const cmEvents = async () => (await core.listNamespacedEvent({ namespace: POLICY_NS, fieldSelector: `involvedObject.name=${POLICY_CM}` })).items.map((e) => e.reason ?? '');
  await core.createNamespacedConfigMap({ namespace: POLICY_NS, body: { metadata: { name: POLICY_CM }, data: { 'approval.cel': '[{"name": "x", "risk": ' } } });
  await driveUntil(clock, async () => (await cmEvents()).includes('PolicyRejected'), 'PolicyRejected', { deadlineMs: 60_000 });
  await core.replaceNamespacedConfigMap({ name: POLICY_CM, namespace: POLICY_NS, body: { metadata: { name: POLICY_CM }, data: { 'approval.cel': '[]' } } });
  await driveUntil(clock, async () => (await cmEvents()).includes('PolicyApplied'), 'PolicyApplied', { deadlineMs: 60_000 });
  const open = await createAnalysis();
  fake.script(open, { autoComplete: result() });
  const s = (await waitAA(open, 'Completed', (x) => x.phase === 'Completed')).status!;
  assert.equal(s.approvalRequired, false, 'the override approves everything, production included');
  assert.equal(s.approvalContext?.policyEvaluation?.policyName, `${POLICY_NS}/${POLICY_CM}/approval.cel`);

  await core.deleteNamespacedConfigMap({ name: POLICY_CM, namespace: POLICY_NS });
  // The default is back: a production StatefulSet needs approval again (waits until the delete is seen).
  let approved: AIAnalysisStatus | undefined;
  await driveUntil(
    clock,
    async () => {
      const name = await createAnalysis();
      fake.script(name, { autoComplete: result() });
      approved = (await waitAA(name, 'Completed', (x) => x.phase === 'Completed')).status;
      return approved?.approvalRequired === true;
    },
    'the default policy back',
    { deadlineMs: 60_000 },
  );
  assert.equal(approved?.approvalContext?.policyEvaluation?.policyName, 'default-approval-policy');
});
