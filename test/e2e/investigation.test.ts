/**
 * The reference incident through the real pipeline of `kubernaut up`: a RemediationRequest for the
 * StatefulSet whose replica lost its claim is enriched, the AIAnalysis controller submits it to the
 * investigator, whose agent loop works through the offline mock LLM with the real tools and the
 * shipped catalog; once a person approves, the WorkflowExecution runs the workflow's script as a
 * real Job with its own ServiceAccount, and the EffectivenessMonitor confirms the fix held. The same
 * fault on a renamed copy (other alert, namespace, StatefulSet and claim template) must lead to the
 * same diagnosis and workflow, with the new names as parameters.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, ROOT, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';
import { createRR, getObject, waitForObject, type Target } from '../helpers/remediation.ts';
import { SCENARIO_KUBELET_DELAYS } from '../helpers/reference-scenario.ts';

const MANIFESTS = join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure/manifests');
const TIME_SCALE = 10;
const PATIENT = { global: '100h', processing: '100h', analyzing: '100h', awaitingApproval: '100h', executing: '100h', verifying: '100h' };
type Json = Record<string, any>;

interface Incident {
  namespace: string;
  statefulSet: string;
  claimTemplate: string;
  alert: string;
}

const REFERENCE: Incident = { namespace: 'demo-statefulset', statefulSet: 'kv-store', claimTemplate: 'data', alert: 'KubernautStatefulSetReplicasMismatch' };
const RENAMED: Incident = { namespace: 'payments-ledger', statefulSet: 'ledger-db', claimTemplate: 'pgdata', alert: 'LedgerReplicaShortfall' };

/** A production namespace with a 3-replica StatefulSet of one claim template, like the scenario's. */
function renamedManifests(i: Incident): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: i.namespace, labels: { 'kubernaut.ai/environment': 'production', 'kubernaut.ai/criticality': 'high' } } },
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: i.statefulSet, namespace: i.namespace, labels: { app: i.statefulSet, 'kubernaut.ai/managed': 'true' } },
        spec: {
          serviceName: i.statefulSet,
          replicas: 3,
          selector: { matchLabels: { app: i.statefulSet } },
          template: {
            metadata: { labels: { app: i.statefulSet } },
            spec: { containers: [{ name: 'db', image: 'postgres:16-alpine', volumeMounts: [{ name: i.claimTemplate, mountPath: '/var/lib/postgresql/data' }] }] },
          },
          volumeClaimTemplates: [{ metadata: { name: i.claimTemplate }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
        },
      },
    ],
  });
}

let k: RunningKubernaut;
before(async () => {
  // The fault is a race (the claim deletion must land while the kubelet still mounts the recreated
  // pod): a long mount keeps it reproducible on a loaded machine.
  k = await startKubernaut({ args: ['--ephemeral', '--time-scale', String(TIME_SCALE), '--kubelet-delays', SCENARIO_KUBELET_DELAYS, '--prometheus', 'none'] });
  k.kubectlOk(['apply', '-f', join(MANIFESTS, 'namespace.yaml'), '-f', join(MANIFESTS, 'statefulset.yaml')]);
  k.kubectlOk(['apply', '-f', '-'], { input: renamedManifests(RENAMED) });
  for (const i of [REFERENCE, RENAMED]) {
    k.kubectlOk(['rollout', 'status', `statefulset/${i.statefulSet}`, '-n', i.namespace, '--timeout=180s'], { timeoutMs: 190_000 });
  }
});
after(async () => {
  await k?.stop();
});

/** The scenario's fault: replica 2's pod, claim and volume deleted, one kubectl each. */
function injectClaimLoss(i: Incident): void {
  const pod = `${i.statefulSet}-2`;
  const claim = `${i.claimTemplate}-${i.statefulSet}-2`;
  const pv = k.kubectlOk(['get', 'pvc', claim, '-n', i.namespace, '-o', 'jsonpath={.spec.volumeName}']).trim();
  k.kubectlOk(['delete', 'pod', pod, '-n', i.namespace, '--grace-period=0', '--force', '--wait=false']);
  k.kubectlOk(['delete', 'pvc', claim, '-n', i.namespace, '--grace-period=0', '--force', '--wait=false']);
  if (pv) k.kubectlOk(['delete', 'pv', pv, '--grace-period=0', '--force', '--wait=false']);
}

async function waitForStuckReplica(i: Incident): Promise<void> {
  await eventually(() => {
    const pod = getObject(k, 'pod', i.namespace, `${i.statefulSet}-2`);
    const sts = getObject(k, 'statefulset', i.namespace, i.statefulSet);
    return pod?.status?.phase === 'Pending' && sts?.status?.readyReplicas === 2;
  }, `${i.statefulSet}-2 Pending with 2/3 ready`, 60_000, 200);
}

async function analysisOf(i: Incident): Promise<{ rr: string; aa: Json }> {
  const target: Target = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: i.statefulSet, namespace: i.namespace };
  const rr = createRR(k, { target, signalName: i.alert, severity: 'critical', timeouts: PATIENT });
  const aa = await waitForObject(k, 'aianalysis', i.namespace, `ai-${rr}`, (o) => ['Completed', 'Failed'].includes(o.status?.phase), 120_000);
  return { rr, aa };
}

function assertClaimDiagnosis(i: Incident, aa: Json): void {
  const s = aa.status;
  const claim = `${i.claimTemplate}-${i.statefulSet}-2`;
  assert.equal(s.phase, 'Completed', `analysis: ${JSON.stringify({ reason: s.reason, subReason: s.subReason, message: s.message, history: s.validationAttemptsHistory })}`);
  assert.equal(s.reason, 'WorkflowSelected');
  assert.equal(s.selectedWorkflow.workflowId, 'fix-statefulset-pvc-v1');
  assert.equal(s.selectedWorkflow.actionType, 'FixStatefulSetPVC');
  assert.ok(s.selectedWorkflow.confidence >= 0.7, `confidence ${s.selectedWorkflow.confidence}`);
  // The parameters name the namespace, the StatefulSet and the claim (values, whatever the names).
  const values = Object.values(s.selectedWorkflow.parameters ?? {});
  for (const v of [i.namespace, i.statefulSet, claim]) assert.ok(values.includes(v), `parameters ${JSON.stringify(s.selectedWorkflow.parameters)} name ${v}`);
  assert.deepEqual(
    { kind: s.rootCauseAnalysis.affectedResource.kind, name: s.rootCauseAnalysis.affectedResource.name, namespace: s.rootCauseAnalysis.affectedResource.namespace },
    { kind: 'StatefulSet', name: i.statefulSet, namespace: i.namespace },
  );
  assert.equal(s.postRCAContext?.detectedLabels?.stateful, true);
  assert.match(s.rootCauseAnalysis.summary, new RegExp(claim));
  // Production: a person approves.
  assert.equal(s.approvalRequired, true);
  // What the investigation cost is on the status, counted over what was sent.
  const u = s.investigationUsage;
  assert.ok(u.promptTokens > 0 && u.completionTokens > 0 && u.llmTurns > 1 && u.toolCalls > 0, JSON.stringify(u));
}

test('up runs the investigator with the offline mock LLM and names both in endpoints.json', async () => {
  const ep = JSON.parse(readFileSync(join(k.dataDir, 'endpoints.json'), 'utf8'));
  assert.equal(ep.ready.investigator, true);
  assert.match(ep.investigator, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(ep.mockLlm, /^http:\/\/127\.0\.0\.1:\d+/);
  assert.equal((await fetch(`${ep.investigator}/readyz`)).status, 200);
  const models = await (await fetch(`${ep.mockLlm}/models`)).json();
  assert.ok(models.data.some((m: Json) => m.id === 'mock-model'));
  // Bad input: every problem listed, nothing started; a session nobody knows is lost (404).
  const bad = await fetch(`${ep.investigator}/api/v1/incident/analyze`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ incident_id: 'x', severity: 'dreadful' }) });
  assert.equal(bad.status, 400);
  assert.match(bad.headers.get('content-type') ?? '', /application\/problem\+json/);
  const problem = await bad.json();
  assert.ok(JSON.stringify(problem).includes('severity') && JSON.stringify(problem).includes('resource_kind'), JSON.stringify(problem));
  assert.equal((await fetch(`${ep.investigator}/api/v1/incident/session/00000000-0000-4000-8000-000000000000`)).status, 404);
  // The shipped workflows: registered in the catalog, mirrored as RemediationWorkflow objects, their runners installed.
  const rws = JSON.parse(k.kubectlOk(['get', 'remediationworkflows', '-n', 'kubernaut-system', '-o', 'json'])).items as Json[];
  const reference = rws.find((rw) => rw.metadata.name === 'fix-statefulset-pvc-v1');
  assert.ok(reference, `RemediationWorkflows: ${rws.map((rw) => rw.metadata.name).join(', ')}`);
  assert.equal(reference.status.catalogStatus, 'Active');
  assert.equal(reference.spec.version, '1.0.0');
  assert.equal(reference.spec.actionType, 'FixStatefulSetPVC');
  assert.match(reference.status.catalogId, /^[0-9a-f-]{36}$/);
  assert.ok(rws.length >= 6);
  k.kubectlOk(['get', 'serviceaccount', 'fix-statefulset-pvc-v1-runner', '-n', 'kubernaut-workflows']);
});

test('the reference incident: the claim of replica 2 is gone, fix-statefulset-pvc-v1 is chosen for StatefulSet kv-store', async () => {
  injectClaimLoss(REFERENCE);
  await waitForStuckReplica(REFERENCE);
  const { rr, aa } = await analysisOf(REFERENCE);
  assertClaimDiagnosis(REFERENCE, aa);

  // The Orchestrator takes it from there: production needs approval.
  await eventually(() => getObject(k, 'remediationrequest', REFERENCE.namespace, rr)?.status?.overallPhase === 'AwaitingApproval', 'RR awaiting approval', 60_000, 200);

  // The investigation is in the audit trail under the RR's name, with its usage.
  const ds = JSON.parse(readFileSync(join(k.dataDir, 'endpoints.json'), 'utf8')).dataStorage;
  const events = await eventually(async () => {
    const body = await (await fetch(`${ds}/api/v1/audit/events?correlationId=${rr}&limit=1000`)).json();
    const types = new Set(body.events.map((e: Json) => e.eventType));
    return types.has('investigator.session.completed') && types.has('investigator.tool.call') && types.has('datastorage.workflow.discovery') ? body.events : undefined;
  }, 'investigation audited', 30_000, 300);
  const completed = events.find((e: Json) => e.eventType === 'investigator.session.completed');
  assert.equal(completed.eventCategory, 'investigator');

  // Approved by a person, the workflow runs as a real Job (the embedded kubelet runs the bundle's
  // script with its ServiceAccount), heals the StatefulSet, and the EffectivenessMonitor confirms.
  const approve = spawnSync(process.execPath, ['bin/kubernaut.js', 'approve', rr, '-n', REFERENCE.namespace, '-m', 'recreate the claim', '--kubeconfig', k.kubeconfig], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(approve.status, 0, approve.stderr);
  // The Job stays for the 5 min cooldown (30 s at this time scale): its log is read as soon as the execution ends.
  const we = await waitForObject(k, 'workflowexecution', REFERENCE.namespace, `we-${rr}`, (o) => ['Completed', 'Failed'].includes(o.status?.phase), 180_000);
  assert.equal(we.status.phase, 'Completed', JSON.stringify(we.status));
  const jobLog = k.kubectlOk(['logs', `job/${we.status.executionRef.name}`, '-n', we.status.executionRef.namespace]);
  assert.match(jobLog, /summary:/);
  const done = await eventually(() => {
    const o = getObject(k, 'remediationrequest', REFERENCE.namespace, rr);
    return ['Completed', 'Failed', 'TimedOut'].includes(o?.status?.overallPhase) ? o : undefined;
  }, 'RR finished', 240_000, 500);
  const ea = getObject(k, 'effectivenessassessment', REFERENCE.namespace, `ea-${rr}`);
  assert.equal(done.status.overallPhase, 'Completed', JSON.stringify({ rr: done.status, ea: ea?.status }));
  assert.equal(done.status.outcome, 'Remediated');
  assert.equal(getObject(k, 'statefulset', REFERENCE.namespace, REFERENCE.statefulSet)?.status.readyReplicas, 3);
  assert.equal(getObject(k, 'pvc', REFERENCE.namespace, `data-${REFERENCE.statefulSet}-2`)?.status.phase, 'Bound');
  assert.equal(ea?.status.phase, 'Completed');
  assert.equal(ea?.status.components.healthScore, 1);
});

test('renamed alert, namespace, StatefulSet and claim template: same diagnosis with the new names', async () => {
  injectClaimLoss(RENAMED);
  await waitForStuckReplica(RENAMED);
  const { aa } = await analysisOf(RENAMED);
  assertClaimDiagnosis(RENAMED, aa);
});
