/**
 * workflows/fix-statefulset-pvc-v1/remediate.sh against the claim faults it is written for, run as
 * its own ServiceAccount (rbac.yaml) in the embedded cluster: afterwards the set is 3/3 Ready, the
 * claim Bound and the pod Running; bad input exits 2 and a healthy set exits 0 untouched.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { eventually, ROOT } from '../helpers/kubernaut-process.ts';
import { describeRun, isReady, startWorkflowCluster, summaryOf, type WorkflowCluster } from './harness.ts';

const ID = 'fix-statefulset-pvc-v1';
const SCENARIO = join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure');
const NS = 'demo-statefulset';
let w: WorkflowCluster;

before(async () => {
  w = await startWorkflowCluster();
});
after(async () => {
  await w?.close();
});

async function assertHealed(ns: string, sts: string, claim: string, pod: string): Promise<void> {
  const set = await w.getJson(['get', 'statefulset', sts, '-n', ns]);
  assert.equal(set.status.readyReplicas, 3);
  const pvc = await w.getJson(['get', 'pvc', claim, '-n', ns]);
  assert.equal(pvc.status.phase, 'Bound');
  assert.equal(pvc.metadata.deletionTimestamp, undefined);
  const p = await w.getJson(['get', 'pod', pod, '-n', ns]);
  assert.equal(p.status.phase, 'Running');
  assert.ok(isReady(p), `${pod} is Ready`);
}

const stepLines = (stdout: string) => stdout.trimEnd().split('\n').map((l) => l.split(':')[0]);

test('reference fault: pod, claim and volume of replica 2 deleted while the kubelet mounts -> healed', async () => {
  await w.kubectlOk(['apply', '-f', join(SCENARIO, 'manifests/namespace.yaml'), '-f', join(SCENARIO, 'manifests/statefulset.yaml')]);
  await w.kubectlOk(['rollout', 'status', 'statefulset/kv-store', '-n', NS, '--timeout=240s'], { timeoutMs: 250_000 });
  const oldClaimUid = (await w.getJson(['get', 'pvc', 'data-kv-store-2', '-n', NS])).metadata.uid;

  const injected = await w.runAsAdmin('bash', [join(SCENARIO, 'inject-pvc-issue.sh')]);
  assert.equal(injected.code, 0, describeRun(injected));
  // The fault as the scenario leaves it: the claim Terminating, the recreated pod unable to mount it.
  await eventually(async () => {
    const pvc = await w.getJson(['get', 'pvc', 'data-kv-store-2', '-n', NS]);
    const ev = await w.getJson(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=kv-store-2,reason=FailedMount']);
    return pvc?.metadata.uid === oldClaimUid && pvc.metadata.deletionTimestamp && ev?.items.some((e: any) => /PVC is being deleted/.test(e.message));
  }, 'kv-store-2 stuck on the Terminating claim', 60_000, 250);
  assert.equal((await w.getJson(['get', 'statefulset', 'kv-store', '-n', NS])).status.readyReplicas, 2);

  const r = await w.runWorkflow(ID, { TARGET_NAMESPACE: NS, TARGET_STATEFULSET: 'kv-store' });
  assert.equal(r.code, 0, describeRun(r));
  assert.deepEqual(stepLines(r.stdout), ['inputs', 'validate', 'find-claim', 'terminating', 'ensure-claim', 'restart-pod', 'verify', 'summary']);
  assert.match(r.stdout, /find-claim: claim data-kv-store-2 is Terminating/);
  assert.match(summaryOf(r), /^summary: healed statefulset demo-statefulset\/kv-store: claim data-kv-store-2 .* 3\/3 ready$/);
  await assertHealed(NS, 'kv-store', 'data-kv-store-2', 'kv-store-2');
  assert.notEqual((await w.getJson(['get', 'pvc', 'data-kv-store-2', '-n', NS])).metadata.uid, oldClaimUid);
});

test('nothing to do: a healthy set exits 0 and is left alone (re-running after success is harmless)', async () => {
  const before = (await w.getJson(['get', 'pod', 'kv-store-2', '-n', NS])).metadata.uid;
  const r = await w.runWorkflow(ID, { TARGET_RESOURCE: `${NS}/StatefulSet/kv-store` });
  assert.equal(r.code, 0, describeRun(r));
  assert.equal(summaryOf(r), 'summary: nothing to do: statefulset demo-statefulset/kv-store has 3/3 replicas ready');
  assert.equal((await w.getJson(['get', 'pod', 'kv-store-2', '-n', NS])).metadata.uid, before);
});

test('invalid input exits 2 with a message and touches nothing', async () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{}, /TARGET_NAMESPACE and TARGET_STATEFULSET are required/],
    [{ TARGET_RESOURCE: `${NS}/Deployment/kv-store` }, /are required/],
    [{ TARGET_NAMESPACE: NS, TARGET_STATEFULSET: '--all' }, /is not a StatefulSet name/],
    [{ TARGET_NAMESPACE: NS, TARGET_STATEFULSET: 'no-such-set' }, /statefulset demo-statefulset\/no-such-set not found/],
    [{ TARGET_NAMESPACE: NS, TARGET_STATEFULSET: 'kv-store', VERIFY_TIMEOUT_SECONDS: '5m' }, /VERIFY_TIMEOUT_SECONDS='5m' is not a whole number/],
  ];
  for (const [env, message] of cases) {
    const r = await w.runWorkflow(ID, env);
    assert.equal(r.code, 2, `${JSON.stringify(env)}: ${describeRun(r)}`);
    assert.match(summaryOf(r), message);
  }
  // A named claim must be one of the set's own (checked once the set is known to be unhealthy).
  await w.kubectlOk(['create', 'namespace', 'wf-input']);
  await w.kubectlOk(['apply', '-n', 'wf-input', '-f', '-'], { input: ledgerManifests('wf-input', 'fast-ssd-retired') });
  await waitBrokenLedger('wf-input');
  for (const claim of ['data-other-2', 'data-ledger-db-3', 'data-ledger-db-02']) {
    const r = await w.runWorkflow(ID, { TARGET_NAMESPACE: 'wf-input', TARGET_STATEFULSET: 'ledger-db', TARGET_PVC: claim });
    assert.equal(r.code, 2, `${claim}: ${describeRun(r)}`);
    assert.match(summaryOf(r), /is not <template>-ledger-db-<ordinal>/);
  }
  assert.equal((await w.getJson(['get', 'pvc', 'data-ledger-db-2', '-n', 'wf-input'])).spec.storageClassName, 'fast-ssd-retired', 'untouched');
});

test('claim Pending on a StorageClass that does not exist -> rebuilt from the template, healed', async () => {
  await w.kubectlOk(['create', 'namespace', 'wf-ledger']);
  await w.kubectlOk(['apply', '-n', 'wf-ledger', '-f', '-'], { input: ledgerManifests('wf-ledger', 'fast-ssd-retired') });
  await waitBrokenLedger('wf-ledger');
  const r = await w.runWorkflow(ID, { TARGET_NAMESPACE: 'wf-ledger', TARGET_STATEFULSET: 'ledger-db', TARGET_PVC: 'data-ledger-db-2' });
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stdout, /find-claim: claim data-ledger-db-2 is Pending \(storageClass fast-ssd-retired\); stuck pod ledger-db-2/);
  assert.match(r.stdout, /unusable: deleted claim data-ledger-db-2 \(was Pending, storageClass fast-ssd-retired\)/);
  await assertHealed('wf-ledger', 'ledger-db', 'data-ledger-db-2', 'ledger-db-2');
  const pvc = await w.getJson(['get', 'pvc', 'data-ledger-db-2', '-n', 'wf-ledger']);
  assert.equal(pvc.spec.storageClassName, 'standard', 'the cluster default, as the template has none');
  assert.equal(pvc.metadata.labels.app, 'ledger-db');
});

test('missing claim (found by the scan, recreated by the script or the StatefulSet controller) -> healed', async () => {
  // A claim deleted under an unscheduled pod is gone at once; the StatefulSet controller recreates
  // it for the Pending pod concurrently with the script, which must accept either.
  await w.kubectlOk(['create', 'namespace', 'wf-missing']);
  await w.kubectlOk(['apply', '-n', 'wf-missing', '-f', '-'], { input: ledgerManifests('wf-missing', 'fast-ssd-retired') });
  await waitBrokenLedger('wf-missing');
  await w.kubectlOk(['delete', 'pvc', 'data-ledger-db-2', '-n', 'wf-missing', '--wait=false']);
  const r = await w.runWorkflow(ID, { TARGET_NAMESPACE: 'wf-missing', TARGET_STATEFULSET: 'ledger-db' });
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stdout, /find-claim: claim data-ledger-db-2 is /);
  assert.match(r.stdout, /ensure-claim: claim data-ledger-db-2 (created|already recreated)/);
  await assertHealed('wf-missing', 'ledger-db', 'data-ledger-db-2', 'ledger-db-2');
});

test('a set whose replicas are not ready for another reason: exit 1 "no broken claim"', async () => {
  await w.kubectlOk(['create', 'namespace', 'wf-other']);
  await w.kubectlOk(['apply', '-n', 'wf-other', '-f', '-'], { input: ledgerManifests('wf-other', undefined, 'fail') });
  await eventually(async () => (await w.getJson(['get', 'pvc', 'data-ledger-db-0', '-n', 'wf-other']))?.status?.phase === 'Bound', 'first claim Bound', 120_000, 250);
  const r = await w.runWorkflow(ID, { TARGET_NAMESPACE: 'wf-other', TARGET_STATEFULSET: 'ledger-db' });
  assert.equal(r.code, 1, describeRun(r));
  assert.equal(summaryOf(r), 'summary: no broken claim; replicas are not ready for another reason');
});

/**
 * The eval fixture's ledger-db (statefulset-claim-missing-storageclass): replica 2's claim was made
 * by hand with `badClass`; `readiness: fail` instead keeps replica 0 unready with healthy claims.
 */
function ledgerManifests(ns: string, badClass: string | undefined, readiness: 'pass' | 'fail' = 'pass'): string {
  const claim = badClass
    ? `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data-ledger-db-2, namespace: ${ns}, labels: {app: ledger-db}}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ${badClass}
  resources: {requests: {storage: 200Mi}}
---
`
    : '';
  return `${claim}apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ledger-db, namespace: ${ns}, labels: {app: ledger-db}}
spec:
  serviceName: ledger-db
  replicas: 3
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: ledger-db}}
  template:
    metadata:
      labels: {app: ledger-db}
      annotations:
        sim.kubernaut.ai/behavior: '{"*": {"readiness": "${readiness}"}}'
    spec:
      containers:
        - name: postgres
          image: postgres:16-alpine
          readinessProbe: {exec: {command: [pg_isready]}, periodSeconds: 1}
          volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
  volumeClaimTemplates:
    - metadata: {name: data, labels: {app: ledger-db}}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 200Mi}}
`;
}

async function waitBrokenLedger(ns: string): Promise<void> {
  await eventually(async () => {
    const set = await w.getJson(['get', 'statefulset', 'ledger-db', '-n', ns]);
    const pod = await w.getJson(['get', 'pod', 'ledger-db-2', '-n', ns]);
    return set?.status?.readyReplicas === 2 && pod?.status?.phase === 'Pending';
  }, `${ns}: ledger-db 2/3 with ledger-db-2 Pending`, 120_000, 250);
}
