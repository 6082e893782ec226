import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PODS } from '../../../src/cluster/client/resources.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';
import { condition, container, eventsFor, type KubeletCluster, runPod, startKubeletCluster, waitForPod } from './helpers.ts';

let t: KubeletCluster;
before(async () => {
  // Crash-loop back-off is 10 s, 20 s, 40 s nominal: a fast clock keeps the test short.
  t = await startKubeletCluster({ timeScale: 50 });
});
after(() => t.close());

async function kubeletLogs(pod: string, container: string, query = ''): Promise<{ status: number; text: string }> {
  const node = await t.client.get({ group: '', version: 'v1', resource: 'nodes' }, undefined, 'kind-control-plane');
  const port = node.status.daemonEndpoints.kubeletEndpoint.Port;
  const res = await fetch(`http://127.0.0.1:${port}/containerLogs/default/${pod}/${container}${query}`);
  return { status: res.status, text: await res.text() };
}

test('a crash-looping container restarts with back-off and keeps its previous logs', async () => {
  await runPod(t, 'default', {
    name: 'crasher',
    annotations: { 'sim.kubernaut.ai/behavior': 'app:\n  crashLoop: true\n  logs: ["starting up", "fatal: no config"]\n' },
    spec: { containers: [container('app')] },
  });
  const pod = await waitForPod(t, 'default', 'crasher', 'CrashLoopBackOff', (p) => {
    const cs = p.status?.containerStatuses?.[0];
    return cs?.state?.waiting?.reason === 'CrashLoopBackOff' && cs.restartCount >= 1 && p;
  });
  const cs = pod.status.containerStatuses[0];
  assert.equal(pod.status.phase, 'Running');
  assert.equal(cs.ready, false);
  assert.equal(cs.lastState.terminated.exitCode, 1);
  assert.equal(cs.lastState.terminated.reason, 'Error');
  assert.match(cs.lastState.terminated.containerID, /^containerd:\/\//);
  assert.ok(cs.lastState.terminated.startedAt && cs.lastState.terminated.finishedAt);
  // 10s at the first back-off; a busy machine may only look at a later (doubled) one.
  const backoffMessage = new RegExp(`^back-off (10s|20s|40s|1m20s) restarting failed container=app pod=crasher_default\\(${pod.metadata.uid}\\)$`);
  assert.match(cs.state.waiting.message, backoffMessage);

  const grown = await waitForPod(t, 'default', 'crasher', 'restartCount >= 2', (p) => p.status.containerStatuses[0].restartCount >= 2 && p);
  assert.ok(grown.status.containerStatuses[0].restartCount >= 2);
  const backOff = (await eventsFor(t, 'default', 'crasher')).find((e) => e.reason === 'BackOff');
  assert.equal(backOff?.type, 'Warning');
  assert.equal(backOff?.message, `Back-off restarting failed container app in pod crasher_default(${pod.metadata.uid})`);

  // The kubelet endpoint serves the previous instance's lines, with the usual options.
  const previous = await kubeletLogs('crasher', 'app', '?previous=true');
  assert.equal(previous.status, 200);
  assert.equal(previous.text, 'starting up\nfatal: no config\n');
  const tail = await kubeletLogs('crasher', 'app', '?previous=true&tailLines=1&timestamps=true');
  assert.match(tail.text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z fatal: no config\n$/);
  assert.equal((await kubeletLogs('crasher', 'app', '?previous=true&limitBytes=5')).text, 'start');
  assert.equal((await kubeletLogs('crasher', 'nope')).status, 404);
  assert.equal((await kubeletLogs('nobody', 'app')).status, 404);

  // And the API server's pods/log proxies to it.
  const viaApi = await t.client.request('GET', '/api/v1/namespaces/default/pods/crasher/log', { query: { previous: 'true' } });
  assert.equal(viaApi, 'starting up\nfatal: no config\n');
});

test('an OOM-killed container is reported as OOMKilled with exit code 137', async () => {
  await runPod(t, 'default', {
    name: 'hungry',
    annotations: { 'sim.kubernaut.ai/behavior': 'app: {oomKillAfterSeconds: 1}' },
    spec: { containers: [container('app')] },
  });
  const pod = await waitForPod(t, 'default', 'hungry', 'OOMKilled', (p) => p.status?.containerStatuses?.[0]?.lastState?.terminated?.reason === 'OOMKilled' && p);
  assert.equal(pod.status.containerStatuses[0].lastState.terminated.exitCode, 137);
  assert.ok(pod.status.containerStatuses[0].restartCount >= 1);
});

test('a failing liveness probe kills and restarts the container', async () => {
  await runPod(t, 'default', {
    name: 'zombie',
    annotations: { 'sim.kubernaut.ai/behavior': 'app: {liveness: fail}' },
    spec: { containers: [container('app', { livenessProbe: { tcpSocket: { port: 6379 }, periodSeconds: 1, failureThreshold: 2 } })] },
  });
  const pod = await waitForPod(t, 'default', 'zombie', 'restarted', (p) => p.status?.containerStatuses?.[0]?.restartCount >= 1 && p);
  assert.equal(pod.status.containerStatuses[0].lastState.terminated.exitCode, 137);
  const events = await eventsFor(t, 'default', 'zombie');
  assert.equal(events.find((e) => e.reason === 'Killing')?.message, 'Container app failed liveness probe, will be restarted');
  assert.match(events.find((e) => e.reason === 'Unhealthy')!.message, /^Liveness probe failed: dial tcp 10\.244\.0\.\d+:6379: connect: connection refused$/);
});

test('an image that cannot be pulled goes ErrImagePull then ImagePullBackOff', async () => {
  await runPod(t, 'default', {
    name: 'typo',
    annotations: { 'sim.kubernaut.ai/behavior': '{"app": {"imagePull": "fail"}}' },
    spec: { containers: [container('app', { image: 'ngnix:1.27' })] },
  });
  const pod = await waitForPod(t, 'default', 'typo', 'ImagePullBackOff', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff' && p);
  assert.equal(pod.status.phase, 'Pending');
  assert.equal(pod.status.containerStatuses[0].state.waiting.message, 'Back-off pulling image "ngnix:1.27"');
  const events = await eventsFor(t, 'default', 'typo');
  const failed = events.filter((e) => e.reason === 'Failed').map((e) => e.message);
  assert.ok(failed.includes('Failed to pull image "ngnix:1.27": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/ngnix:1.27": failed to resolve reference "docker.io/library/ngnix:1.27": docker.io/library/ngnix:1.27: not found'), failed.join('\n'));
  assert.ok(failed.includes('Error: ErrImagePull'));
  assert.ok(failed.includes('Error: ImagePullBackOff'));
  assert.equal(events.find((e) => e.reason === 'BackOff')?.message, 'Back-off pulling image "ngnix:1.27"');
  // The kubelet keeps retrying: a second Pulling comes after the back-off.
  await eventually(async () => (await eventsFor(t, 'default', 'typo')).find((e) => e.reason === 'Pulling' && e.count >= 2), 'second pull attempt');
});

test('a malformed behaviour annotation is reported and the pod runs with defaults', async () => {
  await runPod(t, 'default', {
    name: 'garbled',
    annotations: { 'sim.kubernaut.ai/behavior': 'app: {exitCode: "lots"}' },
    spec: { containers: [container('app')] },
  });
  await waitForPod(t, 'default', 'garbled', 'Ready', (p) => condition(p, 'Ready')?.status === 'True');
  const ev = (await eventsFor(t, 'default', 'garbled')).find((e) => e.reason === 'InvalidSimulation');
  assert.equal(ev?.type, 'Warning');
  assert.match(ev!.message, /exitCode/);
  assert.equal((await t.client.get(PODS, 'default', 'garbled')).status.phase, 'Running');
});
