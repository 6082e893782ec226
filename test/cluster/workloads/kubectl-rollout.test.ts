/** `kubectl rollout status|history|undo|restart|pause|resume` against the workload controllers (real kubectl). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster } from '../../helpers/test-cluster.ts';
import { DAEMON_SETS, DEPLOYMENTS, NODES, PODS, REPLICA_SETS } from '../../../src/cluster/client/resources.ts';
import type { ClusterClient } from '../../../src/cluster/client/cluster-client.ts';
import { DaemonSetController } from '../../../src/cluster/controllers/daemonset/daemonset-controller.ts';
import { DeploymentController } from '../../../src/cluster/controllers/deployment/deployment-controller.ts';
import { ReplicaSetController } from '../../../src/cluster/controllers/replicaset/replicaset-controller.ts';
import { bindPod, createNamespace, listPods, markReady, waitFor } from './fake-kubelet.ts';

const ns = 'rollout';

/** Plays scheduler and kubelets for every pod in the namespace until stopped. */
function fakeNodes(client: ClusterClient): () => void {
  let stopped = false;
  void (async () => {
    while (!stopped) {
      try {
        for (const p of await listPods(client, ns)) {
          if (p.metadata.deletionTimestamp) {
            await client.delete(PODS, ns, p.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => undefined);
            continue;
          }
          const pinned = p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0];
          if (!p.spec.nodeName) await bindPod(client, ns, p.metadata.name!, pinned ?? 'n1');
          if (!(p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')) await markReady(client, ns, p.metadata.name!);
        }
      } catch {
        // Pods come and go under us: try again on the next round.
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return () => (stopped = true);
}

test('kubectl rollout works against the Deployment and DaemonSet controllers', async () => {
  const t = await startTestCluster({ timeScale: 20 });
  const dir = mkdtempSync(join(tmpdir(), 'rollout-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, t.cluster.kubeconfig());
  const kubectl = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile('kubectl', ['--kubeconfig', kubeconfig, '-n', ns, ...args], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
    });
  let stopNodes = () => {};
  try {
    await createNamespace(t.client, ns);
    await t.client.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    await t.start([new ReplicaSetController(t.context), new DeploymentController(t.context), new DaemonSetController(t.context)]);
    stopNodes = fakeNodes(t.client);

    await kubectl(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2']);
    assert.match(await kubectl(['rollout', 'status', 'deployment/web', '--timeout=20s']), /deployment "web" successfully rolled out/);
    await kubectl(['set', 'image', 'deployment/web', 'nginx=nginx:1.28']);
    await t.client.patch(DEPLOYMENTS, ns, 'web', { metadata: { annotations: { 'kubernetes.io/change-cause': 'bump to 1.28' } } }, 'merge');
    assert.match(await kubectl(['rollout', 'status', 'deployment/web', '--timeout=20s']), /successfully rolled out/);
    const history = await kubectl(['rollout', 'history', 'deployment/web']);
    assert.match(history, /REVISION\s+CHANGE-CAUSE/);
    assert.match(history, /\n1\s+<none>/);
    assert.match(history, /\n2\s+bump to 1\.28/);
    assert.match(await kubectl(['rollout', 'history', 'deployment/web', '--revision=1']), /nginx:1\.27/);

    assert.match(await kubectl(['rollout', 'undo', 'deployment/web']), /deployment.apps\/web rolled back/);
    assert.match(await kubectl(['rollout', 'status', 'deployment/web', '--timeout=20s']), /successfully rolled out/);
    assert.equal((await t.client.get(DEPLOYMENTS, ns, 'web')).spec.template.spec.containers[0].image, 'nginx:1.27');
    assert.match(await kubectl(['rollout', 'history', 'deployment/web']), /\n2\s+bump to 1\.28\s*\n3\s+/);
    assert.equal((await t.client.list(REPLICA_SETS, ns)).items.length, 2, 'undo reused the first ReplicaSet');

    assert.match(await kubectl(['rollout', 'pause', 'deployment/web']), /paused/);
    await kubectl(['set', 'image', 'deployment/web', 'nginx=nginx:1.29']);
    await waitFor(async () => (await t.client.get(DEPLOYMENTS, ns, 'web')).status?.conditions?.some((c: any) => c.type === 'Progressing' && c.reason === 'DeploymentPaused'), 'paused condition');
    assert.equal((await t.client.list(REPLICA_SETS, ns)).items.length, 2, 'no rollout while paused');
    assert.match(await kubectl(['rollout', 'resume', 'deployment/web']), /resumed/);
    assert.match(await kubectl(['rollout', 'status', 'deployment/web', '--timeout=20s']), /successfully rolled out/);
    assert.match(await kubectl(['rollout', 'restart', 'deployment/web']), /restarted/);
    assert.match(await kubectl(['rollout', 'status', 'deployment/web', '--timeout=20s']), /successfully rolled out/);
    assert.equal((await t.client.list(REPLICA_SETS, ns)).items.length, 4);

    await t.client.create(DAEMON_SETS, ns, {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: ns },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'busybox:1.36' }] } } },
    });
    assert.match(await kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=20s']), /daemon set "agent" successfully rolled out/);
    await kubectl(['set', 'image', 'daemonset/agent', 'agent=busybox:1.37']);
    assert.match(await kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=20s']), /successfully rolled out/);
    assert.match(await kubectl(['rollout', 'history', 'daemonset/agent']), /\n1\s+<none>\s*\n2\s+<none>/);
    assert.equal((await t.client.get(DAEMON_SETS, ns, 'agent')).status.updatedNumberScheduled, 1);
    assert.match(await kubectl(['rollout', 'undo', 'daemonset/agent']), /daemonset.apps\/agent rolled back/);
    assert.match(await kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=20s']), /successfully rolled out/);
    assert.equal((await t.client.get(DAEMON_SETS, ns, 'agent')).spec.template.spec.containers[0].image, 'busybox:1.36');
    await waitFor(async () => /\n2\s+<none>\s*\n3\s+<none>/.test(await kubectl(['rollout', 'history', 'daemonset/agent'])), 'revision 1 renumbered to 3');
  } finally {
    stopNodes();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
