import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { RuleGroup, loadPrometheusRule, type Rule, type Sample } from '../../../src/alerting/rules/index.ts';
import { fakeQuery, lezerParse } from './helpers.ts';

function groupDef(rules: unknown[], interval = '1m') {
  const r = loadPrometheusRule(
    { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'r', namespace: 'n' }, spec: { groups: [{ name: 'g', interval, rules }] } },
    lezerParse,
  );
  assert.deepEqual(r.problems, []);
  return r.groups[0];
}

test('a group evaluates its rules in order and hands each rule its samples before the next runs', async () => {
  const order: string[] = [];
  const stored: Sample[] = [];
  const query = async (expr: string): Promise<Sample[]> => {
    order.push(`query ${expr}`);
    if (expr === 'sum(up)') return [{ labels: {}, value: 3 }];
    // the alert reads what the recording rule stored
    return stored.filter((s) => s.labels.__name__ === 'total:up' && s.value > 2).map((s) => ({ labels: { src: 'rec' }, value: s.value }));
  };
  const group = new RuleGroup(groupDef([{ record: 'total:up', expr: 'sum(up)' }, { alert: 'Many', expr: 'total:up > 2' }]), {
    clock: new ScaledClock(1),
    query,
    onSamples: (samples: Sample[], _t: number, rule: Rule) => {
      order.push(`stored ${rule.name} ${samples.length}`);
      stored.push(...samples);
    },
  });
  const out = await group.evaluate(1000);
  assert.deepEqual(order, ['query sum(up)', 'stored total:up 1', 'query total:up > 2', 'stored Many 2']);
  assert.deepEqual(
    out.map((s) => s.labels.__name__),
    ['total:up', 'ALERTS', 'ALERTS_FOR_STATE'],
  );
  assert.equal(group.activeAlerts()[0].state, 'firing');
  assert.equal(group.lastEvaluation?.getTime(), 1000);
});

test('start() evaluates every interval through the clock; stop() ends the loop', async () => {
  const clock = new ScaledClock(60_000); // interval 1m → 1 ms real
  const { state, query } = fakeQuery([{ labels: { job: 'a' }, value: 1 }]);
  let evaluations = 0;
  let reached!: () => void;
  const threeDone = new Promise<void>((r) => (reached = r));
  const group = new RuleGroup(groupDef([{ alert: 'A', expr: 'up == 0', for: '2m' }]), {
    clock,
    query,
    onEvaluated: () => {
      if (++evaluations === 3) reached();
    },
  });
  group.start();
  await threeDone;
  await group.stop();
  const count = state.calls.length;
  assert.ok(count >= 3);
  assert.equal(group.alertingRules()[0].state(), 'firing', 'for: 2m elapsed in nominal time over the evaluations');
  await clock.sleep(5 * 60_000);
  assert.equal(state.calls.length, count, 'no evaluation after stop');
});

test('a reloaded group keeps the alerts of unchanged rules', async () => {
  const { query } = fakeQuery([{ labels: { job: 'a' }, value: 1 }]);
  const opts = { clock: new ScaledClock(1), query };
  const old = new RuleGroup(groupDef([{ alert: 'A', expr: 'up == 0', for: '5m' }, { alert: 'B', expr: 'x', for: '5m' }]), opts);
  await old.evaluate(0);
  const fresh = new RuleGroup(groupDef([{ alert: 'A', expr: 'up == 0', for: '5m' }, { alert: 'B', expr: 'changed', for: '5m' }]), opts);
  fresh.adoptStateFrom(old);
  const [a, b] = fresh.alertingRules();
  assert.equal(a.activeAlerts()[0].activeAt.getTime(), 0);
  assert.deepEqual(b.allAlerts(), []);
  await fresh.evaluate(5 * 60_000);
  assert.equal(a.state(), 'firing');
  assert.equal(b.state(), 'pending');
});
