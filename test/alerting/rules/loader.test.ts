import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPrometheusRule, problemEvent, describeProblem } from '../../../src/alerting/rules/index.ts';
import { lezerParse, loadYaml, REFERENCE_RULE } from './helpers.ts';

function pr(groups: unknown[], name = 'my-rules') {
  return { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name, namespace: 'ns1', uid: 'u1' }, spec: { groups } };
}

test('the reference scenario rule loads', () => {
  const r = loadPrometheusRule(loadYaml(REFERENCE_RULE), lezerParse);
  assert.deepEqual(r.problems, []);
  assert.equal(r.ruleCount, 1);
  assert.deepEqual(r.source, { name: 'kubernaut-statefulset-rules', namespace: 'demo-statefulset' });
  assert.equal(r.groups.length, 1);
  const g = r.groups[0];
  assert.equal(g.name, 'kubernaut-statefulset');
  assert.equal(g.id, 'demo-statefulset/kubernaut-statefulset-rules/kubernaut-statefulset');
  assert.equal(g.intervalMs, 30_000);
  const rule = g.rules[0];
  assert.equal(rule.kind, 'alerting');
  assert.equal(rule.name, 'KubernautStatefulSetReplicasMismatch');
  assert.equal(rule.forMs, 180_000);
  assert.equal(rule.keepFiringForMs, 0);
  assert.deepEqual(rule.labels, { severity: 'critical' });
  assert.match(rule.expr, /kube_statefulset_status_replicas_ready/);
  assert.match(rule.annotations.summary, /\{\{ \$labels\.statefulset \}\}/);
  assert.deepEqual(problemEvent(r), { type: 'Normal', reason: 'RulesLoaded', message: 'loaded 1 rule(s) in 1 group(s)' });
});

test('a bad expression is reported with its rule name and group; the good rule still loads', () => {
  const r = loadPrometheusRule(
    pr([
      {
        name: 'g1',
        interval: '10s',
        rules: [
          { alert: 'Broken', expr: 'rate(http_requests_total[5m]', for: '1m' },
          { alert: 'Good', expr: 'up == 0', for: '2m', keep_firing_for: '30s', labels: { severity: 'warning' } },
          { record: 'job:up:sum', expr: 'sum by (job) (up)' },
        ],
      },
    ]),
    lezerParse,
  );
  assert.equal(r.ruleCount, 2);
  assert.deepEqual(
    r.groups[0].rules.map((x) => [x.kind, x.name, x.forMs, x.keepFiringForMs]),
    [
      ['alerting', 'Good', 120_000, 30_000],
      ['recording', 'job:up:sum', 0, 0],
    ],
  );
  assert.equal(r.groups[0].intervalMs, 10_000);
  assert.equal(r.problems.length, 1);
  const p = r.problems[0];
  assert.equal(p.rule, 'Broken');
  assert.equal(p.group, 'g1');
  assert.equal(p.ruleIndex, 0);
  assert.deepEqual(p.source, { name: 'my-rules', namespace: 'ns1', uid: 'u1' });
  assert.match(p.message, /could not parse expression: 1:\d+: parse error/);
  assert.match(describeProblem(p), /^group "g1", rule "Broken": could not parse expression/);
  const ev = problemEvent(r);
  assert.equal(ev.type, 'Warning');
  assert.equal(ev.reason, 'InvalidRules');
  assert.match(ev.message, /1 invalid rule\(s\), 2 loaded: group "g1", rule "Broken"/);
});

test('each kind of invalid rule is reported and skipped on its own', () => {
  const r = loadPrometheusRule(
    pr([
      {
        name: 'g',
        rules: [
          { alert: 'Both', record: 'x', expr: 'up' },
          { expr: 'up' },
          { alert: 'BadFor', expr: 'up', for: '3 minutes' },
          { alert: 'BadKeep', expr: 'up', keep_firing_for: 'soon' },
          { alert: 'BadLabel', expr: 'up', labels: { 'bad-name': 'x' } },
          { alert: 'BadTemplate', expr: 'up', annotations: { summary: '{{ $labels.x ' } },
          { alert: 'UnknownFunc', expr: 'up', annotations: { summary: '{{ nosuch $value }}' } },
          { record: 'bad name', expr: 'up' },
          { record: 'rec_with_for', expr: 'up', for: '1m' },
          { alert: 'NoExpr', expr: '' },
          { alert: 'Reserved', expr: 'up', labels: { __name__: 'x' } },
          'not an object',
          { alert: 'Fine', expr: 'up', for: '0s' },
        ],
      },
    ]),
    lezerParse,
  );
  assert.equal(r.ruleCount, 1);
  assert.equal(r.groups[0].rules[0].name, 'Fine');
  const byRule = Object.fromEntries(r.problems.map((p) => [p.rule, p.message]));
  assert.match(byRule.Both, /only one of "alert" and "record"/);
  assert.match(byRule['#1'], /one of "alert" or "record" must be set/);
  assert.match(byRule.BadFor, /invalid "for" duration "3 minutes"/);
  assert.match(byRule.BadKeep, /invalid "keep_firing_for" duration "soon"/);
  assert.match(byRule.BadLabel, /invalid label name "bad-name"/);
  assert.match(byRule.BadTemplate, /annotation "summary": error parsing template __alert_BadTemplate/);
  assert.match(byRule.UnknownFunc, /function "nosuch" not defined/);
  assert.match(byRule['bad name'], /invalid recording rule name/);
  assert.match(byRule.rec_with_for, /recording rules cannot have/);
  assert.match(byRule.NoExpr, /"expr" must be set/);
  assert.match(byRule.Reserved, /invalid label name "__name__"|label "__name__" is reserved/);
  assert.ok(byRule['#11']);
  assert.equal(r.problems.length, 12);
});

test('group problems: duplicate names, bad interval, invalid objects', () => {
  const r = loadPrometheusRule(
    pr([
      { name: 'a', interval: 'never', rules: [{ alert: 'A', expr: 'up' }] },
      { name: 'a', rules: [] },
      { rules: [] },
    ]),
    lezerParse,
    { defaultIntervalMs: 15_000 },
  );
  assert.equal(r.groups.length, 1);
  assert.equal(r.groups[0].intervalMs, 15_000);
  assert.equal(r.ruleCount, 1);
  assert.deepEqual(
    r.problems.map((p) => [p.group, p.message.split(':')[0]]),
    [
      ['a', 'invalid interval "never"; using 15s'],
      ['a', 'duplicate group name "a"'],
      ['#2', 'invalid group'],
    ],
  );
  const bad = loadPrometheusRule({ kind: 'PrometheusRule', metadata: { name: 'x' } }, lezerParse);
  assert.equal(bad.groups.length, 0);
  assert.match(bad.problems[0].message, /invalid PrometheusRule: spec/);
  assert.equal(loadPrometheusRule(null, lezerParse).problems.length, 1);
  const empty = loadPrometheusRule(pr([]), lezerParse);
  assert.deepEqual([empty.groups, empty.problems, empty.ruleCount], [[], [], 0]);
});

test('group labels apply to every rule and numeric values are accepted', () => {
  const r = loadPrometheusRule(
    pr([{ name: 'g', labels: { team: 'db' }, limit: 5, rules: [{ alert: 'A', expr: 1, labels: { severity: 3, team: 'ops' } }] }]),
    lezerParse,
  );
  assert.deepEqual(r.problems, []);
  assert.equal(r.groups[0].limit, 5);
  assert.deepEqual(r.groups[0].rules[0].labels, { team: 'ops', severity: '3' });
  assert.equal(r.groups[0].rules[0].expr, '1');
});
