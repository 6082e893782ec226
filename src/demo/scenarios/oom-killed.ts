/** The OOM scenario heals when the limit went up and the worker runs without being OOMKilled again. */
import { parseQuantity } from './quantity.ts';
import { catalogScenario } from './catalog-scenario.ts';
import { deploymentOf, podsOf } from './checks.ts';

const limitOf = async (kc: Parameters<typeof deploymentOf>[0]) =>
  (await deploymentOf(kc, 'demo-reports', 'report-worker')).spec?.template?.spec?.containers?.find((c: any) => c.name === 'worker')?.resources?.limits?.memory as string | undefined;

export const oomKilled = catalogScenario('oom-killed', {
  before: async (ctx) => limitOf(ctx.kubeconfig),
  async verify(ctx, _f, before) {
    const now = await limitOf(ctx.kubeconfig);
    const raised = !!now && !!before && parseQuantity(now) > parseQuantity(String(before));
    const pods = await podsOf(ctx.kubeconfig, 'demo-reports', 'app=report-worker');
    const oomAgain = pods.filter((p) => (p.status?.containerStatuses ?? []).some((c: any) => c.state?.terminated?.reason === 'OOMKilled' || c.lastState?.terminated?.reason === 'OOMKilled'));
    return [
      { name: `memory limit raised (was ${before}, now ${now})`, ok: raised },
      { name: 'the running worker was not OOMKilled', ok: pods.length > 0 && oomAgain.length === 0, detail: oomAgain.map((p) => p.metadata.name).join(', ') || undefined },
    ];
  },
});

export default oomKilled;
