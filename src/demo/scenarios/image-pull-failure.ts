/** The stuck rollout heals when the Deployment runs the pullable image again on every replica. */
import { catalogScenario } from './catalog-scenario.ts';
import { noPodWaiting, rolloutComplete, templateImage } from './checks.ts';

const GOOD_IMAGE = 'registry.example.com/storefront/web:3.4.1';

export const imagePullFailure = catalogScenario('image-pull-failure', {
  async verify(ctx) {
    const image = await templateImage(ctx.kubeconfig, 'demo-storefront', 'storefront-web', 'web');
    return [
      { name: `back on the pullable image ${GOOD_IMAGE} (now ${image})`, ok: image === GOOD_IMAGE },
      await rolloutComplete(ctx.kubeconfig, 'demo-storefront', 'storefront-web'),
      await noPodWaiting(ctx.kubeconfig, 'demo-storefront', 'app=storefront-web', ['ErrImagePull', 'ImagePullBackOff']),
    ];
  },
});

export default imagePullFailure;
