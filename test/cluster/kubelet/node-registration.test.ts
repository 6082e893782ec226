import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LEASES, NODES } from '../../../src/cluster/client/resources.ts';
import { Kubelet } from '../../../src/cluster/kubelet/kubelet.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';
import { startTestCluster } from '../../helpers/test-cluster.ts';
import { eventsFor, NODE, startKubeletCluster, TIMINGS } from './helpers.ts';

test('the kubelet registers a kind-like node with status, lease and events', async () => {
  const t = await startKubeletCluster();
  try {
    const node = await t.client.get(NODES, undefined, NODE);
    const labels = node.metadata.labels!;
    assert.equal(labels['kubernetes.io/hostname'], NODE);
    assert.equal(labels['kubernetes.io/os'], 'linux');
    assert.equal(labels['beta.kubernetes.io/os'], 'linux');
    assert.ok(['amd64', 'arm64'].includes(labels['kubernetes.io/arch']));
    assert.equal(labels['node-role.kubernetes.io/control-plane'], '');
    assert.equal(node.spec.podCIDR, '10.244.0.0/24');
    assert.deepEqual(node.spec.podCIDRs, ['10.244.0.0/24']);
    assert.equal(node.spec.providerID, `kind://docker/kind/${NODE}`);
    assert.equal(node.spec.taints, undefined);

    const status = node.status;
    assert.equal(status.capacity.pods, '110');
    assert.match(status.capacity.memory, /^\d+Ki$/);
    assert.equal(status.allocatable.cpu, status.capacity.cpu);
    const conds = Object.fromEntries(status.conditions.map((c: any) => [c.type, c]));
    assert.equal(conds.Ready.status, 'True');
    assert.equal(conds.Ready.reason, 'KubeletReady');
    assert.equal(conds.Ready.message, 'kubelet is posting ready status');
    assert.equal(conds.MemoryPressure.reason, 'KubeletHasSufficientMemory');
    assert.equal(conds.DiskPressure.status, 'False');
    assert.equal(conds.PIDPressure.reason, 'KubeletHasSufficientPID');
    assert.deepEqual(status.addresses, [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: NODE }]);
    assert.ok(status.daemonEndpoints.kubeletEndpoint.Port > 0);
    assert.equal(status.nodeInfo.kubeletVersion, 'v1.32.2');
    assert.equal(status.nodeInfo.containerRuntimeVersion, 'containerd://1.7.24');
    assert.equal(status.nodeInfo.operatingSystem, 'linux');

    const lease = (await eventually(() => t.client.find(LEASES, 'kube-node-lease', NODE), 'node lease'))!;
    assert.equal(lease.spec.holderIdentity, NODE);
    assert.equal(lease.spec.leaseDurationSeconds, 40);
    assert.ok(lease.spec.renewTime);

    const events = await eventsFor(t, 'default', NODE);
    const reasons = events.map((e) => e.reason);
    for (const r of ['Starting', 'NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID', 'NodeReady']) assert.ok(reasons.includes(r), `event ${r} in ${reasons}`);
    const ready = events.find((e) => e.reason === 'NodeReady')!;
    assert.equal(ready.message, `Node ${NODE} status is now: NodeReady`);
    assert.equal(ready.source.component, 'kubelet');
    assert.equal(ready.source.host, NODE);
    assert.equal(events.find((e) => e.reason === 'Starting')!.message, 'Starting kubelet.');

    // The kubelet serves its health endpoint where the node says it is.
    const res = await fetch(`http://127.0.0.1:${status.daemonEndpoints.kubeletEndpoint.Port}/healthz`);
    assert.equal(await res.text(), 'ok');
  } finally {
    await t.close();
  }
});

test('a restarted kubelet keeps the labels, taints and cordon users set on its node', async () => {
  const t = await startTestCluster({ timeScale: 20 });
  try {
    const first = new Kubelet(t.context, { name: 'worker-1', taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }, 1, TIMINGS);
    await first.start();
    let node = await t.client.get(NODES, undefined, 'worker-1');
    assert.equal(node.metadata.labels!['node-role.kubernetes.io/control-plane'], undefined);
    assert.equal(node.spec.podCIDR, '10.244.1.0/24');
    assert.deepEqual(node.spec.taints, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    await t.client.patch(NODES, undefined, 'worker-1', { metadata: { labels: { team: 'a' } }, spec: { unschedulable: true, taints: [{ key: 'x', effect: 'NoExecute' }] } });
    first.stop();

    const second = new Kubelet(t.context, { name: 'worker-1' }, 1, TIMINGS);
    await t.start([second]);
    node = await t.client.get(NODES, undefined, 'worker-1');
    assert.equal(node.metadata.labels!.team, 'a');
    assert.equal(node.metadata.labels!['kubernetes.io/hostname'], 'worker-1');
    assert.equal(node.spec.unschedulable, true);
    assert.deepEqual(node.spec.taints, [{ key: 'x', effect: 'NoExecute' }]);
    assert.equal(node.status.conditions.find((c: any) => c.type === 'Ready').status, 'True');
  } finally {
    await t.close();
  }
});
