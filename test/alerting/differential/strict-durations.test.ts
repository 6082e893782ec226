/**
 * Rule durations (`for`, `keep_firing_for`, group `interval`) are Go `model.Duration`s: whole
 * numbers of y w d h m s ms, largest unit first. The same rule file goes to `promtool check rules`
 * and to the embedded loader, which must accept and refuse the same durations and name the bad one.
 *
 * Where promtool is missing the tests skip, except in CI (CI=true), where they fail instead: a
 * missing promtool there is a broken install step, not a reason to check nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { describeProblem, loadPrometheusRule, problemEvent } from '../../../src/alerting/rules/index.ts';
import { lezerParse } from '../rules/helpers.ts';
import { promtoolMissing } from './harness.ts';

const missing = promtoolMissing();
const skip = process.env.CI === 'true' ? undefined : missing;

function promtoolCheckRules(ruleFile: string): { ok: boolean; output: string } {
  assert.equal(missing, undefined, `${missing} (scripts/ci/install-prometheus.sh installs it)`);
  const dir = mkdtempSync(join(tmpdir(), 'kubernaut-strict-durations-'));
  try {
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, ruleFile);
    const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The rule file as a PrometheusRule object (its `groups` are the object's spec), through our loader. */
function embeddedLoad(ruleFile: string) {
  const spec = parseYaml(ruleFile) as { groups: unknown[] };
  return loadPrometheusRule({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'durations', namespace: 'ns' }, spec }, lezerParse);
}

const ruleFile = (rule: Record<string, string>, interval?: string) =>
  stringify({ groups: [{ name: 'g', ...(interval === undefined ? {} : { interval }), rules: [{ alert: 'Paused', expr: 'up == 0', ...rule }] }] });

test('`for: 1.5m` is refused by promtool and by the embedded loader, both naming "1.5m"', { skip }, () => {
  const file = ruleFile({ for: '1.5m' });

  const promtool = promtoolCheckRules(file);
  assert.equal(promtool.ok, false, promtool.output);
  assert.match(promtool.output, /not a valid duration string: "1\.5m"/);

  const ours = embeddedLoad(file);
  assert.equal(ours.ruleCount, 0);
  assert.deepEqual(ours.problems.map(describeProblem), ['group "g", rule "Paused": invalid "for" duration "1.5m"']);
  const event = problemEvent(ours);
  assert.equal(event.type, 'Warning');
  assert.equal(event.reason, 'InvalidRules');
  assert.match(event.message, /rule "Paused": invalid "for" duration "1\.5m"/);
});

test('promtool and the embedded loader accept and refuse the same rule durations', { skip }, () => {
  const cases: Array<{ rule: Record<string, string>; interval?: string }> = [
    ...['0', '0s', '90s', '1m30s', '1h', '2d12h', '1w', '1y', '500ms', '1h0m0s1ms'].map((d) => ({ rule: { for: d } })),
    ...['1.5m', '30s1m', '1m1m', '90', '1 m', '-1m', '1M', '1.0s'].map((d) => ({ rule: { for: d } })),
    { rule: { keep_firing_for: '2m' } },
    { rule: { keep_firing_for: '0.5m' } },
    { rule: {}, interval: '30s' },
    { rule: {}, interval: '2.5m' },
  ];
  for (const c of cases) {
    const file = ruleFile(c.rule, c.interval);
    const what = JSON.stringify(c);
    const promtool = promtoolCheckRules(file);
    const ours = embeddedLoad(file);
    assert.equal(ours.problems.length === 0, promtool.ok, `${what}: promtool ${promtool.ok ? 'accepts' : 'refuses'} it (${promtool.output.trim()}), we ${ours.problems.map(describeProblem).join('; ') || 'accept it'}`);
    const bad = Object.values(c.rule)[0] ?? c.interval;
    if (!promtool.ok) {
      assert.ok(promtool.output.includes(`"${bad}"`), `${what}: promtool names the duration: ${promtool.output}`);
      assert.ok(describeProblem(ours.problems[0]).includes(`"${bad}"`), `${what}: we name the duration`);
    }
  }
});
