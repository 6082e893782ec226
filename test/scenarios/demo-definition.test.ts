/** Every demo scenario definition loads, builds on its fixture under the demo's names, and carries a valid alert rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePromQL } from '../../src/alerting/promql/parser.ts';
import { FixtureError } from '../../src/scenarios/fixture.ts';
import { demoDefinitionNames, loadDemoDefinition, renameNames } from '../../src/scenarios/demo-definition.ts';
import { loadScenario, scenarioNames } from '../../src/demo/scenarios/index.ts';

const CATALOG = ['deployment-bad-configmap-crashloop', 'image-pull-failure', 'node-not-ready', 'oom-killed', 'prompt-injection-in-logs', 'statefulset-claim-missing-storageclass', 'untolerated-taint'];

test('each catalog scenario is defined, registered and valid', async () => {
  assert.deepEqual(demoDefinitionNames().filter((n) => CATALOG.includes(n)), CATALOG);
  for (const name of CATALOG) {
    assert.ok(scenarioNames().includes(name), `${name} registered`);
    const def = loadDemoDefinition(name);
    const fixtureText = JSON.stringify(def.fixtureData);
    assert.ok(!/eval-/.test(fixtureText.replace(/"file":"[^"]*"/, '')), `${name}: no eval name left: ${fixtureText.match(/.{30}eval-.{30}/)?.[0]}`);
    assert.doesNotThrow(() => parsePromQL(def.rule.expr), `${name}: rule expr parses`);
    assert.ok(def.alertForMs >= 60_000 && def.alertForMs <= 180_000, `${name}: for 1m to 3m`);
    assert.ok(def.rule.expr.includes(def.namespace) || /node=/.test(def.rule.expr), `${name}: the rule watches only the scenario's objects`);
    const scenario = (await loadScenario(name))!;
    assert.equal(scenario.namespace, def.namespace);
    assert.equal(scenario.expected.signalName, def.rule.alert);
    assert.match(scenario.expected.workflowId, /-v1$/);
    if (def.stack.nodes) for (const n of def.fixtureData.nodes) assert.match(n.name, /^kind-(control-plane|worker\d*)$/, `${name}: node ${n.name} exists in \`up --nodes ${def.stack.nodes}\``);
  }
});

test('renames rewrite whole names only', () => {
  assert.equal(renameNames('eval-batch eval-batch-runner x/eval-batch', { 'eval-batch': 'demo-batch' }), 'demo-batch eval-batch-runner x/demo-batch');
});

test('a bad definition fails with the file and the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-def-'));
  mkdirSync(join(dir, 'broken'));
  writeFileSync(join(dir, 'broken', 'scenario.yaml'), 'title: x\nfixture: oom-killed\nnamespace: Bad_NS\nrule: {alert: A, expr: up, for: 1m}\nhealedWhen: []\n');
  assert.throws(() => loadDemoDefinition('broken', { dir }), (e: Error) => e instanceof FixtureError && /namespace/.test(e.message) && /healedWhen/.test(e.message));
  assert.throws(() => loadDemoDefinition('nope', { dir }), /no demo scenario "nope" \(have broken\)/);
});
