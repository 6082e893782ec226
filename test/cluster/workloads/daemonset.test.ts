import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../helpers/test-cluster.ts';
import type { KubeObject } from '../../../src/cluster/core/types.ts';
import { CONTROLLER_REVISIONS, DAEMON_SETS, NODES, PODS } from '../../../src/cluster/client/resources.ts';
import type { ClusterClient } from '../../../src/cluster/client/cluster-client.ts';
import { DaemonSetController } from '../../../src/cluster/controllers/daemonset/daemonset-controller.ts';
import { bindPod, container, createNamespace, eventsFor, finishPod, listPods, markReady, waitFor } from './fake-kubelet.ts';

const ns = 'ds-test';

async function addNode(client: ClusterClient, name: string, taints?: unknown[]): Promise<void> {
  await client.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: taints ? { taints } : {} });
}

function target(p: KubeObject): string {
  return p.spec.nodeName ?? p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0];
}

/** Plays scheduler and kubelet: binds pending daemon pods to their node, finishes terminating ones, marks the rest ready. */
async function kubelet(client: ClusterClient): Promise<void> {
  for (const p of await listPods(client, ns, 'app=agent')) {
    if (p.metadata.deletionTimestamp) {
      await client.delete(PODS, ns, p.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => undefined);
      continue;
    }
    if (!p.spec.nodeName) await bindPod(client, ns, p.metadata.name!, target(p));
    if (!(p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')) await markReady(client, ns, p.metadata.name!);
  }
}

test('DaemonSet: one pod per eligible node, new nodes, taints, rolling update', async () => {
  const t = await startTestCluster({ timeScale: 20 });
  try {
    await createNamespace(t.client, ns);
    await addNode(t.client, 'n1');
    await addNode(t.client, 'n2');
    await addNode(t.client, 'tainted', [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    // The unschedulable taint is tolerated by every daemon pod.
    await addNode(t.client, 'cordoned', [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]);
    await t.start([new DaemonSetController(t.context)]);
    await t.client.create(DAEMON_SETS, ns, {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: ns },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [container] } } },
    });
    const pods = await waitFor(async () => {
      const p = await listPods(t.client, ns, 'app=agent');
      return p.length === 3 ? p : undefined;
    }, '3 daemon pods');
    assert.deepEqual(pods.map(target).sort(), ['cordoned', 'n1', 'n2']);
    const [rev1] = (await t.client.list(CONTROLLER_REVISIONS, ns)).items;
    const hash1 = rev1.metadata.labels!['controller-revision-hash'];
    assert.equal(rev1.metadata.name, `agent-${hash1}`);
    assert.equal(rev1.revision, 1);
    for (const p of pods) {
      assert.equal(p.spec.nodeName, undefined, 'left to the scheduler');
      assert.equal(p.metadata.labels!['controller-revision-hash'], hash1);
      assert.equal(p.metadata.ownerReferences![0].kind, 'DaemonSet');
      const keys = p.spec.tolerations.map((x: any) => `${x.key}:${x.effect}`);
      for (const k of ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']) {
        assert.ok(keys.includes(k), k);
      }
    }

    await addNode(t.client, 'n3');
    await waitFor(async () => (await listPods(t.client, ns, 'app=agent')).some((p) => target(p) === 'n3'), 'pod for the new node');

    const ds = await waitFor(async () => {
      await kubelet(t.client);
      const d = await t.client.get(DAEMON_SETS, ns, 'agent');
      const s = d.status ?? {};
      return s.desiredNumberScheduled === 4 && s.currentNumberScheduled === 4 && s.numberReady === 4 && s.numberAvailable === 4 && s.updatedNumberScheduled === 4 ? d : undefined;
    }, 'all ready');
    assert.deepEqual([ds.status.numberMisscheduled, ds.status.numberUnavailable ?? 0, ds.status.observedGeneration], [0, 0, 1]);

    // Rolling update with maxUnavailable 1: one old pod at a time.
    await t.client.patch(DAEMON_SETS, ns, 'agent', { spec: { template: { spec: { containers: [{ ...container, image: 'nginx:1.28' }] } } } }, 'strategic');
    await waitFor(async () => (await listPods(t.client, ns, 'app=agent')).some((p) => p.metadata.deletionTimestamp), 'first old pod terminating');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await listPods(t.client, ns, 'app=agent')).filter((p) => p.metadata.deletionTimestamp).length, 1, 'only maxUnavailable pods replaced at once');
    const done = await waitFor(async () => {
      await kubelet(t.client);
      const d = await t.client.get(DAEMON_SETS, ns, 'agent');
      const s = d.status ?? {};
      return s.observedGeneration === 2 && s.updatedNumberScheduled === 4 && s.numberAvailable === 4 ? d : undefined;
    }, 'rolling update done');
    const revs = (await t.client.list(CONTROLLER_REVISIONS, ns)).items;
    const rev2 = revs.find((r) => r.revision === 2)!;
    for (const p of await listPods(t.client, ns, 'app=agent')) assert.equal(p.metadata.labels!['controller-revision-hash'], rev2.metadata.labels!['controller-revision-hash']);
    assert.equal(done.status.desiredNumberScheduled, 4);

    // A failed daemon pod is killed and replaced (after a short backoff).
    const failedPod = (await listPods(t.client, ns, 'app=agent')).find((p) => target(p) === 'n1')!;
    await finishPod(t.client, ns, failedPod.metadata.name!, 'Failed');
    await waitFor(async () => {
      await kubelet(t.client);
      const p = await listPods(t.client, ns, 'app=agent');
      return !p.some((x) => x.metadata.name === failedPod.metadata.name) && p.some((x) => target(x) === 'n1');
    }, 'failed pod replaced');

    // Tainting a node NoExecute evicts its daemon pod.
    await t.client.patch(NODES, undefined, 'n3', { spec: { taints: [{ key: 'maintenance', effect: 'NoExecute' }] } }, 'merge');
    await waitFor(async () => {
      await kubelet(t.client);
      const s = (await t.client.get(DAEMON_SETS, ns, 'agent')).status;
      return s?.desiredNumberScheduled === 3 && s.currentNumberScheduled === 3 && (await listPods(t.client, ns, 'app=agent')).length === 3;
    }, 'pod removed from the NoExecute-tainted node');

    await t.runtime.flushEvents();
    const events = await eventsFor(t.client, ns, 'agent');
    assert.ok(events.some((e) => e.reason === 'SuccessfulCreate' && /^Created pod: agent-[a-z0-9]{5}$/.test(e.message) && e.source.component === 'daemonset-controller'));
    assert.ok(events.some((e) => e.reason === 'SuccessfulDelete' && /^Deleted pod: agent-/.test(e.message)));
    assert.ok(events.some((e) => e.type === 'Warning' && e.reason === 'FailedDaemonPod' && e.message === `Found failed daemon pod ${ns}/${failedPod.metadata.name} on node n1, will try to kill it`));
  } finally {
    await t.close();
  }
});

test('DaemonSet: maxSurge starts the new pod beside the old one; OnDelete waits for deletions', async () => {
  const t = await startTestCluster({ timeScale: 20 });
  try {
    await createNamespace(t.client, ns);
    await addNode(t.client, 'n1');
    await addNode(t.client, 'n2');
    await t.start([new DaemonSetController(t.context)]);
    await t.client.create(DAEMON_SETS, ns, {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: ns },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [container] } },
      },
    });
    await waitFor(async () => {
      await kubelet(t.client);
      return (await t.client.get(DAEMON_SETS, ns, 'agent')).status?.numberAvailable === 2;
    }, 'both available');
    await t.client.patch(DAEMON_SETS, ns, 'agent', { spec: { template: { spec: { containers: [{ ...container, image: 'nginx:1.28' }] } } } }, 'strategic');
    const surged = await waitFor(async () => {
      const p = await listPods(t.client, ns, 'app=agent');
      return p.length === 3 ? p : undefined;
    }, 'one surge pod');
    await new Promise((r) => setTimeout(r, 200));
    const now = await listPods(t.client, ns, 'app=agent');
    assert.equal(now.length, 3, 'maxSurge 1: one extra pod at a time');
    assert.ok(now.every((p) => !p.metadata.deletionTimestamp), 'no old pod goes before its replacement is available');
    const nodes = surged.map(target);
    assert.equal(new Set(nodes).size, 2, 'the surge pod shares a node with an old pod');
    await waitFor(async () => {
      await kubelet(t.client);
      const s = (await t.client.get(DAEMON_SETS, ns, 'agent')).status ?? {};
      return s.observedGeneration === 2 && s.updatedNumberScheduled === 2 && s.numberAvailable === 2 && (await listPods(t.client, ns, 'app=agent')).length === 2;
    }, 'surge update done');

    // OnDelete: a template change replaces only pods someone deletes.
    await t.client.patch(DAEMON_SETS, ns, 'agent', { spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: null }, template: { spec: { containers: [{ ...container, image: 'nginx:1.29' }] } } } }, 'strategic');
    const s = await waitFor(async () => {
      const d = await t.client.get(DAEMON_SETS, ns, 'agent');
      return d.status?.observedGeneration === d.metadata.generation ? d.status : undefined;
    }, 'OnDelete observed');
    assert.equal(s.updatedNumberScheduled ?? 0, 0);
    assert.equal((await listPods(t.client, ns, 'app=agent')).filter((p) => p.metadata.deletionTimestamp).length, 0);
    const [victim] = await listPods(t.client, ns, 'app=agent');
    await t.client.delete(PODS, ns, victim.metadata.name!, { gracePeriodSeconds: 0 });
    await waitFor(async () => {
      await kubelet(t.client);
      const st = (await t.client.get(DAEMON_SETS, ns, 'agent')).status ?? {};
      return st.updatedNumberScheduled === 1 && st.numberAvailable === 2;
    }, 'deleted pod replaced at the new revision');
  } finally {
    await t.close();
  }
});
