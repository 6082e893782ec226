/**
 * Steps about the cluster side of the scenario: the stack, the workload, the fault and the alert.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import { eventually } from '../../helpers/kubernaut-process.ts';
import {
  applyManifest, ensureDeployed, ensureInjected, ensureRR, injectFault, podsReady, recreatedPod, rollout, WAIT,
} from '../support/story.ts';
import { isReady, NS, SIGNAL, STATEFULSET, story, type KubernautWorld } from '../support/world.ts';

Given('the Kubernaut stack is running', function (this: KubernautWorld) {
  // As a user checks it: every component of the `kubernaut up` on the data dir is ready.
  const r = this.kubernautCli(['wait', '--data-dir', this.stack.dataDir, '--timeout', '60s']);
  assert.equal(r.code, 0, `kubernaut wait: ${r.stderr}${r.stdout}`);
});

Given('kubectl reaches its cluster', function (this: KubernautWorld) {
  const out = this.kubectlOk(['get', 'nodes', '-o', 'jsonpath={.items[*].metadata.name}']);
  assert.match(out, /kind-control-plane/);
});

When('I apply the manifests namespace.yaml and statefulset.yaml', function (this: KubernautWorld) {
  applyManifest(this, 'namespace.yaml');
  applyManifest(this, 'statefulset.yaml');
});

When('I wait for {string}', function (this: KubernautWorld, command: string) {
  assert.equal(command, `kubectl rollout status statefulset/${STATEFULSET}`);
  assert.match(rollout(this), /roll out complete: 3 new pods have been updated/);
});

When('I apply the alert rule prometheus-rule.yaml', function (this: KubernautWorld) {
  applyManifest(this, 'prometheus-rule.yaml');
});

Then('the StatefulSet kv-store has {int} replicas and a volumeClaimTemplate {string}', function (this: KubernautWorld, replicas: number, template: string) {
  const sts = this.getJson('statefulset', STATEFULSET)!;
  assert.equal(sts.spec.replicas, replicas);
  assert.deepEqual(sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name), [template]);
});

Then('pods kv-store-0, kv-store-1 and kv-store-2 are Running and Ready', function (this: KubernautWorld) {
  podsReady(this);
});

Then('claims data-kv-store-0, data-kv-store-1 and data-kv-store-2 are Bound to provisioned volumes', function (this: KubernautWorld) {
  for (const i of [0, 1, 2]) {
    const claim = this.getJson('pvc', `data-${STATEFULSET}-${i}`);
    assert.ok(claim, `claim data-${STATEFULSET}-${i} exists`);
    assert.equal(claim.status.phase, 'Bound');
    const pv = this.getJson('pv', claim.spec.volumeName, undefined);
    assert.ok(pv, `volume ${claim.spec.volumeName} exists`);
    assert.equal(pv.status.phase, 'Bound');
    assert.equal(pv.spec.claimRef.name, claim.metadata.name);
  }
});

Given('kv-store runs 3 Ready replicas with the alert rule applied', function (this: KubernautWorld) {
  ensureDeployed(this);
  podsReady(this);
  assert.ok(this.getJson('prometheusrule', 'kubernaut-statefulset-rules'), 'the PrometheusRule exists');
});

When('I run inject-pvc-issue.sh', async function (this: KubernautWorld) {
  await injectFault(this);
});

Then('pod kv-store-2 is recreated and stays Pending', async function (this: KubernautWorld) {
  const pod = await recreatedPod(this);
  story.stuckPodUid = pod.metadata.uid;
  assert.equal(pod.status?.phase, 'Pending');
  assert.ok(!isReady(pod));
});

Then('the kubelet refuses to mount claim data-kv-store-2 because it is being deleted', async function (this: KubernautWorld) {
  // The kubelet retries; two refusals show the pod stays where the first one left it.
  await eventually(() => {
    const r = this.kubectl(['get', 'events', '-n', NS, '--field-selector', `involvedObject.name=${STATEFULSET}-2,reason=FailedMount`, '-o', 'json']);
    return r.code === 0 && JSON.parse(r.stdout).items.some((e: any) => /data-kv-store-2: PVC is being deleted/.test(e.message) && e.count >= 2);
  }, 'FailedMount "PVC is being deleted", twice', WAIT.cluster, 250);
  const pod = this.getJson('pod', `${STATEFULSET}-2`)!;
  assert.equal(pod.metadata.uid, story.stuckPodUid);
  assert.equal(pod.status.phase, 'Pending');
  assert.ok(this.getJson('pvc', `data-${STATEFULSET}-2`)?.metadata.deletionTimestamp, 'the claim is Terminating');
});

Then('the StatefulSet kv-store reports {int} of {int} replicas ready', async function (this: KubernautWorld, ready: number, replicas: number) {
  await eventually(() => {
    const sts = this.getJson('statefulset', STATEFULSET);
    return (sts?.status?.readyReplicas ?? 0) === ready && sts?.status?.replicas === replicas;
  }, `kv-store ${ready}/${replicas} ready`, WAIT.cluster, 250);
});

Given('kv-store-2 is stuck Pending without its claim', async function (this: KubernautWorld) {
  await ensureInjected(this);
  const pod = this.getJson('pod', `${STATEFULSET}-2`);
  // Once Kubernaut has healed it the pod is Running again: the story has moved on, which is fine.
  if (!story.rr) assert.equal(pod?.status?.phase, 'Pending');
});

When('the alert KubernautStatefulSetReplicasMismatch fires', async function (this: KubernautWorld) {
  const url = `${this.endpoint('prometheus')}/api/v1/alerts`;
  const alert = await eventually(async () => {
    const body = (await (await fetch(url)).json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string; activeAt: string }> } };
    return body.data.alerts.find((a) => a.labels.alertname === SIGNAL && a.labels.namespace === NS && a.state === 'firing');
  }, `${SIGNAL} firing in ${url}`, WAIT.pipeline, 250);
  story.alert = { activeAt: alert.activeAt, firingSeenAt: Date.now() };
});

Then('it fired only after being pending for its {string} window of {word}, scaled to the stack\'s time', async function (this: KubernautWorld, _for: string, window: string) {
  const rule = this.getJson('prometheusrule', 'kubernaut-statefulset-rules')!;
  const declared = rule.spec.groups[0].rules.find((r: any) => r.alert === SIGNAL).for;
  assert.equal(declared, window, 'the rule declares the window the scenario describes');
  const windowMs = Number(/^(\d+)m$/.exec(window)![1]) * 60_000;
  const activeAt = Date.parse(story.alert!.activeAt);
  // The alert became pending because of the fault (not before it), and the Gateway heard of it
  // only once it had been pending for the whole window at the stack's time scale.
  assert.ok(activeAt >= story.injectedAt! - 1_000, `pending since ${story.alert!.activeAt}, after the fault at ${new Date(story.injectedAt!).toISOString()}`);
  const rr = await ensureRR(this);
  const received = Date.parse(this.getJson('remediationrequest', rr)!.spec.receivedTime);
  const scaledMs = windowMs / story.timeScale;
  assert.ok(received - activeAt >= scaledMs, `received ${received - activeAt} ms after pending began; the window is ${scaledMs} ms at time scale ${story.timeScale}`);
});

Then('the Gateway created a RemediationRequest for StatefulSet kv-store from it', async function (this: KubernautWorld) {
  const rr = this.getJson('remediationrequest', await ensureRR(this))!;
  assert.equal(rr.spec.signalName, SIGNAL);
  assert.deepEqual({ kind: rr.spec.targetResource.kind, name: rr.spec.targetResource.name, namespace: rr.spec.targetResource.namespace }, { kind: 'StatefulSet', name: STATEFULSET, namespace: NS });
  assert.equal(rr.metadata.labels['app.kubernetes.io/managed-by'], 'kubernaut-gateway');
});
