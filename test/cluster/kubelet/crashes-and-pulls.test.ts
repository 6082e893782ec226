import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PODS } from '../../../src/cluster/client/resources.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';
import { driveUntil, ManualClock } from '../../helpers/manual-clock.ts';
import { condition, container, eventsFor, type KubeletCluster, runPod, startKubeletCluster, waitForPod } from './helpers.ts';

let t: KubeletCluster;
// The crash loop runs on a second cluster whose clock the test drives: which back-off the test
// sees then depends on the spec alone, never on how busy this machine is.
let clock: ManualClock;
let m: KubeletCluster;
before(async () => {
  // Image pull back-off is 10 s, 20 s, 40 s nominal: a fast clock keeps the test short.
  t = await startKubeletCluster({ timeScale: 50 });
  clock = new ManualClock();
  m = await startKubeletCluster({ clock });
});
after(async () => {
  await t.close();
  await m.close();
});

async function kubeletLogs(c: KubeletCluster, pod: string, container: string, query = ''): Promise<{ status: number; text: string }> {
  const node = await c.client.get({ group: '', version: 'v1', resource: 'nodes' }, undefined, 'kind-control-plane');
  const port = node.status.daemonEndpoints.kubeletEndpoint.Port;
  const res = await fetch(`http://127.0.0.1:${port}/containerLogs/default/${pod}/${container}${query}`);
  return { status: res.status, text: await res.text() };
}

test('a crash-looping container restarts with back-off and keeps its previous logs', async () => {
  await runPod(m, 'default', {
    name: 'crasher',
    annotations: { 'sim.kubernaut.ai/behavior': 'app:\n  crashLoop: true\n  logs: ["starting up", "fatal: no config"]\n' },
    spec: { containers: [container('app')] },
  });
  const crasher = async () => (await m.client.find(PODS, 'default', 'crasher'))!;
  const inBackOff = (p: any) => p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff';
  await driveUntil(clock, async () => inBackOff(await crasher()), 'CrashLoopBackOff');
  const pod = await crasher();
  const cs = pod.status.containerStatuses[0];
  assert.equal(pod.status.phase, 'Running');
  assert.equal(cs.ready, false);
  assert.equal(cs.lastState.terminated.exitCode, 1);
  assert.equal(cs.lastState.terminated.reason, 'Error');
  assert.match(cs.lastState.terminated.containerID, /^containerd:\/\//);
  assert.ok(cs.lastState.terminated.startedAt && cs.lastState.terminated.finishedAt);
  // The first crash restarts at once; the second one waits the first back-off.
  assert.equal(cs.restartCount, 1);
  assert.equal(cs.state.waiting.message, `back-off 10s restarting failed container=app pod=crasher_default(${pod.metadata.uid})`);

  // The back-off doubles: after the next crash the container waits 20 s.
  await driveUntil(clock, async () => {
    const p = await crasher();
    return inBackOff(p) && p.status.containerStatuses[0].restartCount === 2;
  }, 'the second back-off', { stepMs: 250 });
  assert.equal((await crasher()).status.containerStatuses[0].state.waiting.message, `back-off 20s restarting failed container=app pod=crasher_default(${pod.metadata.uid})`);
  const backOff = (await eventsFor(m, 'default', 'crasher')).find((e) => e.reason === 'BackOff');
  assert.equal(backOff?.type, 'Warning');
  assert.equal(backOff?.message, `Back-off restarting failed container app in pod crasher_default(${pod.metadata.uid})`);

  // The kubelet endpoint serves the previous instance's lines, with the usual options.
  const previous = await kubeletLogs(m, 'crasher', 'app', '?previous=true');
  assert.equal(previous.status, 200);
  assert.equal(previous.text, 'starting up\nfatal: no config\n');
  const tail = await kubeletLogs(m, 'crasher', 'app', '?previous=true&tailLines=1&timestamps=true');
  assert.match(tail.text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z fatal: no config\n$/);
  assert.equal((await kubeletLogs(m, 'crasher', 'app', '?previous=true&limitBytes=5')).text, 'start');
  assert.equal((await kubeletLogs(m, 'crasher', 'nope')).status, 404);
  assert.equal((await kubeletLogs(m, 'nobody', 'app')).status, 404);

  // And the API server's pods/log proxies to it.
  const viaApi = await m.client.request('GET', '/api/v1/namespaces/default/pods/crasher/log', { query: { previous: 'true' } });
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

test('memoryUsage above the memory limit OOM-kills the container; within the limit it runs', async () => {
  const limits = (memory: string) => ({ resources: { limits: { memory } } });
  await runPod(t, 'default', {
    name: 'grower',
    annotations: { 'sim.kubernaut.ai/behavior': '"*": {memoryUsage: 150Mi, oomKillAfterSeconds: 1}' },
    spec: { containers: [container('small', limits('128Mi')), container('roomy', limits('256Mi'))] },
  });
  const status = (p: any, name: string) => p.status?.containerStatuses?.find((c: any) => c.name === name);
  // Both run the same script: by the time the small one was killed twice, the roomy one would have been too.
  const pod = await waitForPod(t, 'default', 'grower', 'small OOMKilled twice', (p) => status(p, 'small')?.restartCount >= 2 && p, 60_000);
  assert.equal(status(pod, 'small').lastState.terminated.reason, 'OOMKilled');
  assert.equal(status(pod, 'roomy').restartCount, 0);
  assert.ok(status(pod, 'roomy').state.running, JSON.stringify(status(pod, 'roomy')));
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
