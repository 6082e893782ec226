/** The manifests a real cluster gets (CRDs, RBAC, Deployments) are accepted by the API server as they are. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
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
  for (const name of ['serviceaccount/kubernaut-gateway', 'clusterrole.rbac.authorization.k8s.io/kubernaut-gateway', 'deployment.apps/kubernaut-datastorage', 'deployment.apps/kubernaut-gateway', 'service/kubernaut-gateway', 'clusterrole.rbac.authorization.k8s.io/kubernaut-alerting', 'deployment.apps/kubernaut-alerting', 'service/kubernaut-alerting', 'serviceaccount/kubernaut-datastorage', 'clusterrole.rbac.authorization.k8s.io/kubernaut-signal-sender', 'clusterrolebinding.rbac.authorization.k8s.io/kubernaut-datastorage-auth-delegator', 'clusterrolebinding.rbac.authorization.k8s.io/kubernaut-alerting-auth-delegator', 'clusterrolebinding.rbac.authorization.k8s.io/kubernaut-alerting-signal-sender', 'serviceaccount/kubernaut-controllers', 'clusterrole.rbac.authorization.k8s.io/kubernaut-controllers', 'deployment.apps/kubernaut-controllers', 'serviceaccount/kubernaut-investigator', 'clusterrole.rbac.authorization.k8s.io/kubernaut-investigator', 'configmap/kubernaut-llm', 'deployment.apps/kubernaut-investigator', 'service/kubernaut-investigator', 'namespace/kubernaut-workflows', 'role.rbac.authorization.k8s.io/kubernaut-workflow-executor']) {
    assert.match(out, new RegExp(`${name.replace(/\./g, '\\.')} created`));
  }
});

test('every service listens on all interfaces explicitly (the commands default to loopback) and DataStorage requires tokens', () => {
  const deployments = JSON.parse(k.kubectlOk(['get', 'deployments', '-n', 'kubernaut-system', '-o', 'json'])).items as Array<{ metadata: { name: string }; spec: { template: { spec: { containers: Array<{ args: string[] }> } } } }>;
  const args = new Map(deployments.map((d) => [d.metadata.name, d.spec.template.spec.containers[0].args]));
  for (const name of ['kubernaut-datastorage', 'kubernaut-gateway', 'kubernaut-alerting', 'kubernaut-controllers', 'kubernaut-investigator']) {
    const a = args.get(name) ?? [];
    assert.equal(a[a.indexOf('--host') + 1], '0.0.0.0', `${name} passes --host 0.0.0.0`);
  }
  const ds = args.get('kubernaut-datastorage') ?? [];
  assert.equal(ds[ds.indexOf('--auth') + 1], 'tokenreview');
  // The Gateway's audit events carry its ServiceAccount token, which RBAC lets create auditevents.
  assert.ok(args.get('kubernaut-gateway')?.includes('--datastorage-token-file'));
  const rules = JSON.parse(k.kubectlOk(['get', 'clusterrole', 'kubernaut-gateway', '-o', 'json'])).rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
  assert.ok(rules.some((r) => r.apiGroups.includes('kubernaut.ai') && r.resources.includes('auditevents') && r.verbs.includes('create')));
});

test('the investigator may only read the cluster: no write verbs, no exec, port-forward or proxy', () => {
  const rules = JSON.parse(k.kubectlOk(['get', 'clusterrole', 'kubernaut-investigator', '-o', 'json'])).rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
  // Its own records and the reviews that check its callers are the only things it creates.
  const allowedCreates = new Set(['auditevents', 'tokenreviews', 'subjectaccessreviews']);
  for (const rule of rules) {
    for (const verb of rule.verbs) {
      if (['get', 'list', 'watch'].includes(verb)) continue;
      assert.equal(verb, 'create', `verb ${verb} on ${rule.resources.join(',')}`);
      for (const r of rule.resources) assert.ok(allowedCreates.has(r), `create on ${r}`);
    }
    for (const r of rule.resources) assert.ok(!/\/(exec|attach|portforward|proxy)$/.test(r), `subresource ${r}`);
  }
  const controllers = JSON.parse(k.kubectlOk(['get', 'clusterrole', 'kubernaut-controllers', '-o', 'json'])).rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
  assert.ok(controllers.some((r) => r.resources.includes('investigations') && r.verbs.includes('create')), 'the AIAnalysis controller may start investigations');
  assert.ok(controllers.some((r) => r.resources.includes('aianalyses/status') && r.verbs.includes('update')), 'the AIAnalysis controller writes the AA status');
});

test('each workflow\'s runner RBAC applies, and grants no more than a runbook needs (no wildcards, no escalation)', () => {
  for (const dir of readdirSync(join(ROOT, 'workflows'), { withFileTypes: true }).filter((d) => d.isDirectory())) {
    const out = k.kubectlOk(['apply', '-f', join(ROOT, 'workflows', dir.name, 'rbac.yaml')]);
    assert.match(out, new RegExp(`serviceaccount/${dir.name}-runner (created|unchanged|configured)`));
    const role = JSON.parse(k.kubectlOk(['get', 'clusterrole', `kubernaut-workflow-${dir.name}`, '-o', 'json']));
    assert.equal(role.metadata.labels['kubernaut.ai/workflow'], dir.name);
    for (const rule of role.rules as Array<{ resources: string[]; verbs: string[] }>) {
      assert.ok(!rule.resources.includes('*') && !rule.verbs.includes('*'), `${dir.name}: ${JSON.stringify(rule)}`);
      assert.ok(!rule.verbs.some((v) => ['escalate', 'bind', 'impersonate'].includes(v)), `${dir.name}: ${JSON.stringify(rule)}`);
    }
  }
});
