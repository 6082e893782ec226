import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { AlertingRule, RecordingRule, RuleGroup, loadPrometheusRule, toRuleSamples, type RuleDefinition } from '../../../src/alerting/rules/index.ts';
import { fakeQuery, lezerParse, loadYaml, REFERENCE_RULE } from './helpers.ts';

const MIN = 60_000;

function def(over: Partial<RuleDefinition> = {}): RuleDefinition {
  return { kind: 'alerting', name: 'HighErrors', expr: 'errors > 0', forMs: 3 * MIN, keepFiringForMs: 0, labels: {}, annotations: {}, index: 0, ...over };
}

const series = (value: number, labels: Record<string, string> = { job: 'api' }) => ({ labels, value });

test('reference rule: pending, then firing after `for` (scaled), then resolved when the series disappears', async () => {
  const clock = new ScaledClock(100_000); // for: 3m = 1.8 ms real
  const loaded = loadPrometheusRule(loadYaml(REFERENCE_RULE), lezerParse);
  const { state, query } = fakeQuery([series(2, { namespace: 'demo-statefulset', statefulset: 'kv-store', job: 'kube-state-metrics' })]);
  const group = new RuleGroup(loaded.groups[0], { clock, query, externalLabels: { cluster: 'kind' } });
  const rule = group.alertingRules()[0];

  const t0 = clock.nowMs();
  await group.evaluate(t0);
  assert.equal(rule.health, 'ok');
  assert.equal(state.calls[0].expr, loaded.groups[0].rules[0].expr);
  assert.equal(state.calls[0].tMs, t0);
  let [alert] = rule.activeAlerts();
  assert.equal(alert.state, 'pending');
  assert.equal(alert.activeAt.getTime(), t0);
  assert.deepEqual(alert.labels, {
    alertname: 'KubernautStatefulSetReplicasMismatch',
    job: 'kube-state-metrics',
    namespace: 'demo-statefulset',
    severity: 'critical',
    statefulset: 'kv-store',
  });
  assert.equal(alert.annotations.summary, 'StatefulSet kv-store has 2 ready replicas vs desired. A PVC issue may be preventing pod scheduling.');
  assert.match(alert.annotations.description, /^The kv-store StatefulSet in namespace demo-statefulset has fewer ready/);

  // still pending half-way through `for` (nominal time)
  await group.evaluate(t0 + clock.scaled(1.5 * MIN));
  assert.equal(rule.state(), 'pending');

  // wait the nominal 3 minutes through the clock
  await clock.sleep(3 * MIN);
  const t1 = clock.nowMs();
  state.result = [series(1, { namespace: 'demo-statefulset', statefulset: 'kv-store', job: 'kube-state-metrics' })];
  await group.evaluate(t1);
  [alert] = rule.activeAlerts();
  assert.equal(alert.state, 'firing');
  assert.equal(alert.activeAt.getTime(), t0, 'activeAt stays the real time the condition started');
  assert.equal(alert.firedAt?.getTime(), t1);
  assert.equal(alert.value, 1);
  assert.match(alert.annotations.summary, /has 1 ready replicas/);

  // series gone → resolved, kept for sending
  state.result = [];
  const t2 = t1 + 5;
  await group.evaluate(t2);
  assert.deepEqual(rule.activeAlerts(), []);
  assert.equal(rule.state(), 'inactive');
  const [resolved] = rule.allAlerts();
  assert.equal(resolved.state, 'inactive');
  assert.equal(resolved.resolvedAt?.getTime(), t2);
  // dropped after 15 nominal minutes
  await group.evaluate(t2 + clock.scaled(15 * MIN));
  assert.equal(rule.allAlerts().length, 1);
  await group.evaluate(t2 + clock.scaled(15 * MIN) + 1);
  assert.equal(rule.allAlerts().length, 0);
});

test('for: 0 fires at once; a pending alert that disappears is dropped without resolution', async () => {
  const clock = new ScaledClock(1);
  const { state, query } = fakeQuery([series(5)]);
  const now0 = new AlertingRule(def({ forMs: 0 }), { clock, query });
  await now0.eval(1_000_000);
  assert.equal(now0.activeAlerts()[0].state, 'firing');
  assert.equal(now0.activeAlerts()[0].firedAt?.getTime(), 1_000_000);

  const slow = new AlertingRule(def(), { clock, query });
  await slow.eval(1_000_000);
  assert.equal(slow.state(), 'pending');
  state.result = [];
  await slow.eval(1_000_001);
  assert.deepEqual(slow.allAlerts(), []);
});

test('the nominal `for` shrinks with the time scale while timestamps stay real', async () => {
  const { query } = fakeQuery([series(1)]);
  const t0 = Date.UTC(2026, 0, 1);
  const real = new AlertingRule(def(), { clock: new ScaledClock(1), query });
  const fast = new AlertingRule(def(), { clock: new ScaledClock(20), query }); // 3m → 9s
  for (const r of [real, fast]) {
    await r.eval(t0);
    await r.eval(t0 + 9_000);
  }
  assert.equal(real.state(), 'pending');
  assert.equal(fast.state(), 'firing');
  assert.equal(fast.activeAlerts()[0].activeAt.toISOString(), '2026-01-01T00:00:00.000Z');
  assert.equal(fast.activeAlerts()[0].firedAt?.toISOString(), '2026-01-01T00:00:09.000Z');
  await real.eval(t0 + 3 * MIN);
  assert.equal(real.state(), 'firing');
});

test('keep_firing_for keeps a firing alert after its series vanishes', async () => {
  const clock = new ScaledClock(1);
  const { state, query } = fakeQuery([series(1)]);
  const r = new AlertingRule(def({ forMs: 0, keepFiringForMs: 2 * MIN }), { clock, query });
  await r.eval(0);
  state.result = [];
  await r.eval(10_000);
  assert.equal(r.state(), 'firing');
  assert.equal(r.activeAlerts()[0].keepFiringSince?.getTime(), 10_000);
  await r.eval(10_000 + MIN);
  assert.equal(r.state(), 'firing');
  // the series comes back: the keep-firing window resets
  state.result = [series(1)];
  await r.eval(10_000 + 1.5 * MIN);
  assert.equal(r.activeAlerts()[0].keepFiringSince, undefined);
  state.result = [];
  await r.eval(200_000);
  await r.eval(200_000 + 2 * MIN);
  assert.equal(r.state(), 'inactive');
  assert.equal(r.allAlerts()[0].resolvedAt?.getTime(), 200_000 + 2 * MIN);
});

test('one alert per label set; rule labels override series labels and are templated; __name__ is dropped', async () => {
  const clock = new ScaledClock(1);
  const { state, query } = fakeQuery([
    series(0.93, { __name__: 'ratio', job: 'a', severity: 'info' }),
    series(0.2, { __name__: 'ratio', job: 'b', severity: 'info' }),
  ]);
  const r = new AlertingRule(
    def({
      forMs: MIN,
      labels: { severity: '{{ if gt $value 0.5 }}critical{{ else }}warning{{ end }}', team: '{{ $externalLabels.team }}', empty: '' },
      annotations: { summary: '{{ $labels.job }} at {{ humanizePercentage $value }}', bad: '{{ humanize $labels.job }}' },
    }),
    { clock, query, externalLabels: { team: 'sre' } },
  );
  await r.eval(0);
  const alerts = r.activeAlerts().sort((x, y) => x.labels.job.localeCompare(y.labels.job));
  assert.deepEqual(
    alerts.map((a) => a.labels),
    [
      { alertname: 'HighErrors', job: 'a', severity: 'critical', team: 'sre' },
      { alertname: 'HighErrors', job: 'b', severity: 'warning', team: 'sre' },
    ],
  );
  assert.equal(alerts[0].annotations.summary, 'a at 93%');
  assert.equal(alerts[1].annotations.summary, 'b at 20%');
  assert.match(alerts[0].annotations.bad, /^<error expanding template: .*error calling humanize: strconv.ParseFloat: parsing "a": invalid syntax>$/);

  // one series goes away: only that alert is affected
  state.result = [series(0.95, { __name__: 'ratio', job: 'a' })];
  await r.eval(MIN);
  assert.deepEqual(
    r.activeAlerts().map((a) => [a.labels.job, a.state, a.value]),
    [['a', 'firing', 0.95]],
  );
});

test('evaluation errors mark the rule unhealthy and leave the alerts as they were', async () => {
  const clock = new ScaledClock(1);
  const { state, query } = fakeQuery([series(1, { job: 'a', x: '1' }), series(2, { job: 'a', x: '2' })]);
  const r = new AlertingRule(def({ labels: { x: 'same' } }), { clock, query });
  await r.eval(0);
  assert.equal(r.health, 'err');
  assert.match(r.lastError ?? '', /same labelset after applying alert labels/);
  assert.deepEqual(r.allAlerts(), []);

  const ok = new AlertingRule(def(), { clock, query });
  state.result = [series(1)];
  await ok.eval(0);
  state.error = new Error('query timed out');
  const out = await ok.eval(4 * MIN);
  assert.deepEqual(out, []);
  assert.equal(ok.health, 'err');
  assert.equal(ok.lastError, 'query timed out');
  assert.equal(ok.state(), 'pending');
  state.error = undefined;
  await ok.eval(5 * MIN);
  assert.equal(ok.health, 'ok');
  assert.equal(ok.lastError, undefined);
  assert.equal(ok.state(), 'firing');
});

test('ALERTS and ALERTS_FOR_STATE samples', async () => {
  const { query } = fakeQuery([series(7)]);
  const r = new AlertingRule(def({ forMs: MIN, labels: { severity: 'page' } }), { clock: new ScaledClock(1), query });
  const out = await r.eval(1_700_000_000_000);
  assert.deepEqual(out, [
    { labels: { __name__: 'ALERTS', alertname: 'HighErrors', job: 'api', severity: 'page', alertstate: 'pending' }, value: 1 },
    { labels: { __name__: 'ALERTS_FOR_STATE', alertname: 'HighErrors', job: 'api', severity: 'page' }, value: 1_700_000_000 },
  ]);
});

test('alertsToSend: firing alerts with resend delay, resolutions once, pending never', async () => {
  const clock = new ScaledClock(1);
  const { state, query } = fakeQuery([series(1)]);
  const r = new AlertingRule(def({ forMs: MIN }), { clock, query });
  await r.eval(0);
  assert.deepEqual(r.alertsToSend(0, MIN, 30_000), []);
  await r.eval(MIN);
  const sent = r.alertsToSend(MIN, MIN, 30_000);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].state, 'firing');
  assert.equal(sent[0].validUntil?.getTime(), MIN + 4 * MIN);
  assert.deepEqual(r.alertsToSend(MIN + 1000, MIN, 30_000), []);
  assert.equal(r.alertsToSend(2 * MIN, MIN, 30_000).length, 1);
  state.result = [];
  await r.eval(2 * MIN + 1);
  const res = r.alertsToSend(2 * MIN + 1, MIN, 30_000);
  assert.equal(res.length, 1);
  assert.equal(res[0].state, 'inactive');
  assert.equal(res[0].resolvedAt?.getTime(), 2 * MIN + 1);
  assert.deepEqual(r.alertsToSend(3 * MIN, MIN, 30_000), []);
});

test('recording rules rename the series and apply their labels', async () => {
  const { state, query } = fakeQuery([series(3, { __name__: 'up', job: 'a', env: 'x' }), series(4, { job: 'b' })]);
  const r = new RecordingRule(def({ kind: 'recording', name: 'job:up:sum', labels: { env: 'prod' } }), { clock: new ScaledClock(1), query });
  assert.deepEqual(await r.eval(0), [
    { labels: { __name__: 'job:up:sum', job: 'a', env: 'prod' }, value: 3 },
    { labels: { __name__: 'job:up:sum', job: 'b', env: 'prod' }, value: 4 },
  ]);
  state.result = [series(1, { job: 'a', env: 'x' }), series(2, { job: 'a', env: 'y' })];
  assert.deepEqual(await r.eval(1), []);
  assert.equal(r.health, 'err');
});

test('group limit: too many alerts is an error', async () => {
  const { query } = fakeQuery([series(1, { i: '1' }), series(1, { i: '2' })]);
  const r = new AlertingRule(def(), { clock: new ScaledClock(1), query, limit: 1 });
  await r.eval(0);
  assert.equal(r.health, 'err');
  assert.match(r.lastError ?? '', /exceeded limit of 1 with 2 alerts/);
  assert.deepEqual(r.allAlerts(), []);
});

test('toRuleSamples adapts instant-query values like Prometheus', () => {
  assert.deepEqual(toRuleSamples({ type: 'vector', samples: [series(1)] }), [series(1)]);
  assert.deepEqual(toRuleSamples({ type: 'scalar', value: 5 }), [{ labels: {}, value: 5 }]);
  assert.throws(() => toRuleSamples({ type: 'string', value: 'x' }), /rule result is not a vector or scalar \(got string\)/);
});
