/** The embedded cluster the fixtures run in: one control-plane node plus the nodes fixtures declare. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { EmbeddedCluster } from '../src/cluster/embedded-cluster.ts';
import type { NodeConfig } from '../src/cluster/control-plane/options.ts';
import type { Clock } from '../src/platform/clock.ts';
import type { Fixture } from './fixture.ts';

/**
 * Real milliseconds the simulated kubelet spends mounting volumes (default 1.5 s): the reference
 * fault deletes a claim while the kubelet mounts it, and a longer mount keeps that window wide open
 * on a busy machine, at the cost of a slower start for every pod.
 */
export const EVAL_VOLUME_MOUNT_MS = 3000;

export interface EvalCluster {
  cluster: EmbeddedCluster;
  kubeconfig: KubeConfig;
  kubeconfigPath: string;
  close(): Promise<void>;
}

/** The nodes the fixtures declare; two fixtures declaring the same node must agree on it. */
export function fixtureNodes(fixtures: Fixture[]): NodeConfig[] {
  const byName = new Map<string, NodeConfig>();
  for (const f of fixtures) {
    for (const n of f.nodes) {
      const prev = byName.get(n.name);
      if (prev && JSON.stringify(prev) !== JSON.stringify(n)) throw new Error(`fixtures declare node ${n.name} differently`);
      byName.set(n.name, n);
    }
  }
  return [...byName.values()];
}

export async function startEvalCluster(clock: Clock, nodes: NodeConfig[]): Promise<EvalCluster> {
  const cluster = await EmbeddedCluster.start({
    clock,
    controlPlane: { nodes: [{ name: 'kind-control-plane' }, ...nodes], kubelet: { imagePullMs: 600, containerStartMs: 300, volumeMountMs: EVAL_VOLUME_MOUNT_MS } },
  });
  const dir = mkdtempSync(join(tmpdir(), 'kubernaut-eval-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, cluster.kubeconfig(), { mode: 0o600 });
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromString(cluster.kubeconfig());
  return {
    cluster,
    kubeconfig,
    kubeconfigPath,
    async close() {
      await cluster.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
