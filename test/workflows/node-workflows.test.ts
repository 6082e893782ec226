/**
 * The starter workflows for nodes, each run as its own ServiceAccount against its fault in a
 * two-node embedded cluster: remove-node-taint-v1, then cordon-drain-node-v1.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/kubernaut-process.ts';
import { describeRun, isReady, startWorkflowCluster, summaryOf, type WorkflowCluster } from './harness.ts';

const CONTROL_PLANE = 'kind-control-plane';
const WORKER = 'kind-worker';
let w: WorkflowCluster;
before(async () => {
  w = await startWorkflowCluster({ volumeMountMs: 300, nodes: [CONTROL_PLANE, WORKER] });
});
after(async () => {
  await w?.close();
});

async function deployment(ns: string, name: string, replicas: number, nodeSelector?: Record<string, string>): Promise<void> {
  const manifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { ...(nodeSelector ? { nodeSelector } : {}), containers: [{ name: 'app', image: 'registry.example.com/app:1.0.0' }] } },
    },
  };
  await w.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
}
const podsOf = async (ns: string, app: string) => ((await w.getJson(['get', 'pods', '-n', ns, '-l', `app=${app}`]))?.items ?? []).filter((p: any) => !p.metadata.deletionTimestamp);

test('remove-node-taint-v1: a stale NoSchedule taint keeps pinned pods Pending; removed, they run', async () => {
  await w.kubectlOk(['create', 'namespace', 'wf-taint']);
  await w.kubectlOk(['taint', 'node', WORKER, 'maintenance=planned:NoSchedule']);
  await deployment('wf-taint', 'pinned', 2, { 'kubernetes.io/hostname': WORKER });
  await eventually(async () => {
    const pods = await podsOf('wf-taint', 'pinned');
    return pods.length === 2 && pods.every((p: any) => p.status?.conditions?.some((c: any) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'));
  }, 'pinned pods Unschedulable', 60_000, 250);

  const system = await w.runWorkflow('remove-node-taint-v1', { TARGET_NODE: WORKER, TAINT_KEY: 'node.kubernetes.io/not-ready' });
  assert.equal(system.code, 2, describeRun(system));

  const r = await w.runWorkflow('remove-node-taint-v1', { TARGET_NODE: WORKER, TAINT_KEY: 'maintenance' });
  assert.equal(r.code, 0, describeRun(r));
  assert.equal(summaryOf(r), `summary: removed maintenance:NoSchedule from node ${WORKER}`);
  assert.equal((await w.getJson(['get', 'node', WORKER])).spec.taints, undefined);
  await eventually(async () => {
    const pods = await podsOf('wf-taint', 'pinned');
    return pods.length === 2 && pods.every((p: any) => p.spec.nodeName === WORKER && isReady(p));
  }, 'pinned pods Running on the worker', 60_000, 250);

  const again = await w.runWorkflow('remove-node-taint-v1', { TARGET_RESOURCE: `Node/${WORKER}` });
  assert.equal(again.code, 0, describeRun(again));
  assert.match(summaryOf(again), /^summary: nothing to do/);
  await w.kubectlOk(['delete', 'namespace', 'wf-taint', '--wait=false']);
});

test('cordon-drain-node-v1: the pods of a node whose kubelet died move to the healthy node', async () => {
  await w.kubectlOk(['create', 'namespace', 'wf-drain']);
  // Land the pods on the worker: keep the control-plane node cordoned while they schedule.
  await w.kubectlOk(['cordon', CONTROL_PLANE]);
  await deployment('wf-drain', 'api', 2);
  await eventually(async () => {
    const pods = await podsOf('wf-drain', 'api');
    return pods.length === 2 && pods.every((p: any) => p.spec.nodeName === WORKER && isReady(p));
  }, 'api Running on the worker', 60_000, 250);
  await w.kubectlOk(['uncordon', CONTROL_PLANE]);

  w.cluster.stopKubelet(WORKER);
  await eventually(async () => {
    const node = await w.getJson(['get', 'node', WORKER]);
    return node?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'Unknown');
  }, 'worker NotReady (Unknown)', 180_000, 500);

  const r = await w.runWorkflow('cordon-drain-node-v1', { TARGET_NODE: WORKER, DRAIN_TIMEOUT_SECONDS: '180', SKIP_WAIT_FOR_DELETE_SECONDS: '5' });
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stdout, /^drain: 2 pods evicted: wf-drain\/api-\S+ wf-drain\/api-\S+$/m);
  assert.match(summaryOf(r), new RegExp(`^summary: cordoned and drained node ${WORKER}: 2 pods evicted`));
  assert.equal((await w.getJson(['get', 'node', WORKER])).spec.unschedulable, true);
  await eventually(async () => {
    const pods = await podsOf('wf-drain', 'api');
    return pods.length === 2 && pods.every((p: any) => p.spec.nodeName === CONTROL_PLANE && isReady(p));
  }, 'api Running on the control-plane node', 120_000, 250);

  const none = await w.runWorkflow('cordon-drain-node-v1', { TARGET_NODE: CONTROL_PLANE });
  assert.equal(none.code, 2, describeRun(none));
  assert.match(summaryOf(none), /no other schedulable Ready node/);
});
