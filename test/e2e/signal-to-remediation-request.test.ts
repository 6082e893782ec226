/**
 * The embedded stack as `kubernaut up` runs it: the reference alert posted to the Gateway becomes
 * one RemediationRequest that kubectl shows, repeats are counted into it, every decision is in
 * DataStorage's audit trail, and the shipped reference workflow is discoverable for this incident.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, ROOT, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';

const NS = 'demo-statefulset';
const MANIFESTS = join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure/manifests');
let k: RunningKubernaut;
let endpoints: { gateway: string; dataStorage: string };

// The Alertmanager webhook the README posts by hand (a firing KubernautStatefulSetReplicasMismatch
// with kube-state-metrics' own job/instance/container labels riding along, as scraped), made current.
const shippedWebhook = JSON.parse(readFileSync(join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure/alertmanager-webhook.json'), 'utf8'));
shippedWebhook.alerts[0].startsAt = new Date().toISOString();
const referenceAlert = JSON.stringify(shippedWebhook);

before(async () => {
  k = await startKubernaut({ args: ['--ephemeral'] });
  endpoints = JSON.parse(readFileSync(join(k.dataDir, 'endpoints.json'), 'utf8'));
  k.kubectlOk(['apply', '-f', join(MANIFESTS, 'namespace.yaml')]);
  k.kubectlOk(['apply', '-f', join(MANIFESTS, 'statefulset.yaml')]);
});
after(async () => {
  await k?.stop();
});

test('the reference alert, 20 times at once, is one RemediationRequest with occurrenceCount 20', async () => {
  const send = () => fetch(`${endpoints.gateway}/api/v1/signals/prometheus`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: referenceAlert });
  const responses = await Promise.all(Array.from({ length: 20 }, send));
  const codes = responses.map((r) => r.status).sort();
  assert.deepEqual(codes, [201, ...Array(19).fill(202)]);
  const rrs = JSON.parse(k.kubectlOk(['get', 'rr', '-n', NS, '-o', 'json'])).items;
  assert.equal(rrs.length, 1);
  const rr = rrs[0];
  const fingerprint = createHash('sha256').update(`${NS}:StatefulSet:kv-store`).digest('hex');
  assert.equal(rr.spec.signalFingerprint, fingerprint);
  assert.match(rr.metadata.name, new RegExp(`^rr-${fingerprint.slice(0, 12)}-[a-z0-9]{8}$`));
  assert.deepEqual(rr.spec.targetResource, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NS });
  assert.equal(rr.status.deduplication.occurrenceCount, 20);
  assert.match(k.kubectlOk(['get', 'rr', '-n', NS]), new RegExp(`^NAME\\s+PHASE\\s+OUTCOME\\s+AGE\\n${rr.metadata.name}\\s`));

  // Every decision reaches the audit trail (the audit client sends batches in the background).
  await eventually(async () => {
    const res = await fetch(`${endpoints.dataStorage}/api/v1/audit/events?correlationId=${rr.metadata.name}&limit=100`);
    const types = ((await res.json()) as { events: Array<{ eventType: string }> }).events.map((e) => e.eventType);
    return types.filter((t) => t === 'gateway.signal.received').length === 20 && types.includes('gateway.crd.created') && types.filter((t) => t === 'gateway.signal.deduplicated').length === 19;
  }, 'audit events of all 20 signals', 20_000, 250);
});

test('an alert about an unmanaged namespace is rejected and creates nothing', async () => {
  k.kubectlOk(['create', 'namespace', 'unmanaged']);
  k.kubectlOk(['create', 'deployment', 'web', '-n', 'unmanaged', '--image=nginx']);
  const unmanaged = JSON.parse(referenceAlert);
  const { statefulset: _statefulset, ...labels } = unmanaged.alerts[0].labels;
  unmanaged.alerts[0].labels = { ...labels, namespace: 'unmanaged', deployment: 'web' };
  const body = JSON.stringify(unmanaged);
  const res = await fetch(`${endpoints.gateway}/api/v1/signals/prometheus`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { status: string }).status, 'rejected');
  assert.equal(k.kubectlOk(['get', 'rr', '-n', 'unmanaged', '-o', 'name']).trim(), '');
});

test('the shipped reference workflow is discoverable for this incident, and not for one it does not fit', async () => {
  const context = (component: string) =>
    new URLSearchParams({ severity: 'critical', component, environment: 'production', detected_labels: JSON.stringify({ stateful: true }) });
  const actions = await (await fetch(`${endpoints.dataStorage}/api/v1/workflows/actions?${context('StatefulSet')}`)).json();
  assert.match(JSON.stringify(actions), /FixStatefulSetPVC/);
  const ranked = await (await fetch(`${endpoints.dataStorage}/api/v1/workflows?actionType=FixStatefulSetPVC&${context('StatefulSet')}`)).json();
  assert.match(JSON.stringify(ranked), /fix-statefulset-pvc-v1/);
  const other = await (await fetch(`${endpoints.dataStorage}/api/v1/workflows?actionType=FixStatefulSetPVC&${context('Deployment')}`)).json();
  assert.doesNotMatch(JSON.stringify(other), /fix-statefulset-pvc-v1/);
});
