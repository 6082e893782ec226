/**
 * The console's views as pure functions of plain objects: what a RemediationRequest and its
 * children (shaped as the reference scenario's real objects are) look like on each page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredAuditEvent } from '../../src/datastorage/client/audit-query-client.ts';
import { alertsView } from '../../src/console/server/views/alerts.ts';
import { approvalList, approvalView } from '../../src/console/server/views/approval.ts';
import { auditView, MAX_TOOL_OUTPUT_CHARS, toolCalls } from '../../src/console/server/views/audit.ts';
import { catalogWorkflow, historyGroups } from '../../src/console/server/views/catalog.ts';
import type { KObj, RemediationFamily } from '../../src/console/server/views/objects.ts';
import { remediationDetail, timeline } from '../../src/console/server/views/remediation-detail.ts';
import { remediationList, stageOf } from '../../src/console/server/views/remediation-list.ts';
import { logTail } from '../../src/console/server/sources/job-log.ts';

const NS = 'demo-statefulset';
const HOSTILE = '<img src=x onerror=alert(1)>';

function rr(name: string, created: string, status: Record<string, unknown> = {}, spec: Record<string, unknown> = {}, namespace = NS): KObj {
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'RemediationRequest',
    metadata: { name, namespace, uid: `uid-${name}`, creationTimestamp: created },
    spec: {
      signalFingerprint: 'b4f71c8b83b7c7a89060daf6e9b6d7d81bf49a3a8b0dc453d6dd3db159699323',
      signalName: 'KubernautStatefulSetReplicasMismatch',
      severity: 'critical',
      signalType: 'alert',
      signalSource: 'prometheus',
      targetType: 'kubernetes',
      targetResource: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace },
      signalLabels: { alertname: 'KubernautStatefulSetReplicasMismatch', namespace, statefulset: 'kv-store' },
      signalAnnotations: { summary: 'StatefulSet kv-store has 2 ready replicas', description: HOSTILE },
      firingTime: '2026-12-07T21:56:24.403Z',
      receivedTime: '2026-12-07T21:56:24.909Z',
      ...spec,
    },
    status,
  };
}

const child = (kind: string, name: string, rrName: string, created: string, spec: Record<string, unknown>, status: Record<string, unknown>): KObj => ({
  apiVersion: 'kubernaut.ai/v1alpha1',
  kind,
  metadata: { name, namespace: NS, creationTimestamp: created, ownerReferences: [{ kind: 'RemediationRequest', name: rrName, uid: `uid-${rrName}`, controller: true }] },
  spec: { remediationRequestRef: { name: rrName, namespace: NS }, ...spec },
  status,
});

/** The reference scenario's remediation once Completed (abridged from the real objects). */
function completedFamily(name = 'rr-b4f71c8b83b7-odmbysev'): RemediationFamily {
  return {
    rr: rr(name, '2026-12-07T21:56:24Z', {
      overallPhase: 'Completed',
      outcome: 'Remediated',
      message: 'Remediated; effectiveness full, score 1',
      startTime: '2026-12-07T21:56:24.922Z',
      completedAt: '2026-12-07T21:56:40.040Z',
      deduplication: { firstSeenAt: '2026-12-07T21:56:24.909Z', lastSeenAt: '2026-12-07T21:58:00.000Z', occurrenceCount: 3 },
      selectedWorkflowRef: { workflowId: 'fix-statefulset-pvc-v1', version: '1.0.0' },
    }),
    sp: child('SignalProcessing', `sp-${name}`, name, '2026-12-07T21:56:24Z', {}, {
      phase: 'Completed',
      startTime: '2026-12-07T21:56:24.961Z',
      completionTime: '2026-12-07T21:56:25.012Z',
      severity: 'critical',
      signalMode: 'reactive',
      environmentClassification: { environment: 'production', source: 'namespace-labels' },
      priorityAssignment: { priority: 'P0' },
      businessClassification: { businessUnit: 'engineering', criticality: 'high' },
      kubernetesContext: { ownerChain: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NS }] },
    }),
    aa: child('AIAnalysis', `ai-${name}`, name, '2026-12-07T21:56:25Z', {}, {
      phase: 'Completed',
      reason: 'WorkflowSelected',
      message: 'workflow fix-statefulset-pvc-v1 1.0.0 (FixStatefulSetPVC) selected with confidence 0.9',
      startedAt: '2026-12-07T21:56:25.021Z',
      completedAt: '2026-12-07T21:56:25.392Z',
      investigationOutcome: 'actionable',
      rootCause: 'PersistentVolumeClaim data-kv-store-2 is Terminating while a pod still needs it.',
      rootCauseAnalysis: { summary: 'claim Terminating', contributingFactors: ['pod kv-store-2 Pending', 42], affectedResource: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NS } },
      confidence: 0.9,
      selectedWorkflow: { workflowId: 'fix-statefulset-pvc-v1', actionType: 'FixStatefulSetPVC', version: '1.0.0', executionBundle: 'kubernaut/workflow-fix-statefulset-pvc:1.0.0', confidence: 0.9, rationale: 'fits', parameters: { TARGET_PVC: 'data-kv-store-2', TARGET_STATEFULSET: 'kv-store' } },
      approvalRequired: true,
      approvalReason: 'production environment and the remediation target is a StatefulSet',
      warnings: [],
      investigationUsage: { provider: 'openai-compatible', model: 'mock-model', promptTokens: 28032, completionTokens: 767, totalTokens: 28799, llmTurns: 5, toolCalls: 10, latencyMs: 320 },
      postRCAContext: { detectedLabels: { stateful: true, helmManaged: false, gitOpsTool: '', failedDetections: ['pdbProtected'] } },
    }),
    rar: child('RemediationApprovalRequest', `rar-${name}`, name, '2026-12-07T21:56:25Z', {
      confidence: 0.9,
      confidenceLevel: 'high',
      reason: 'production environment and the remediation target is a StatefulSet',
      requiredBy: '2026-12-07T21:56:40.398Z',
      evidenceCollected: ['kubectl_describe kind=StatefulSet name=kv-store'],
      recommendedWorkflow: { workflowId: 'fix-statefulset-pvc-v1', version: '1.0.0', actionType: 'FixStatefulSetPVC', parameters: { TARGET_PVC: 'data-kv-store-2' } },
      targetResource: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NS },
    }, { createdAt: '2026-12-07T21:56:25Z', decision: 'Approved', decidedBy: 'alice', decidedAt: '2026-12-07T21:56:25.446Z', decisionMessage: 'go', expired: false }),
    we: child('WorkflowExecution', `we-${name}`, name, '2026-12-07T21:56:25Z', { workflowRef: { workflowId: 'fix-statefulset-pvc-v1' } }, {
      phase: 'Completed',
      startTime: '2026-12-07T21:56:25.491Z',
      completionTime: '2026-12-07T21:56:35.000Z',
      executionRef: { apiVersion: 'batch/v1', kind: 'Job', name: 'wfe-896de809aa585574', namespace: 'kubernaut-workflows' },
      executionStatus: { status: 'Succeeded', message: 'fix-statefulset-pvc-v1 completed' },
    }),
    ea: child('EffectivenessAssessment', `ea-${name}`, name, '2026-12-07T21:56:35Z', { preRemediationSpecHash: 'sha256:aa' }, {
      phase: 'Completed',
      assessmentReason: 'full',
      overallScore: 1,
      completedAt: '2026-12-07T21:56:40.035Z',
      message: 'full, score 1: health 1 (3/3 ready, no restarts); alert 1 (KubernautStatefulSetReplicasMismatch resolved); metrics n/a (no metric data before and after)',
      components: { healthAssessed: true, healthScore: 1, alertAssessed: true, alertScore: 1, metricsAssessed: false, metricsScore: null, hashComputed: true, postRemediationSpecHash: 'sha256:aa', currentSpecHash: 'sha256:aa' },
    }),
    notifications: [
      child('NotificationRequest', `nr-completion-${name}`, name, '2026-12-07T21:56:40Z', { type: 'completion', subject: 'Remediated' }, { phase: 'Sent', queuedAt: '2026-12-07T21:56:40.045Z', completionTime: '2026-12-07T21:56:40.053Z', deliveryAttempts: [{ channel: 'console:default' }, { channel: 'log:default' }] }),
      child('NotificationRequest', `nr-approval-${name}`, name, '2026-12-07T21:56:25Z', { type: 'approval', subject: 'Approval required' }, { phase: 'Sent', queuedAt: '2026-12-07T21:56:25.403Z', completionTime: '2026-12-07T21:56:25.424Z', deliveryAttempts: [{ channel: 'console:default' }] }),
    ],
  };
}

const emptyAudit = { events: [] };

test('the list: one row per remediation with its stage in words, newest first, filtered by substrings', () => {
  const done = completedFamily();
  const analyzing: RemediationFamily = {
    rr: rr('rr-aaaaaaaaaaaa-analyzing', '2026-12-07T22:00:00Z', { overallPhase: 'Analyzing' }, { targetResource: { kind: 'Deployment', name: 'web', namespace: 'shop' } }, 'shop'),
    aa: child('AIAnalysis', 'ai-rr-aaaaaaaaaaaa-analyzing', 'rr-aaaaaaaaaaaa-analyzing', '2026-12-07T22:00:01Z', {}, { phase: 'Investigating' }),
    notifications: [],
  };
  const waiting: RemediationFamily = {
    rr: rr('rr-bbbbbbbbbbbb-waiting', '2026-12-07T21:59:00Z', { overallPhase: 'AwaitingApproval' }),
    rar: child('RemediationApprovalRequest', 'rar-rr-bbbbbbbbbbbb-waiting', 'rr-bbbbbbbbbbbb-waiting', '2026-12-07T21:59:01Z', { requiredBy: '2026-12-07T22:14:00Z' }, {}),
    notifications: [],
  };
  const rejected: RemediationFamily = { rr: rr('rr-cccccccccccc-rejected', '2026-12-07T21:58:00Z', { overallPhase: 'Failed', failurePhase: 'AwaitingApproval', failureReason: 'ApprovalRejected' }), notifications: [] };
  const fresh: RemediationFamily = { rr: rr('rr-dddddddddddd-new', '2026-12-07T21:57:00Z'), notifications: [] };

  const all = remediationList([done, analyzing, waiting, rejected, fresh]);
  assert.deepEqual(all.items.map((r) => r.name), ['rr-aaaaaaaaaaaa-analyzing', 'rr-bbbbbbbbbbbb-waiting', 'rr-cccccccccccc-rejected', 'rr-dddddddddddd-new', 'rr-b4f71c8b83b7-odmbysev']);
  assert.deepEqual(all.namespaces, [NS, 'shop']);
  assert.equal(all.total, undefined);
  const stage = (name: string) => all.items.find((r) => r.name === name)!.stage;
  assert.equal(stage('rr-aaaaaaaaaaaa-analyzing'), 'AIAnalysis Investigating');
  assert.equal(stage('rr-bbbbbbbbbbbb-waiting'), 'awaiting approval');
  assert.equal(stage('rr-cccccccccccc-rejected'), 'Failed in AwaitingApproval: ApprovalRejected');
  assert.equal(stage('rr-dddddddddddd-new'), 'waiting to start');
  assert.equal(stage('rr-b4f71c8b83b7-odmbysev'), 'Completed (Remediated)');
  assert.equal(all.items.find((r) => r.name === 'rr-bbbbbbbbbbbb-waiting')!.awaitingApproval, true);
  assert.equal(all.items.find((r) => r.name === 'rr-dddddddddddd-new')!.phase, 'Pending');

  const row = all.items.find((r) => r.name === 'rr-b4f71c8b83b7-odmbysev')!;
  assert.deepEqual(
    { env: row.environment, prio: row.priority, wf: row.workflowId, outcome: row.outcome, done: row.completedAt, target: row.target },
    { env: 'production', prio: 'P0', wf: 'fix-statefulset-pvc-v1', outcome: 'Remediated', done: '2026-12-07T21:56:40.040Z', target: { kind: 'StatefulSet', name: 'kv-store', namespace: NS } },
  );

  const names = (q: Parameters<typeof remediationList>[1]) => remediationList([done, analyzing, waiting, rejected, fresh], q).items.map((r) => r.name);
  assert.deepEqual(names({ namespace: 'SHOP' }), ['rr-aaaaaaaaaaaa-analyzing']);
  assert.deepEqual(names({ phase: 'fail' }), ['rr-cccccccccccc-rejected']);
  assert.deepEqual(names({ outcome: 'remediated' }), ['rr-b4f71c8b83b7-odmbysev']);
  assert.deepEqual(names({ target: 'deployment/web' }), ['rr-aaaaaaaaaaaa-analyzing']);
  assert.deepEqual(names({ namespace: NS, target: 'kv-store', phase: 'Awaiting' }), ['rr-bbbbbbbbbbbb-waiting']);
  // The namespaces of the filter stay every namespace, whatever is filtered.
  assert.deepEqual(remediationList([done, analyzing], { namespace: 'shop' }).namespaces, [NS, 'shop']);
});

test('stages of the other phases are worded from the child at work', () => {
  const f = (status: Record<string, unknown>, extra: Partial<RemediationFamily> = {}) => stageOf({ rr: rr('rr-x', '2026-12-07T21:00:00Z', status), notifications: [], ...extra });
  assert.equal(f({ overallPhase: 'Processing' }), 'starting SignalProcessing');
  assert.equal(f({ overallPhase: 'Executing' }, { we: child('WorkflowExecution', 'we-rr-x', 'rr-x', '2026-12-07T21:00:00Z', {}, { phase: 'Running' }) }), 'WorkflowExecution Running');
  assert.equal(f({ overallPhase: 'Verifying' }, { ea: child('EffectivenessAssessment', 'ea-rr-x', 'rr-x', '2026-12-07T21:00:00Z', {}, { phase: 'Stabilizing' }) }), 'EffectivenessAssessment Stabilizing');
  assert.equal(f({ overallPhase: 'Blocked', blockReason: 'ResourceBusy' }), 'blocked: ResourceBusy');
  assert.equal(f({ overallPhase: 'TimedOut', timeoutPhase: 'Analyzing' }), 'TimedOut in Analyzing');
  assert.equal(f({ overallPhase: 'Skipped', skipReason: 'DuplicateInProgress' }), 'Skipped: DuplicateInProgress');
});

test('one remediation: signal, enrichment, analysis, approval, execution, effectiveness, notifications and a timeline with durations', () => {
  const now = new Date('2026-12-07T22:00:00Z');
  const log = { pod: 'wfe-896de809aa585574-x', text: 'healed\n', truncated: false };
  const d = remediationDetail(completedFamily(), { audit: emptyAudit, evidence: [], jobLog: log, now });

  assert.equal(d.signal.occurrences, 3);
  assert.equal(d.signal.lastSeen, '2026-12-07T21:58:00.000Z');
  // Untrusted text goes out as the text it is: the page renders it as text.
  assert.equal(d.signal.annotations.description, HOSTILE);
  assert.equal(d.enrichment?.environment, 'production');
  assert.deepEqual(d.enrichment?.ownerChain, [{ kind: 'StatefulSet', name: 'kv-store', namespace: NS }]);
  assert.deepEqual(d.enrichment?.detectedLabels, { stateful: true, helmManaged: false, gitOpsTool: '' });
  assert.deepEqual(d.enrichment?.failedDetections, ['pdbProtected']);
  assert.equal(d.analysis?.rootCause, 'PersistentVolumeClaim data-kv-store-2 is Terminating while a pod still needs it.');
  assert.deepEqual(d.analysis?.contributingFactors, ['pod kv-store-2 Pending']);
  assert.equal(d.analysis?.workflow?.parameters.TARGET_PVC, 'data-kv-store-2');
  assert.equal(d.analysis?.usage?.totalTokens, 28799);
  assert.equal(d.analysis?.approvalRequired, true);
  assert.equal(d.approval?.decision, 'Approved');
  assert.equal(d.approval?.decidedBy, 'alice');
  assert.equal(d.approval?.open, false);
  assert.deepEqual(d.execution?.job, { kind: 'Job', name: 'wfe-896de809aa585574', namespace: 'kubernaut-workflows' });
  assert.deepEqual(d.execution?.log, log);
  assert.deepEqual(
    d.effectiveness?.components,
    [
      { name: 'health', assessed: true, score: 1, details: '3/3 ready, no restarts' },
      { name: 'alert', assessed: true, score: 1, details: 'KubernautStatefulSetReplicasMismatch resolved' },
      { name: 'metrics', assessed: false, details: 'no metric data before and after' },
      { name: 'hash', assessed: true, details: 'target spec unchanged by the remediation' },
    ],
  );
  assert.deepEqual(d.notifications.map((n) => [n.type, n.channels]), [['approval', ['console:default']], ['completion', ['console:default', 'log:default']]]);
  assert.equal(d.failure, undefined);

  assert.deepEqual(
    d.timeline.map((e) => [e.kind, e.phase, e.durationMs]),
    [
      ['RemediationRequest', 'Completed', 15118],
      ['SignalProcessing', 'Completed', 51],
      ['AIAnalysis', 'Completed', 371],
      // Created within the second the analysis completed: it started then, not at the second's start.
      ['RemediationApprovalRequest', 'Approved', 54],
      ['NotificationRequest', 'Sent', 21],
      ['WorkflowExecution', 'Completed', 9509],
      ['Job', 'Succeeded', 9509],
      ['EffectivenessAssessment', 'Completed', 5035],
      ['NotificationRequest', 'Sent', 8],
    ],
  );
  assert.equal(d.timeline.find((e) => e.kind === 'RemediationApprovalRequest')?.detail, 'Approved by alice: go');
});

test('a remediation that just started has a timeline of the RR alone and no child sections', () => {
  const d = remediationDetail({ rr: rr('rr-new', '2026-12-07T21:00:00Z'), notifications: [] }, { audit: { events: [], error: 'DataStorage down' }, evidence: [], now: new Date() });
  assert.deepEqual(timeline({ rr: rr('rr-new', '2026-12-07T21:00:00Z'), notifications: [] }).map((e) => [e.kind, e.phase, e.startedAt, e.endedAt]), [['RemediationRequest', 'Pending', '2026-12-07T21:00:00Z', undefined]]);
  assert.equal(d.signal.occurrences, 1);
  assert.equal(d.analysis, undefined);
  assert.equal(d.enrichment, undefined);
  assert.equal(d.audit.error, 'DataStorage down');
  const failed = remediationDetail({ rr: rr('rr-f', '2026-12-07T21:00:00Z', { overallPhase: 'Failed', failurePhase: 'AwaitingApproval', failureReason: 'ApprovalRejected', message: 'rejected by bob' }), notifications: [] }, { audit: emptyAudit, evidence: [], now: new Date() });
  assert.deepEqual(failed.failure, { phase: 'AwaitingApproval', reason: 'ApprovalRejected', message: 'rejected by bob' });
});

test('approvals: open ones by deadline, then decided or expired ones newest first', () => {
  const now = new Date('2026-12-07T22:00:00Z');
  const rar = (name: string, requiredBy: string, status: Record<string, unknown> = {}) => child('RemediationApprovalRequest', `rar-${name}`, name, '2026-12-07T21:50:00Z', { requiredBy, confidence: 0.8 }, status);
  const list = approvalList(
    [
      rar('rr-late', '2026-12-07T22:10:00Z'),
      rar('rr-soon', '2026-12-07T22:01:00Z'),
      rar('rr-overdue', '2026-12-07T21:59:00Z'),
      rar('rr-rejected', '2026-12-07T22:05:00Z', { decision: 'Rejected', decidedBy: 'bob', decidedAt: '2026-12-07T21:55:00Z' }),
      rar('rr-expired', '2026-12-07T21:40:00Z', { decision: 'Expired', decidedBy: 'system', decidedAt: '2026-12-07T21:40:00Z', expired: true }),
    ],
    now,
  );
  assert.deepEqual(list.pending.map((a) => a.remediation), ['rr-soon', 'rr-late']);
  assert.ok(list.pending.every((a) => a.open && !a.expired));
  assert.deepEqual(list.recent.map((a) => [a.remediation, a.decision, a.expired, a.open]), [
    ['rr-overdue', undefined, true, false],
    ['rr-rejected', 'Rejected', false, false],
    ['rr-expired', 'Expired', true, false],
  ]);
  const v = approvalView(rar('rr-x', '2026-12-07T22:10:00Z'), now);
  assert.equal(v.workflow, undefined);
  assert.deepEqual(v.evidence, []);
});

function ev(sequence: number, eventType: string, eventData: Record<string, unknown>): StoredAuditEvent {
  return { sequence, eventTimestamp: `2026-12-07T21:56:25.${String(sequence).padStart(3, '0')}Z`, eventType, eventCategory: eventType.split('.')[0], eventOutcome: 'success', actorId: 'investigator', resourceType: 'AIAnalysis', resourceName: 'ai-rr', eventData };
}

test('evidence: each tool call with the output the LLM was given, in order, cut to a few KB', () => {
  const envelope = (tool: string, data: string) => JSON.stringify({ tool, ok: true, untrusted_data: data, truncated: false });
  const long = 'x'.repeat(MAX_TOOL_OUTPUT_CHARS + 10);
  const events = [
    ev(5, 'investigator.tool.call', { sessionId: 's', tool: 'kubectl_describe', arguments: { kind: 'Pod', name: 'kv-store-2' }, durationMs: 33, ok: true }),
    ev(6, 'investigator.tool.call', { sessionId: 's', tool: 'kubectl_get', arguments: { kind: 'PersistentVolumeClaim' }, ok: true }),
    ev(7, 'investigator.llm.request', {
      sessionId: 's',
      turn: 2,
      messages: [
        { role: 'assistant', toolCalls: [{ id: 'c1', name: 'kubectl_describe', arguments: '{}' }, { id: 'c2', name: 'kubectl_get', arguments: '{}' }] },
        { role: 'tool', name: 'kubectl_describe', toolCallId: 'c1', content: envelope('kubectl_describe', `Name: kv-store-2\n${HOSTILE}`) },
        { role: 'tool', name: 'kubectl_get', toolCallId: 'c2', content: envelope('kubectl_get', long) },
      ],
    }),
    // The same new messages again (a retried request) must not shift the matching.
    ev(8, 'investigator.llm.request', { sessionId: 's', turn: 2, attempt: 2, messages: [{ role: 'assistant', toolCalls: [{ id: 'c1', name: 'kubectl_describe' }, { id: 'c2', name: 'kubectl_get' }] }] }),
    ev(9, 'investigator.tool.call', { sessionId: 's', tool: 'kubectl_describe', arguments: { kind: 'StatefulSet' }, ok: false, error: 'forbidden' }),
    ev(1, 'investigator.session.created', { sessionId: 's' }),
  ];
  const calls = toolCalls(events);
  assert.deepEqual(calls.map((c) => [c.index, c.tool, c.arguments, c.truncated]), [
    [1, 'kubectl_describe', '{"kind":"Pod","name":"kv-store-2"}', false],
    [2, 'kubectl_get', '{"kind":"PersistentVolumeClaim"}', true],
    [3, 'kubectl_describe', '{"kind":"StatefulSet"}', false],
  ]);
  assert.equal(calls[0].output, `Name: kv-store-2\n${HOSTILE}`);
  assert.equal(calls[0].durationMs, 33);
  assert.equal(calls[1].output.length, MAX_TOOL_OUTPUT_CHARS);
  // The last turn's output never reached an LLM request: only its error is known.
  assert.equal(calls[2].output, 'forbidden');
});

test('the audit view: events in order, one line each, the chain check or why it is missing', () => {
  const events = [
    ev(2, 'orchestrator.lifecycle.transitioned', { fromPhase: 'Pending', phase: 'Processing', message: 'Enriching' }),
    ev(1, 'gateway.crd.created', {}),
  ];
  const ok = auditView(events, { valid: true, checked: 56 });
  assert.deepEqual(ok.events.map((e) => [e.type, e.summary]), [['gateway.crd.created', undefined], ['orchestrator.lifecycle.transitioned', 'Pending → Processing · Enriching']]);
  assert.deepEqual(ok.chain, { valid: true, checked: 56 });
  assert.equal(ok.error, undefined);
  assert.deepEqual(auditView(events, { valid: false, checked: 3, reason: 'event_hash does not match the event content', firstInvalidSequence: 4 }).chain, {
    valid: false,
    checked: 3,
    detail: 'event_hash does not match the event content; first invalid event 4',
  });
  assert.equal(auditView(events, { error: 'timed out after 5000 ms' }).error, 'hash chain not verified: timed out after 5000 ms');
});

test('alerts: firing before pending, then the longest active; a malformed answer is an error', () => {
  const v = alertsView(
    {
      status: 'success',
      data: {
        alerts: [
          { labels: { alertname: 'B', severity: 'warning' }, annotations: { description: HOSTILE }, state: 'pending', activeAt: '2026-12-07T21:00:00Z', value: '1e+00' },
          { labels: { alertname: 'A' }, annotations: {}, state: 'firing', activeAt: '2026-12-07T21:30:00Z', value: 2 },
          { labels: { alertname: 'C' }, annotations: {}, state: 'firing', activeAt: '2026-12-07T21:10:00Z' },
        ],
      },
    },
    'http://alerting/alerts',
  );
  assert.deepEqual(v.alerts.map((a) => [a.name, a.state]), [['C', 'firing'], ['A', 'firing'], ['B', 'pending']]);
  assert.equal(v.alertsPage, 'http://alerting/alerts');
  assert.equal(v.alerts[1].value, '2');
  assert.equal(v.alerts[2].annotations.description, HOSTILE);
  assert.match(alertsView({ status: 'error' }).error ?? '', /without data\.alerts/);
});

test('catalog: a workflow with its versions, parameters and labels; history grouped per target, newest first', () => {
  const w = catalogWorkflow(
    {
      metadata: { workflowId: 'fix-statefulset-pvc-v1', version: '1.1.0', description: { what: 'Restores the claim', whenToUse: '...' } },
      actionType: 'FixStatefulSetPVC',
      status: 'active',
      labels: { severity: ['critical', 'high'], component: 'StatefulSet', priority: '*' },
      customLabels: { team: ['storage'] },
      detectedLabels: { stateful: 'true' },
      execution: { engine: 'job', bundle: 'kubernaut/workflow-fix-statefulset-pvc:1.1.0' },
      parameters: [{ name: 'TARGET_PVC', type: 'string', required: false, description: 'the claim' }, { name: 'TARGET_STATEFULSET', type: 'string', required: true }],
    },
    ['1.1.0', '1.0.0'],
  );
  assert.deepEqual(w, {
    workflowId: 'fix-statefulset-pvc-v1',
    version: '1.1.0',
    actionType: 'FixStatefulSetPVC',
    description: 'Restores the claim',
    status: 'active',
    executionBundle: 'kubernaut/workflow-fix-statefulset-pvc:1.1.0',
    labels: { severity: ['critical', 'high'], component: 'StatefulSet', priority: '*', 'custom/team': ['storage'] },
    detectedLabels: { stateful: 'true' },
    parameters: [
      { name: 'TARGET_PVC', type: 'string', required: false, description: 'the claim' },
      { name: 'TARGET_STATEFULSET', type: 'string', required: true },
    ],
    versions: ['1.1.0', '1.0.0'],
  });
  const entry = (id: string, completedAt: string, score: number | null) => ({
    remediationId: id,
    fingerprint: null,
    signalType: null,
    signalName: null,
    signalTarget: { kind: 'StatefulSet', name: 'kv-store', namespace: NS },
    remediationTarget: { kind: 'StatefulSet', name: 'kv-store', namespace: NS },
    workflowId: 'fix-statefulset-pvc-v1',
    workflowVersion: '1.0.0',
    actionType: 'FixStatefulSetPVC',
    outcome: 'Remediated',
    phase: 'Completed',
    startedAt: null,
    completedAt,
    preRemediationSpecHash: null,
    postRemediationSpecHash: null,
    wasExecutionFailure: null,
    failureReason: null,
    blockReason: null,
    effectivenessScore: score,
    assessmentReason: null,
  });
  const groups = historyGroups(
    [
      { target: { kind: 'Node', name: 'worker-1' }, entries: [] },
      { target: { kind: 'StatefulSet', name: 'kv-store', namespace: NS }, entries: [entry('rr-1', '2026-12-07T20:00:00Z', 0.5), entry('rr-2', '2026-12-07T21:00:00Z', 1)] },
    ],
    (name) => (name === 'rr-2' ? 'crs' : undefined),
  );
  assert.deepEqual(groups, [
    {
      target: `StatefulSet ${NS}/kv-store`,
      entries: [
        { remediation: 'rr-2', namespace: 'crs', workflowId: 'fix-statefulset-pvc-v1', outcome: 'Remediated', at: '2026-12-07T21:00:00Z', effectivenessScore: 1 },
        { remediation: 'rr-1', namespace: NS, workflowId: 'fix-statefulset-pvc-v1', outcome: 'Remediated', at: '2026-12-07T20:00:00Z', effectivenessScore: 0.5 },
      ],
    },
  ]);
});

test('a Job log is cut to its last few KB, at a line boundary', () => {
  assert.deepEqual(logTail('short\n'), { text: 'short\n', truncated: false });
  const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n');
  const tail = logTail(lines, 100);
  assert.equal(tail.truncated, true);
  assert.ok(Buffer.byteLength(tail.text) <= 100);
  assert.ok(tail.text.startsWith('line ') && tail.text.endsWith('line 999'), tail.text);
});
