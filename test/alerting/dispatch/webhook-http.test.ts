/**
 * The dispatcher against a real local HTTP receiver with a ScaledClock (time scale 1000, so the
 * default group_wait of 30 s passes in 30 ms): the exact v4 payload, grouping, resolved
 * notifications, and retries while the receiver is down (5xx, then connection refused).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { Dispatcher, GO_ZERO_TIME, formatTime, labelsFingerprint, type IncomingAlert } from '../../../src/alerting/dispatch/index.ts';
import { alertmanagerWebhookSchema } from '../../../src/gateway/adapters/alertmanager.ts';
import { TestReceiver, waitFor } from './helpers.ts';

const clock = new ScaledClock(1000);
/** Alerts here are sent once, so a loaded machine must not resolve them by timeout (5 min = 300 ms real). */
const DAY = 24 * 3_600_000;
const LABELS = {
  alertname: 'KubePersistentVolumeClaimLost',
  namespace: 'demo-statefulset',
  persistentvolumeclaim: 'data-kv-store-2',
  severity: 'critical',
};

function alert(labels: Record<string, string>, startsAt: Date, extra: Partial<IncomingAlert> = {}): IncomingAlert {
  return {
    labels,
    annotations: { summary: `PVC ${labels.persistentvolumeclaim ?? ''} lost`, runbook: 'https://example.invalid/pvc' },
    state: 'firing',
    activeAt: startsAt,
    startsAt,
    generatorURL: 'http://localhost:9190/graph?g0.expr=kube_persistentvolumeclaim_status_phase',
    ...extra,
  };
}

test('the webhook payload is exactly Alertmanager v4', async () => {
  const receiver = new TestReceiver();
  await receiver.start();
  const d = new Dispatcher({
    clock,
    config: {
      route: { receiver: 'gateway', groupBy: ['alertname', 'namespace'] },
      receivers: [{ name: 'gateway', url: receiver.url, bearerToken: 'alertmanager-token' }],
      resolveTimeoutMs: DAY,
      externalURL: 'http://kubernaut.local:9093',
    },
  });
  try {
    const startsAt = new Date(Date.now() - 1000);
    d.ingest([alert(LABELS, startsAt)]);
    await waitFor(() => receiver.payloads.length === 1, 'the first notification');
    const p = receiver.payloads[0];
    assert.deepEqual(Object.keys(p).sort(), [
      'alerts', 'commonAnnotations', 'commonLabels', 'externalURL', 'groupKey', 'groupLabels', 'receiver', 'status', 'truncatedAlerts', 'version',
    ]);
    assert.deepEqual(p, {
      version: '4',
      groupKey: '{}:{alertname="KubePersistentVolumeClaimLost", namespace="demo-statefulset"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'gateway',
      groupLabels: { alertname: 'KubePersistentVolumeClaimLost', namespace: 'demo-statefulset' },
      commonLabels: LABELS,
      commonAnnotations: { summary: 'PVC data-kv-store-2 lost', runbook: 'https://example.invalid/pvc' },
      externalURL: 'http://kubernaut.local:9093',
      alerts: [
        {
          status: 'firing',
          labels: LABELS,
          annotations: { summary: 'PVC data-kv-store-2 lost', runbook: 'https://example.invalid/pvc' },
          startsAt: formatTime(startsAt.getTime()),
          endsAt: GO_ZERO_TIME,
          generatorURL: 'http://localhost:9190/graph?g0.expr=kube_persistentvolumeclaim_status_phase',
          fingerprint: labelsFingerprint(LABELS),
        },
      ],
    });
    assert.match(p.alerts[0].fingerprint, /^[0-9a-f]{16}$/);
    assert.equal(receiver.authorization[0], 'Bearer alertmanager-token');
    assert.ok(alertmanagerWebhookSchema.safeParse(p).success, "the Gateway's Alertmanager adapter accepts it");
    assert.match(p.alerts[0].startsAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  } finally {
    await d.stop();
    await receiver.stop();
  }
});

test('grouping, a change after group_interval and the resolved notification over HTTP', async () => {
  const receiver = new TestReceiver();
  await receiver.start();
  const d = new Dispatcher({
    clock,
    config: {
      route: { receiver: 'gateway', groupBy: ['alertname'], groupWaitMs: 30_000, groupIntervalMs: 60_000, repeatIntervalMs: 4 * 3_600_000 },
      receivers: [{ name: 'gateway', url: receiver.url }],
      resolveTimeoutMs: DAY,
    },
  });
  try {
    const now = new Date();
    const pvc2 = { ...LABELS, persistentvolumeclaim: 'data-kv-store-2' };
    const pvc1 = { ...LABELS, persistentvolumeclaim: 'data-kv-store-1' };
    const other = { alertname: 'KubePodNotReady', namespace: 'demo-statefulset', pod: 'kv-store-2' };
    d.ingest([alert(pvc2, now), alert(other, now)]);
    await waitFor(() => receiver.payloads.length === 2, 'one notification per group');
    assert.deepEqual(receiver.payloads.map((p) => p.groupLabels.alertname).sort(), ['KubePersistentVolumeClaimLost', 'KubePodNotReady']);

    d.ingest([alert(pvc2, now), alert(pvc1, now)]);
    await waitFor(() => receiver.payloads.length === 3, 'the change at the next group interval');
    const changed = receiver.payloads[2];
    assert.equal(changed.groupLabels.alertname, 'KubePersistentVolumeClaimLost');
    assert.deepEqual(changed.alerts.map((a) => a.labels.persistentvolumeclaim).sort(), ['data-kv-store-1', 'data-kv-store-2']);
    assert.deepEqual(changed.commonLabels, { alertname: 'KubePersistentVolumeClaimLost', namespace: 'demo-statefulset', severity: 'critical' });

    d.ingest([alert(pvc1, now, { state: 'resolved' }), alert(pvc2, now, { state: 'resolved' }), alert(other, now, { state: 'resolved' })]);
    await waitFor(() => receiver.payloads.length === 5, 'resolved notifications for both groups');
    for (const p of receiver.payloads.slice(3)) {
      assert.equal(p.status, 'resolved');
      assert.ok(alertmanagerWebhookSchema.safeParse(p).success);
      for (const a of p.alerts) {
        assert.equal(a.status, 'resolved');
        assert.notEqual(a.endsAt, GO_ZERO_TIME);
      }
    }
    await waitFor(() => d.groups().length === 0, 'resolved groups to be dropped');
    assert.equal(receiver.payloads.length, 5);
  } finally {
    await d.stop();
    await receiver.stop();
  }
});

test('retries while the receiver answers 503 or refuses connections, then delivers once', async () => {
  const receiver = new TestReceiver();
  await receiver.start();
  const port = receiver.port;
  receiver.status = 503;
  const d = new Dispatcher({
    clock,
    config: {
      route: { receiver: 'gateway', groupBy: ['alertname'], groupWaitMs: 30_000, groupIntervalMs: 300_000 },
      receivers: [{ name: 'gateway', url: receiver.url }],
      resolveTimeoutMs: DAY,
      retry: { initialBackoffMs: 1_000, maxBackoffMs: 10_000, multiplier: 2 },
    },
  });
  try {
    d.ingest([alert(LABELS, new Date())]);
    await waitFor(() => receiver.rejected >= 2, 'retries on 503');
    assert.equal(receiver.payloads.length, 0);
    // Now the receiver is down altogether: connection refused.
    await receiver.stop();
    const failedBefore = d.stats.deliveryAttemptsFailed;
    await waitFor(() => d.stats.deliveryAttemptsFailed >= failedBefore + 2, 'retries on connection refused');
    receiver.status = 200;
    await receiver.start(port);
    await waitFor(() => receiver.payloads.length === 1, 'delivery once the receiver is back');
    assert.equal(receiver.payloads[0].alerts[0].fingerprint, labelsFingerprint(LABELS));
    await waitFor(() => d.stats.notificationsSent === 1, 'the dispatcher to see the success');
    assert.equal(receiver.payloads.length, 1);
  } finally {
    await d.stop();
    await receiver.stop();
  }
});

test('an unchanged firing group re-sent every evaluation is notified once per repeat interval', async () => {
  const receiver = new TestReceiver();
  await receiver.start();
  const route = { receiver: 'gateway', groupBy: ['alertname'], groupWaitMs: 30_000, groupIntervalMs: 30_000, repeatIntervalMs: 300_000 };
  const d = new Dispatcher({ clock, config: { route, receivers: [{ name: 'gateway', url: receiver.url }], resolveTimeoutMs: DAY } });
  const startsAt = new Date();
  // The evaluator re-sends the firing alert every 10 s (nominal).
  const evaluator = clock.setInterval(() => d.ingest([alert(LABELS, startsAt)]), 10_000);
  try {
    const t0 = Date.now();
    d.ingest([alert(LABELS, startsAt)]);
    await waitFor(() => receiver.payloads.length >= 3, 'two repeats');
    await clock.sleep(route.repeatIntervalMs / 2);
    const first = JSON.stringify(receiver.payloads[0]);
    for (const p of receiver.payloads) assert.equal(JSON.stringify(p), first, 'repeats carry the same content');
    // Never more than one notification per repeat interval (delivery latency is real time, so
    // count over the whole run rather than measure gaps between receipts).
    const elapsed = clock.nominal(Date.now() - t0);
    const most = 1 + Math.floor(elapsed / (route.repeatIntervalMs - route.groupIntervalMs));
    assert.ok(receiver.payloads.length <= most, `${receiver.payloads.length} notifications in ${elapsed} nominal ms`);
  } finally {
    evaluator.cancel();
    await d.stop();
    await receiver.stop();
  }
});
