/**
 * `kubernaut up --require-auth --rbac` secures Kubernaut's own services too: the Gateway,
 * DataStorage and the alerting API want a bearer token (401 without) and an RBAC right on the
 * kubernaut.ai group (403 without), while the stack's own traffic (alerts to the Gateway, audit
 * events and workflow registration to DataStorage) carries the token `up` generated.
 * (--tls because kubectl sends bearer tokens over HTTPS only.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, ROOT, startKubernaut, startService, type RunningKubernaut } from '../helpers/kubernaut-process.ts';

const NS = 'demo-statefulset';
const MANIFESTS = join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure/manifests');
const dir = mkdtempSync(join(tmpdir(), 'kubernaut-service-auth-'));
const tokenFile = join(dir, 'tokens.csv');
writeFileSync(tokenFile, 'admin-token,admin,1,"system:masters"\nsender-token,alertmanager,2,"senders"\nnobody-token,nobody,3\n');

let k: RunningKubernaut;
let ep: { gateway: string; dataStorage: string; prometheus: string };

const referenceWebhook = () => {
  const w = JSON.parse(readFileSync(join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure/alertmanager-webhook.json'), 'utf8'));
  w.alerts[0].startsAt = new Date().toISOString();
  return w;
};
const forgedAuditEvent = { eventType: 'gateway.crd.created', eventCategory: 'gateway', eventAction: 'created', eventOutcome: 'success', correlationId: 'forged', actorType: 'service', actorId: 'gateway', eventData: {} };

async function call(method: string, url: string, token?: string, body?: unknown) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

before(async () => {
  k = await startKubernaut({ args: ['--ephemeral', '--token-file', tokenFile, '--require-auth', '--rbac', '--tls', '--time-scale', '60'] });
  ep = JSON.parse(readFileSync(join(k.dataDir, 'endpoints.json'), 'utf8'));
  k.kubectlOk(['apply', '-f', join(MANIFESTS, 'namespace.yaml')]);
  k.kubectlOk(['apply', '-f', join(MANIFESTS, 'statefulset.yaml')]);
});
after(async () => {
  await k?.stop();
});

test('anonymous requests to the Gateway, DataStorage and the alerting API are 401 in each one\'s format', async () => {
  const signal = await call('POST', `${ep.gateway}/api/v1/signals/prometheus`, undefined, referenceWebhook());
  assert.equal(signal.status, 401);
  assert.equal(signal.headers.get('www-authenticate'), 'Bearer');
  assert.equal(signal.json.title, 'Unauthorized');
  assert.equal((await call('POST', `${ep.dataStorage}/api/v1/audit/events`, undefined, forgedAuditEvent)).status, 401);
  assert.equal((await call('PATCH', `${ep.dataStorage}/api/v1/workflows/fix-statefulset-pvc-v1`, undefined, { status: 'disabled' })).status, 401);
  assert.equal((await call('GET', `${ep.dataStorage}/api/v1/audit/events`, 'not-a-token')).status, 401);
  const alerts = await call('GET', `${ep.prometheus}/api/v1/alerts`);
  assert.equal(alerts.status, 401);
  assert.deepEqual(alerts.json, { status: 'error', errorType: 'unauthorized', error: 'a bearer token is required' });
  // Probes stay open for kubelets and load balancers.
  for (const base of [ep.gateway, ep.dataStorage, ep.prometheus]) assert.equal((await call('GET', `${base}/readyz`)).status, 200, base);
});

test('a valid token without the RBAC right is 403', async () => {
  const signal = await call('POST', `${ep.gateway}/api/v1/signals/prometheus`, 'nobody-token', referenceWebhook());
  assert.equal(signal.status, 403);
  assert.match(signal.json.detail, /user "nobody" cannot create resource "signals" in API group "kubernaut.ai"/);
  assert.equal((await call('POST', `${ep.dataStorage}/api/v1/audit/events`, 'sender-token', forgedAuditEvent)).status, 403);
  assert.equal((await call('PATCH', `${ep.dataStorage}/api/v1/workflows/fix-statefulset-pvc-v1`, 'sender-token', { status: 'disabled' })).status, 403);
  const alerts = await call('GET', `${ep.prometheus}/api/v1/alerts`, 'nobody-token');
  assert.equal(alerts.status, 403);
  assert.equal(alerts.json.errorType, 'forbidden');
});

test('with the right granted, the alert becomes an RR and its audit trail is readable', async () => {
  // `kubectl create clusterrole` checks resources against discovery; these are not Kubernetes resources.
  const role = (name: string, resources: string[], verbs: string[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [{ apiGroups: ['kubernaut.ai'], resources, verbs }] });
  k.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(role('kubernaut-sender', ['signals'], ['create'])) });
  k.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(role('kubernaut-audit-reader', ['auditevents', 'workflows'], ['get', 'list'])) });
  k.kubectlOk(['create', 'clusterrolebinding', 'senders-send', '--clusterrole=kubernaut-sender', '--group=senders']);
  k.kubectlOk(['create', 'clusterrolebinding', 'senders-read', '--clusterrole=kubernaut-audit-reader', '--group=senders']);

  const created = await call('POST', `${ep.gateway}/api/v1/signals/prometheus`, 'sender-token', referenceWebhook());
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const rr = JSON.parse(k.kubectlOk(['get', 'rr', '-n', NS, '-o', 'json'])).items[0];
  assert.ok(rr, 'the RemediationRequest exists');
  // The Gateway's audit client authenticated to DataStorage with the stack's token.
  await eventually(async () => {
    const res = await call('GET', `${ep.dataStorage}/api/v1/audit/events?correlationId=${rr.metadata.name}`, 'sender-token');
    return res.status === 200 && res.json.events.some((e: { eventType: string }) => e.eventType === 'gateway.crd.created');
  }, 'the gateway.crd.created audit event in DataStorage', 20_000, 250);
  // `up` registered the shipped workflows with its token; reading them needs `list` on workflows.
  const workflows = await call('GET', `${ep.dataStorage}/api/v1/workflows`, 'sender-token');
  assert.equal(workflows.status, 200);
  assert.ok(JSON.stringify(workflows.json).includes('fix-statefulset-pvc'), 'the shipped workflows are registered');
  // Reading is not writing.
  assert.equal((await call('PATCH', `${ep.dataStorage}/api/v1/workflows/fix-statefulset-pvc-v1`, 'sender-token', { status: 'disabled' })).status, 403);
});

test('the embedded dispatcher sends its alerts to the Gateway with the stack\'s token', async () => {
  k.kubectlOk(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'always', namespace: 'default' },
      spec: { groups: [{ name: 'always', rules: [{ alert: 'AuthE2eAlwaysFiring', expr: 'vector(1)', labels: { severity: 'info' } }] }] },
    }),
  });
  // The alert names no target: the Gateway rejects it, which it can only do once it let it in.
  await eventually(async () => {
    const res = await call('GET', `${ep.dataStorage}/api/v1/audit/events?eventType=gateway.signal.rejected&limit=1000`, 'admin-token');
    return res.status === 200 && JSON.stringify(res.json).includes('AuthE2eAlwaysFiring');
  }, 'the dispatched alert audited by the Gateway', 30_000, 250);
});

test('kubernaut datastorage alone listens on loopback unless --host says otherwise', async () => {
  const ds = await startService(['datastorage', '--port', '0', '--data-dir', join(dir, 'alone'), '--no-shipped-workflows'], /datastorage: (\S+)/);
  try {
    assert.match(ds.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  } finally {
    await ds.stop();
  }
});

test('kubernaut datastorage --auth tokenreview checks callers against the cluster and registers its workflows itself', async () => {
  const ds = await startService(['datastorage', '--port', '0', '--data-dir', join(dir, 'tokenreview'), '--auth', 'tokenreview', '--kubeconfig', k.kubeconfig], /datastorage: (\S+)/);
  try {
    assert.equal((await call('GET', `${ds.url}/api/v1/workflows`)).status, 401);
    // The senders group may read (granted above), not write.
    const workflows = await call('GET', `${ds.url}/api/v1/workflows`, 'sender-token');
    assert.equal(workflows.status, 200);
    assert.ok(JSON.stringify(workflows.json).includes('fix-statefulset-pvc'), 'the shipped workflows were registered with the loopback token');
    assert.equal((await call('POST', `${ds.url}/api/v1/audit/events`, 'sender-token', forgedAuditEvent)).status, 403);
    assert.equal((await call('GET', `${ds.url}/readyz`)).status, 200);
  } finally {
    await ds.stop();
  }
});
