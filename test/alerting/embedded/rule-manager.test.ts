/**
 * RuleManager: PrometheusRule objects in, running rule groups out. Reloads keep the state of alerts
 * whose rule survived, recorded series reach the TSDB (and go stale when their rule goes), and the
 * alerts due for notification reach the dispatcher callback with Prometheus' fields.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { RuleManager } from '../../../src/alerting/embedded/rule-manager.ts';
import { MemorySeriesStore } from '../../../src/alerting/tsdb/index.ts';
import { evaluate, parsePromQL } from '../../../src/alerting/promql/index.ts';
import type { IncomingAlert } from '../../../src/alerting/dispatch/index.ts';
import { AlertStateFile } from '../../../src/alerting/embedded/alert-state.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RECORD = { record: 'job:up:sum', expr: 'sum by (job) (up)' };
const ALERT = { alert: 'TooFewUp', expr: 'job:up:sum < 2', for: '1m', labels: { severity: 'critical' }, annotations: { summary: '{{ $labels.job }} has {{ $value }} up' } };

function object(rules: object[], name = 'r') {
  return { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name, namespace: 'ns' }, spec: { groups: [{ name: 'g', interval: '10s', rules }] } };
}

function setup(startMs?: number, statePath?: string) {
  const clock = new ManualClock(startMs);
  const store = new MemorySeriesStore({ retentionMs: 3_600_000 });
  const sent: IncomingAlert[] = [];
  const file = statePath ? new AlertStateFile(statePath, clock) : undefined;
  const rules = new RuleManager({ clock, store, evaluationIntervalMs: 30_000, externalURL: 'http://prom.example:9190', onAlerts: (a) => sent.push(...a), stateFile: file });
  // Two targets of job "app", one up and one down, scraped every 10 s for the whole test.
  const scrape = () => {
    store.append({ __name__: 'up', job: 'app', instance: 'a' }, clock.nowMs(), 1);
    store.append({ __name__: 'up', job: 'app', instance: 'b' }, clock.nowMs(), 0);
  };
  scrape();
  const timer = clock.setInterval(scrape, 10_000);
  const query = (expr: string) => {
    const v = evaluate(parsePromQL(expr), clock.nowMs(), store);
    return v.type === 'vector' ? v.samples : [];
  };
  return { clock, store, rules, sent, query, stop: async () => (timer.cancel(), await rules.stop()) };
}

test('recording and alerting rules run on their group interval; the alert goes pending, fires and is sent', async () => {
  const s = setup();
  const result = s.rules.apply(object([RECORD, ALERT]));
  assert.equal(result?.ruleCount, 2);
  assert.deepEqual(result?.problems, []);
  await s.clock.advance(1);
  assert.deepEqual(s.query('job:up:sum'), [{ labels: { __name__: 'job:up:sum', job: 'app' }, value: 1 }]);
  assert.equal(s.rules.activeAlerts()[0]?.state, 'pending');
  assert.equal(s.sent.length, 0, 'pending alerts are not sent');

  await s.clock.advance(60_000);
  const [firing] = s.rules.activeAlerts();
  assert.equal(firing.state, 'firing');
  assert.equal(s.sent.length, 1);
  const alert = s.sent[0];
  assert.equal(alert.state, 'firing');
  assert.deepEqual(alert.labels, { alertname: 'TooFewUp', job: 'app', severity: 'critical' });
  assert.equal(alert.annotations?.summary, 'app has 1 up');
  assert.equal(new Date(alert.startsAt).getTime(), firing.firedAt!.getTime());
  // endsAt: 4 x max(resend delay 1m, interval 10s) after the send, as Prometheus sets it.
  assert.equal(new Date(alert.endsAt!).getTime() - new Date(alert.startsAt).getTime(), 240_000);
  assert.match(alert.generatorURL!, /^http:\/\/prom\.example:9190\/graph\?g0\.expr=job%3Aup%3Asum%20%3C%202/);
  // ALERTS series land in the TSDB like recorded ones.
  assert.equal(s.query('ALERTS{alertname="TooFewUp",alertstate="firing"}').length, 1);

  // Re-sent once per resend delay (1 minute), not on every evaluation.
  await s.clock.advance(50_000);
  assert.equal(s.sent.length, 1);
  await s.clock.advance(20_000);
  assert.equal(s.sent.length, 2);
  await s.stop();
});

test('re-applying the same spec changes nothing; a changed object keeps the state of surviving rules', async () => {
  const s = setup();
  s.rules.apply(object([RECORD, ALERT]));
  await s.clock.advance(70_001);
  const before = s.rules.activeAlerts()[0];
  assert.equal(before.state, 'firing');

  assert.equal(s.rules.apply(object([RECORD, ALERT])), undefined, 'unchanged spec: no reload');
  const extra = { alert: 'AnyDown', expr: 'up == 0' };
  const result = s.rules.apply(object([RECORD, ALERT, extra]));
  assert.equal(result?.ruleCount, 3);
  await s.clock.advance(10_000);
  const after = s.rules.activeAlerts().find((a) => a.labels.alertname === 'TooFewUp')!;
  assert.equal(after.state, 'firing', 'not pending again after the reload');
  assert.equal(after.activeAt.getTime(), before.activeAt.getTime());
  assert.ok(s.rules.activeAlerts().some((a) => a.labels.alertname === 'AnyDown' && a.labels.instance === 'b'));
  assert.deepEqual(s.rules.groups().map((g) => g.id), ['ns/r/g']);
  await s.stop();
});

test('bad rules are reported and skipped; removing the object unloads it and its recorded series go stale', async () => {
  const s = setup();
  const result = s.rules.apply(object([RECORD, { alert: 'Broken', expr: 'rate(up[5m]' }, { alert: 'Unknown', expr: 'nope(up)' }]));
  assert.equal(result?.ruleCount, 1);
  assert.deepEqual(s.rules.problems().map((p) => p.rule), ['Broken', 'Unknown']);
  assert.match(s.rules.problems()[1].message, /unknown or unsupported function "nope"/);
  await s.clock.advance(1);
  assert.equal(s.query('job:up:sum').length, 1);

  s.rules.remove({ namespace: 'ns', name: 'r' });
  await s.clock.advance(1);
  assert.deepEqual(s.rules.groups(), []);
  assert.deepEqual(s.rules.problems(), []);
  // A stale marker ends the recorded series at once instead of after the 5-minute lookback.
  assert.deepEqual(s.query('job:up:sum'), []);
  await s.stop();
});

test('alert `for` state survives a restart through the state file, as Prometheus restores it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alert-state-'));
  const path = join(dir, 'alert-state.json');
  const LONG = { alert: 'LongFor', expr: 'up == 0', for: '20m' };
  const obj = object([RECORD, ALERT, LONG]);

  // First run: TooFewUp (for 1m) fires; LongFor (for 20m) has been pending 15 minutes at shutdown.
  const first = setup(undefined, path);
  first.rules.apply(obj);
  await first.clock.advance(15 * 60_000 + 1);
  const fired = first.rules.activeAlerts().find((a) => a.labels.alertname === 'TooFewUp')!;
  assert.equal(fired.state, 'firing');
  assert.equal(first.rules.activeAlerts().find((a) => a.labels.alertname === 'LongFor')?.state, 'pending');
  await first.stop();
  const saved = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(Object.keys(saved.rules).length, 2);

  // Second run, 2 minutes later (the outage does not count as time spent pending).
  const second = setup(first.clock.nowMs() + 2 * 60_000, path);
  second.rules.apply(obj);
  await second.clock.advance(1);
  const restored = second.rules.activeAlerts().find((a) => a.labels.alertname === 'TooFewUp')!;
  assert.equal(restored.state, 'firing', 'fired again at once: it had already passed its `for` (shorter than the 10m grace period)');
  assert.equal(restored.activeAt.getTime(), fired.activeAt.getTime(), 'with its real activeAt');
  // LongFor needed 5 more minutes, but `for` > grace period: it waits the 10 minute grace period.
  await second.clock.advance(9 * 60_000);
  assert.equal(second.rules.activeAlerts().find((a) => a.labels.alertname === 'LongFor')?.state, 'pending');
  await second.clock.advance(60_000 + 10_000);
  assert.equal(second.rules.activeAlerts().find((a) => a.labels.alertname === 'LongFor')?.state, 'firing');
  await second.stop();

  // After an outage longer than the 1 hour tolerance nothing is restored: pending from scratch.
  const third = setup(second.clock.nowMs() + 2 * 3_600_000, path);
  third.rules.apply(obj);
  await third.clock.advance(1);
  assert.equal(third.rules.activeAlerts().find((a) => a.labels.alertname === 'TooFewUp')?.state, 'pending');
  await third.stop();

  // A corrupt file is ignored (logged), never fatal.
  writeFileSync(path, '{not json');
  const fourth = setup(third.clock.nowMs(), path);
  assert.equal(fourth.rules.apply(obj)?.ruleCount, 3);
  await fourth.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a restored alert is claimed when its series shows up within a few evaluations, not later', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alert-state-'));
  const path = join(dir, 'alert-state.json');
  const clock = new ManualClock();
  const now = clock.nowMs();
  const rule = { alert: 'AnyDown', expr: 'up == 0', for: '5m' };
  const obj = object([rule]);
  const labels = { alertname: 'AnyDown', instance: 'b', job: 'app' };
  // Saved a minute ago, pending for 4 minutes by then: 1 minute of `for` left after the restart.
  const saved = { version: 1, savedAt: new Date(now - 60_000).toISOString(), rules: { [`ns/r/g\u0000AnyDown\u0000up == 0`]: [{ labels, activeAt: new Date(now - 5 * 60_000).toISOString() }] } };
  const run = async (dataAfterMs: number) => {
    writeFileSync(path, JSON.stringify(saved));
    const c = new ManualClock(now);
    const store = new MemorySeriesStore({ retentionMs: 3_600_000 });
    const rules = new RuleManager({ clock: c, store, evaluationIntervalMs: 30_000, externalURL: 'http://x', onAlerts: () => {}, stateFile: new AlertStateFile(path, c) });
    rules.apply(obj);
    await c.advance(1);
    assert.deepEqual(rules.activeAlerts(), [], 'no series yet (nothing scraped since the restart)');
    await c.advance(dataAfterMs);
    store.append({ __name__: 'up', job: 'app', instance: 'b' }, c.nowMs(), 0);
    await c.advance(10_000);
    const alert = rules.activeAlerts()[0];
    await rules.stop();
    return { alert, restoredActiveAt: now - 4 * 60_000 };
  };
  const early = await run(30_000);
  assert.equal(early.alert.activeAt.getTime(), early.restoredActiveAt, 'claimed: pending time before the restart counts');
  const late = await run(5 * 60_000);
  assert.ok(late.alert.activeAt.getTime() > now + 5 * 60_000, 'too late: starts afresh');
  rmSync(dir, { recursive: true, force: true });
});

test('a removed rule takes its saved `for` state with it: applied again after a restart, it waits its `for` afresh', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alert-state-'));
  const path = join(dir, 'alert-state.json');
  const obj = object([RECORD, ALERT]);
  const first = setup(undefined, path);
  first.rules.apply(obj);
  await first.clock.advance(2 * 60_000);
  assert.equal(first.rules.activeAlerts()[0]?.state, 'firing');
  await first.clock.advance(2_000);
  assert.equal(Object.keys(JSON.parse(readFileSync(path, 'utf8')).rules).length, 1, 'the firing alert is saved');

  // Deleted while it fires: dropped from the file at once, not at the next save or at shutdown.
  first.rules.remove({ namespace: 'ns', name: 'r' });
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')).rules, {});
  await first.stop();

  // Restarted a minute later, the rule applied again: pending from now, firing only after its 1m `for`.
  const second = setup(first.clock.nowMs() + 60_000, path);
  const restartedAt = second.clock.nowMs();
  second.rules.apply(obj);
  second.rules.initialRulesLoaded();
  await second.clock.advance(1);
  const again = second.rules.activeAlerts()[0];
  assert.equal(again?.state, 'pending');
  assert.ok(again.activeAt.getTime() >= restartedAt, 'a new activeAt, not the first run\'s');
  await second.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the state of a rule whose object was deleted while the stack was down is dropped once the rules present at start are loaded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alert-state-'));
  const path = join(dir, 'alert-state.json');
  const first = setup(undefined, path);
  first.rules.apply(object([RECORD, ALERT]));
  first.rules.apply(object([{ alert: 'AnyDown', expr: 'up == 0', for: '1m' }], 'other'));
  await first.clock.advance(2 * 60_000);
  assert.deepEqual(first.rules.activeAlerts().map((a) => a.state), ['firing', 'firing']);
  await first.stop();

  // Only "other" is still in the cluster at the restart: its state comes back, r's does not.
  const second = setup(first.clock.nowMs() + 60_000, path);
  second.rules.apply(object([{ alert: 'AnyDown', expr: 'up == 0', for: '1m' }], 'other'));
  second.rules.initialRulesLoaded();
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(path, 'utf8')).rules), [], 'r\'s state is gone from the file');
  await second.clock.advance(1);
  assert.equal(second.rules.activeAlerts().find((a) => a.labels.alertname === 'AnyDown')?.state, 'firing', 'restored');

  // r is created again later: like a rule Prometheus loads on a reload, it starts afresh.
  second.rules.apply(object([RECORD, ALERT]));
  await second.clock.advance(10_000);
  assert.equal(second.rules.activeAlerts().find((a) => a.labels.alertname === 'TooFewUp')?.state, 'pending');
  await second.stop();
  rmSync(dir, { recursive: true, force: true });
});
