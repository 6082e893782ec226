/**
 * The EffectivenessMonitor against an in-process embedded cluster with its control plane (real
 * StatefulSet pods), and a local server standing in for Alertmanager and Prometheus
 * (fake-sources.ts). The cluster runs on a fast real clock; the controller on a ManualClock the
 * tests drive, so windows of minutes pass in moments and nothing depends on timing. Each test has
 * its own namespace, controller and clock (EA timestamps are real time, so every clock starts now).
 *
 * Covered: a healthy StatefulSet through WaitingForPropagation, Stabilizing and Assessing to
 * Completed full, score 1 (health, alert and metrics assessed), its audit event accepted by
 * DataStorage and read back from remediation history; an alert still firing → alert 0; the
 * target's spec changed while stabilizing → spec_drift 0; sources down and a kind without pods →
 * expired at the deadline; no workflow start → no_execution; a restart mid-way carries on.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { installKubernautCrds } from '../../../src/api/install.ts';
import type { EffectivenessAssessment, EffectivenessAssessmentSpec } from '../../../src/api/v1alpha1/index.ts';
import { specHash } from '../../../src/api/v1alpha1/spec-hash.ts';
import { EmbeddedCluster } from '../../../src/cluster/embedded-cluster.ts';
import { RecordingAuditSink } from '../../../src/datastorage/client/audit-sink.ts';
import { startDataStorage } from '../../../src/datastorage/server.ts';
import { KubernautClient } from '../../../src/kube/kubernaut-client.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { startEffectivenessController, type RunningEffectivenessController } from '../../../src/remediation/effectiveness/controller.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';
import { driveUntil, ManualClock } from '../../helpers/manual-clock.ts';
import { FakeSources } from './fake-sources.ts';

const ALERT = 'KubernautStatefulSetReplicasMismatch';
const MINUTE = 60_000;

let cluster: EmbeddedCluster;
let kc: KubeConfig;
let client: KubernautClient;
let apps: AppsV1Api;
let core: CoreV1Api;
let sources: FakeSources;
let seq = 0;

before(async () => {
  cluster = await EmbeddedCluster.start({ clock: new ScaledClock(10), controlPlane: { kubelet: { imagePullMs: 50, containerStartMs: 50, volumeMountMs: 50 } } });
  kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig());
  await installKubernautCrds(kc);
  client = new KubernautClient(kc);
  apps = kc.makeApiClient(AppsV1Api);
  core = kc.makeApiClient(CoreV1Api);
  sources = await FakeSources.start();
});

after(async () => {
  await sources?.close();
  await cluster?.close();
});

interface Harness {
  clock: ManualClock;
  audit: RecordingAuditSink;
  controller: RunningEffectivenessController;
  stop(): Promise<void>;
}

/** A controller for one test's namespace, so nothing one test leaves behind reaches another. */
async function startEM(namespace: string, clock = new ManualClock(Date.now()), audit = new RecordingAuditSink()): Promise<Harness> {
  const controller = await startEffectivenessController({ kubeconfig: kc, clock, audit, namespace, registry: new Registry(), alertmanagerUrl: sources.url, prometheusUrl: sources.url });
  return {
    clock,
    audit,
    controller,
    async stop() {
      let done = false;
      const stopping = controller.stop().finally(() => (done = true));
      await driveUntil(clock, () => done, 'the controller to stop', { stepMs: 500 });
      await stopping;
    },
  };
}

/** A namespace with StatefulSet kv-store (2 pause pods) Ready, and an RR name of its own. */
async function namespaceWithStatefulSet(replicas = 2): Promise<{ ns: string; rr: string }> {
  const ns = `em-${++seq}-${Math.random().toString(36).slice(2, 7)}`;
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await apps.createNamespacedStatefulSet({
    namespace: ns,
    body: {
      metadata: { name: 'kv-store' },
      spec: {
        replicas,
        serviceName: 'kv-store',
        selector: { matchLabels: { app: 'kv-store' } },
        template: { metadata: { labels: { app: 'kv-store' } }, spec: { containers: [{ name: 'kv', image: 'registry.k8s.io/pause:3.9' }] } },
      },
    },
  });
  await eventually(async () => (await apps.readNamespacedStatefulSet({ namespace: ns, name: 'kv-store' })).status?.readyReplicas === replicas, `kv-store ${replicas}/${replicas} ready in ${ns}`, 60_000);
  return { ns, rr: `rr-${seq.toString(16).padStart(12, '0')}-abcdefgh` };
}

/** The RR's WorkflowExecution as the WE controller leaves it (started unless told otherwise). */
async function workflowExecution(ns: string, rr: string, started = true): Promise<void> {
  await client.create('WorkflowExecution', {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'WorkflowExecution',
    metadata: { name: `we-${rr}`, namespace: ns, labels: { 'kubernaut.ai/remediation-request': rr } },
    spec: {
      remediationRequestRef: { name: rr, namespace: ns },
      workflowRef: { workflowId: 'fix-statefulset-pvc-v1', version: '1.0.0', executionBundle: 'kubernaut/fix-statefulset-pvc:v1' },
      targetResource: `${ns}/StatefulSet/kv-store`,
      targetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: ns },
    },
  });
  if (started) {
    const now = new Date().toISOString();
    await client.updateStatus('WorkflowExecution', { namespace: ns, name: `we-${rr}` }, (we) => ({ ...we.status, phase: 'Completed', startTime: now, completionTime: now }));
  }
}

async function createEA(ns: string, rr: string, over: Partial<EffectivenessAssessmentSpec> = {}): Promise<string> {
  const name = `ea-${rr}`;
  const target = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: ns };
  await client.create('EffectivenessAssessment', {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'EffectivenessAssessment',
    metadata: { name, namespace: ns, labels: { 'kubernaut.ai/remediation-request': rr } },
    spec: {
      remediationRequestRef: { name: rr, namespace: ns },
      correlationID: rr,
      remediationRequestPhase: 'Verifying',
      signalTarget: target,
      remediationTarget: target,
      signalName: ALERT,
      signalMode: 'reactive',
      remediationCreatedAt: new Date(Date.now() - MINUTE).toISOString(),
      config: { stabilizationWindow: '5m', validityWindow: '30m', hashComputeDelay: '0s', alertCheckDelay: '0s' },
      ...over,
    },
  });
  return name;
}

const eaOf = (ns: string, name: string) => client.get('EffectivenessAssessment', { namespace: ns, name });

/** Drives the clock until the EA satisfies `check`, noting every phase it passed through. */
async function driveEA(h: Harness, ns: string, name: string, what: string, check: (ea: EffectivenessAssessment) => unknown, phases: string[] = [], stepMs = 5_000): Promise<EffectivenessAssessment> {
  let last: EffectivenessAssessment | undefined;
  try {
    await driveUntil(
      h.clock,
      async () => {
        last = await eaOf(ns, name);
        const phase = last?.status?.phase;
        if (phase && phases[phases.length - 1] !== phase) phases.push(phase);
        return last && check(last);
      },
      `${name} ${what}`,
      { stepMs, deadlineMs: 60_000 },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last?.status)}`, { cause: err });
  }
  return last!;
}

/** The completion event of this test's RR (other tests' EAs may finish under this controller too). */
const completedEvent = (h: Harness, rr: string) => h.audit.ofType('effectiveness.assessment.completed').find((e) => e.correlationId === rr);

const done = (ea: EffectivenessAssessment) => ea.status?.phase === 'Completed' || ea.status?.phase === 'Failed';
const condition = (ea: EffectivenessAssessment, type: string) => ea.status?.conditions?.find((c) => c.type === type);

test('a healthy StatefulSet: WaitingForPropagation → Stabilizing → Assessing → Completed full, score 1, in remediation history', async () => {
  const { ns, rr } = await namespaceWithStatefulSet();
  sources.scripts.set(ns, { cpu: 0.5 });
  await workflowExecution(ns, rr);
  const h = await startEM(ns);
  try {
    // A hash delay (as for a GitOps-managed target) and an alert check 2 minutes after stabilization.
    const name = await createEA(ns, rr, { config: { stabilizationWindow: '5m', validityWindow: '30m', hashComputeDelay: '3m', alertCheckDelay: '2m' } });
    const phases: string[] = [];
    const waiting = await driveEA(h, ns, name, 'waiting for propagation', (ea) => ea.status?.phase === 'WaitingForPropagation', phases, 1_000);
    assert.equal(waiting.status?.components?.hashComputed, undefined, 'no hash before the delay');
    assert.ok(waiting.status?.validityDeadline && waiting.status.prometheusCheckAfter && waiting.status.alertManagerCheckAfter);
    const created = Date.parse(waiting.metadata!.creationTimestamp as unknown as string);
    assert.equal(Date.parse(waiting.status.validityDeadline), created + 30 * MINUTE);
    assert.equal(Date.parse(waiting.status.prometheusCheckAfter), created + 8 * MINUTE);
    assert.equal(Date.parse(waiting.status.alertManagerCheckAfter), created + 10 * MINUTE);

    const stabilizing = await driveEA(h, ns, name, 'stabilizing', (ea) => ea.status?.phase === 'Stabilizing', phases);
    const sts = await apps.readNamespacedStatefulSet({ namespace: ns, name: 'kv-store' });
    const expectedHash = specHash(JSON.parse(JSON.stringify(sts.spec)));
    assert.equal(stabilizing.status?.components?.hashComputed, true);
    assert.equal(stabilizing.status?.components?.postRemediationSpecHash, expectedHash, 'the one canonical spec hash');
    assert.equal(condition(stabilizing, 'SpecIntegrity')?.status, 'True');

    const assessing = await driveEA(h, ns, name, 'assessing with health scored', (ea) => ea.status?.phase === 'Assessing' && ea.status.components?.healthAssessed, phases);
    assert.equal(assessing.status?.components?.healthScore, 1);
    assert.equal(assessing.status?.components?.alertScore, undefined, 'the alert check is not due yet');

    const final = await driveEA(h, ns, name, 'completed', done, phases);
    assert.deepEqual(phases, ['WaitingForPropagation', 'Stabilizing', 'Assessing', 'Completed']);
    const st = final.status!;
    assert.equal(st.assessmentReason, 'full');
    assert.equal(st.overallScore, 1);
    assert.deepEqual(
      { ...st.components },
      { healthAssessed: true, healthScore: 1, alertAssessed: true, alertScore: 1, metricsAssessed: true, metricsScore: 1, hashComputed: true, postRemediationSpecHash: expectedHash, currentSpecHash: expectedHash },
    );
    assert.ok(st.completedAt);
    for (const type of ['AssessmentComplete', 'Ready', 'SpecIntegrity']) assert.equal(condition(final, type)?.status, 'True', type);
    assert.equal(condition(final, 'Ready')?.reason, 'Full');
    assert.ok(sources.requests.some((r) => r.startsWith('/api/v2/alerts?') && r.includes('active=true') && decodeURIComponent(r).includes(`filter=alertname="${ALERT}"`) && decodeURIComponent(r).includes(`filter=namespace="${ns}"`)));

    // The audit event, as DataStorage's history derivation takes it.
    const events = h.audit.ofType('effectiveness.assessment.completed').filter((x) => x.correlationId === rr);
    assert.equal(events.length, 1);
    const e = events[0];
    assert.equal(e.eventCategory, 'effectiveness');
    assert.equal(e.correlationId, rr);
    assert.deepEqual(e.eventData.remediationTarget, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: ns });
    assert.equal(e.eventData.overallScore, 1);
    assert.equal(e.eventData.assessmentReason, 'full');
    assert.equal(e.eventData.postRemediationSpecHash, expectedHash);

    const ds = await startDataStorage({ clock: new ScaledClock(1) });
    try {
      const posted = await fetch(`${ds.url}/api/v1/audit/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(e) });
      assert.equal(posted.status, 201, await posted.text());
      const res = await fetch(`${ds.url}/api/v1/remediation-history?kind=StatefulSet&name=kv-store&namespace=${ns}`);
      const body = (await res.json()) as { remediations: Array<Record<string, unknown>> };
      assert.equal(body.remediations.length, 1);
      assert.equal(body.remediations[0].remediationId, rr);
      assert.equal(body.remediations[0].effectivenessScore, 1);
      assert.equal(body.remediations[0].assessmentReason, 'full');
      assert.equal(body.remediations[0].postRemediationSpecHash, expectedHash);
    } finally {
      await ds.close();
    }
  } finally {
    await h.stop();
  }
});

test('an alert still firing for the target scores alert 0 (a stale one for a vanished pod is ignored)', async () => {
  const { ns, rr } = await namespaceWithStatefulSet(1);
  sources.scripts.set(ns, { alerts: [{ statefulset: 'kv-store', severity: 'critical' }, { pod: 'kv-store-7' }] });
  await workflowExecution(ns, rr);
  const h = await startEM(ns);
  try {
    const name = await createEA(ns, rr);
    const final = await driveEA(h, ns, name, 'completed', done);
    assert.equal(final.status?.assessmentReason, 'full');
    assert.equal(final.status?.components?.healthScore, 1);
    assert.equal(final.status?.components?.alertScore, 0);
    assert.equal(final.status?.components?.metricsScore, null, 'no metric data: not assessed');
    assert.equal(final.status?.components?.metricsAssessed, false);
    assert.equal(final.status?.overallScore, Math.round((0.4 / 0.75) * 10_000) / 10_000, 'weights renormalised over health and alert');

    sources.scripts.set(ns, { alerts: [{ pod: 'kv-store-7' }] });
    const { rr: rr2 } = { rr: `${rr.slice(0, -1)}z` };
    await workflowExecution(ns, rr2);
    const second = await driveEA(h, ns, await createEA(ns, rr2), 'completed', done);
    assert.equal(second.status?.components?.alertScore, 1, 'only an alert for a pod that no longer exists');
    assert.equal(second.status?.overallScore, 1);
  } finally {
    await h.stop();
  }
});

test('the target\'s spec changed while stabilizing: Completed spec_drift, score 0', async () => {
  const { ns, rr } = await namespaceWithStatefulSet(1);
  await workflowExecution(ns, rr);
  const h = await startEM(ns);
  try {
    const name = await createEA(ns, rr);
    const stabilizing = await driveEA(h, ns, name, 'stabilizing with a hash', (ea) => ea.status?.phase === 'Stabilizing' && ea.status.components?.hashComputed);
    await apps.patchNamespacedStatefulSet({ namespace: ns, name: 'kv-store', body: { spec: { template: { metadata: { annotations: { 'example.com/restarted-at': 'now' } } } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const final = await driveEA(h, ns, name, 'completed', done);
    assert.equal(final.status?.assessmentReason, 'spec_drift');
    assert.equal(final.status?.overallScore, 0);
    assert.notEqual(final.status?.components?.currentSpecHash, stabilizing.status?.components?.postRemediationSpecHash);
    assert.equal(condition(final, 'SpecIntegrity')?.status, 'False');
    assert.equal(condition(final, 'SpecIntegrity')?.reason, 'SpecDrifted');
    assert.equal(completedEvent(h, rr)?.eventData.overallScore, 0);
  } finally {
    await h.stop();
  }
});

test('nothing assessable before the deadline (sources down, a kind without pods): expired, no score', async () => {
  const { ns, rr } = await namespaceWithStatefulSet(1);
  sources.scripts.set(ns, { down: true });
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'settings' }, data: { a: '1' } } });
  await workflowExecution(ns, rr);
  const h = await startEM(ns);
  try {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: ns };
    const name = await createEA(ns, rr, { remediationTarget: cm, signalTarget: cm, config: { stabilizationWindow: '5m', validityWindow: '10m' } });
    const assessing = await driveEA(h, ns, name, 'assessing with sources failing', (ea) => ea.status?.phase === 'Assessing' && /unreachable|answered 503|refused/.test(ea.status.message ?? ''));
    assert.equal(assessing.status?.components?.healthScore, null, 'a ConfigMap has no pods');
    assert.equal(assessing.status?.components?.hashComputed, true, 'a ConfigMap hashes too');
    const final = await driveEA(h, ns, name, 'completed', done);
    assert.equal(final.status?.assessmentReason, 'expired');
    assert.equal(final.status?.overallScore, undefined);
    assert.equal(condition(final, 'Ready')?.reason, 'Expired');
    assert.equal(completedEvent(h, rr)?.eventData.overallScore, null);
  } finally {
    await h.stop();
  }
});

test('no workflow start recorded: Completed no_execution at once', async () => {
  const { ns, rr } = await namespaceWithStatefulSet(1);
  await workflowExecution(ns, rr, false);
  const h = await startEM(ns);
  try {
    const final = await driveEA(h, ns, await createEA(ns, rr), 'completed', done, [], 100);
    assert.equal(final.status?.assessmentReason, 'no_execution');
    assert.equal(final.status?.overallScore, undefined);
    assert.match(final.status?.message ?? '', /never started/);
    assert.equal(completedEvent(h, rr)?.eventData.assessmentReason, 'no_execution');
  } finally {
    await h.stop();
  }
});

test('a controller restarted while stabilizing carries on from the status', async () => {
  const { ns, rr } = await namespaceWithStatefulSet(1);
  await workflowExecution(ns, rr);
  const clock = new ManualClock(Date.now());
  const first = await startEM(ns, clock);
  const name = await createEA(ns, rr);
  const stabilizing = await driveEA(first, ns, name, 'stabilizing', (ea) => ea.status?.phase === 'Stabilizing');
  await first.stop();
  const second = await startEM(ns, clock);
  try {
    const final = await driveEA(second, ns, name, 'completed', done);
    assert.equal(final.status?.assessmentReason, 'full');
    assert.equal(final.status?.overallScore, 1);
    assert.equal(final.status?.components?.postRemediationSpecHash, stabilizing.status?.components?.postRemediationSpecHash);
    assert.equal(final.status?.validityDeadline, stabilizing.status?.validityDeadline);
  } finally {
    await second.stop();
  }
});
