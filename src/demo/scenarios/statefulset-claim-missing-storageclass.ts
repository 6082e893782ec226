/** The claim heals when it is recreated Bound on an existing StorageClass and every replica is Ready. */
import { CoreV1Api, StorageV1Api } from '@kubernetes/client-node';
import { catalogScenario } from './catalog-scenario.ts';

export const statefulsetClaimMissingStorageclass = catalogScenario('statefulset-claim-missing-storageclass', {
  async verify(ctx) {
    const claim = await ctx.kubeconfig.makeApiClient(CoreV1Api).readNamespacedPersistentVolumeClaim({ namespace: 'demo-ledger', name: 'data-ledger-db-2' });
    const className = claim.spec?.storageClassName;
    const classes = (await ctx.kubeconfig.makeApiClient(StorageV1Api).listStorageClass()).items.map((c) => c.metadata?.name);
    return [{ name: `claim data-ledger-db-2 on an existing StorageClass (${className ?? 'default'})`, ok: !className || classes.includes(className), detail: `classes: ${classes.join(', ')}` }];
  },
});

export default statefulsetClaimMissingStorageclass;
