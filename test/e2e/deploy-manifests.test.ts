/** The manifests a real cluster gets (CRDs, RBAC, Deployments) are accepted by the API server as they are. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';

let k: RunningKubernaut;
before(async () => {
  k = await startKubernaut({ args: ['--ephemeral', '--no-control-plane', '--no-gateway', '--no-datastorage'] });
});
after(async () => {
  await k?.stop();
});

test('deploy/crds and deploy/kubernetes apply cleanly (server-side validation)', () => {
  k.kubectlOk(['apply', '-f', join(ROOT, 'deploy/crds/')]);
  const out = k.kubectlOk(['apply', '-f', join(ROOT, 'deploy/kubernetes/')]);
  // `kubernaut up` already made kubernaut-system (RRs of cluster-scoped targets live there).
  assert.match(out, /namespace\/kubernaut-system (created|configured)/);
  for (const name of ['serviceaccount/kubernaut-gateway', 'clusterrole.rbac.authorization.k8s.io/kubernaut-gateway', 'deployment.apps/kubernaut-datastorage', 'deployment.apps/kubernaut-gateway', 'service/kubernaut-gateway', 'clusterrole.rbac.authorization.k8s.io/kubernaut-alerting', 'deployment.apps/kubernaut-alerting', 'service/kubernaut-alerting']) {
    assert.match(out, new RegExp(`${name.replace(/\./g, '\\.')} created`));
  }
});
