/**
 * `kubernaut alerting` as its own process against a cluster (as deployed next to a real cluster's
 * kube-state-metrics): it loads the cluster's PrometheusRules, scrapes the given target and sends
 * firing alerts to the Gateway given by --gateway-url.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startKubernaut, startService, type RunningKubernaut, type RunningService } from '../helpers/kubernaut-process.ts';

let k: RunningKubernaut;
let alerting: RunningService | undefined;

before(async () => {
  // The cluster and its Gateway, without alerting of its own (so the PrometheusRule CRD comes from
  // the standalone process).
  k = await startKubernaut({ args: ['--ephemeral', '--no-datastorage', '--prometheus', 'none'] });
});
after(async () => {
  await alerting?.stop();
  await k?.stop();
});

test('kubernaut alerting loads the cluster\'s rules, scrapes kube-state-metrics and sends to the Gateway', async () => {
  const ep = JSON.parse(readFileSync(join(k.dataDir, 'endpoints.json'), 'utf8'));
  assert.equal(ep.prometheus, undefined, '--prometheus none runs no alerting');
  alerting = await startService(
    ['alerting', '--kubeconfig', k.kubeconfig, '--host', '127.0.0.1', '--port', '0', '--scrape-target', `kube-state-metrics=${ep.kubeStateMetrics}`, '--gateway-url', ep.gateway, '--time-scale', '60'],
    /alerts page: (\S+)\/alerts/,
  );
  const base = alerting.url;
  k.kubectlOk(['create', 'namespace', 'standalone']);
  k.kubectlOk(['label', 'namespace', 'standalone', 'kubernaut.ai/managed=true']);
  k.kubectlOk(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=0', '-n', 'standalone']);
  // A rule over kube-state-metrics: the Deployment wants no replicas.
  k.kubectlOk(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'standalone', namespace: 'standalone' },
      spec: { groups: [{ name: 'g', rules: [{ alert: 'DeploymentScaledToZero', expr: 'kube_deployment_spec_replicas{namespace="standalone"} == 0', for: '1m', labels: { severity: 'warning' } }] }] },
    }),
  });
  const firing = await eventually(async () => {
    const body = await (await fetch(`${base}/api/v1/alerts`)).json();
    return body.data.alerts.find((a: any) => a.labels.alertname === 'DeploymentScaledToZero' && a.state === 'firing');
  }, 'alert firing in the standalone evaluator', 60_000, 250);
  assert.equal(firing.labels.deployment, 'web');
  assert.equal(firing.labels.job, 'kube-state-metrics');

  const rr = await eventually(() => JSON.parse(k.kubectlOk(['get', 'rr', '-n', 'standalone', '-o', 'json'])).items[0], 'RemediationRequest from the alert', 30_000, 250);
  assert.equal(rr.spec.signalName, 'DeploymentScaledToZero');
  assert.deepEqual(rr.spec.targetResource, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'standalone' });
});
