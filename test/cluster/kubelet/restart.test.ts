import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PODS } from '../../../src/cluster/client/resources.ts';
import { ControlPlaneRuntime } from '../../../src/cluster/control-plane/runtime.ts';
import { Kubelet } from '../../../src/cluster/kubelet/kubelet.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';
import { condition, container, NODE, runPod, startKubeletCluster, TIMINGS, waitForPod } from './helpers.ts';

test('a restarted kubelet adopts running pods instead of restarting them', async () => {
  const t = await startKubeletCluster({ timeScale: 50 });
  let second: ControlPlaneRuntime | undefined;
  try {
    await runPod(t, 'default', { name: 'steady', spec: { containers: [container('app', { readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 } })] } });
    await runPod(t, 'default', { name: 'done', annotations: { 'sim.kubernaut.ai/behavior': '"*": {exitAfterSeconds: 1}' }, spec: { restartPolicy: 'Never', containers: [container('job')] } });
    const before = await waitForPod(t, 'default', 'steady', 'Ready', (p) => condition(p, 'Ready')?.status === 'True' && p);
    const finished = await waitForPod(t, 'default', 'done', 'Succeeded', (p) => p.status?.phase === 'Succeeded' && p);
    t.runtime.stop(); // the kubelet process goes away; its pods keep running on the node

    second = new ControlPlaneRuntime((ua) => t.cluster.client(ua), t.clock);
    const kubelet = new Kubelet(second.context, { name: NODE }, 0, TIMINGS);
    await second.start([kubelet]);
    // Give the new kubelet time to act on both pods (a status write would bump the resourceVersion).
    await runPod(t, 'default', { name: 'marker', spec: { containers: [container('app')] } });
    await waitForPod(t, 'default', 'marker', 'marker Running', (p) => p.status?.phase === 'Running');

    const after = await t.client.get(PODS, 'default', 'steady');
    const [b, a] = [before.status.containerStatuses[0], after.status.containerStatuses[0]];
    assert.equal(a.containerID, b.containerID);
    assert.equal(a.restartCount, 0);
    assert.equal(a.state.running.startedAt, b.state.running.startedAt);
    assert.equal(after.status.podIP, before.status.podIP);
    assert.equal(condition(after, 'Ready').lastTransitionTime, condition(before, 'Ready').lastTransitionTime);
    assert.notEqual((await t.client.get(PODS, 'default', 'marker')).status.podIP, before.status.podIP);
    assert.deepEqual((await t.client.get(PODS, 'default', 'done')).status, finished.status);

    // Deleting the adopted pod still works through the new kubelet.
    await t.client.delete(PODS, 'default', 'steady');
    await eventually(async () => !(await t.client.find(PODS, 'default', 'steady')), 'steady removed');
  } finally {
    second?.stop();
    await t.close();
  }
});
