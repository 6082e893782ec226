/** The dead node heals the workload when it is cordoned and its runners run Ready on another node. */
import { CoreV1Api } from '@kubernetes/client-node';
import { catalogScenario } from './catalog-scenario.ts';
import { podsOf } from './checks.ts';

const NODE = 'kind-worker';

export const nodeNotReady = catalogScenario('node-not-ready', {
  async verify(ctx) {
    const node = await ctx.kubeconfig.makeApiClient(CoreV1Api).readNode({ name: NODE });
    const pods = await podsOf(ctx.kubeconfig, 'demo-batch', 'app=batch-runner');
    const elsewhere = pods.filter((p) => p.spec?.nodeName && p.spec.nodeName !== NODE && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
    return [
      { name: `node ${NODE} cordoned`, ok: node.spec?.unschedulable === true },
      { name: `batch runners Ready on another node`, ok: elsewhere.length >= 2, detail: pods.map((p) => `${p.metadata.name}@${p.spec?.nodeName ?? '-'}`).join(', ') },
    ];
  },
});

export default nodeNotReady;
