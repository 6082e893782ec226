/** The crash loop heals when the Deployment is back on the working ConfigMap and fully rolled out. */
import { catalogScenario } from './catalog-scenario.ts';
import { deploymentOf, noPodWaiting, rolloutComplete } from './checks.ts';

export const deploymentBadConfigmapCrashloop = catalogScenario('deployment-bad-configmap-crashloop', {
  async verify(ctx) {
    const d = await deploymentOf(ctx.kubeconfig, 'demo-checkout', 'checkout-api');
    const configMap = d.spec?.template?.spec?.volumes?.find((v: any) => v.name === 'config')?.configMap?.name;
    return [
      { name: `rolled back to ConfigMap checkout-config-v1 (now ${configMap})`, ok: configMap === 'checkout-config-v1' },
      await rolloutComplete(ctx.kubeconfig, 'demo-checkout', 'checkout-api'),
      await noPodWaiting(ctx.kubeconfig, 'demo-checkout', 'app=checkout-api', ['CrashLoopBackOff']),
    ];
  },
});

export default deploymentBadConfigmapCrashloop;
