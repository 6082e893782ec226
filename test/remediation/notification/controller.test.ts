/**
 * The Notification controller against an in-process embedded API server, a local HTTP server
 * standing in for Slack and a webhook receiver, and a ManualClock the tests drive (`driveUntil`),
 * so back-offs of minutes pass in moments and nothing depends on timing.
 *
 * Covered: delivery to console, log and Slack with the attempts on the status, audit and Events;
 * Slack failing twice then succeeding (Retrying, then Sent with 3 attempts spaced by the back-off);
 * permanent failure -> Failed after maxAttempts; one channel failing, one succeeding ->
 * PartiallySent; a restarted controller not re-sending a delivered channel; the routing ConfigMap
 * (a bad one rejected with a Warning Event and the previous routing kept, a good one applied,
 * its removal restoring the start-up routing).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { installKubernautCrds } from '../../../src/api/install.ts';
import type { NotificationRequest, NotificationRequestStatus } from '../../../src/api/v1alpha1/index.ts';
import { RecordingAuditSink } from '../../../src/datastorage/client/audit-sink.ts';
import { KubernautClient } from '../../../src/kube/kubernaut-client.ts';
import { startNotificationController, type RunningNotificationController } from '../../../src/remediation/notification/controller.ts';
import type { RoutingConfigInput } from '../../../src/remediation/notification/routing-config.ts';
import { driveUntil, ManualClock } from '../../helpers/manual-clock.ts';
import { startTestCluster, type TestCluster } from '../../helpers/test-cluster.ts';
import { NS, notification, type NROptions } from './fixtures.ts';
import { HttpStandIn } from './http-stand-in.ts';

const ROUTING_NS = 'kubernaut-system';
const ROUTING_CM = 'kubernaut-notification-routing';

let cluster: TestCluster;
let kc: KubeConfig;
let client: KubernautClient;
let core: CoreV1Api;
let standIn: HttpStandIn;
let controller: RunningNotificationController | undefined;
const clock = new ManualClock(Date.now());
const audit = new RecordingAuditSink();
const registry = new Registry();
const consoleLines: string[] = [];
const deliveryLog = pino({ level: 'info' }, new Writable({ write: (_chunk, _enc, cb) => cb() }));
let seq = 0;

function routing(url: string): RoutingConfigInput {
  const slack = (path: string) => ({ webhookUrl: `${url}${path}` });
  return {
    route: {
      receiver: 'default',
      routes: [
        { match: { case: 'basic' }, receiver: 'basic' },
        { match: { case: 'retry' }, receiver: 'retry' },
        { match: { case: 'permanent' }, receiver: 'permanent' },
        { match: { case: 'partial' }, receiver: 'partial' },
        { match: { case: 'restart' }, receiver: 'restart' },
      ],
    },
    receivers: [
      { name: 'default', consoleConfigs: [{}] },
      { name: 'basic', consoleConfigs: [{}], logConfigs: [{}], slackConfigs: [slack('/services/T/B/basic-token')] },
      { name: 'retry', slackConfigs: [slack('/retry')] },
      { name: 'permanent', slackConfigs: [slack('/down')] },
      { name: 'partial', slackConfigs: [slack('/partial-ok')], webhookConfigs: [{ url: `${url}/partial-down` }] },
      { name: 'restart', slackConfigs: [slack('/restart-ok'), slack('/restart-flaky')] },
    ],
  };
}

async function startController(): Promise<void> {
  controller = await startNotificationController({ kubeconfig: kc, clock, audit, registry, config: routing(standIn.url), console: { write: (l: string) => consoleLines.push(l) }, deliveryLog });
}

/** Stops the controller, driving the clock meanwhile (its last Events wait on it). */
async function stopController(): Promise<void> {
  const c = controller;
  controller = undefined;
  if (!c) return;
  let done = false;
  const stopping = c.stop().finally(() => (done = true));
  await driveUntil(clock, () => done, 'the controller to stop', { stepMs: 500 });
  await stopping;
}

before(async () => {
  cluster = await startTestCluster();
  kc = new KubeConfig();
  kc.loadFromString(cluster.cluster.kubeconfig());
  await installKubernautCrds(kc, { clock: cluster.clock });
  core = kc.makeApiClient(CoreV1Api);
  for (const name of [ROUTING_NS, NS]) await core.createNamespace({ body: { metadata: { name } } });
  client = new KubernautClient(kc);
  standIn = await HttpStandIn.start();
  await startController();
});

after(async () => {
  await stopController();
  await standIn?.close();
  await cluster?.close();
});

async function createNR(o: NROptions): Promise<string> {
  const rr = `rr-bbbbbbbbbbbb-${String(++seq).padStart(8, '0')}`;
  const nr = notification({ ...o, rr });
  delete nr.metadata!.uid;
  const created = await client.create('NotificationRequest', nr);
  return created.metadata!.name!;
}

/** Drives the clock until the NR satisfies `check`; returns it. */
async function waitNR(name: string, what: string, check: (s: NotificationRequestStatus) => unknown, stepMs = 100): Promise<NotificationRequest> {
  let last: NotificationRequest | undefined;
  try {
    await driveUntil(
      clock,
      async () => {
        last = await client.get('NotificationRequest', { namespace: NS, name });
        return last?.status && check(last.status);
      },
      `${name} ${what}`,
      { stepMs, deadlineMs: 60_000 },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last?.status ?? null).slice(0, 1500)}`, { cause: err });
  }
  return last!;
}

async function eventReasons(namespace: string, name: string): Promise<string[]> {
  const list = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` });
  return list.items.map((e) => e.reason ?? '');
}

const summary = (s: NotificationRequestStatus) => (s.deliveryAttempts ?? []).map((a) => `${a.channel}#${a.attempt}=${a.status}`).sort();

test('an NR is delivered to console, log and Slack; the status shows the attempts; audit and Events follow', async () => {
  const name = await createNR({ metadata: { case: 'basic' } });
  const nr = await waitNR(name, 'Sent', (s) => s.phase === 'Sent');
  const s = nr.status!;
  assert.deepEqual(summary(s), ['console:basic#1=success', 'log:basic#1=success', 'slack:basic#1=success']);
  assert.deepEqual([s.totalAttempts, s.successfulDeliveries, s.failedDeliveries], [3, 3, 0]);
  assert.ok(s.queuedAt && s.processingStartedAt && s.completionTime);
  assert.ok(s.deliveryAttempts!.every((a) => typeof a.durationSeconds === 'number' && a.durationSeconds >= 0 && !a.error));
  const ready = s.conditions?.find((c) => c.type === 'Ready');
  assert.deepEqual([ready?.status, ready?.reason], ['True', 'Sent']);
  assert.equal(standIn.to('/services/T/B/basic-token').length, 1);
  assert.equal(standIn.to('/services/T/B/basic-token')[0]!.body.blocks[0].type, 'header');
  assert.ok(consoleLines.some((l) => l.includes(name)));

  const rr = nr.spec.remediationRequestRef.name;
  const sent = audit.ofType('notification.delivery.sent').filter((e) => e.resourceName === name);
  assert.equal(sent.length, 3);
  assert.ok(sent.every((e) => e.correlationId === rr && e.eventCategory === 'notification' && e.eventOutcome === 'success'));
  const completed = audit.ofType('notification.request.completed').filter((e) => e.resourceName === name);
  assert.deepEqual([completed.length, completed[0]?.eventData.phase], [1, 'Sent']);
  await driveUntil(clock, async () => (await eventReasons(NS, name)).includes('Sent'), 'the Sent Event', { stepMs: 200, deadlineMs: 30_000 });
  const metrics = await registry.getSingleMetricAsString('notification_deliveries_total');
  assert.match(metrics, /notification_deliveries_total\{channel="slack",receiver="basic",status="success"\} 1/);
});

test('Slack failing twice then succeeding: Retrying, then Sent with 3 attempts spaced by the back-off', async () => {
  standIn.script('/retry', 500, 503);
  const name = await createNR({ metadata: { case: 'retry' } });
  const retrying = await waitNR(name, 'Retrying', (s) => s.phase === 'Retrying');
  assert.deepEqual(summary(retrying.status!), ['slack:retry#1=failed']);
  assert.match(retrying.status!.deliveryAttempts![0]!.error!, /answered 500/);
  assert.match(retrying.status!.conditions!.find((c) => c.type === 'Ready')!.message, /slack:retry failed \(attempt 1\/5\).*next attempt in 30s/);
  const nr = await waitNR(name, 'Sent', (s) => s.phase === 'Sent', 1000);
  const s = nr.status!;
  assert.deepEqual(
    s.deliveryAttempts!.map((a) => [a.channel, a.attempt, a.status]),
    [
      ['slack:retry', 1, 'failed'],
      ['slack:retry', 2, 'failed'],
      ['slack:retry', 3, 'success'],
    ],
  );
  assert.deepEqual([s.totalAttempts, s.successfulDeliveries, s.failedDeliveries], [3, 1, 2]);
  const at = s.deliveryAttempts!.map((a) => Date.parse(a.timestamp));
  assert.ok(at[1]! - at[0]! >= 30_000 && at[2]! - at[1]! >= 60_000, `back-off 30 s then 60 s (nominal): ${s.deliveryAttempts!.map((a) => a.timestamp).join(', ')}`);
  assert.equal(standIn.to('/retry').length, 3);
  assert.equal(audit.ofType('notification.delivery.failed').filter((e) => e.resourceName === name).length, 2);
});

test('a channel that always fails: Failed after maxAttempts, with the reason', async () => {
  standIn.answerAlways('/down', 500);
  const name = await createNR({ metadata: { case: 'permanent' }, retryPolicy: { maxAttempts: 3, initialBackoffSeconds: 10, backoffMultiplier: 2, maxBackoffSeconds: 480 } });
  const nr = await waitNR(name, 'Failed', (s) => s.phase === 'Failed', 1000);
  const s = nr.status!;
  assert.deepEqual(summary(s), ['slack:permanent#1=failed', 'slack:permanent#2=failed', 'slack:permanent#3=failed']);
  assert.deepEqual([s.totalAttempts, s.successfulDeliveries, s.failedDeliveries], [3, 0, 3]);
  const ready = s.conditions!.find((c) => c.type === 'Ready')!;
  assert.deepEqual([ready.status, ready.reason], ['False', 'DeliveryFailed']);
  assert.match(ready.message, /no channel delivered: slack:permanent: .*answered 500/);
  assert.ok(s.completionTime);
  assert.equal(standIn.to('/down').length, 3);
  await driveUntil(clock, async () => (await eventReasons(NS, name)).includes('Failed'), 'the Failed Event', { stepMs: 200, deadlineMs: 30_000 });
});

test('one channel failing, one succeeding: PartiallySent; the delivered one is sent once', async () => {
  standIn.answerAlways('/partial-down', 503);
  const name = await createNR({ metadata: { case: 'partial' }, retryPolicy: { maxAttempts: 2, initialBackoffSeconds: 5, backoffMultiplier: 2, maxBackoffSeconds: 60 } });
  const nr = await waitNR(name, 'PartiallySent', (s) => s.phase === 'PartiallySent', 500);
  const s = nr.status!;
  assert.deepEqual(summary(s), ['slack:partial#1=success', 'webhook:partial#1=failed', 'webhook:partial#2=failed']);
  assert.deepEqual([s.successfulDeliveries, s.failedDeliveries], [1, 2]);
  assert.match(s.conditions!.find((c) => c.type === 'Ready')!.message, /delivered to slack:partial; not to webhook:partial/);
  assert.equal(standIn.to('/partial-ok').length, 1);
});

test('a restarted controller does not re-send a channel already delivered', async () => {
  standIn.answerAlways('/restart-flaky', 500);
  const name = await createNR({ metadata: { case: 'restart' } });
  const retrying = await waitNR(name, 'Retrying', (s) => s.phase === 'Retrying');
  assert.deepEqual(summary(retrying.status!), ['slack:restart#1=success', 'slack:restart:1#1=failed']);
  await stopController();
  standIn.answerAlways('/restart-flaky', undefined);
  await startController();
  const nr = await waitNR(name, 'Sent', (s) => s.phase === 'Sent', 1000);
  assert.deepEqual(summary(nr.status!), ['slack:restart#1=success', 'slack:restart:1#1=failed', 'slack:restart:1#2=success']);
  assert.equal(standIn.to('/restart-ok').length, 1, 'the delivered channel was not sent again');
  assert.equal(standIn.to('/restart-flaky').length, 2);
});

test('routing ConfigMap: a bad one is rejected with a Warning Event and the previous routing stays; a good one applies; removing it restores the start-up routing', async () => {
  await core.createNamespacedConfigMap({ namespace: ROUTING_NS, body: { metadata: { name: ROUTING_CM }, data: { 'routing.yaml': 'route:\n  receiver: ghost\nreceivers:\n  - name: r\n' } } });
  await driveUntil(clock, async () => (await eventReasons(ROUTING_NS, ROUTING_CM)).includes('PolicyRejected'), 'the PolicyRejected Event', { stepMs: 200, deadlineMs: 30_000 });
  const kept = await createNR({ metadata: { case: 'basic' } });
  assert.deepEqual(summary((await waitNR(kept, 'Sent', (s) => s.phase === 'Sent')).status!), ['console:basic#1=success', 'log:basic#1=success', 'slack:basic#1=success']);

  await core.replaceNamespacedConfigMap({
    namespace: ROUTING_NS,
    name: ROUTING_CM,
    body: { metadata: { name: ROUTING_CM }, data: { 'routing.yaml': `route:\n  receiver: from-cm\nreceivers:\n  - name: from-cm\n    webhookConfigs:\n      - url: ${standIn.url}/from-cm\n` } },
  });
  await driveUntil(clock, async () => (await eventReasons(ROUTING_NS, ROUTING_CM)).includes('PolicyApplied'), 'the PolicyApplied Event', { stepMs: 200, deadlineMs: 30_000 });
  const applied = await createNR({ metadata: { case: 'basic' } });
  assert.deepEqual(summary((await waitNR(applied, 'Sent', (s) => s.phase === 'Sent')).status!), ['webhook:from-cm#1=success']);
  assert.equal(standIn.to('/from-cm').at(-1)!.body.metadata.name, applied);

  await core.deleteNamespacedConfigMap({ namespace: ROUTING_NS, name: ROUTING_CM });
  let reverted: NotificationRequest | undefined;
  // The removal reaches the controller through its watch: wait until a new NR routes the start-up way.
  await driveUntil(
    clock,
    async () => {
      const name = await createNR({ metadata: { case: 'basic' } });
      reverted = await waitNR(name, 'finished', (s) => s.phase === 'Sent');
      return summary(reverted.status!).includes('slack:basic#1=success');
    },
    'the start-up routing back',
    { stepMs: 200, deadlineMs: 30_000 },
  );
});
