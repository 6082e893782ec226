import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PODS } from '../../../src/cluster/client/resources.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';
import { driveUntil, ManualClock } from '../../helpers/manual-clock.ts';
import { condition, container, eventsFor, type KubeletCluster, runPod, startKubeletCluster, waitForPod } from './helpers.ts';

let t: KubeletCluster;
// Tests about how long something lasts run on a second cluster whose clock the test drives: what
// they see then depends on the durations in the spec alone, never on how busy this machine is.
let clock: ManualClock;
let m: KubeletCluster;
before(async () => {
  t = await startKubeletCluster();
  clock = new ManualClock();
  m = await startKubeletCluster({ clock });
});
after(async () => {
  await t.close();
  await m.close();
});

const podIn = (c: KubeletCluster, name: string) => c.client.find(PODS, 'default', name);

test('a plain pod becomes Running and Ready, with Pulling/Pulled/Created/Started events in order', async () => {
  await runPod(t, 'default', { name: 'web', spec: { containers: [container('app')] } });
  const pod = await waitForPod(t, 'default', 'web', 'Running and Ready', (p) => p.status?.phase === 'Running' && condition(p, 'Ready')?.status === 'True' && p);
  const s = pod.status;
  assert.equal(s.hostIP, '127.0.0.1');
  assert.deepEqual(s.hostIPs, [{ ip: '127.0.0.1' }]);
  assert.match(s.podIP, /^10\.244\.0\.\d+$/);
  assert.deepEqual(s.podIPs, [{ ip: s.podIP }]);
  assert.ok(s.startTime);
  assert.equal(s.qosClass, 'BestEffort');
  for (const type of ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'PodScheduled']) assert.equal(condition(pod, type)?.status, 'True', type);
  const cs = s.containerStatuses[0];
  assert.equal(cs.name, 'app');
  assert.equal(cs.ready, true);
  assert.equal(cs.started, true);
  assert.equal(cs.restartCount, 0);
  assert.match(cs.containerID, /^containerd:\/\/[0-9a-f]{64}$/);
  assert.match(cs.imageID, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
  assert.ok(cs.state.running.startedAt);

  const events = await eventsFor(t, 'default', 'web');
  assert.deepEqual(events.map((e) => e.reason), ['Pulling', 'Pulled', 'Created', 'Started']);
  assert.equal(events[0].message, 'Pulling image "nginx:1.27"');
  assert.match(events[1].message, /^Successfully pulled image "nginx:1\.27" in \S+ \(\S+ including waiting\)\. Image size: 0 bytes\.$/);
  assert.equal(events[2].message, 'Created container: app');
  assert.equal(events[3].message, 'Started container app');
  assert.equal(events[3].involvedObject.fieldPath, 'spec.containers{app}');
  assert.equal(events[3].source.component, 'kubelet');

  // A second pod with the same image finds it on the node.
  await runPod(t, 'default', { name: 'web2', spec: { containers: [container('app')] } });
  await waitForPod(t, 'default', 'web2', 'Ready', (p) => condition(p, 'Ready')?.status === 'True');
  const second = await eventsFor(t, 'default', 'web2');
  assert.equal(second.find((e) => e.reason === 'Pulled')?.message, 'Container image "nginx:1.27" already present on machine');
  assert.ok(!second.some((e) => e.reason === 'Pulling'));
});

test('a new pod first reports Pending with containers waiting in ContainerCreating', async () => {
  // A missing configMap keeps the pod at this stage, so the test sees it deterministically.
  await runPod(t, 'default', {
    name: 'slow-start',
    spec: { volumes: [{ name: 'cfg', configMap: { name: 'absent' } }], containers: [container('a'), container('b')] },
  });
  const pod = await waitForPod(t, 'default', 'slow-start', 'initial status', (p) => p.status?.containerStatuses && p);
  assert.equal(pod.status.phase, 'Pending');
  assert.equal(condition(pod, 'Ready').reason, 'ContainersNotReady');
  assert.equal(condition(pod, 'Ready').message, 'containers with unready status: [a b]');
  assert.equal(condition(pod, 'Initialized').status, 'True');
  assert.equal(condition(pod, 'PodScheduled').status, 'True');
  assert.deepEqual(pod.status.containerStatuses[0].state, { waiting: { reason: 'ContainerCreating' } });
  assert.equal(pod.status.containerStatuses[0].imageID, '');
  assert.equal(pod.status.containerStatuses[0].started, false);
  assert.equal(condition(pod, 'PodReadyToStartContainers').status, 'False');
  assert.equal(pod.status.podIP, undefined);
});

test('readiness initialDelaySeconds holds a pod back relative to a pod without delay', async () => {
  const probe = (delay: number) => ({ readinessProbe: { httpGet: { path: '/', port: 80 }, initialDelaySeconds: delay, periodSeconds: 1 } });
  await runPod(m, 'default', { name: 'delayed', spec: { containers: [container('app', probe(30))] } });
  await runPod(m, 'default', { name: 'prompt', spec: { containers: [container('app', probe(0))] } });
  await driveUntil(clock, async () => condition((await podIn(m, 'prompt'))!, 'Ready')?.status === 'True', 'prompt Ready');
  const delayed = await m.client.get(PODS, 'default', 'delayed');
  assert.equal(delayed.status.phase, 'Running');
  assert.notEqual(condition(delayed, 'Ready')?.status, 'True');
  assert.equal(delayed.status.containerStatuses[0].ready, false);
  const startedAt = Date.parse(delayed.status.containerStatuses[0].state.running.startedAt);
  await driveUntil(clock, async () => condition((await podIn(m, 'delayed'))!, 'Ready')?.status === 'True', 'delayed Ready', { stepMs: 250 });
  const ready = await m.client.get(PODS, 'default', 'delayed');
  // Ready no sooner than initialDelaySeconds after the container started (timestamps are whole seconds).
  assert.ok(Date.parse(condition(ready, 'Ready').lastTransitionTime) >= startedAt + 30_000, `Ready at ${condition(ready, 'Ready').lastTransitionTime}, started ${ready.status.containerStatuses[0].state.running.startedAt}`);
});

test('a failing readiness probe leaves the pod Running but not Ready, with Unhealthy events', async () => {
  await runPod(t, 'default', {
    name: 'unready',
    annotations: { 'sim.kubernaut.ai/behavior': 'app:\n  readiness: fail\n' },
    spec: { containers: [container('app', { readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1, failureThreshold: 1 } })] },
  });
  await eventually(async () => (await eventsFor(t, 'default', 'unready')).find((e) => e.reason === 'Unhealthy'), 'Unhealthy event');
  const pod = await t.client.get(PODS, 'default', 'unready');
  assert.equal(pod.status.phase, 'Running');
  assert.equal(condition(pod, 'Ready').status, 'False');
  assert.equal(condition(pod, 'ContainersReady').message, 'containers with unready status: [app]');
  const ev = (await eventsFor(t, 'default', 'unready')).find((e) => e.reason === 'Unhealthy')!;
  assert.equal(ev.type, 'Warning');
  assert.equal(ev.message, 'Readiness probe failed: HTTP probe failed with statuscode: 503');
});

test('init containers run in order before the containers', async () => {
  await runPod(m, 'default', {
    name: 'with-init',
    annotations: { 'sim.kubernaut.ai/behavior': 'init-a: {exitAfterSeconds: 20}' },
    spec: { initContainers: [container('init-a', { image: 'busybox:1.36' }), container('init-b', { image: 'busybox:1.36' })], containers: [container('app')] },
  });
  await driveUntil(clock, async () => (await podIn(m, 'with-init'))?.status?.initContainerStatuses?.[0]?.state?.running, 'init-a running');
  const initializing = await m.client.get(PODS, 'default', 'with-init');
  assert.equal(initializing.status.phase, 'Pending');
  assert.equal(condition(initializing, 'Initialized').reason, 'ContainersNotInitialized');
  assert.equal(condition(initializing, 'Initialized').message, 'containers with incomplete status: [init-a init-b]');
  assert.deepEqual(initializing.status.initContainerStatuses[1].state, { waiting: { reason: 'PodInitializing' } });
  assert.deepEqual(initializing.status.containerStatuses[0].state, { waiting: { reason: 'PodInitializing' } });
  await driveUntil(clock, async () => (await podIn(m, 'with-init'))?.status?.phase === 'Running', 'Running', { stepMs: 250 });
  const pod = await m.client.get(PODS, 'default', 'with-init');
  assert.equal(condition(pod, 'Initialized').status, 'True');
  for (const s of pod.status.initContainerStatuses) {
    assert.equal(s.state.terminated.reason, 'Completed');
    assert.equal(s.state.terminated.exitCode, 0);
  }
  const started = (await eventsFor(m, 'default', 'with-init')).filter((e) => e.reason === 'Started').map((e) => e.message);
  assert.deepEqual(started, ['Started container init-a', 'Started container init-b', 'Started container app']);
});

test('restartPolicy Never with exit 1 ends in phase Failed', async () => {
  await runPod(t, 'default', {
    name: 'fails',
    annotations: { 'sim.kubernaut.ai/behavior': JSON.stringify({ '*': { exitAfterSeconds: 1, exitCode: 1, logs: ['boom'] } }) },
    spec: { restartPolicy: 'Never', containers: [container('job')] },
  });
  const pod = await waitForPod(t, 'default', 'fails', 'Failed', (p) => p.status?.phase === 'Failed' && p);
  const cs = pod.status.containerStatuses[0];
  assert.equal(cs.state.terminated.exitCode, 1);
  assert.equal(cs.state.terminated.reason, 'Error');
  assert.equal(cs.restartCount, 0);
  assert.equal(condition(pod, 'Ready').reason, 'PodCompleted');
  const logs = await t.client.request('GET', '/api/v1/namespaces/default/pods/fails/log');
  assert.equal(logs, 'boom\n');
});

test('restartPolicy OnFailure with exit 0 ends in phase Succeeded', async () => {
  await runPod(t, 'default', {
    name: 'succeeds',
    annotations: { 'sim.kubernaut.ai/behavior': '{"job": {"exitAfterSeconds": 1}}' },
    spec: { restartPolicy: 'OnFailure', containers: [container('job')] },
  });
  const pod = await waitForPod(t, 'default', 'succeeds', 'Succeeded', (p) => p.status?.phase === 'Succeeded' && p);
  assert.equal(pod.status.containerStatuses[0].state.terminated.reason, 'Completed');
});

test('graceful deletion stops the containers and removes the pod', async () => {
  await runPod(t, 'default', { name: 'doomed', spec: { containers: [container('app')] } });
  await waitForPod(t, 'default', 'doomed', 'Running', (p) => p.status?.phase === 'Running');
  await t.client.delete(PODS, 'default', 'doomed');
  await eventually(async () => !(await t.client.find(PODS, 'default', 'doomed')), 'pod removed');
  const killing = (await eventsFor(t, 'default', 'doomed')).find((e) => e.reason === 'Killing');
  assert.equal(killing?.message, 'Stopping container app');
});

test('a container ignoring SIGTERM keeps a deleted pod until its grace period ends', async () => {
  await runPod(m, 'default', {
    name: 'stubborn',
    annotations: { 'sim.kubernaut.ai/behavior': 'app: {ignoreSigterm: true}' },
    spec: { terminationGracePeriodSeconds: 30, containers: [container('app')] },
  });
  await runPod(m, 'default', { name: 'polite', spec: { terminationGracePeriodSeconds: 30, containers: [container('app')] } });
  const running = async (name: string) => (await podIn(m, name))?.status?.phase === 'Running';
  await driveUntil(clock, async () => (await running('stubborn')) && (await running('polite')), 'both pods Running');

  await m.client.delete(PODS, 'default', 'stubborn');
  await m.client.delete(PODS, 'default', 'polite');
  const deletedAt = clock.nowMs();
  const gone = async (name: string) => !(await podIn(m, name));
  await driveUntil(clock, () => gone('polite'), 'polite pod removed');
  assert.ok(clock.nowMs() - deletedAt < 30_000, 'the polite pod went within its grace period');
  const stubborn = await podIn(m, 'stubborn');
  assert.ok(stubborn?.metadata.deletionTimestamp, 'the stubborn pod is still terminating');
  assert.ok(stubborn.status.containerStatuses[0].state.running, 'its container still runs');

  await driveUntil(clock, () => gone('stubborn'), 'stubborn pod removed', { stepMs: 250 });
  assert.ok(clock.nowMs() - deletedAt >= 30_000, `removed ${clock.nowMs() - deletedAt} ms after the deletion, before its 30 s grace period ended`);
});

test('a force-deleted pod frees its IP and its worker', async () => {
  await runPod(t, 'default', { name: 'forced', spec: { containers: [container('app')] } });
  await waitForPod(t, 'default', 'forced', 'Running', (p) => p.status?.phase === 'Running');
  await t.client.delete(PODS, 'default', 'forced', { gracePeriodSeconds: 0 });
  assert.equal(await t.client.find(PODS, 'default', 'forced'), undefined);
  // A same-named successor gets a fresh start (new uid, new worker).
  await runPod(t, 'default', { name: 'forced', spec: { containers: [container('app')] } });
  const pod = await waitForPod(t, 'default', 'forced', 'successor Running', (p) => p.status?.phase === 'Running' && p);
  assert.equal(pod.status.containerStatuses[0].restartCount, 0);
});
