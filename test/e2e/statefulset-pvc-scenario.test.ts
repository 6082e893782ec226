/**
 * Acceptance for the simulated control plane: the reference scenario's first steps, driven with the
 * real kubectl against `kubernaut up`, as an SRE (and the scenario scripts) would.
 * 1. deploy kv-store and wait for `kubectl rollout status`; 2. delete pod, claim and volume, each
 * with its own kubectl; the recreated pod stays Pending while the claim is stuck; 3. deleting the
 * stuck pod lets the cluster heal itself with a new claim and volume.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, ROOT, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';
import { parseExposition, sampleValue } from '../helpers/prometheus-text.ts';
import { SCENARIO_KUBELET_DELAYS } from '../helpers/reference-scenario.ts';

const NS = 'demo-statefulset';
const SCENARIO = join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure');
const MANIFESTS = join(SCENARIO, 'manifests');
let k: RunningKubernaut;

const json = (args: string[]) => JSON.parse(k.kubectlOk([...args, '-o', 'json']));
const pod = (name: string) => {
  const r = k.kubectl(['get', 'pod', name, '-n', NS, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
};
const isReady = (p: any) => (p?.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

async function metrics() {
  const url = JSON.parse(readFileSync(join(k.dataDir, 'endpoints.json'), 'utf8')).kubeStateMetrics as string;
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}
const stsId = { namespace: NS, statefulset: 'kv-store' };

before(async () => {
  k = await startKubernaut({ args: ['--ephemeral', '--no-gateway', '--no-datastorage', '--kubelet-delays', SCENARIO_KUBELET_DELAYS] });
});
after(async () => {
  await k?.stop();
});

test('step 1: kv-store rolls out; 3 pods Running and Ready, claims Bound to provisioned volumes', async () => {
  k.kubectlOk(['apply', '-f', join(MANIFESTS, 'namespace.yaml')]);
  k.kubectlOk(['apply', '-f', join(MANIFESTS, 'statefulset.yaml')]);
  const out = k.kubectlOk(['rollout', 'status', 'statefulset/kv-store', '-n', NS, '--timeout=180s'], { timeoutMs: 190_000 });
  // kubectl says "partitioned" because the server defaults rollingUpdate.partition to 0, as on a real cluster.
  assert.match(out, /partitioned roll out complete: 3 new pods have been updated/);

  const pods = json(['get', 'pods', '-n', NS]).items;
  assert.deepEqual(pods.map((p: any) => p.metadata.name).sort(), ['kv-store-0', 'kv-store-1', 'kv-store-2']);
  for (const p of pods) {
    assert.equal(p.status.phase, 'Running');
    assert.ok(isReady(p), `${p.metadata.name} is Ready`);
    assert.equal(p.spec.nodeName, 'kind-control-plane');
  }
  const claims = json(['get', 'pvc', '-n', NS]).items;
  assert.deepEqual(claims.map((c: any) => c.metadata.name).sort(), ['data-kv-store-0', 'data-kv-store-1', 'data-kv-store-2']);
  for (const c of claims) {
    assert.equal(c.status.phase, 'Bound');
    assert.equal(c.spec.storageClassName, 'standard');
    assert.equal(c.spec.volumeName, `pvc-${c.metadata.uid}`);
    const pv = json(['get', 'pv', c.spec.volumeName]);
    assert.equal(pv.status.phase, 'Bound');
    assert.equal(pv.spec.claimRef.name, c.metadata.name);
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
  }
  const sts = json(['get', 'statefulset', 'kv-store', '-n', NS]);
  assert.equal(sts.status.readyReplicas, 3);
  const m = await metrics();
  assert.equal(sampleValue(m, 'kube_statefulset_status_replicas_ready', stsId), 3);
  assert.equal(sampleValue(m, 'kube_statefulset_status_replicas', stsId), 3);
});

let oldPodUid = '';
let oldPv = '';

test('step 2: deleting pod, claim and volume leaves kv-store-2 Pending and the set 2/3 ready', async () => {
  oldPodUid = pod('kv-store-2').metadata.uid;
  oldPv = k.kubectlOk(['get', 'pvc', 'data-kv-store-2', '-n', NS, '-o', 'jsonpath={.spec.volumeName}']).trim();
  assert.ok(oldPv.startsWith('pvc-'));
  // The scenario's own script: each deletion is its own kubectl process, as an SRE types them.
  const inject = spawnSync('bash', [join(SCENARIO, 'inject-pvc-issue.sh')], { env: { ...process.env, KUBECONFIG: k.kubeconfig, HOME: k.dataDir }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(inject.status, 0, `${inject.stdout}\n${inject.stderr}`);
  assert.match(inject.stdout, new RegExp(`data-kv-store-2 is bound to PV ${oldPv}`));

  const stuck = await eventually(() => {
    const p = pod('kv-store-2');
    return p && p.metadata.uid !== oldPodUid && p;
  }, 'kv-store-2 recreated');
  // The kubelet keeps refusing the claim being deleted: wait until it has retried (the event's
  // count grows with each refusal), then check the pod is still where the first refusal left it.
  await eventually(() => {
    const r = k.kubectl(['get', 'events', '-n', NS, '--field-selector', `involvedObject.name=kv-store-2,reason=FailedMount`, '-o', 'json']);
    return r.code === 0 && JSON.parse(r.stdout).items.some((e: any) => /data-kv-store-2: PVC is being deleted/.test(e.message) && e.count >= 3);
  }, 'FailedMount event, refused three times', 40_000, 250);
  const p = pod('kv-store-2');
  assert.equal(p.metadata.uid, stuck.metadata.uid);
  assert.equal(p.status.phase, 'Pending');
  assert.ok(!isReady(p));
  assert.equal(p.spec.nodeName, 'kind-control-plane');
  assert.equal(p.status.containerStatuses[0].state.waiting.reason, 'ContainerCreating');

  const pvc = json(['get', 'pvc', 'data-kv-store-2', '-n', NS]);
  assert.ok(pvc.metadata.deletionTimestamp, 'claim is Terminating');
  assert.deepEqual(pvc.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  const pv = json(['get', 'pv', oldPv]);
  assert.ok(pv.metadata.deletionTimestamp, 'volume is Terminating');
  assert.deepEqual(pv.metadata.finalizers, ['kubernetes.io/pv-protection']);

  const sts = json(['get', 'statefulset', 'kv-store', '-n', NS]);
  assert.equal(sts.status.readyReplicas, 2);
  assert.equal(sts.status.replicas, 3);
  const m = await metrics();
  assert.equal(sampleValue(m, 'kube_statefulset_status_replicas_ready', stsId), 2);
  assert.equal(sampleValue(m, 'kube_statefulset_status_replicas', stsId), 3);
  assert.equal(sampleValue(m, 'kube_pod_status_phase', { namespace: NS, pod: 'kv-store-2', phase: 'Pending' }), 1);

  const describe = k.kubectlOk(['describe', 'pod', 'kv-store-2', '-n', NS]);
  assert.match(describe, /Status:\s+Pending/);
  assert.match(describe, /FailedMount/);
  assert.match(describe, /error processing PVC demo-statefulset\/data-kv-store-2: PVC is being deleted/);
  const pvcText = k.kubectlOk(['get', 'pvc', 'data-kv-store-2', '-n', NS]);
  assert.match(pvcText, /Terminating/);
  assert.match(k.kubectlOk(['get', 'statefulset', 'kv-store', '-n', NS]), /kv-store\s+2\/3/);
});

test('step 3: deleting the stuck pod heals: new claim, new volume, 3/3 ready', async () => {
  k.kubectlOk(['delete', 'pod', 'kv-store-2', '-n', NS]);
  await eventually(() => {
    const p = pod('kv-store-2');
    return p && isReady(p) && p.status.phase === 'Running';
  }, 'kv-store-2 Running and Ready again', 60_000, 250);
  const pvc = json(['get', 'pvc', 'data-kv-store-2', '-n', NS]);
  assert.equal(pvc.status.phase, 'Bound');
  assert.ok(!pvc.metadata.deletionTimestamp);
  assert.notEqual(pvc.spec.volumeName, oldPv);
  await eventually(() => k.kubectl(['get', 'pv', oldPv]).code !== 0, 'old volume gone');
  k.kubectlOk(['rollout', 'status', 'statefulset/kv-store', '-n', NS, '--timeout=60s'], { timeoutMs: 70_000 });
  const m = await metrics();
  assert.equal(sampleValue(m, 'kube_statefulset_status_replicas_ready', stsId), 3);
});
