/**
 * Signals the Gateway can never turn into a RemediationRequest are rejected for good (200 with a
 * reason, audited), never answered with a retryable 500 and never redirected to another object:
 * invalid target names, kinds outside the target priority list, and alerts the RR CRD's limits
 * would refuse.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { CollectingAuditSink, alert, post, startGatewayEnv, webhook, type GatewayEnv } from './fixtures.ts';

let env: GatewayEnv;
let audit: CollectingAuditSink;
let gatewayUrl: string;

before(async () => {
  env = await startGatewayEnv();
  audit = new CollectingAuditSink();
  gatewayUrl = (await env.startGateway({ auditClient: audit })).url;
  // A managed namespace: every object in it is in scope, so only the target checks can refuse.
  env.kubernaut.kubectlOk(['create', 'namespace', 'gw']);
  env.kubernaut.kubectlOk(['label', 'namespace', 'gw', 'kubernaut.ai/managed=true']);
  env.kubernaut.kubectlOk(['create', 'deployment', 'web', '--image=nginx', '-n', 'gw']);
  env.kubernaut.kubectlOk(['create', 'secret', 'generic', 'credentials', '--from-literal=k=v', '-n', 'gw']);
});
after(async () => {
  await env?.stop();
});

async function rrsIn(namespace: string): Promise<any[]> {
  const api = env.kc.makeApiClient(CustomObjectsApi);
  return ((await api.listNamespacedCustomObject({ group: 'kubernaut.ai', version: 'v1alpha1', plural: 'remediationrequests', namespace })) as { items: any[] }).items;
}

const warningEvent = (involvedObject: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Event', type: 'Warning', reason: 'BackOff', message: 'something failed',
  metadata: { name: 'x.17a', namespace: 'gw' }, involvedObject,
  firstTimestamp: new Date().toISOString(), source: { component: 'kubelet' },
});

function assertRejected(res: { status: number; body: any }, reason: string): void {
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.status, 'rejected');
  assert.equal(res.body.reason, reason);
  assert.ok(audit.ofType('gateway.signal.rejected').some((e) => (e.eventData as { reason?: string }).reason === reason), `rejection ${reason} audited`);
}

test('a pod named ".." is an invalid target, not Namespace/gw (alert and Event alike)', async () => {
  assertRejected(await post(`${gatewayUrl}/api/v1/signals/prometheus`, webhook([alert({ alertname: 'PodDown', namespace: 'gw', pod: '..' })])), 'invalid-target');
  assertRejected(await post(`${gatewayUrl}/api/v1/signals/kubernetes-event`, warningEvent({ kind: 'Pod', name: '..', namespace: 'gw' })), 'invalid-target');
  assertRejected(await post(`${gatewayUrl}/api/v1/signals/kubernetes-event`, warningEvent({ kind: 'Deployment', name: 'web', namespace: 'gw/../kube-system' })), 'invalid-target');
  assertRejected(await post(`${gatewayUrl}/api/v1/signals/prometheus`, webhook([alert({ alertname: 'SvcDown', namespace: 'gw', exported_service: '9-not-dns1035' })])), 'invalid-target');
  assert.deepEqual(await rrsIn('kubernaut-system'), []);
  assert.deepEqual(await rrsIn('gw'), []);
});

test('Events about kinds outside the target priority list are rejected as unsupported', async () => {
  assertRejected(await post(`${gatewayUrl}/api/v1/signals/kubernetes-event`, warningEvent({ apiVersion: 'v1', kind: 'Secret', name: 'credentials', namespace: 'gw' })), 'unsupported-kind');
  assertRejected(await post(`${gatewayUrl}/api/v1/signals/kubernetes-event`, warningEvent({ apiVersion: 'kubernaut.ai/v1alpha1', kind: 'RemediationRequest', name: 'rr-1', namespace: 'gw' })), 'unsupported-kind');
  assertRejected(await post(`${gatewayUrl}/api/v1/signals/kubernetes-event`, warningEvent({ kind: 'Foo', name: 'bar', namespace: 'gw' })), 'unsupported-kind');
  // A supported kind under another group is not that kind.
  assertRejected(await post(`${gatewayUrl}/api/v1/signals/kubernetes-event`, warningEvent({ apiVersion: 'example.com/v1', kind: 'Deployment', name: 'web', namespace: 'gw' })), 'unsupported-kind');
  assert.deepEqual(await rrsIn('gw'), []);
});

test('alerts the RR CRD would refuse are rejected per alert; the valid alert of the batch is counted once', async () => {
  // Each alert about its own Deployment: each would create an RR of its own.
  for (const name of ['api', 'db', 'cache']) env.kubernaut.kubectlOk(['create', 'deployment', name, '--image=nginx', '-n', 'gw']);
  const about = (deployment: string) => ({ alertname: 'KubeDeploymentReplicasMismatch', deployment, namespace: 'gw' });
  const withFixtureLabels = Object.keys(alert(about('api')).labels).length;
  const manyLabels = Object.fromEntries(Array.from({ length: 257 - withFixtureLabels }, (_, i) => [`l${i}`, 'v']));
  const manyAnnotations = { ...alert(about('db')), annotations: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`a${i}`, 'v'])) };
  const batch = webhook([alert(about('web')), alert({ ...about('api'), ...manyLabels }), manyAnnotations, alert({ ...about('cache'), huge: 'x'.repeat(70_000) })]);

  const first = await post(`${gatewayUrl}/api/v1/signals/prometheus`, batch);
  assert.equal(first.status, 201, JSON.stringify(first.body).slice(0, 2000));
  assert.deepEqual(first.body.results.map((r: any) => [r.status, r.reason]), [['created', undefined], ['rejected', 'invalid'], ['rejected', 'invalid'], ['rejected', 'invalid']]);
  assert.match(first.body.results[1].message, /257 labels/);
  assert.match(first.body.results[2].message, /300 annotations/);
  const rrs = await rrsIn('gw');
  assert.deepEqual(rrs.map((rr) => [rr.spec.targetResource.name, rr.status.deduplication.occurrenceCount]), [['web', 1]]);
});
