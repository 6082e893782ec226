/**
 * The Gateway's HTTP contract: malformed or suspicious payloads get RFC 7807 problems and create
 * nothing, bearer-token authentication (static tokens and TokenReview against the cluster), and
 * readiness that follows the API server (the alert budget: alert-budget.test.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { allowAuthenticated, staticTokenAuthenticator, subjectAccessReviewAuthorizer, tokenReviewAuthenticator } from '../../src/platform/http/auth.ts';
import { CollectingAuditSink, REFERENCE_LABELS, alert, post, startGatewayEnv, webhook, type GatewayEnv } from './fixtures.ts';

const CLUSTER_TOKEN = 'alertmanager-sa-token-0123456789';
let env: GatewayEnv;
let audit: CollectingAuditSink;
let url: string;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-tokens-'));
  const tokenFile = join(dir, 'tokens.csv');
  writeFileSync(tokenFile, `${CLUSTER_TOKEN},system:serviceaccount:monitoring:alertmanager,uid-1,"system:serviceaccounts"\n`);
  env = await startGatewayEnv({ args: ['--token-file', tokenFile] });
  audit = new CollectingAuditSink();
  url = (await env.startGateway({ auditClient: audit })).url;
});
after(async () => {
  await env?.stop();
});

const prometheus = () => `${url}/api/v1/signals/prometheus`;

async function assertNothingCreated(): Promise<void> {
  const api = env.kc.makeApiClient(CustomObjectsApi);
  const list = (await api.listNamespacedCustomObject({ group: 'kubernaut.ai', version: 'v1alpha1', plural: 'remediationrequests', namespace: 'demo-statefulset' })) as { items: unknown[] };
  assert.equal(list.items.length, 0, 'no RemediationRequest was created');
  assert.equal(audit.events.length, 0, 'no signal was audited');
}

function assertProblem(res: { status: number; headers: Headers; body: any }, status: number): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.title, 'string');
}

test('malformed JSON is a 400 problem', async () => {
  assertProblem(await post(prometheus(), '{"alerts": [ {"status":'), 400);
});

test('a non-JSON content type is a 415 problem', async () => {
  assertProblem(await post(prometheus(), 'alertname=X', { 'content-type': 'text/plain' }), 415);
  assertProblem(await post(prometheus(), 'alerts: []', { 'content-type': 'application/yaml' }), 415);
});

test('a body over 1 MiB is a 413 problem', async () => {
  const huge = alert({ ...REFERENCE_LABELS, filler: 'x'.repeat(1024 * 1024) });
  assertProblem(await post(prometheus(), webhook([huge])), 413);
});

test('a missing alertname is a 400 problem naming the field, and the whole batch is refused', async () => {
  const { alertname: _omit, ...withoutName } = REFERENCE_LABELS;
  const res = await post(prometheus(), webhook([alert(REFERENCE_LABELS), alert(withoutName)]));
  assertProblem(res, 400);
  assert.ok(res.body.errors.some((e: any) => e.path === 'alerts[1].labels.alertname'), JSON.stringify(res.body.errors));
});

test('an alert starting more than 5 minutes in the future is a 400 problem', async () => {
  const res = await post(prometheus(), webhook([alert(REFERENCE_LABELS, { startsAt: new Date(Date.now() + 3600_000).toISOString() })]));
  assertProblem(res, 400);
  assert.deepEqual(res.body.errors.map((e: any) => e.path), ['alerts[0].startsAt']);
});

test('payloads of the wrong shape are 400 problems with field paths', async () => {
  for (const [body, path] of [
    [{ version: '4', alerts: 'nope' }, 'alerts'],
    [{ version: '4', alerts: [] }, 'alerts'],
    [[1, 2, 3], '(body)'],
    [webhook([{ ...alert(REFERENCE_LABELS), status: 'pending' }]), 'alerts[0].status'],
    [webhook([{ ...alert(REFERENCE_LABELS), startsAt: 'yesterday' }]), 'alerts[0].startsAt'],
    [{ ...webhook([alert(REFERENCE_LABELS)]), version: '3' }, 'version'],
  ] as const) {
    const res = await post(prometheus(), body);
    assertProblem(res, 400);
    assert.ok(res.body.errors.some((e: any) => e.path === path), `${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(res.body.errors)}`);
  }
  const event = await post(`${url}/api/v1/signals/kubernetes-event`, { type: 'Warning', reason: 'BackOff' });
  assertProblem(event, 400);
  assert.ok(event.body.errors.some((e: any) => e.path === 'involvedObject'));
});

test('none of the refused requests created or audited anything', async () => {
  await assertNothingCreated();
});

test('static bearer tokens: requests without a valid token get 401', async () => {
  const gw = await env.startGateway({
    auditClient: new CollectingAuditSink(),
    auth: { authenticate: staticTokenAuthenticator(new Map([['s3cret-token', { username: 'alertmanager', groups: [] }]])), authorize: allowAuthenticated },
  });
  const noTarget = webhook([alert({ alertname: 'Watchdog' })]);
  const missing = await post(`${gw.url}/api/v1/signals/prometheus`, noTarget);
  assertProblem(missing, 401);
  assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
  assertProblem(await post(`${gw.url}/api/v1/signals/prometheus`, noTarget, { authorization: 'Bearer wrong' }), 401);
  const ok = await post(`${gw.url}/api/v1/signals/prometheus`, noTarget, { authorization: 'Bearer s3cret-token' });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.status, 'rejected');
  assert.equal(ok.body.reason, 'no-target');
  // Probes stay open for the kubelet and Prometheus.
  assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
});

test('TokenReview mode accepts the cluster\'s tokens and refuses others', async () => {
  const gw = await env.startGateway({
    auditClient: new CollectingAuditSink(),
    auth: { authenticate: tokenReviewAuthenticator(env.kc), authorize: subjectAccessReviewAuthorizer(env.kc) },
  });
  const noTarget = webhook([alert({ alertname: 'Watchdog' })]);
  assertProblem(await post(`${gw.url}/api/v1/signals/prometheus`, noTarget, { authorization: 'Bearer not-a-cluster-token' }), 401);
  const ok = await post(`${gw.url}/api/v1/signals/prometheus`, noTarget, { authorization: `Bearer ${CLUSTER_TOKEN}` });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
});

test('/readyz follows the API server', async () => {
  assert.equal((await fetch(`${url}/readyz`)).status, 200);
  const dead = new KubeConfig();
  dead.loadFromOptions({
    clusters: [{ name: 'gone', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'c', cluster: 'gone', user: 'u' }],
    currentContext: 'c',
  });
  const gw = await env.startGateway({ kubeconfig: dead });
  const res = await fetch(`${gw.url}/readyz`);
  assert.equal(res.status, 503);
  assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
});
