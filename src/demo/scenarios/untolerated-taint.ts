/** The taint heals when it is gone from the node and the pinned pod runs there again. */
import { CoreV1Api } from '@kubernetes/client-node';
import { catalogScenario } from './catalog-scenario.ts';
import { podsOf } from './checks.ts';

const NODE = 'kind-worker';

export const untoleratedTaint = catalogScenario('untolerated-taint', {
  async verify(ctx) {
    const node = await ctx.kubeconfig.makeApiClient(CoreV1Api).readNode({ name: NODE });
    const taints = (node.spec?.taints ?? []).filter((t) => t.key === 'maintenance');
    const pods = await podsOf(ctx.kubeconfig, 'demo-inference', 'app=inference-api');
    return [
      { name: `taint maintenance=planned:NoSchedule removed from ${NODE}`, ok: taints.length === 0, detail: taints.length ? JSON.stringify(taints) : undefined },
      { name: `inference-api scheduled on ${NODE}`, ok: pods.some((p) => p.spec?.nodeName === NODE && p.status?.phase === 'Running'), detail: pods.map((p) => `${p.metadata.name}@${p.spec?.nodeName ?? '-'}:${p.status?.phase}`).join(', ') },
    ];
  },
});

export default untoleratedTaint;
