/**
 * The SignalProcessing controller against the real embedded cluster (`kubernaut up`, its own
 * controllers off): the reference namespace and StatefulSet applied, SignalProcessings created by
 * hand as the Orchestrator creates them (`sp-<rr>`), processed to Completed. The reference case,
 * a missing target, a claim that was deleted, and a policy ConfigMap whose changes take effect
 * for the next SignalProcessing (a bad one leaving the previous policy in force).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { installKubernautCrds } from '../../../src/api/install.ts';
import type { SignalProcessing } from '../../../src/api/v1alpha1/index.ts';
import { RecordingAuditSink } from '../../../src/datastorage/client/audit-sink.ts';
import { KubernautClient } from '../../../src/kube/kubernaut-client.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { startSignalProcessingController, type RunningSignalProcessingController } from '../../../src/remediation/signalprocessing/controller.ts';
import { eventually, ROOT, startKubernaut, type RunningKubernaut } from '../../helpers/kubernaut-process.ts';
import { REFERENCE_NAMESPACE_LABELS, signal } from './fixtures.ts';

const SCENARIO = `${ROOT}deploy/demo/scenarios/statefulset-pvc-failure/manifests`;
const NS = 'demo-statefulset';
const POLICY_NS = 'kubernaut-system';
const POLICY_CM = 'kubernaut-signalprocessing-policies';
/** Generous for a machine shared by several test runs; the waits end as soon as the state is there. */
const WAIT_MS = 60_000;

let kubernaut: RunningKubernaut;
let kc: KubeConfig;
let client: KubernautClient;
let controller: RunningSignalProcessingController | undefined;
const audit = new RecordingAuditSink();

before(async () => {
  kubernaut = await startKubernaut({ args: ['--ephemeral', '--no-gateway', '--no-datastorage', '--no-controllers', '--prometheus', 'none', '--kubelet-delays', '0'] });
  kc = new KubeConfig();
  kc.loadFromFile(kubernaut.kubeconfig);
  const clock = new ScaledClock(1);
  await installKubernautCrds(kc, { clock });
  kubernaut.kubectlOk(['apply', '-f', `${SCENARIO}/namespace.yaml`, '-f', `${SCENARIO}/statefulset.yaml`]);
  kubernaut.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: POLICY_NS } }) });
  client = new KubernautClient(kc);
  controller = await startSignalProcessingController({ kubeconfig: kc, clock, audit });
});

after(async () => {
  await controller?.stop();
  await kubernaut?.stop();
});

/** The SignalProcessing the Orchestrator would create for RR `rr`: `sp-<rr>`, a copy of the signal. */
async function createSP(rr: string, target: { apiVersion: string; kind: string; name: string }, severity = 'critical'): Promise<string> {
  const name = `sp-${rr}`;
  const sp: SignalProcessing = {
    metadata: { name, namespace: NS, labels: { 'kubernaut.ai/remediation-request': rr } },
    spec: {
      remediationRequestRef: { name: rr, namespace: NS },
      signal: signal({ severity, targetResource: { ...target, namespace: NS }, receivedTime: new Date().toISOString(), labels: { alertname: 'KubernautStatefulSetReplicasMismatch', namespace: NS } }),
    },
  };
  await client.create('SignalProcessing', sp);
  return name;
}

async function until(name: string, phase: 'Completed' | 'Failed'): Promise<NonNullable<SignalProcessing['status']>> {
  const sp = await eventually(async () => {
    const o = await client.get('SignalProcessing', { namespace: NS, name });
    return o?.status?.phase === phase ? o : undefined;
  }, `${name} ${phase}`, WAIT_MS);
  return sp.status!;
}

const condition = (s: NonNullable<SignalProcessing['status']>, type: string) => s.conditions?.find((c) => c.type === type);

test('reference: Pod kv-store-2 of StatefulSet kv-store, severity critical -> production, critical, P0, reactive', async () => {
  await eventually(() => kubernaut.kubectl(['get', 'pod', 'kv-store-2', '-n', NS]).code === 0, 'pod kv-store-2', WAIT_MS);
  // Every phase is its own write: a watcher sees them all. kubectl lists, then watches from the
  // list's resourceVersion; an SP already there makes the list print a row, so we know when.
  await createSP('rr-watch-start', { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-0' });
  const watch = kubernaut.kubectlBackground(['get', 'sp', '-n', NS, '-w', '-o', 'custom-columns=NAME:.metadata.name,PHASE:.status.phase', '--no-headers']);
  try {
    await eventually(() => watch.output().includes('sp-rr-watch-start'), 'the watch to start', WAIT_MS);
    const name = await createSP('rr-reference', { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2' });
    const s = await until(name, 'Completed');

    assert.deepEqual(s.environmentClassification && [s.environmentClassification.environment, s.environmentClassification.source], ['production', 'namespace-labels']);
    assert.equal(s.severity, 'critical');
    assert.deepEqual(s.priorityAssignment && [s.priorityAssignment.priority, s.priorityAssignment.policyName, s.priorityAssignment.source], ['P0', 'score-based', 'default-policy']);
    assert.equal(s.signalMode, 'reactive');
    assert.equal(s.signalName, 'KubernautStatefulSetReplicasMismatch');
    assert.equal(s.sourceSignalName, 'KubernautStatefulSetReplicasMismatch');
    assert.deepEqual(s.businessClassification, { businessUnit: 'engineering', serviceOwner: 'backend-team', criticality: 'high', slaRequirement: 'tier-1' });
    const ctx = s.kubernetesContext!;
    assert.deepEqual(ctx.ownerChain, [
      { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace: NS },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NS },
    ]);
    assert.deepEqual([ctx.workload?.apiVersion, ctx.workload?.kind, ctx.workload?.name], ['apps/v1', 'StatefulSet', 'kv-store']);
    // kubectl apply put last-applied-configuration on the StatefulSet; SP does not copy it.
    assert.equal(ctx.workload?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], undefined);
    for (const [k, v] of Object.entries(REFERENCE_NAMESPACE_LABELS)) assert.equal(ctx.namespace?.labels?.[k], v);
    assert.equal(ctx.degradedMode, false);
    assert.deepEqual(ctx.customLabels, {});
    assert.match(s.policyHash ?? '', /^[a-f0-9]{64}$/);
    assert.ok(s.startTime && s.completionTime);
    for (const type of ['EnrichmentComplete', 'ClassificationComplete', 'CategorizationComplete', 'ProcessingComplete', 'Ready']) {
      assert.equal(condition(s, type)?.status, 'True', type);
      assert.equal(condition(s, type)?.observedGeneration, 1);
    }
    assert.match(condition(s, 'EnrichmentComplete')!.message, /Pod kv-store-2 -> StatefulSet kv-store; on Node /);
    // The node the pod runs on, in status.kubernetesContext.node.
    const nodeName = kubernaut.kubectlOk(['get', 'pod', 'kv-store-2', '-n', NS, '-o', 'jsonpath={.spec.nodeName}']).trim();
    assert.ok(nodeName);
    assert.equal(ctx.node?.name, nodeName);
    assert.equal(ctx.node?.labels?.['kubernetes.io/hostname'], nodeName);
    assert.ok(ctx.node?.conditions?.some((c) => c.type === 'Ready'));

    const table = kubernaut.kubectlOk(['get', 'sp', name, '-n', NS]);
    assert.match(table, /sp-rr-reference\s+Completed\s+critical\s+production\s+P0/);
    await eventually(() => ['Pending', 'Enriching', 'Classifying', 'Categorizing', 'Completed'].every((p) => new RegExp(`sp-rr-reference\\s+${p}\\b`).test(watch.output())), 'every phase in the watch', WAIT_MS);

    const types = audit.events.filter((e) => e.correlationId === 'rr-reference').map((e) => e.eventType);
    assert.deepEqual(types, ['signalprocessing.enrichment.completed', 'signalprocessing.classification.completed', 'signalprocessing.categorization.completed', 'signalprocessing.phase.completed']);
  } finally {
    watch.stop();
  }
});

test('a target that does not exist: Completed with what is known (the namespace), recorded', async () => {
  const name = await createSP('rr-missing', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'no-such-deployment' }, 'warning');
  const s = await until(name, 'Completed');
  const enriched = condition(s, 'EnrichmentComplete')!;
  assert.deepEqual([enriched.status, enriched.reason], ['True', 'TargetNotFound']);
  assert.match(enriched.message, /Deployment demo-statefulset\/no-such-deployment not found/);
  assert.deepEqual(s.kubernetesContext?.ownerChain, []);
  assert.equal(s.kubernetesContext?.workload, undefined);
  assert.equal(s.kubernetesContext?.degradedMode, false);
  assert.equal(s.environmentClassification?.environment, 'production');
  assert.deepEqual([s.severity, s.priorityAssignment?.priority], ['high', 'P1']);
});

test('a claim that was deleted (and the pod that used it) still maps to StatefulSet kv-store', async () => {
  // Scale down so that nothing recreates data-kv-store-2, then delete the claim for good.
  kubernaut.kubectlOk(['scale', 'statefulset', 'kv-store', '-n', NS, '--replicas=2']);
  await eventually(() => kubernaut.kubectl(['get', 'pod', 'kv-store-2', '-n', NS]).code !== 0, 'pod kv-store-2 gone', WAIT_MS);
  kubernaut.kubectl(['delete', 'pvc', 'data-kv-store-2', '-n', NS, '--wait=false']);
  kubernaut.kubectl(['patch', 'pvc', 'data-kv-store-2', '-n', NS, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  await eventually(() => /NotFound/.test(kubernaut.kubectl(['get', 'pvc', 'data-kv-store-2', '-n', NS]).stderr), 'claim data-kv-store-2 gone', WAIT_MS);

  const claim = await until(await createSP('rr-claim', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: 'data-kv-store-2' }), 'Completed');
  assert.deepEqual(claim.kubernetesContext?.ownerChain, [
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: 'data-kv-store-2', namespace: NS },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NS },
  ]);
  assert.equal(claim.kubernetesContext?.workload?.name, 'kv-store');
  assert.equal(condition(claim, 'EnrichmentComplete')?.reason, 'TargetNotFound');
  assert.match(condition(claim, 'EnrichmentComplete')!.message, /belongs to StatefulSet kv-store by its volumeClaimTemplate data/);
  assert.equal(claim.priorityAssignment?.priority, 'P0');

  const pod = await until(await createSP('rr-claim-pod', { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2' }), 'Completed');
  assert.deepEqual(pod.kubernetesContext?.ownerChain?.map((o) => `${o.kind}/${o.name}`), ['Pod/kv-store-2', 'StatefulSet/kv-store']);
});

async function policyEvents(reason: string): Promise<string[]> {
  const list = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: POLICY_NS });
  return list.items.filter((e) => e.involvedObject.name === POLICY_CM && e.reason === reason).map((e) => e.message ?? '');
}

test('the policy ConfigMap: a new priority policy applies to the next SP; a broken one leaves it in force', async () => {
  const cm = (priorityCel: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: POLICY_CM, namespace: POLICY_NS }, data: { 'priority.cel': priorityCel } });
  kubernaut.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(cm('{"priority": severity == "critical" ? "P2" : "P3", "policyName": "integration-override"}')) });
  await eventually(async () => (await policyEvents('PolicyApplied')).some((m) => m.startsWith('priority.cel')), 'PolicyApplied event', WAIT_MS);

  const overridden = await until(await createSP('rr-policy-1', { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store' }), 'Completed');
  assert.deepEqual([overridden.priorityAssignment?.priority, overridden.priorityAssignment?.policyName, overridden.priorityAssignment?.source], ['P2', 'integration-override', 'configmap-policy']);
  const hashWithOverride = overridden.policyHash;

  kubernaut.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(cm('{"priority": 7}')) });
  await eventually(async () => (await policyEvents('PolicyRejected')).some((m) => m.startsWith('priority.cel rejected')), 'PolicyRejected event', WAIT_MS);

  const afterBad = await until(await createSP('rr-policy-2', { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store' }), 'Completed');
  assert.deepEqual([afterBad.priorityAssignment?.priority, afterBad.priorityAssignment?.policyName], ['P2', 'integration-override']);
  assert.equal(afterBad.policyHash, hashWithOverride);
  assert.match(condition(afterBad, 'ClassificationComplete')!.message, /priority\.cel in ConfigMap kubernaut-system\/kubernaut-signalprocessing-policies was rejected \(.+\); the previous policy is in force/);

  kubernaut.kubectlOk(['delete', 'configmap', POLICY_CM, '-n', POLICY_NS]);
  // The default is back once the deletion is seen; a later SP is classified P0 again.
  await eventually(async () => {
    const rr = `rr-policy-${Date.now()}`;
    const s = await until(await createSP(rr, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store' }), 'Completed');
    return s.priorityAssignment?.policyName === 'score-based' && s.priorityAssignment.priority === 'P0';
  }, 'the default priority policy back', WAIT_MS, 200);
});
