/** The `sim.kubernaut.ai/kubelet` Node annotation stops and restarts a simulated kubelet from any API client. */
import { after, before, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { NODES } from '../../src/cluster/client/resources.ts';
import { EmbeddedCluster } from '../../src/cluster/embedded-cluster.ts';
import { ScaledClock } from '../../src/platform/clock.ts';
import { nodeSimulationByAnnotation } from '../../src/scenarios/cluster-steps.ts';
import { eventually } from '../helpers/kubernaut-process.ts';

const WORKER = 'kind-worker';
let cluster: EmbeddedCluster;

before(async () => {
  cluster = await EmbeddedCluster.start({
    clock: new ScaledClock(20),
    controlPlane: { nodes: [{ name: 'kind-control-plane' }, { name: WORKER }], kubelet: { imagePullMs: 50, containerStartMs: 50, volumeMountMs: 50 } },
  });
});
after(async () => cluster?.close());

const ready = (n: any) => (n.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status;

test('annotating a Node stopped makes it Unknown; removing the annotation brings it back Ready', async () => {
  const client = cluster.client('test');
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig());
  const sim = nodeSimulationByAnnotation(kc);

  await sim.stopKubelet(WORKER);
  await eventually(async () => ready(await client.get(NODES, undefined, WORKER)) === 'Unknown', 'worker Ready Unknown', 30_000);
  await eventually(async () => ready(await client.get(NODES, undefined, 'kind-control-plane')) === 'True', 'control plane untouched');

  await sim.startKubelet(WORKER);
  await eventually(async () => {
    const n = await client.get(NODES, undefined, WORKER);
    return ready(n) === 'True' && !(n.spec?.taints ?? []).length && !n.metadata.annotations?.['sim.kubernaut.ai/kubelet'];
  }, 'worker Ready again without taints', 30_000);
});
