/** The everyday kubectl verbs against `kubernaut up`, checked the way an SRE reads the output. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';

let k: RunningKubernaut;
const NS = 'verbs';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${NS}
  labels: { app: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;

const pod = (name: string, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${NS}
  labels: { app: tools }
spec:
  containers:
    - name: main
      image: busybox:1.36
${extra}`;

before(async () => {
  // The API server alone: these tests pin down API semantics (a pod stays Pending, a scheduled pod
  // stays Terminating) that the simulated scheduler and kubelet would move on.
  k = await startKubernaut({ args: ['--ephemeral', '--no-gateway', '--no-datastorage', '--no-control-plane'] });
  k.kubectlOk(['create', 'namespace', NS]);
});
after(async () => {
  await k.stop();
});

test('get prints the columns a real cluster prints', () => {
  k.kubectlOk(['apply', '-f', '-'], { input: pod('p1') });
  const out = k.kubectlOk(['get', 'pods', '-n', NS]);
  const [header, row] = out.trim().split('\n');
  assert.match(header, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
  assert.match(row, /^p1\s+0\/1\s+Pending\s+0\s+\d+s$/);
  const wide = k.kubectlOk(['get', 'pods', '-n', NS, '-o', 'wide']).split('\n')[0];
  assert.match(wide, /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
  assert.equal(k.kubectlOk(['get', 'pod', 'p1', '-n', NS, '-o', 'jsonpath={.spec.containers[0].image}']), 'busybox:1.36');
  const yaml = k.kubectlOk(['get', 'pod', 'p1', '-n', NS, '-o', 'yaml']);
  assert.match(yaml, /kind: Pod/);
  assert.match(yaml, /terminationMessagePath: \/dev\/termination-log/);
  assert.match(k.kubectlOk(['get', 'namespaces']), /^NAME\s+STATUS\s+AGE/);
  assert.match(k.kubectlOk(['get', 'ns', NS]), new RegExp(`${NS}\\s+Active`));
});

test('label, annotate, and selectors', () => {
  k.kubectlOk(['label', 'pod', 'p1', '-n', NS, 'tier=backend']);
  k.kubectlOk(['annotate', 'pod', 'p1', '-n', NS, 'owner=sre']);
  const p = JSON.parse(k.kubectlOk(['get', 'pod', 'p1', '-n', NS, '-o', 'json']));
  assert.equal(p.metadata.labels.tier, 'backend');
  assert.equal(p.metadata.annotations.owner, 'sre');
  assert.match(k.kubectlOk(['get', 'pods', '-n', NS, '-l', 'tier=backend', '-o', 'name']), /pod\/p1/);
  assert.equal(k.kubectlOk(['get', 'pods', '-n', NS, '-l', 'tier=frontend', '-o', 'name']).trim(), '');
  assert.match(k.kubectlOk(['get', 'pods', '-n', NS, '--field-selector', 'status.phase=Pending', '-o', 'name']), /pod\/p1/);
  k.kubectlOk(['label', 'pod', 'p1', '-n', NS, 'tier-']);
  assert.equal(JSON.parse(k.kubectlOk(['get', 'pod', 'p1', '-n', NS, '-o', 'json'])).metadata.labels.tier, undefined);
  const overwrite = k.kubectl(['label', 'pod', 'p1', '-n', NS, 'app=other']);
  assert.notEqual(overwrite.code, 0, 'label without --overwrite must refuse to change an existing label');
});

test('patch with strategic, merge and json types, and on the status subresource', () => {
  k.kubectlOk(['apply', '-f', '-'], { input: deployment });
  k.kubectlOk(['patch', 'deployment', 'web', '-n', NS, '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}']);
  let d = JSON.parse(k.kubectlOk(['get', 'deploy', 'web', '-n', NS, '-o', 'json']));
  assert.equal(d.spec.template.spec.containers.length, 1);
  assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.28');
  k.kubectlOk(['patch', 'deployment', 'web', '-n', NS, '--type=merge', '-p', '{"metadata":{"labels":{"patched":"merge"}}}']);
  k.kubectlOk(['patch', 'deployment', 'web', '-n', NS, '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":4}]']);
  d = JSON.parse(k.kubectlOk(['get', 'deploy', 'web', '-n', NS, '-o', 'json']));
  assert.equal(d.metadata.labels.patched, 'merge');
  assert.equal(d.spec.replicas, 4);
  // Status is its own subresource: the main resource ignores status, the subresource ignores spec.
  k.kubectlOk(['patch', 'deployment', 'web', '-n', NS, '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":4,"readyReplicas":3},"spec":{"replicas":9}}']);
  d = JSON.parse(k.kubectlOk(['get', 'deploy', 'web', '-n', NS, '-o', 'json']));
  assert.equal(d.status.readyReplicas, 3);
  assert.equal(d.spec.replicas, 4);
  k.kubectlOk(['patch', 'deployment', 'web', '-n', NS, '--type=merge', '-p', '{"status":{"readyReplicas":0}}']);
  assert.equal(JSON.parse(k.kubectlOk(['get', 'deploy', 'web', '-n', NS, '-o', 'json'])).status.readyReplicas, 3);
  const bad = k.kubectl(['patch', 'deployment', 'web', '-n', NS, '--type=json', '-p', '[{"op":"replace","path":"/spec/nope/x","value":1}]']);
  assert.notEqual(bad.code, 0);
});

test('scale uses the scale subresource and bumps generation', () => {
  const gen = Number(k.kubectlOk(['get', 'deploy', 'web', '-n', NS, '-o', 'jsonpath={.metadata.generation}']));
  assert.match(k.kubectlOk(['scale', 'deployment', 'web', '-n', NS, '--replicas=1']), /deployment.apps\/web scaled/);
  assert.equal(k.kubectlOk(['get', 'deploy', 'web', '-n', NS, '-o', 'jsonpath={.spec.replicas}']), '1');
  assert.equal(Number(k.kubectlOk(['get', 'deploy', 'web', '-n', NS, '-o', 'jsonpath={.metadata.generation}'])), gen + 1);
  const stale = k.kubectl(['scale', 'deployment', 'web', '-n', NS, '--replicas=2', '--resource-version=1']);
  assert.notEqual(stale.code, 0);
  assert.match(stale.stderr, /modified|conflict|Expected resource version/i);
});

test('describe tells the story of an object', () => {
  const out = k.kubectlOk(['describe', 'deployment', 'web', '-n', NS]);
  assert.match(out, /Name:\s+web/);
  assert.match(out, /Namespace:\s+verbs/);
  assert.match(out, /Replicas:/);
  assert.match(k.kubectlOk(['describe', 'pod', 'p1', '-n', NS]), /Status:\s+Pending/);
});

test('explain and api-resources describe the served kinds', () => {
  const explain = k.kubectlOk(['explain', 'pods.spec.containers']);
  assert.match(explain, /KIND:\s+Pod/);
  assert.match(explain, /image\s+<string>/);
  const sts = k.kubectlOk(['explain', 'statefulset.spec.volumeClaimTemplates']);
  assert.match(sts, /StatefulSet/);
  const res = k.kubectlOk(['api-resources']);
  assert.match(res, /statefulsets\s+sts\s+apps\/v1\s+true\s+StatefulSet/);
  assert.match(res, /persistentvolumeclaims\s+pvc\s+v1\s+true\s+PersistentVolumeClaim/);
  assert.match(res, /customresourcedefinitions\s+crd,crds\s+apiextensions.k8s.io\/v1\s+false\s+CustomResourceDefinition/);
  assert.match(k.kubectlOk(['api-versions']), /apps\/v1/);
});

test('wait for a condition and for deletion', async () => {
  k.kubectlOk(['apply', '-f', '-'], { input: pod('p2') });
  const waiter = k.kubectlBackground(['wait', '--for=condition=Ready', 'pod/p2', '-n', NS, '--timeout=20s']);
  await new Promise((r) => setTimeout(r, 500));
  k.kubectlOk(['patch', 'pod', 'p2', '-n', NS, '--subresource=status', '--type=merge', '-p', '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}']);
  const code = await new Promise<number | null>((resolve) => waiter.proc.on('exit', resolve));
  assert.equal(code, 0, waiter.output());
  assert.match(waiter.output(), /pod\/p2 condition met/);
  const gone = k.kubectlBackground(['wait', '--for=delete', 'pod/p2', '-n', NS, '--timeout=20s']);
  await new Promise((r) => setTimeout(r, 300));
  k.kubectlOk(['delete', 'pod', 'p2', '-n', NS]);
  assert.equal(await new Promise((resolve) => gone.proc.on('exit', resolve)), 0, gone.output());
});

test('delete: force with grace 0, a scheduled pod stays Terminating until its kubelet confirms', async () => {
  k.kubectlOk(['apply', '-f', '-'], { input: pod('p3', '  nodeName: kind-control-plane\n') });
  const graceful = k.kubectl(['delete', 'pod', 'p3', '-n', NS, '--wait=false']);
  assert.equal(graceful.code, 0, graceful.stderr);
  const p = JSON.parse(k.kubectlOk(['get', 'pod', 'p3', '-n', NS, '-o', 'json']));
  assert.ok(p.metadata.deletionTimestamp);
  assert.equal(p.metadata.deletionGracePeriodSeconds, 30);
  assert.match(k.kubectlOk(['get', 'pod', 'p3', '-n', NS]), /Terminating/);
  const forced = k.kubectl(['delete', 'pod', 'p3', '-n', NS, '--grace-period=0', '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stderr, /Immediate deletion does not wait for confirmation/);
  await eventually(() => k.kubectl(['get', 'pod', 'p3', '-n', NS]).code !== 0, 'pod p3 gone');
  assert.match(k.kubectl(['get', 'pod', 'p3', '-n', NS]).stderr, /pods "p3" not found/);
});

test('cascading deletes: background, foreground and orphan', async () => {
  const owner = JSON.parse(k.kubectlOk(['create', 'configmap', 'owner', '-n', NS, '-o', 'json']));
  const dependent = (name: string, o = owner) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${NS}
  ownerReferences:
    - apiVersion: v1
      kind: ConfigMap
      name: ${o.metadata.name}
      uid: ${o.metadata.uid}
      blockOwnerDeletion: true
`;
  k.kubectlOk(['apply', '-f', '-'], { input: dependent('dep-bg') });
  k.kubectlOk(['delete', 'configmap', 'owner', '-n', NS]);
  await eventually(() => k.kubectl(['get', 'cm', 'dep-bg', '-n', NS]).code !== 0, 'background dependent collected');

  const owner2 = JSON.parse(k.kubectlOk(['create', 'configmap', 'owner2', '-n', NS, '-o', 'json']));
  k.kubectlOk(['apply', '-f', '-'], { input: dependent('dep-fg', owner2) });
  const fg = k.kubectl(['delete', 'configmap', 'owner2', '-n', NS, '--cascade=foreground', '--timeout=20s']);
  assert.equal(fg.code, 0, fg.stderr);
  assert.notEqual(k.kubectl(['get', 'cm', 'dep-fg', '-n', NS]).code, 0, 'foreground deletion removes the dependent first');
  assert.notEqual(k.kubectl(['get', 'cm', 'owner2', '-n', NS]).code, 0);

  const owner3 = JSON.parse(k.kubectlOk(['create', 'configmap', 'owner3', '-n', NS, '-o', 'json']));
  k.kubectlOk(['apply', '-f', '-'], { input: dependent('dep-orphan', owner3) });
  k.kubectlOk(['delete', 'configmap', 'owner3', '-n', NS, '--cascade=orphan']);
  await eventually(() => k.kubectl(['get', 'cm', 'owner3', '-n', NS]).code !== 0, 'orphaning owner gone');
  const orphan = JSON.parse(k.kubectlOk(['get', 'cm', 'dep-orphan', '-n', NS, '-o', 'json']));
  assert.equal(orphan.metadata.ownerReferences, undefined);
});

test('finalizers hold an object in Terminating until removed', async () => {
  k.kubectlOk(['apply', '-f', '-'], { input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  namespace: ${NS}\n  finalizers: [example.com/hold]\n` });
  k.kubectlOk(['delete', 'cm', 'held', '-n', NS, '--wait=false']);
  const held = JSON.parse(k.kubectlOk(['get', 'cm', 'held', '-n', NS, '-o', 'json']));
  assert.ok(held.metadata.deletionTimestamp);
  k.kubectlOk(['patch', 'cm', 'held', '-n', NS, '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
  await eventually(() => k.kubectl(['get', 'cm', 'held', '-n', NS]).code !== 0, 'finalized object removed');
});

test('namespace deletion empties the namespace before the namespace goes', async () => {
  k.kubectlOk(['create', 'namespace', 'doomed']);
  k.kubectlOk(['create', 'configmap', 'c1', '-n', 'doomed']);
  k.kubectlOk(['apply', '-f', '-'], { input: pod('p9').replace(`namespace: ${NS}`, 'namespace: doomed') });
  await eventually(() => k.kubectl(['get', 'sa', 'default', '-n', 'doomed']).code === 0, 'default service account');
  const del = k.kubectl(['delete', 'namespace', 'doomed', '--timeout=30s']);
  assert.equal(del.code, 0, del.stderr);
  assert.notEqual(k.kubectl(['get', 'ns', 'doomed']).code, 0);
  const created = k.kubectl(['create', 'configmap', 'c2', '-n', 'doomed']);
  assert.notEqual(created.code, 0);
  assert.match(created.stderr, /namespaces "doomed" not found/);
});

test('create with generateName and dry-run', () => {
  const made = JSON.parse(k.kubectlOk(['create', '-f', '-', '-o', 'json'], { input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: gen-\n  namespace: ${NS}\n` }));
  assert.match(made.metadata.name, /^gen-[a-z0-9]{5}$/);
  const dry = k.kubectlOk(['create', 'configmap', 'dry', '-n', NS, '--dry-run=server', '-o', 'json']);
  assert.equal(JSON.parse(dry).metadata.name, 'dry');
  assert.notEqual(k.kubectl(['get', 'cm', 'dry', '-n', NS]).code, 0, 'dry run stores nothing');
});
