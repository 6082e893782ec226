import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, NODES, PODS } from '../../src/cluster/client/resources.ts';
import { EmbeddedCluster } from '../../src/cluster/embedded-cluster.ts';
import { ScaledClock } from '../../src/platform/clock.ts';
import { eventually } from '../helpers/kubernaut-process.ts';

const WORKER = 'kind-worker';
let cluster: EmbeddedCluster;

before(async () => {
  cluster = await EmbeddedCluster.start({
    clock: new ScaledClock(20),
    controlPlane: { nodes: [{ name: 'kind-control-plane' }, { name: WORKER, labels: { pool: 'batch' } }], kubelet: { imagePullMs: 50, containerStartMs: 50, volumeMountMs: 50 } },
  });
});
after(async () => cluster?.close());

const condition = (obj: any, type: string) => (obj.status?.conditions ?? []).find((c: any) => c.type === type);

test('a node whose kubelet stops goes Unknown, gets the unreachable taints and its pods go not Ready; a restarted kubelet brings it back', async () => {
  const client = cluster.client('test');
  await client.create(PODS, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'on-worker', namespace: 'default' },
    spec: { nodeSelector: { pool: 'batch' }, containers: [{ name: 'app', image: 'nginx:1.27' }] },
  });
  await eventually(async () => condition(await client.get(PODS, 'default', 'on-worker'), 'Ready')?.status === 'True', 'pod Ready on the worker', 30_000);

  cluster.stopKubelet(WORKER);
  const node = await eventually(async () => {
    const n = await client.get(NODES, undefined, WORKER);
    return condition(n, 'Ready')?.status === 'Unknown' && n;
  }, 'worker Ready Unknown', 30_000);
  const ready = condition(node, 'Ready');
  assert.equal(ready.reason, 'NodeStatusUnknown');
  assert.equal(ready.message, 'Kubelet stopped posting node status.');
  for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) assert.equal(condition(node, type).status, 'Unknown');
  const taints = await eventually(async () => {
    const t = (await client.get(NODES, undefined, WORKER)).spec?.taints ?? [];
    return t.length === 2 && t;
  }, 'unreachable taints');
  assert.deepEqual(taints.map((t: any) => `${t.key}:${t.effect}`).sort(), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
  await eventually(async () => condition(await client.get(PODS, 'default', 'on-worker'), 'Ready')?.status === 'False', 'pod not Ready');
  await eventually(async () => (await client.list(EVENTS, 'default')).items.some((e) => e.reason === 'NodeNotReady' && e.involvedObject?.name === 'on-worker'), 'NodeNotReady event on the pod');

  // The node whose kubelet runs is untouched.
  assert.equal(condition(await client.get(NODES, undefined, 'kind-control-plane'), 'Ready').status, 'True');

  await cluster.startKubelet(WORKER);
  await eventually(async () => {
    const n = await client.get(NODES, undefined, WORKER);
    return condition(n, 'Ready')?.status === 'True' && !(n.spec?.taints ?? []).length;
  }, 'worker Ready again without taints', 30_000);
});

test('a running kubelet is never marked Unknown, however long the cluster runs', async () => {
  const client = cluster.client('test');
  const startedAt = Date.now();
  // 60 s of nominal time at scale 20 (more than the 50 s grace period): the heartbeats keep it Ready.
  await eventually(() => Date.now() - startedAt > 3_000, 'three real seconds', 10_000);
  assert.equal(condition(await client.get(NODES, undefined, 'kind-control-plane'), 'Ready').status, 'True');
  assert.throws(() => cluster.stopKubelet('no-such-node'), /no simulated node named no-such-node/);
});
