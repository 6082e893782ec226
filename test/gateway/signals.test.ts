/**
 * The Gateway turns the reference alert into exactly one RemediationRequest on the real embedded
 * cluster, deduplicates repeats (also concurrent ones, also across two Gateway replicas), refuses
 * unmanaged resources, resolves pods to their Deployment and audits every decision.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { eventually } from '../helpers/kubernaut-process.ts';
import { CollectingAuditSink, KV_STORE_FINGERPRINT, REFERENCE_LABELS, alert, post, sha256, startGatewayEnv, webhook, type GatewayEnv } from './fixtures.ts';

let env: GatewayEnv;
let audit: CollectingAuditSink;
let gatewayUrl: string;

before(async () => {
  env = await startGatewayEnv();
  audit = new CollectingAuditSink();
  gatewayUrl = (await env.startGateway({ auditClient: audit })).url;
});
after(async () => {
  await env?.stop();
});

async function listRRs(namespace: string): Promise<any[]> {
  const api = env.kc.makeApiClient(CustomObjectsApi);
  const list = (await api.listNamespacedCustomObject({ group: 'kubernaut.ai', version: 'v1alpha1', plural: 'remediationrequests', namespace })) as { items: any[] };
  return list.items;
}

test('the reference alert creates one RR targeting StatefulSet/kv-store with the documented fingerprint', async () => {
  const res = await post(`${gatewayUrl}/api/v1/signals/prometheus`, webhook([alert(REFERENCE_LABELS)]));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.status, 'created');
  assert.equal(res.body.namespace, 'demo-statefulset');
  assert.equal(res.body.fingerprint, KV_STORE_FINGERPRINT);
  assert.match(res.body.remediationRequest, new RegExp(`^rr-${KV_STORE_FINGERPRINT.slice(0, 12)}-[a-z0-9]{8}$`));

  const rrs = await listRRs('demo-statefulset');
  assert.equal(rrs.length, 1);
  const rr = rrs[0];
  assert.equal(rr.metadata.name, res.body.remediationRequest);
  assert.deepEqual(rr.spec.targetResource, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: 'demo-statefulset' });
  assert.equal(rr.spec.signalFingerprint, KV_STORE_FINGERPRINT);
  assert.equal(rr.spec.signalName, 'KubernautStatefulSetReplicasMismatch');
  assert.equal(rr.spec.severity, 'critical');
  assert.equal(rr.spec.signalSource, 'prometheus');
  assert.equal(rr.spec.signalType, 'alert');
  assert.equal(rr.spec.targetType, 'kubernetes');
  assert.equal(rr.metadata.labels['kubernaut.ai/signal-fingerprint'], KV_STORE_FINGERPRINT.slice(0, 63));
  assert.equal(rr.metadata.labels['app.kubernetes.io/managed-by'], 'kubernaut-gateway');
  assert.ok(rr.metadata.annotations['kubernaut.ai/created-at']);
  assert.equal(JSON.parse(rr.spec.providerData).namespace, 'demo-statefulset');
  assert.equal(JSON.parse(rr.spec.originalPayload).labels.alertname, 'KubernautStatefulSetReplicasMismatch');
  assert.equal(rr.status.deduplication.occurrenceCount, 1);
  assert.ok(rr.status.deduplication.firstSeenAt);

  const table = env.kubernaut.kubectlOk(['get', 'rr', '-n', 'demo-statefulset']);
  assert.match(table, new RegExp(res.body.remediationRequest));

  const created = audit.ofType('gateway.crd.created').filter((e) => e.correlationId === res.body.remediationRequest);
  assert.equal(created.length, 1);
  assert.equal(created[0].resourceType, 'RemediationRequest');
  assert.ok(audit.ofType('gateway.signal.received').some((e) => e.correlationId === res.body.remediationRequest));
});

test('20 concurrent identical alerts across two Gateway replicas leave one RR with occurrenceCount 20', async () => {
  // A fresh incident: a second managed StatefulSet, so this test does not depend on the first one.
  env.kubernaut.kubectlOk(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'apps/v1', kind: 'StatefulSet',
      metadata: { name: 'queue', namespace: 'demo-statefulset', labels: { 'kubernaut.ai/managed': 'true' } },
      spec: { serviceName: 'queue', replicas: 0, selector: { matchLabels: { app: 'queue' } }, template: { metadata: { labels: { app: 'queue' } }, spec: { containers: [{ name: 'q', image: 'busybox' }] } } },
    }),
  });
  const second = await env.startGateway({ auditClient: audit });
  const urls = [gatewayUrl, second.url];
  const payload = webhook([alert({ ...REFERENCE_LABELS, statefulset: 'queue' })]);
  const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => post(`${urls[i % 2]}/api/v1/signals/prometheus`, payload)));
  const statuses = responses.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, ...Array(19).fill(202)], JSON.stringify(responses.map((r) => r.body)));
  const names = new Set(responses.map((r) => r.body.remediationRequest));
  assert.equal(names.size, 1);

  const fingerprint = sha256('demo-statefulset:StatefulSet:queue');
  const rrs = (await listRRs('demo-statefulset')).filter((rr) => rr.spec.signalFingerprint === fingerprint);
  assert.equal(rrs.length, 1);
  assert.equal(rrs[0].status.deduplication.occurrenceCount, 20);
  assert.equal(audit.ofType('gateway.signal.deduplicated').filter((e) => e.correlationId === rrs[0].metadata.name).length, 19);
});

test('repeats of the reference alert are counted into its RR', async () => {
  const payload = webhook([alert(REFERENCE_LABELS)]);
  for (let i = 0; i < 3; i++) {
    const res = await post(`${gatewayUrl}/api/v1/signals/prometheus`, payload);
    assert.equal(res.status, 202);
    assert.equal(res.body.status, 'duplicate');
  }
  const rrs = (await listRRs('demo-statefulset')).filter((rr) => rr.spec.signalFingerprint === KV_STORE_FINGERPRINT);
  assert.equal(rrs.length, 1);
  assert.equal(rrs[0].status.deduplication.occurrenceCount, 4);
});

test('an alert about an unmanaged namespace is rejected with the reason and creates nothing', async () => {
  env.kubernaut.kubectlOk(['create', 'namespace', 'unmanaged-apps']);
  env.kubernaut.kubectlOk(['create', 'deployment', 'web', '--image=nginx', '-n', 'unmanaged-apps']);
  const res = await post(`${gatewayUrl}/api/v1/signals/prometheus`, webhook([alert({ alertname: 'KubeDeploymentReplicasMismatch', deployment: 'web', namespace: 'unmanaged-apps' })]));
  assert.equal(res.status, 200);
  assert.equal(res.body.status, 'rejected');
  assert.equal(res.body.reason, 'unmanaged');
  assert.match(res.body.message, /kubernaut\.ai\/managed/);
  assert.deepEqual(await listRRs('unmanaged-apps'), []);
  const rejected = audit.ofType('gateway.signal.rejected').find((e) => e.correlationId === sha256('unmanaged-apps:Deployment:web'));
  assert.ok(rejected, 'rejection audited under the fingerprint');
  assert.equal(rejected.eventOutcome, 'failure');
});

test('an alert about a pod resolves to its Deployment (fingerprint of the Deployment, target the pod)', async () => {
  env.kubernaut.kubectlOk(['create', 'namespace', 'shop']);
  env.kubernaut.kubectlOk(['label', 'namespace', 'shop', 'kubernaut.ai/managed=true']);
  env.kubernaut.kubectlOk(['create', 'deployment', 'checkout', '--image=nginx', '--replicas=2', '-n', 'shop']);
  const pod = await eventually(() => {
    const names = env.kubernaut.kubectlOk(['get', 'pods', '-n', 'shop', '-o', 'jsonpath={.items[*].metadata.name}']).trim();
    return names ? names.split(/\s+/)[0] : undefined;
  }, 'checkout pods');
  const res = await post(`${gatewayUrl}/api/v1/signals/prometheus`, webhook([alert({ alertname: 'KubePodCrashLooping', pod, namespace: 'shop', severity: 'warning' })]));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.fingerprint, sha256('shop:Deployment:checkout'));
  const [rr] = await listRRs('shop');
  assert.deepEqual(rr.spec.targetResource, { apiVersion: 'v1', kind: 'Pod', name: pod, namespace: 'shop' });

  // Another pod of the same Deployment is the same incident.
  const other = env.kubernaut.kubectlOk(['get', 'pods', '-n', 'shop', '-o', 'jsonpath={.items[*].metadata.name}']).trim().split(/\s+/).find((n) => n !== pod)!;
  const again = await post(`${gatewayUrl}/api/v1/signals/prometheus`, webhook([alert({ alertname: 'KubePodNotReady', pod: other, namespace: 'shop' })]));
  assert.equal(again.status, 202);
  assert.equal(again.body.remediationRequest, rr.metadata.name);
});

test('a batch is handled alert by alert; resolved alerts are recorded, not acted on', async () => {
  const before = (await listRRs('demo-statefulset')).length;
  const res = await post(`${gatewayUrl}/api/v1/signals/prometheus`, webhook([
    alert({ ...REFERENCE_LABELS, statefulset: 'kv-store' }, { status: 'resolved' }),
    alert({ alertname: 'SomethingElse', namespace: 'demo-statefulset' }),
    alert(REFERENCE_LABELS),
  ]));
  assert.equal(res.status, 202);
  assert.deepEqual(res.body.results.map((r: any) => r.status), ['resolved', 'rejected', 'duplicate']);
  assert.equal(res.body.results[1].reason, 'no-target');
  assert.equal((await listRRs('demo-statefulset')).length, before);
  assert.ok(audit.ofType('gateway.signal.resolved').some((e) => e.correlationId === KV_STORE_FINGERPRINT));

  const onlyResolved = await post(`${gatewayUrl}/api/v1/signals/prometheus`, webhook([alert({ ...REFERENCE_LABELS, statefulset: 'never-seen' }, { status: 'resolved' })]));
  assert.equal(onlyResolved.status, 200);
  assert.equal(onlyResolved.body.status, 'resolved');
});

test('a Warning Kubernetes event creates an RR; a Normal one is ignored', async () => {
  env.kubernaut.kubectlOk(['create', 'namespace', 'events-demo']);
  env.kubernaut.kubectlOk(['label', 'namespace', 'events-demo', 'kubernaut.ai/managed=true']);
  env.kubernaut.kubectlOk(['create', 'deployment', 'settings', '--image=nginx', '-n', 'events-demo']);
  const event = (type: string) => ({
    apiVersion: 'v1', kind: 'Event', type, reason: 'BackOff', message: 'Back-off restarting failed container',
    metadata: { name: 'settings.17a', namespace: 'events-demo' },
    involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'settings', namespace: 'events-demo' },
    firstTimestamp: new Date().toISOString(), lastTimestamp: new Date().toISOString(), count: 3, source: { component: 'kubelet' },
  });
  const normal = await post(`${gatewayUrl}/api/v1/signals/kubernetes-event`, event('Normal'));
  assert.equal(normal.status, 200);
  assert.equal(normal.body.status, 'ignored');
  assert.deepEqual(await listRRs('events-demo'), []);

  const warning = await post(`${gatewayUrl}/api/v1/signals/kubernetes-event`, event('Warning'));
  assert.equal(warning.status, 201, JSON.stringify(warning.body));
  const [rr] = await listRRs('events-demo');
  assert.equal(rr.spec.signalSource, 'kubernetes-events');
  assert.equal(rr.spec.signalName, 'BackOff');
  assert.equal(rr.spec.signalFingerprint, sha256('events-demo:Deployment:settings'));
});

test('crNamespace puts RRs in one namespace, and /metrics counts decisions by adapter', async () => {
  // `kubernaut up` made kubernaut-system already; a real cluster gets it from deploy/kubernetes.
  assert.equal(env.kubernaut.kubectl(['get', 'namespace', 'kubernaut-system']).code, 0);
  const central = await env.startGateway({ auditClient: audit, crNamespace: 'kubernaut-system' });
  env.kubernaut.kubectlOk(['create', 'deployment', 'api', '--image=nginx', '-n', 'shop']);
  const res = await post(`${central.url}/api/v1/signals/prometheus`, webhook([alert({ alertname: 'KubeDeploymentReplicasMismatch', deployment: 'api', namespace: 'shop' })]));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.namespace, 'kubernaut-system');
  const [rr] = await listRRs('kubernaut-system');
  assert.deepEqual(rr.spec.targetResource, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', namespace: 'shop' });

  const metrics = await (await fetch(`${gatewayUrl}/metrics`)).text();
  assert.match(metrics, /gateway_signals_created_total\{adapter="prometheus",service="gateway"\} [1-9]/);
  assert.match(metrics, /gateway_signals_duplicate_total\{adapter="prometheus",service="gateway"\} [1-9]/);
  assert.match(metrics, /gateway_signals_rejected_total\{adapter="prometheus",reason="unmanaged",service="gateway"\} 1/);
  assert.match(metrics, /gateway_signal_processing_seconds_bucket/);
  const ready = await fetch(`${gatewayUrl}/readyz`);
  assert.equal(ready.status, 200);
});

test('a finished RR takes no repeats (a new RR is created) unless its backoff is still running', async () => {
  env.kubernaut.kubectlOk(['create', 'deployment', 'billing', '--image=nginx', '-n', 'shop']);
  const payload = webhook([alert({ alertname: 'KubeDeploymentReplicasMismatch', deployment: 'billing', namespace: 'shop' })]);
  const first = await post(`${gatewayUrl}/api/v1/signals/prometheus`, payload);
  assert.equal(first.status, 201);
  const setStatus = (status: object) => env.kubernaut.kubectlOk(['patch', 'rr', first.body.remediationRequest, '-n', 'shop', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);

  // Failed, but the Orchestrator's backoff runs for another 10 minutes: still the same incident.
  setStatus({ overallPhase: 'Failed', nextAllowedExecution: new Date(Date.now() + 600_000).toISOString() });
  const during = await post(`${gatewayUrl}/api/v1/signals/prometheus`, payload);
  assert.equal(during.status, 202, JSON.stringify(during.body));
  assert.equal(during.body.remediationRequest, first.body.remediationRequest);

  // Backoff over: the next signal is a new incident.
  setStatus({ overallPhase: 'Failed', nextAllowedExecution: new Date(Date.now() - 1000).toISOString() });
  const after = await post(`${gatewayUrl}/api/v1/signals/prometheus`, payload);
  assert.equal(after.status, 201, JSON.stringify(after.body));
  assert.notEqual(after.body.remediationRequest, first.body.remediationRequest);
  assert.equal(after.body.occurrenceCount, 1);
});

test('a NoActionRequired RR absorbs re-sends of its alert episode; the alert resolved and fired again is a new RR at once', async () => {
  env.kubernaut.kubectlOk(['create', 'deployment', 'ledger', '--image=nginx', '-n', 'shop']);
  const labels = { alertname: 'KubeDeploymentReplicasMismatch', deployment: 'ledger', namespace: 'shop' };
  const firstEpisode = new Date(Date.now() - 120_000).toISOString();
  const send = (startsAt: string, status: 'firing' | 'resolved' = 'firing') => post(`${gatewayUrl}/api/v1/signals/prometheus`, webhook([alert(labels, { startsAt, status })]));
  const first = await send(firstEpisode);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  // The Orchestrator found nothing to do and suppresses this episode for 24 h.
  env.kubernaut.kubectlOk(['patch', 'rr', first.body.remediationRequest, '-n', 'shop', '--subresource=status', '--type=merge', '-p', JSON.stringify({
    status: { overallPhase: 'Completed', outcome: 'NoActionRequired', completedAt: new Date().toISOString(), nextAllowedExecution: new Date(Date.now() + 86_400_000).toISOString() },
  })]);

  // Alertmanager re-sends the still-firing alert with its original startsAt: same episode, counted.
  const resent = await send(firstEpisode);
  assert.equal(resent.status, 202, JSON.stringify(resent.body));
  assert.equal(resent.body.remediationRequest, first.body.remediationRequest);
  assert.equal(resent.body.occurrenceCount, 2);

  // Resolved, then firing again: a later startsAt is a new episode, despite nextAllowedExecution.
  assert.equal((await send(firstEpisode, 'resolved')).status, 200);
  const secondEpisode = new Date(Date.now() - 1_000).toISOString();
  const again = await send(secondEpisode);
  assert.equal(again.status, 201, JSON.stringify(again.body));
  assert.notEqual(again.body.remediationRequest, first.body.remediationRequest);
  assert.equal(again.body.occurrenceCount, 1);
  // Its repeats go to the new RR; the finished one kept its count.
  const repeat = await send(secondEpisode);
  assert.equal(repeat.body.remediationRequest, again.body.remediationRequest);
  const rrs = (await listRRs('shop')).filter((rr) => rr.spec.signalFingerprint === sha256('shop:Deployment:ledger'));
  const byName = new Map(rrs.map((rr) => [rr.metadata.name, rr]));
  assert.equal(rrs.length, 2);
  assert.equal(byName.get(first.body.remediationRequest).status.deduplication.occurrenceCount, 2);
  assert.equal(byName.get(again.body.remediationRequest).status.deduplication.occurrenceCount, 2);
  assert.equal(Date.parse(byName.get(again.body.remediationRequest).spec.firingTime), Date.parse(secondEpisode));
});

test('a fingerprint lock left behind by a crashed replica is taken over once expired', async () => {
  env.kubernaut.kubectlOk(['create', 'deployment', 'search', '--image=nginx', '-n', 'shop']);
  const fingerprint = sha256('shop:Deployment:search');
  const longAgo = new Date(Date.now() - 3600_000).toISOString().replace('Z', '000Z');
  env.kubernaut.kubectlOk(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name: `kubernaut-gateway-${fingerprint.slice(0, 40)}`, namespace: 'shop' },
      spec: { holderIdentity: 'crashed-replica/1', leaseDurationSeconds: 15, acquireTime: longAgo, renewTime: longAgo },
    }),
  });
  const res = await post(`${gatewayUrl}/api/v1/signals/prometheus`, webhook([alert({ alertname: 'KubeDeploymentReplicasMismatch', deployment: 'search', namespace: 'shop' })]));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.fingerprint, fingerprint);
  // Released after use.
  assert.equal(env.kubernaut.kubectl(['get', 'lease', `kubernaut-gateway-${fingerprint.slice(0, 40)}`, '-n', 'shop']).code, 1);
});

test('a retried batch never counts the same notification twice; identical alerts of successful requests count', async () => {
  env.kubernaut.kubectlOk(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'apps/v1', kind: 'StatefulSet',
      metadata: { name: 'ledger', namespace: 'demo-statefulset', labels: { 'kubernaut.ai/managed': 'true' } },
      spec: { serviceName: 'ledger', replicas: 0, selector: { matchLabels: { app: 'ledger' } }, template: { metadata: { labels: { app: 'ledger' } }, spec: { containers: [{ name: 'l', image: 'busybox' }] } } },
    }),
  });
  const node = env.kubernaut.kubectlOk(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']).trim();
  env.kubernaut.kubectlOk(['label', 'node', node, 'kubernaut.ai/managed=true', '--overwrite']);
  // The node alert fails (retryably) until its RR namespace exists; the ledger alert succeeds each time.
  const gw = await env.startGateway({ auditClient: audit, controllerNamespace: 'kubernaut-retries' });
  const ledger = alert({ ...REFERENCE_LABELS, statefulset: 'ledger' });
  const batch = webhook([ledger, alert({ alertname: 'KubeNodeNotReady', node, instance: `${node}:9100`, job: 'node-exporter' })]);
  const ledgerCount = async () => (await listRRs('demo-statefulset')).find((rr) => rr.spec.signalFingerprint === sha256('demo-statefulset:StatefulSet:ledger'))?.status.deduplication.occurrenceCount;

  const first = await post(`${gw.url}/api/v1/signals/prometheus`, batch);
  assert.equal(first.status, 500);
  assert.equal(first.body.results[0].status, 'created');
  const retry = await post(`${gw.url}/api/v1/signals/prometheus`, batch);
  assert.equal(retry.status, 500);
  assert.equal(retry.body.results[0].status, 'duplicate');
  assert.equal(retry.body.results[0].retried, true);
  assert.equal(await ledgerCount(), 1, 'the retry did not count the ledger alert again');

  env.kubernaut.kubectlOk(['create', 'namespace', 'kubernaut-retries']);
  const last = await post(`${gw.url}/api/v1/signals/prometheus`, batch);
  assert.equal(last.status, 201, JSON.stringify(last.body));
  assert.deepEqual(last.body.results.map((r: { status: string }) => r.status), ['duplicate', 'created']);
  assert.equal(await ledgerCount(), 1);

  // The notification of a successful request is a real repeat when it comes again: counted.
  const afterSuccess = await post(`${gw.url}/api/v1/signals/prometheus`, batch);
  assert.deepEqual(afterSuccess.body.results.map((r: { status: string }) => r.status), ['duplicate', 'duplicate']);
  const fresh = await post(`${gw.url}/api/v1/signals/prometheus`, webhook([{ ...ledger, startsAt: new Date(Date.now() - 1000).toISOString() }]));
  assert.equal(fresh.status, 202);
  assert.equal(fresh.body.retried, undefined);
  assert.equal(await ledgerCount(), 2, 'a new notification of the same alert counts');
  await gw.close();
});

test('a node alert is cluster-scoped: its RR goes to the controller namespace, which must exist', async () => {
  const node = env.kubernaut.kubectlOk(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']).trim();
  env.kubernaut.kubectlOk(['label', 'node', node, 'kubernaut.ai/managed=true', '--overwrite']);
  const gw = await env.startGateway({ auditClient: audit, controllerNamespace: 'kubernaut-controllers' });
  const payload = webhook([alert({ alertname: 'KubeNodeNotReady', node, instance: `${node}:9100`, job: 'node-exporter' })]);
  const missing = await post(`${gw.url}/api/v1/signals/prometheus`, payload);
  assert.equal(missing.status, 500);
  assert.match(missing.body.results[0].error, /kubernaut-controllers .*does not exist/);

  env.kubernaut.kubectlOk(['create', 'namespace', 'kubernaut-controllers']);
  const res = await post(`${gw.url}/api/v1/signals/prometheus`, payload);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.namespace, 'kubernaut-controllers');
  assert.equal(res.body.fingerprint, sha256(`:Node:${node}`));
  const [rr] = await listRRs('kubernaut-controllers');
  assert.deepEqual(rr.spec.targetResource, { apiVersion: 'v1', kind: 'Node', name: node, namespace: '' });
});
