/**
 * The Kubernaut CRDs as an SRE meets them: `kubectl apply -f deploy/crds/` against the real
 * `kubernaut up`, then kinds, short names, the `kubernaut` category, printer columns, field selectors
 * and the schema rules (immutable specs, enums, patterns, final approval decisions) with the real kubectl.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';
import { installKubernautCrds } from '../../src/api/install.ts';
import { KUBERNAUT_KINDS } from '../../src/api/v1alpha1/index.ts';

let k: RunningKubernaut;
const NS = 'x';
const FP1 = 'f'.repeat(64);
const FP2 = '0123456789abcdef'.repeat(4);
const REF = (rr: string) => `remediationRequestRef: { name: ${rr}, namespace: ${NS} }`;

const rr = (name: string, fp: string, extra: { severity?: string; signalSource?: string } = {}) => `apiVersion: kubernaut.ai/v1alpha1
kind: RemediationRequest
metadata: { name: ${name}, namespace: ${NS}, labels: { kubernaut.ai/signal-fingerprint: ${fp.slice(0, 63)} } }
spec:
  signalFingerprint: "${fp}"
  signalName: KubernautStatefulSetReplicasMismatch
  severity: ${extra.severity ?? 'critical'}
  signalType: alert
  signalSource: ${extra.signalSource ?? 'prometheus'}
  targetType: kubernetes
  targetResource: { apiVersion: apps/v1, kind: StatefulSet, name: kv-store, namespace: ${NS} }
  firingTime: "2026-11-26T10:00:00Z"
  receivedTime: "2026-11-26T10:00:01Z"
  signalLabels: { alertname: KubernautStatefulSetReplicasMismatch, statefulset: kv-store }
`;

const children = (r: string) => [
  `apiVersion: kubernaut.ai/v1alpha1
kind: SignalProcessing
metadata: { name: sp-${r}, namespace: ${NS} }
spec:
  ${REF(r)}
  signal: { fingerprint: "${FP1}", name: KubernautStatefulSetReplicasMismatch, severity: critical, targetResource: { apiVersion: apps/v1, kind: StatefulSet, name: kv-store, namespace: ${NS} } }
`,
  `apiVersion: kubernaut.ai/v1alpha1
kind: AIAnalysis
metadata: { name: ai-${r}, namespace: ${NS} }
spec:
  ${REF(r)}
  remediationId: ${r}
  analysisRequest:
    signalContext: { fingerprint: "${FP1}", severity: critical, signalName: KubernautStatefulSetReplicasMismatch, targetResource: { apiVersion: apps/v1, kind: StatefulSet, name: kv-store, namespace: ${NS} } }
    analysisTypes: [investigation, root-cause, workflow-selection]
`,
  `apiVersion: kubernaut.ai/v1alpha1
kind: WorkflowExecution
metadata: { name: we-${r}, namespace: ${NS} }
spec:
  ${REF(r)}
  workflowRef: { workflowId: fix-statefulset-pvc-v1, version: 1.0.0, executionBundle: "kubernaut/workflow-fix-statefulset-pvc:1.0.0" }
  targetResource: ${NS}/StatefulSet/kv-store
  targetRef: { apiVersion: apps/v1, kind: StatefulSet, name: kv-store, namespace: ${NS} }
  parameters: { TARGET_NAMESPACE: ${NS}, TARGET_STATEFULSET: kv-store }
`,
  `apiVersion: kubernaut.ai/v1alpha1
kind: EffectivenessAssessment
metadata: { name: ea-${r}, namespace: ${NS} }
spec:
  ${REF(r)}
  correlationID: ${r}
  signalTarget: { apiVersion: apps/v1, kind: StatefulSet, name: kv-store, namespace: ${NS} }
  remediationTarget: { apiVersion: apps/v1, kind: StatefulSet, name: kv-store, namespace: ${NS} }
`,
  `apiVersion: kubernaut.ai/v1alpha1
kind: RemediationApprovalRequest
metadata: { name: rar-${r}, namespace: ${NS} }
spec:
  ${REF(r)}
  aiAnalysisRef: { name: ai-${r} }
  confidence: 0.85
  confidenceLevel: high
  targetResource: { apiVersion: apps/v1, kind: StatefulSet, name: kv-store, namespace: ${NS} }
  recommendedWorkflow: { workflowId: fix-statefulset-pvc-v1, version: 1.0.0 }
  requiredBy: "2026-11-26T10:15:00Z"
`,
  `apiVersion: kubernaut.ai/v1alpha1
kind: NotificationRequest
metadata: { name: nr-approval-${r}, namespace: ${NS} }
spec:
  type: approval
  subject: Approval required for ${r}
  body: Restore the claim of kv-store-2?
  ${REF(r)}
`,
];

const WORKFLOW = `apiVersion: kubernaut.ai/v1alpha1
kind: RemediationWorkflow
metadata: { name: fix-statefulset-pvc-v1, namespace: ${NS} }
spec:
  metadata:
    workflowId: fix-statefulset-pvc-v1
    version: "1.0.0"
    description:
      what: Restores the PersistentVolumeClaim of a StatefulSet replica.
      whenToUse: A StatefulSet replica is Pending on a missing or Terminating claim.
  actionType: FixStatefulSetPVC
  labels: { severity: [critical, high], environment: [production, staging], component: "*", priority: "*" }
  detectedLabels: { stateful: "true" }
  execution: { engine: job, bundle: "kubernaut/workflow-fix-statefulset-pvc:1.0.0" }
  parameters:
    - { name: TARGET_NAMESPACE, type: string, required: true, description: Namespace of the StatefulSet. }
    - { name: TARGET_PVC, type: string, description: Name of the broken claim. }
`;

/** Splits a kubectl table into rows of cells (header first). */
function table(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));
}

function apply(yaml: string) {
  return k.kubectl(['apply', '-f', '-'], { input: yaml });
}

function patchStatus(kind: string, name: string, status: object) {
  return k.kubectl(['patch', kind, name, '-n', NS, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

const ready = (reason: string) => [{ type: 'Ready', status: 'False', reason, message: '', lastTransitionTime: '2026-11-26T10:00:02Z' }];

before(async () => {
  // The CRDs need neither the Gateway nor DataStorage: leaving them out keeps this file fast.
  k = await startKubernaut({ args: ['--ephemeral', '--no-gateway', '--no-datastorage', '--no-controllers'] });
  // `kubernaut up` may have installed them already: then kubectl reports them configured/unchanged.
  const out = k.kubectlOk(['apply', '-f', 'deploy/crds/']);
  for (const n of Object.values(KUBERNAUT_KINDS)) assert.match(out, new RegExp(`customresourcedefinition.apiextensions.k8s.io/${n.plural}.kubernaut.ai (created|configured|unchanged)`));
  assert.equal(out.trim().split('\n').length, Object.keys(KUBERNAUT_KINDS).length, 'third-party CRDs are not part of deploy/crds/*.yaml');
  k.kubectlOk(['wait', '--for=condition=Established', '--timeout=20s', ...Object.values(KUBERNAUT_KINDS).map((n) => `crd/${n.plural}.kubernaut.ai`)]);
  const docs = [`apiVersion: v1\nkind: Namespace\nmetadata: { name: ${NS} }\n`, rr('rr-one', FP1), rr('rr-two', FP2, { severity: 'warning' }), ...children('rr-one'), WORKFLOW];
  k.kubectlOk(['apply', '-f', '-'], { input: docs.join('---\n') });
});
after(async () => {
  await k?.stop();
});

test('installKubernautCrds on top of kubectl apply, twice, keeps the CRDs and their objects', async () => {
  const kc = new KubeConfig();
  kc.loadFromString(readFileSync(k.kubeconfig, 'utf8'));
  const before = JSON.parse(k.kubectlOk(['get', 'crd', 'remediationrequests.kubernaut.ai', '-o', 'json']));
  await installKubernautCrds(kc);
  await installKubernautCrds(kc);
  const afterInstall = JSON.parse(k.kubectlOk(['get', 'crd', 'remediationrequests.kubernaut.ai', '-o', 'json']));
  assert.equal(afterInstall.metadata.generation, before.metadata.generation, 'same spec, no new generation');
  assert.deepEqual(afterInstall.spec, before.spec);
  assert.match(k.kubectlOk(['get', 'rr', '-n', NS, '-o', 'name']), /rr-one/);
});

test('kubectl get kubernaut lists every kind of the category', () => {
  const names = k.kubectlOk(['get', 'kubernaut', '-n', NS, '-o', 'name']).trim().split('\n').sort();
  assert.deepEqual(names, [
    'aianalysis.kubernaut.ai/ai-rr-one',
    'effectivenessassessment.kubernaut.ai/ea-rr-one',
    'notificationrequest.kubernaut.ai/nr-approval-rr-one',
    'remediationapprovalrequest.kubernaut.ai/rar-rr-one',
    'remediationrequest.kubernaut.ai/rr-one',
    'remediationrequest.kubernaut.ai/rr-two',
    'remediationworkflow.kubernaut.ai/fix-statefulset-pvc-v1',
    'signalprocessing.kubernaut.ai/sp-rr-one',
    'workflowexecution.kubernaut.ai/we-rr-one',
  ]);
});

test('kubectl get rr,sp,aa,we,ea lists the pipeline; every short name resolves', () => {
  const out = k.kubectlOk(['get', 'rr,sp,aa,we,ea', '-n', NS, '-o', 'name']);
  for (const n of ['remediationrequest.kubernaut.ai/rr-one', 'signalprocessing.kubernaut.ai/sp-rr-one', 'aianalysis.kubernaut.ai/ai-rr-one', 'workflowexecution.kubernaut.ai/we-rr-one', 'effectivenessassessment.kubernaut.ai/ea-rr-one']) {
    assert.ok(out.includes(n), `${n} in\n${out}`);
  }
  for (const [short, name] of [['aia', 'ai-rr-one'], ['wfe', 'we-rr-one'], ['rar', 'rar-rr-one'], ['notif', 'nr-approval-rr-one'], ['rw', 'fix-statefulset-pvc-v1']]) {
    assert.match(k.kubectlOk(['get', short, '-n', NS, '-o', 'name']), new RegExp(`/${name}$`, 'm'), short);
  }
});

test('printer columns: RR phase and outcome, wide target and Ready reason; children columns', () => {
  const s = patchStatus('rr', 'rr-one', { overallPhase: 'Executing', conditions: ready('WorkflowRunning') });
  assert.equal(s.code, 0, s.stderr);
  const plain = table(k.kubectlOk(['get', 'rr', 'rr-one', '-n', NS]));
  assert.deepEqual(plain[0], ['NAME', 'PHASE', 'OUTCOME', 'AGE']);
  assert.deepEqual(plain[1].slice(0, 2), ['rr-one', 'Executing']);
  const wide = table(k.kubectlOk(['get', 'rr', 'rr-one', '-n', NS, '-o', 'wide']));
  assert.deepEqual(wide[0], ['NAME', 'PHASE', 'OUTCOME', 'TARGETKIND', 'TARGET', 'REASON', 'AGE']);
  // OUTCOME is empty while running: kubectl prints nothing there, so the cells shift by one.
  assert.deepEqual(wide[1].slice(0, 5), ['rr-one', 'Executing', 'StatefulSet', 'kv-store', 'WorkflowRunning']);

  assert.equal(patchStatus('sp', 'sp-rr-one', { phase: 'Completed', severity: 'critical', environmentClassification: { environment: 'production', source: 'namespace-labels' }, priorityAssignment: { priority: 'P0' }, conditions: ready('ProcessingSucceeded') }).code, 0);
  const sp = table(k.kubectlOk(['get', 'sp', '-n', NS, '-o', 'wide']));
  assert.deepEqual(sp[0], ['NAME', 'PHASE', 'SEVERITY', 'ENVIRONMENT', 'PRIORITY', 'REASON', 'AGE']);
  assert.deepEqual(sp[1].slice(0, 6), ['sp-rr-one', 'Completed', 'critical', 'production', 'P0', 'ProcessingSucceeded']);

  const headers: Record<string, [string[], string[]]> = {
    aa: [['NAME', 'PHASE', 'ACTIONTYPE', 'CONFIDENCE', 'APPROVALREQUIRED', 'AGE'], ['NAME', 'PHASE', 'ACTIONTYPE', 'CONFIDENCE', 'APPROVALREQUIRED', 'REASON', 'AGE']],
    we: [['NAME', 'PHASE', 'WORKFLOWID', 'TARGET', 'DURATION', 'AGE'], ['NAME', 'PHASE', 'WORKFLOWID', 'TARGET', 'DURATION', 'REASON', 'AGE']],
    ea: [['NAME', 'PHASE', 'REASON', 'SCORE', 'AGE'], ['NAME', 'PHASE', 'REASON', 'SCORE', 'CORRELATIONID', 'AGE']],
    rar: [['NAME', 'AIANALYSIS', 'CONFIDENCE', 'DECISION', 'EXPIRED', 'REQUIREDBY', 'AGE'], ['NAME', 'AIANALYSIS', 'CONFIDENCE', 'DECISION', 'EXPIRED', 'REQUIREDBY', 'REASON', 'AGE']],
    notif: [['NAME', 'TYPE', 'PRIORITY', 'PHASE', 'ATTEMPTS', 'AGE'], ['NAME', 'TYPE', 'PRIORITY', 'PHASE', 'ATTEMPTS', 'REASON', 'AGE']],
    rw: [['NAME', 'ACTION', 'VERSION', 'ENGINE', 'STATUS', 'AGE'], ['NAME', 'ACTION', 'VERSION', 'ENGINE', 'STATUS', 'CATALOGID', 'AGE']],
  };
  // One kubectl call per output mode: kubectl prints one table (with its header) per kind.
  const headersOf = (out: string) => out.trim().split(/\n\s*\n/).map((block) => table(block)[0]);
  const kinds = Object.keys(headers);
  assert.deepEqual(headersOf(k.kubectlOk(['get', kinds.join(','), '-n', NS])), kinds.map((kind) => headers[kind][0]));
  assert.deepEqual(headersOf(k.kubectlOk(['get', kinds.join(','), '-n', NS, '-o', 'wide'])), kinds.map((kind) => headers[kind][1]));
  assert.equal(patchStatus('aa', 'ai-rr-one', { phase: 'Completed', selectedWorkflow: { workflowId: 'fix-statefulset-pvc-v1', actionType: 'FixStatefulSetPVC', confidence: 0.85 }, approvalRequired: true }).code, 0);
  assert.deepEqual(table(k.kubectlOk(['get', 'aa', '-n', NS]))[1].slice(0, 5), ['ai-rr-one', 'Completed', 'FixStatefulSetPVC', '0.85', 'true']);
  assert.equal(patchStatus('we', 'we-rr-one', { phase: 'Completed', duration: '42s' }).code, 0);
  assert.deepEqual(table(k.kubectlOk(['get', 'we', '-n', NS]))[1].slice(0, 5), ['we-rr-one', 'Completed', 'fix-statefulset-pvc-v1', 'x/StatefulSet/kv-store', '42s']);
});

test('the RR spec and child specs are immutable', () => {
  const r = k.kubectl(['patch', 'rr', 'rr-one', '-n', NS, '--type=merge', '-p', '{"spec":{"severity":"low"}}']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /spec is immutable/);
  const sp = k.kubectl(['patch', 'sp', 'sp-rr-one', '-n', NS, '--type=merge', '-p', '{"spec":{"signal":{"severity":"low"}}}']);
  assert.notEqual(sp.code, 0);
  assert.match(sp.stderr, /spec is immutable/);
  // Status (and metadata) stay writable.
  assert.equal(k.kubectl(['label', 'rr', 'rr-one', '-n', NS, 'team=storage']).code, 0);
  assert.equal(patchStatus('rr', 'rr-one', { deduplication: { occurrenceCount: 2 } }).code, 0);
});

test('invalid enums and patterns are refused with the field named', () => {
  const badSource = apply(rr('rr-bad-source', FP1, { signalSource: 'carrier-pigeon' }));
  assert.notEqual(badSource.code, 0);
  assert.match(badSource.stderr, /spec\.signalSource: Unsupported value: "carrier-pigeon"/);
  const badFp = apply(rr('rr-bad-fp', 'NOT-A-FINGERPRINT'.padEnd(64, 'Z')));
  assert.notEqual(badFp.code, 0);
  assert.match(badFp.stderr, /spec\.signalFingerprint/);
  const badPhase = patchStatus('rr', 'rr-one', { overallPhase: 'Dancing' });
  assert.notEqual(badPhase.code, 0);
  assert.match(badPhase.stderr, /status\.overallPhase: Unsupported value: "Dancing"/);
  const badTarget = apply(children('rr-one')[2].replace('name: we-rr-one', 'name: we-bad').replace(`${NS}/StatefulSet/kv-store`, 'not a target'));
  assert.notEqual(badTarget.code, 0);
  assert.match(badTarget.stderr, /spec\.targetResource/);
  assert.equal(k.kubectl(['get', 'rr', 'rr-bad-source', '-n', NS]).code, 1, 'nothing was created');
});

test('a RemediationApprovalRequest decision is final once set', () => {
  const approve = patchStatus('rar', 'rar-rr-one', { decision: 'Approved', decidedBy: 'alice' });
  assert.equal(approve.code, 0, approve.stderr);
  const flip = patchStatus('rar', 'rar-rr-one', { decision: 'Rejected', decidedBy: 'mallory' });
  assert.notEqual(flip.code, 0);
  assert.match(flip.stderr, /decision is final once set/);
  const clear = k.kubectl(['patch', 'rar', 'rar-rr-one', '-n', NS, '--subresource=status', '--type=json', '-p', '[{"op":"remove","path":"/status/decision"}]']);
  assert.notEqual(clear.code, 0);
  assert.match(clear.stderr, /decision is final once set/);
  // The Orchestrator's own fields can still be written next to the decision.
  assert.equal(patchStatus('rar', 'rar-rr-one', { decidedAt: '2026-11-26T10:05:00Z', expired: false }).code, 0);
  const rar = table(k.kubectlOk(['get', 'rar', 'rar-rr-one', '-n', NS]));
  assert.deepEqual(rar[1].slice(0, 5), ['rar-rr-one', 'ai-rr-one', '0.85', 'Approved', 'false']);
});

test('field selectors on spec.signalFingerprint, spec.severity and spec.signalType', () => {
  assert.equal(k.kubectlOk(['get', 'rr', '-n', NS, '--field-selector', `spec.signalFingerprint=${FP2}`, '-o', 'name']).trim(), 'remediationrequest.kubernaut.ai/rr-two');
  assert.equal(k.kubectlOk(['get', 'rr', '-n', NS, '--field-selector', 'spec.severity=critical', '-o', 'name']).trim(), 'remediationrequest.kubernaut.ai/rr-one');
  assert.equal(k.kubectlOk(['get', 'rr', '-n', NS, '--field-selector', 'spec.signalType=alert', '-o', 'name']).trim().split('\n').length, 2);
  assert.equal(k.kubectlOk(['get', 'rr', '-n', NS, '-l', `kubernaut.ai/signal-fingerprint=${FP1.slice(0, 63)}`, '-o', 'name']).trim(), 'remediationrequest.kubernaut.ai/rr-one');
});

test('a RemediationWorkflow with an unknown field is refused by kubectl', () => {
  const r = apply(WORKFLOW.replace('name: fix-statefulset-pvc-v1, namespace', 'name: wf-bogus, namespace').replace('actionType: FixStatefulSetPVC', 'actionType: FixStatefulSetPVC\n  bogusField: 1'));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown field "spec\.bogusField"/);
});
