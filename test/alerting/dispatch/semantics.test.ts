/**
 * Alertmanager grouping semantics, checked deterministically with a manual clock and a recording
 * fetch: group_wait batching, group_interval on change, exactly one repeat per repeat_interval,
 * resolved notifications, resolve timeout, send_resolved, max_alerts, retries and give-up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dispatcher, formatTime, type DispatcherConfigInput, type IncomingAlert } from '../../../src/alerting/dispatch/index.ts';
import { ManualClock, recordingFetch } from './helpers.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

function setup(overrides: { route?: Partial<DispatcherConfigInput['route']>; receiver?: Record<string, unknown>; resolveTimeoutMs?: number } = {}) {
  const clock = new ManualClock();
  const rec = recordingFetch();
  const d = new Dispatcher({
    clock,
    fetchFn: rec.fetchFn,
    config: {
      route: { receiver: 'gateway', groupBy: ['alertname'], ...overrides.route },
      receivers: [{ name: 'gateway', url: 'http://127.0.0.1:1/api/v1/signals/prometheus', ...overrides.receiver }],
      resolveTimeoutMs: overrides.resolveTimeoutMs,
    },
  });
  const firing = (labels: Record<string, string>, startsAt = clock.now()): IncomingAlert => ({
    labels,
    annotations: { summary: `${labels.alertname} on ${labels.pod ?? '-'}` },
    state: 'firing',
    activeAt: startsAt,
    startsAt,
    generatorURL: 'http://localhost:9190/graph?g0.expr=up',
  });
  /** Re-sends the given alerts every 30 s (like an evaluator) for `ms`. */
  const evaluate = async (ms: number, alerts: () => IncomingAlert[]) => {
    for (let t = 0; t < ms; t += 30 * S) {
      d.ingest(alerts());
      await clock.advance(Math.min(30 * S, ms - t));
    }
  };
  return { clock, d, rec, firing, evaluate };
}

const A = { alertname: 'KubePodCrashLooping', namespace: 'demo', pod: 'a' };
const B = { alertname: 'KubePodCrashLooping', namespace: 'demo', pod: 'b' };
const C = { alertname: 'KubePodCrashLooping', namespace: 'demo', pod: 'c' };
const OTHER = { alertname: 'KubePersistentVolumeFillingUp', namespace: 'demo' };

test('group_wait batches alerts of a group; groups are keyed by groupBy labels', async () => {
  const { clock, d, rec, firing } = setup();
  const startA = clock.now();
  d.ingest([firing(A), firing(OTHER)]);
  await clock.advance(10 * S);
  assert.equal(rec.payloads.length, 0, 'nothing before group_wait');
  d.ingest([firing(B), firing(A, startA)]);
  await clock.advance(20 * S);
  assert.equal(rec.payloads.length, 2);
  const crash = rec.payloads.find((p) => p.groupLabels.alertname === 'KubePodCrashLooping')!;
  assert.equal(crash.groupKey, '{}:{alertname="KubePodCrashLooping"}');
  assert.deepEqual(crash.alerts.map((a) => a.labels.pod), ['a', 'b']);
  assert.equal(crash.alerts[0].startsAt, formatTime(startA.getTime()), 'dedup keeps one alert per fingerprint');
  assert.deepEqual(crash.commonLabels, { alertname: 'KubePodCrashLooping', namespace: 'demo' });
  const other = rec.payloads.find((p) => p.groupLabels.alertname === 'KubePersistentVolumeFillingUp')!;
  assert.equal(other.alerts.length, 1);
  await d.stop();
});

test('a changed group notifies at the next group_interval; an unchanged one stays quiet', async () => {
  const { clock, d, rec, firing, evaluate } = setup();
  const t0 = clock.nowMs();
  const starts = new Map<string, Date>();
  const alerts = (sets: Record<string, string>[]) => () =>
    sets.map((l) => {
      if (!starts.has(l.pod)) starts.set(l.pod, clock.now());
      return firing(l, starts.get(l.pod));
    });
  await evaluate(60 * S, alerts([A]));
  assert.equal(rec.payloads.length, 1);
  // C appears at 60 s; the group was flushed at 30 s, so the change goes out at 5m30s.
  await evaluate(4 * M + 29 * S - (clock.nowMs() - t0 - 60 * S), alerts([A, C]));
  assert.equal(rec.payloads.length, 1, 'not before group_interval');
  await evaluate(2 * S, alerts([A, C]));
  assert.equal(rec.payloads.length, 2);
  assert.deepEqual(rec.payloads[1].alerts.map((a) => a.labels.pod), ['a', 'c']);
  await evaluate(50 * M, alerts([A, C]));
  assert.equal(rec.payloads.length, 2, 'unchanged firing group is not re-notified before repeat_interval');
  await d.stop();
});

test('an unchanged firing group is re-notified exactly once per repeat_interval', async () => {
  const { clock, d, rec, firing, evaluate } = setup({ route: { repeatIntervalMs: 1 * H } });
  const start = clock.now();
  await evaluate(3 * H + 1 * M, () => [firing(A, start)]);
  // 30 s (group_wait), then 1h0m30s, 2h0m30s, 3h0m30s.
  assert.equal(rec.payloads.length, 4);
  for (const p of rec.payloads) {
    assert.equal(p.status, 'firing');
    assert.equal(p.alerts.length, 1);
    assert.equal(p.alerts[0].startsAt, formatTime(start.getTime()));
  }
  await d.stop();
});

test('resolved alerts are notified once, then dropped; the group ends when all resolved', async () => {
  const { clock, d, rec, firing, evaluate } = setup();
  const start = clock.now();
  await evaluate(1 * M, () => [firing(A, start), firing(B, start)]);
  assert.equal(rec.payloads.length, 1);
  const resolvedAt = clock.now();
  d.ingest([{ ...firing(A, start), state: 'resolved', endsAt: resolvedAt }]);
  await evaluate(5 * M, () => [firing(B, start)]);
  assert.equal(rec.payloads.length, 2);
  const p = rec.payloads[1];
  assert.equal(p.status, 'firing');
  const a = p.alerts.find((x) => x.labels.pod === 'a')!;
  assert.equal(a.status, 'resolved');
  assert.equal(a.endsAt, formatTime(resolvedAt.getTime()));
  assert.equal(p.alerts.find((x) => x.labels.pod === 'b')!.endsAt, '0001-01-01T00:00:00Z');
  await evaluate(30 * M, () => [firing(B, start)]);
  assert.equal(rec.payloads.length, 2, 'the resolved alert was dropped, nothing changed');
  d.ingest([{ ...firing(B, start), state: 'resolved' }]);
  await clock.advance(5 * M);
  assert.equal(rec.payloads.length, 3);
  assert.equal(rec.payloads[2].status, 'resolved');
  assert.deepEqual(rec.payloads[2].alerts.map((x) => [x.labels.pod, x.status]), [['b', 'resolved']]);
  assert.equal(d.groups().length, 0);
  await clock.advance(1 * H);
  assert.equal(rec.payloads.length, 3);
  await d.stop();
});

test('an alert not re-sent within the resolve timeout is resolved', async () => {
  const { clock, d, rec, firing } = setup({ resolveTimeoutMs: 5 * M });
  const start = clock.now();
  d.ingest([firing(A, start)]);
  await clock.advance(30 * S);
  assert.equal(rec.payloads.length, 1);
  await clock.advance(5 * M);
  assert.equal(rec.payloads.length, 2);
  assert.equal(rec.payloads[1].status, 'resolved');
  assert.equal(rec.payloads[1].alerts[0].endsAt, formatTime(start.getTime() + 5 * M));
  await d.stop();
});

test('a resolved alert never notified as firing is not sent; sendResolved=false hides resolved alerts', async () => {
  const { clock, d, rec, firing, evaluate } = setup({ receiver: { sendResolved: false } });
  const start = clock.now();
  await evaluate(1 * M, () => [firing(A, start), firing(B, start)]);
  assert.equal(rec.payloads.length, 1);
  d.ingest([{ ...firing(A, start), state: 'resolved' }]);
  await evaluate(10 * M, () => [firing(B, start)]);
  assert.equal(rec.payloads.length, 1, 'a resolved alert alone is no change without send_resolved');
  d.ingest([{ ...firing(B, start), state: 'resolved' }]);
  await clock.advance(10 * M);
  assert.equal(rec.payloads.length, 1);
  assert.equal(d.groups().length, 0);
  // Resolved before the first flush: never notified.
  d.ingest([firing(C)]);
  d.ingest([{ ...firing(C), state: 'resolved' }]);
  await clock.advance(1 * M);
  assert.equal(rec.payloads.length, 1);
  await d.stop();
});

test('maxAlerts truncates and counts truncatedAlerts; groupBy ... makes one group per alert', async () => {
  {
    const { clock, d, rec, firing } = setup({ receiver: { maxAlerts: 2 } });
    d.ingest([firing(A), firing(B), firing(C)]);
    await clock.advance(30 * S);
    assert.equal(rec.payloads.length, 1);
    assert.equal(rec.payloads[0].alerts.length, 2);
    assert.equal(rec.payloads[0].truncatedAlerts, 1);
    await d.stop();
  }
  {
    const { clock, d, rec, firing } = setup({ route: { groupBy: ['...'] } });
    d.ingest([firing(A), firing(B), firing({ pod: 'a', namespace: 'demo', alertname: 'KubePodCrashLooping' })]);
    await clock.advance(30 * S);
    assert.equal(rec.payloads.length, 2, 'the same labels in another order are the same alert');
    assert.deepEqual(rec.payloads.map((p) => p.groupLabels.pod).sort(), ['a', 'b']);
    await d.stop();
  }
});

test('delivery retries with backoff while the receiver fails, and gives up at the group interval', async () => {
  const { clock, d, rec, firing, evaluate } = setup();
  const start = clock.now();
  rec.setStatus(503);
  await evaluate(1 * M, () => [firing(A, start)]);
  assert.equal(rec.payloads.length, 0);
  assert.ok(d.stats.deliveryAttemptsFailed >= 3, `retried (${d.stats.deliveryAttemptsFailed} failed attempts)`);
  await evaluate(5 * M, () => [firing(A, start)]);
  assert.equal(d.stats.notificationsFailed, 1, 'gave up within the group interval');
  rec.setStatus(200);
  await evaluate(5 * M, () => [firing(A, start)]);
  assert.equal(rec.payloads.length, 1, 'the next flush delivers the notification that never went out');
  assert.equal(d.stats.notificationsSent, 1);
  // A permanent client error is not retried.
  rec.setStatus(400);
  const before = d.stats.deliveryAttemptsFailed;
  d.ingest([firing(B, start)]);
  await evaluate(5 * M, () => [firing(A, start), firing(B, start)]);
  assert.equal(d.stats.deliveryAttemptsFailed - before, 1);
  await d.stop();
});

test('config is validated', () => {
  const clock = new ManualClock();
  const url = 'http://127.0.0.1:1/x';
  assert.throws(() => new Dispatcher({ clock, config: { route: { receiver: 'nope' }, receivers: [{ name: 'r', url }] } }), /not defined/);
  assert.throws(() => new Dispatcher({ clock, config: { route: { receiver: 'r' }, receivers: [{ name: 'r', url: 'not a url' }] } }), /url/i);
  assert.throws(
    () => new Dispatcher({ clock, config: { route: { receiver: 'r', groupBy: ['...', 'x'] }, receivers: [{ name: 'r', url }] } }),
    /only groupBy/,
  );
  assert.throws(() => new Dispatcher({ clock, config: { route: { receiver: 'r', groupWaitMs: -1 }, receivers: [{ name: 'r', url }] } }), /groupWaitMs/);
  const d = new Dispatcher({ clock, config: { route: { receiver: 'r' }, receivers: [{ name: 'r', url }] } });
  assert.equal(d.config.route.groupWaitMs, 30 * S);
  assert.equal(d.config.route.groupIntervalMs, 5 * M);
  assert.equal(d.config.route.repeatIntervalMs, 4 * H);
  assert.equal(d.receiver.sendResolved, true);
});

test('an alert resolved by timeout that comes back fires again; invalid alerts are rejected alone', async () => {
  const { clock, d, rec, firing } = setup({ resolveTimeoutMs: 5 * M });
  const start = clock.now();
  const errors = d.ingest([firing(A, start), { ...firing(B), labels: {} }, { ...firing(C), startsAt: 'yesterday' }]);
  assert.equal(errors.length, 2);
  await clock.advance(30 * S);
  assert.equal(rec.payloads.length, 1);
  assert.deepEqual(rec.payloads[0].alerts.map((a) => a.labels.pod), ['a']);
  await clock.advance(5 * M); // not re-sent: resolved by timeout at the 5m30s flush
  assert.equal(rec.payloads.at(-1)!.status, 'resolved');
  const count = rec.payloads.length;
  d.ingest([firing(A)]); // a new occurrence: a new group, so group_wait again
  await clock.advance(29 * S);
  assert.equal(rec.payloads.length, count);
  await clock.advance(2 * S);
  assert.equal(rec.payloads.length, count + 1);
  assert.equal(rec.payloads.at(-1)!.status, 'firing');
  await d.stop();
});
