/**
 * Work bounded by size: the Gateway counts alerts, not requests, against its budget; a batch too
 * large to handle at once is refused up front (413), a batch that does not fit right now gets 503 +
 * Retry-After, a client trickling its body holds nothing, and work stops when the client goes away.
 *
 * A request is held in flight deterministically by a fingerprint Lease another holder keeps: the
 * reference alert then waits for the lock (see fingerprint-lock.ts).
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { request, type ClientRequest } from 'node:http';
import { CoordinationV1Api, CustomObjectsApi, V1MicroTime } from '@kubernetes/client-node';
import { FingerprintLocks } from '../../src/gateway/fingerprint-lock.ts';
import { eventually } from '../helpers/kubernaut-process.ts';
import { CollectingAuditSink, KV_STORE_FINGERPRINT, REFERENCE_LABELS, alert, post, startGatewayEnv, webhook, type GatewayEnv } from './fixtures.ts';

const NAMESPACE = 'demo-statefulset';
const RR = { group: 'kubernaut.ai', version: 'v1alpha1', plural: 'remediationrequests', namespace: NAMESPACE };
let env: GatewayEnv;

before(async () => {
  env = await startGatewayEnv();
});
after(async () => {
  await env?.stop();
});
beforeEach(async () => {
  // The reference alert reaches the fingerprint lock only while no RR takes its repeats.
  env.kubernaut.kubectlOk(['delete', 'remediationrequests', '--all', '-n', NAMESPACE]);
});

const watchdog = () => alert({ alertname: 'Watchdog' });

async function metric(url: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Another holder keeps the reference fingerprint's lock until the returned function is called. */
async function holdReferenceLock(): Promise<() => Promise<void>> {
  const leases = env.kc.makeApiClient(CoordinationV1Api);
  const name = FingerprintLocks.leaseName(KV_STORE_FINGERPRINT);
  const now = new V1MicroTime(Date.now());
  await leases.createNamespacedLease({
    namespace: NAMESPACE,
    body: { metadata: { name, namespace: NAMESPACE }, spec: { holderIdentity: 'another-replica', leaseDurationSeconds: 3600, acquireTime: now, renewTime: now } },
  });
  return async () => {
    await leases.deleteNamespacedLease({ name, namespace: NAMESPACE }).catch(() => undefined);
  };
}

/** A POST whose answer is awaited separately; `req` can be cut off or finished by the test. */
function openPost(url: string, body: string, opts: { partial?: number } = {}): { req: ClientRequest; answer: Promise<{ status: number; body: string }> } {
  let req!: ClientRequest;
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
  });
  if (opts.partial === undefined) req.end(body);
  else req.write(body.slice(0, opts.partial));
  return { req, answer };
}

async function listRRs(): Promise<unknown[]> {
  return ((await env.kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject(RR)) as { items: unknown[] }).items;
}

test('a batch with more alerts than one request may carry is refused with 413 before any work', async () => {
  const audit = new CollectingAuditSink();
  const gw = await env.startGateway({ auditClient: audit, maxAlertsPerRequest: 3 });
  const res = await post(`${gw.url}/api/v1/signals/prometheus`, webhook([watchdog(), watchdog(), watchdog(), alert(REFERENCE_LABELS)]));
  assert.equal(res.status, 413, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.maxAlertsPerRequest, 3);
  assert.equal(res.body.alerts, 4);
  assert.match(res.body.detail, /at most 3/);
  assert.equal(audit.events.length, 0, 'nothing was decided');
  assert.deepEqual(await listRRs(), []);
  assert.equal(await metric(gw.url, 'gateway_requests_too_large_total'), 1);
  // Within the cap the same kind of batch is handled.
  assert.equal((await post(`${gw.url}/api/v1/signals/prometheus`, webhook([watchdog(), watchdog(), watchdog()]))).status, 200);
});

test('a batch larger than the whole alert budget is a 413 too, and the default cap refuses thousands of alerts', async () => {
  const small = await env.startGateway({ auditClient: new CollectingAuditSink(), maxAlertsInFlight: 2 });
  const res = await post(`${small.url}/api/v1/signals/prometheus`, webhook([watchdog(), watchdog(), watchdog()]));
  assert.equal(res.status, 413, JSON.stringify(res.body));
  assert.equal(res.body.maxAlertsPerRequest, 2);

  const audit = new CollectingAuditSink();
  const defaults = await env.startGateway({ auditClient: audit });
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  const storm = Array.from({ length: 5000 }, (_, i) => ({ status: 'firing', labels: { alertname: `Storm${i}` }, startsAt }));
  const refused = await post(`${defaults.url}/api/v1/signals/prometheus`, webhook(storm));
  assert.equal(refused.status, 413, JSON.stringify(refused.body).slice(0, 300));
  assert.equal(refused.body.alerts, 5000);
  assert.equal(audit.events.length, 0);
});

test('alerts that do not fit in the budget right now get 503 + Retry-After; the budget counts alerts, not requests', async () => {
  const gw = await env.startGateway({ auditClient: new CollectingAuditSink(), maxAlertsInFlight: 3 });
  const release = await holdReferenceLock();
  try {
    // Two alerts in flight: the reference one waits for its lock.
    const held = openPost(`${gw.url}/api/v1/signals/prometheus`, JSON.stringify(webhook([alert(REFERENCE_LABELS), watchdog()])));
    await eventually(async () => (await metric(gw.url, 'gateway_alerts_in_flight')) === 2, 'two alerts in flight');

    const refused = await post(`${gw.url}/api/v1/signals/prometheus`, webhook([watchdog(), watchdog()]));
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(refused.body.maxAlertsInFlight, 3);
    // One more alert still fits.
    assert.equal((await post(`${gw.url}/api/v1/signals/prometheus`, webhook([watchdog()]))).status, 200);

    await release();
    const done = await held.answer;
    assert.equal(done.status, 201, done.body);
    assert.equal(await metric(gw.url, 'gateway_alerts_in_flight'), 0);
    assert.equal(await metric(gw.url, 'gateway_requests_overloaded_total'), 1);
    assert.equal((await post(`${gw.url}/api/v1/signals/prometheus`, webhook([watchdog(), watchdog()]))).status, 200);
  } finally {
    await release();
  }
});

test('a client trickling its body holds no part of the budget', async () => {
  const gw = await env.startGateway({ auditClient: new CollectingAuditSink(), maxAlertsInFlight: 1 });
  const body = JSON.stringify(webhook([watchdog()]));
  const slow = openPost(`${gw.url}/api/v1/signals/prometheus`, body, { partial: 10 });
  try {
    for (let i = 0; i < 3; i++) {
      const res = await post(`${gw.url}/api/v1/signals/prometheus`, body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    slow.req.end(body.slice(10));
    const done = await slow.answer;
    assert.equal(done.status, 200, done.body);
  } finally {
    slow.req.destroy();
  }
});

test('when the client goes away, alerts of its request not yet started are never started', async () => {
  const audit = new CollectingAuditSink();
  const gw = await env.startGateway({ auditClient: audit, alertsInParallel: 1 });
  const release = await holdReferenceLock();
  try {
    // Decided one at a time: the Watchdogs wait behind the reference alert, which waits for its lock.
    const batch = webhook([alert(REFERENCE_LABELS), ...Array.from({ length: 5 }, watchdog)]);
    const gone = openPost(`${gw.url}/api/v1/signals/prometheus`, JSON.stringify(batch));
    gone.answer.catch(() => undefined);
    await eventually(async () => (await metric(gw.url, 'gateway_alerts_in_flight')) === 6, 'the batch to be in flight');
    gone.req.destroy();
    // The reference alert gives up waiting for its lock; the rest never start.
    await eventually(async () => (await metric(gw.url, 'gateway_alerts_in_flight')) === 0, 'the abandoned batch to end');
    assert.deepEqual(audit.ofType('gateway.signal.received'), [], 'no alert of the abandoned batch was decided');
    assert.equal(await metric(gw.url, 'gateway_signals_received_total'), 1, 'only the first alert was started');
    assert.deepEqual(await listRRs(), []);
  } finally {
    await release();
  }
});
