import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tableRow } from '../../../../src/cluster/apiserver/tables/index.ts';
import type { KubeObject } from '../../../../src/cluster/core/types.ts';
import { NOW, ago, cellsByName, columnNames, info } from './fixtures.ts';

const PODS = info('v1', 'pods', 'Pod');

interface PodOpts {
  phase?: string;
  reason?: string;
  conditions?: Record<string, unknown>[];
  containers?: Record<string, unknown>[];
  initContainers?: Record<string, unknown>[];
  containerStatuses?: Record<string, unknown>[];
  initContainerStatuses?: Record<string, unknown>[];
  deletionTimestamp?: string;
  nodeName?: string;
  readinessGates?: Record<string, unknown>[];
  podIP?: string;
}

function pod(o: PodOpts = {}): KubeObject {
  const status: Record<string, unknown> = {
    phase: o.phase ?? 'Running',
    conditions: o.conditions ?? [],
    hostIP: '172.18.0.2',
    startTime: ago(600),
    containerStatuses: o.containerStatuses ?? [],
  };
  if (o.reason) status.reason = o.reason;
  if (o.initContainerStatuses) status.initContainerStatuses = o.initContainerStatuses;
  if (o.podIP) {
    status.podIP = o.podIP;
    status.podIPs = [{ ip: o.podIP }];
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-7d4b9c8f5-x2x9k',
      namespace: 'default',
      uid: '2c7f3c4e-0000-4000-8000-000000000001',
      resourceVersion: '1234',
      creationTimestamp: ago(600),
      labels: { app: 'web' },
      ...(o.deletionTimestamp ? { deletionTimestamp: o.deletionTimestamp, deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: {
      containers: o.containers ?? [{ name: 'web', image: 'nginx:1.27' }],
      ...(o.initContainers ? { initContainers: o.initContainers } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.readinessGates ? { readinessGates: o.readinessGates } : {}),
      restartPolicy: 'Always',
    },
    status,
  };
}

const cond = (type: string, statusValue: string, reason?: string): Record<string, unknown> => ({ type, status: statusValue, ...(reason ? { reason } : {}), lastTransitionTime: ago(500) });
const readyConds = [cond('PodReadyToStartContainers', 'True'), cond('Initialized', 'True'), cond('Ready', 'True'), cond('ContainersReady', 'True'), cond('PodScheduled', 'True')];

function running(name = 'web', ready = true, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image: 'nginx:1.27', imageID: 'docker.io/library/nginx@sha256:abc', containerID: 'containerd://1', ready, started: true, restartCount: 0, state: { running: { startedAt: ago(590) } }, ...extra };
}

function waiting(reason: string, name = 'web', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image: 'nginx:1.27', imageID: '', ready: false, started: false, restartCount: 0, state: { waiting: { reason, message: `${reason} message` } }, ...extra };
}

function terminated(reason: string | undefined, exitCode: number, name = 'web', extra: Record<string, unknown> = {}): Record<string, unknown> {
  const t: Record<string, unknown> = { exitCode, startedAt: ago(300), finishedAt: ago(100) };
  if (reason) t.reason = reason;
  return { name, image: 'busybox', imageID: 'x', ready: false, started: false, restartCount: 0, state: { terminated: t }, ...extra };
}

const status = (p: KubeObject): unknown => cellsByName(PODS, p).Status;

describe('pod table columns', () => {
  it('has the v1.32 columns, wide ones with priority 1', () => {
    assert.deepEqual(columnNames(PODS, false), ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    assert.deepEqual(columnNames(PODS, true), ['IP', 'Node', 'Nominated Node', 'Readiness Gates']);
  });

  it('prints a running ready pod', () => {
    const p = pod({ conditions: readyConds, containerStatuses: [running()], nodeName: 'kind-worker', podIP: '10.244.1.5' });
    assert.deepEqual(cellsByName(PODS, p), {
      Name: 'web-7d4b9c8f5-x2x9k',
      Ready: '1/1',
      Status: 'Running',
      Restarts: '0',
      Age: '10m',
      IP: '10.244.1.5',
      Node: 'kind-worker',
      'Nominated Node': '<none>',
      'Readiness Gates': '<none>',
    });
  });
});

describe('pod STATUS', () => {
  it('Pending while unscheduled, with <none> node and IP', () => {
    const p = pod({ phase: 'Pending', conditions: [cond('PodScheduled', 'False', 'Unschedulable')] });
    const c = cellsByName(PODS, p);
    assert.equal(c.Status, 'Pending');
    assert.equal(c.Ready, '0/1');
    assert.equal(c.Node, '<none>');
    assert.equal(c.IP, '<none>');
  });

  it('SchedulingGated when the scheduling gate condition is present', () => {
    assert.equal(status(pod({ phase: 'Pending', conditions: [cond('PodScheduled', 'False', 'SchedulingGated')] })), 'SchedulingGated');
  });

  it('ContainerCreating while the container waits to be created', () => {
    assert.equal(status(pod({ phase: 'Pending', containerStatuses: [waiting('ContainerCreating')] })), 'ContainerCreating');
  });

  it('ImagePullBackOff and ErrImagePull from the waiting reason', () => {
    assert.equal(status(pod({ phase: 'Pending', containerStatuses: [waiting('ImagePullBackOff')] })), 'ImagePullBackOff');
    assert.equal(status(pod({ phase: 'Pending', containerStatuses: [waiting('ErrImagePull')] })), 'ErrImagePull');
  });

  it('CrashLoopBackOff with restarts and the time of the last restart', () => {
    const cs = waiting('CrashLoopBackOff', 'web', { restartCount: 3, lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(40), finishedAt: ago(25) } } });
    const c = cellsByName(PODS, pod({ containerStatuses: [cs] }));
    assert.equal(c.Status, 'CrashLoopBackOff');
    assert.equal(c.Restarts, '3 (25s ago)');
    assert.equal(c.Ready, '0/1');
  });

  it('OOMKilled and Error from the terminated reason', () => {
    assert.equal(status(pod({ containerStatuses: [terminated('OOMKilled', 137)] })), 'OOMKilled');
    assert.equal(status(pod({ phase: 'Failed', containerStatuses: [terminated('Error', 1)] })), 'Error');
  });

  it('ExitCode:N and Signal:N when the terminated state has no reason', () => {
    assert.equal(status(pod({ containerStatuses: [terminated(undefined, 2)] })), 'ExitCode:2');
    const sig = terminated(undefined, 0);
    (sig.state as any).terminated.signal = 9;
    assert.equal(status(pod({ containerStatuses: [sig] })), 'Signal:9');
  });

  it('Completed for a succeeded pod, which carries the Completed row condition', () => {
    const p = pod({ phase: 'Succeeded', containerStatuses: [terminated('Completed', 0)] });
    assert.equal(status(p), 'Completed');
    const row = tableRow(PODS, p, 'None', NOW);
    assert.deepEqual(row.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
    assert.equal(tableRow(PODS, pod({ containerStatuses: [running()] }), 'None', NOW).conditions, undefined);
  });

  it('the first container has the final say over later ones', () => {
    const p = pod({ containers: [{ name: 'a' }, { name: 'b' }], containerStatuses: [waiting('ImagePullBackOff', 'a'), terminated('Error', 1, 'b')] });
    assert.equal(status(p), 'ImagePullBackOff');
  });

  it('Running (or NotReady) when a completed container sits beside a running one', () => {
    const containers = [{ name: 'app' }, { name: 'job' }];
    const statuses = [running('app'), terminated('Completed', 0, 'job')];
    const readyPod = pod({ containers, conditions: [cond('Ready', 'True')], containerStatuses: statuses });
    assert.equal(status(readyPod), 'Running');
    assert.equal(cellsByName(PODS, readyPod).Ready, '1/2');
    const notReady = pod({ containers, conditions: [cond('Ready', 'False', 'ContainersNotReady')], containerStatuses: statuses });
    assert.equal(status(notReady), 'NotReady');
  });

  it('Running with 0/1 ready while the readiness probe has not passed', () => {
    const c = cellsByName(PODS, pod({ conditions: [cond('Ready', 'False')], containerStatuses: [running('web', false)] }));
    assert.equal(c.Status, 'Running');
    assert.equal(c.Ready, '0/1');
  });

  it('Terminating once deletion has started, unless the phase is terminal', () => {
    assert.equal(status(pod({ deletionTimestamp: ago(5), containerStatuses: [running()] })), 'Terminating');
    assert.equal(status(pod({ phase: 'Succeeded', deletionTimestamp: ago(5), containerStatuses: [terminated('Completed', 0)] })), 'Completed');
  });

  it('Unknown for a deleted pod on a lost node', () => {
    assert.equal(status(pod({ reason: 'NodeLost', deletionTimestamp: ago(5), containerStatuses: [running()] })), 'Unknown');
  });

  it('status.reason wins for a pod without container state (Evicted)', () => {
    const p = pod({ phase: 'Failed', reason: 'Evicted', containerStatuses: [{ name: 'web', ready: false, restartCount: 0, state: {} }] });
    assert.equal(status(p), 'Evicted');
  });
});

describe('pod STATUS during initialization', () => {
  const initContainers = [{ name: 'migrate', image: 'busybox' }];

  it('Init:0/1 while the init container runs', () => {
    const p = pod({ phase: 'Pending', initContainers, initContainerStatuses: [running('migrate', false)], containerStatuses: [waiting('PodInitializing')] });
    assert.equal(status(p), 'Init:0/1');
  });

  it('Init:1/2 once the first of two init containers succeeded', () => {
    const p = pod({
      phase: 'Pending',
      initContainers: [{ name: 'a' }, { name: 'b' }],
      initContainerStatuses: [terminated('Completed', 0, 'a'), running('b', false)],
      containerStatuses: [waiting('PodInitializing')],
    });
    assert.equal(status(p), 'Init:1/2');
  });

  it('Init:CrashLoopBackOff, Init:Error and Init:ExitCode:N when init fails', () => {
    const crash = waiting('CrashLoopBackOff', 'migrate', { restartCount: 2, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(30) } } });
    const p = pod({ phase: 'Pending', initContainers, initContainerStatuses: [crash], containerStatuses: [waiting('PodInitializing')] });
    const c = cellsByName(PODS, p);
    assert.equal(c.Status, 'Init:CrashLoopBackOff');
    assert.equal(c.Restarts, '2 (30s ago)');
    assert.equal(status(pod({ phase: 'Pending', initContainers, initContainerStatuses: [terminated('Error', 1, 'migrate')] })), 'Init:Error');
    assert.equal(status(pod({ phase: 'Pending', initContainers, initContainerStatuses: [terminated(undefined, 3, 'migrate')] })), 'Init:ExitCode:3');
  });

  it('PodInitializing once init is done and the main container is waiting', () => {
    const p = pod({
      phase: 'Pending',
      conditions: [cond('Initialized', 'True')],
      initContainers,
      initContainerStatuses: [terminated('Completed', 0, 'migrate')],
      containerStatuses: [waiting('PodInitializing')],
    });
    assert.equal(status(p), 'PodInitializing');
  });

  it('counts started sidecars (restartable init containers) as containers', () => {
    const p = pod({
      conditions: [cond('Initialized', 'True'), cond('Ready', 'True')],
      initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }],
      initContainerStatuses: [running('proxy', true, { restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(200) } } })],
      containerStatuses: [running()],
    });
    const c = cellsByName(PODS, p);
    assert.equal(c.Ready, '2/2');
    assert.equal(c.Status, 'Running');
    assert.equal(c.Restarts, '1 (3m20s ago)');
  });
});

describe('pod wide columns', () => {
  it('counts readiness gates whose condition is True', () => {
    const p = pod({
      readinessGates: [{ conditionType: 'example.com/lb-ready' }, { conditionType: 'example.com/dns' }],
      conditions: [...readyConds, cond('example.com/lb-ready', 'True'), cond('example.com/dns', 'False')],
      containerStatuses: [running()],
    });
    assert.equal(cellsByName(PODS, p)['Readiness Gates'], '1/2');
  });

  it('shows the nominated node', () => {
    const p = pod({ phase: 'Pending' });
    (p.status as any).nominatedNodeName = 'node-2';
    assert.equal(cellsByName(PODS, p)['Nominated Node'], 'node-2');
  });

  it('sums restarts over containers and keeps the latest termination', () => {
    const p = pod({
      containers: [{ name: 'a' }, { name: 'b' }],
      containerStatuses: [
        running('a', true, { restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(3600) } } }),
        running('b', true, { restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(65) } } }),
      ],
    });
    assert.equal(cellsByName(PODS, p).Restarts, '3 (65s ago)');
  });
});
