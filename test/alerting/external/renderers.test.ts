/**
 * prometheus.yml and rule file rendering: durations scaled into whole units Prometheus accepts,
 * kube-state-metrics scraped with honor_labels, and the real promtool accepting what we write.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import {
  checkConfigFile,
  formatPromDuration,
  parsePromDuration,
  renderPrometheusConfig,
  renderRuleFile,
  ruleFileName,
} from '../../../src/alerting/external/index.ts';
import type { PrometheusRuleObject } from '../../../src/alerting/k8s/prometheus-rule-source.ts';
import { BINARIES, needs, promtoolCheckRules } from './tools.ts';

test('durations: whole units, largest first, like Go model.Duration', () => {
  assert.deepEqual(
    [0, 1, 500, 1_000, 1_500, 90_000, 3_600_000, 5_400_000, 14_400_000, 0.2, 999.6].map(formatPromDuration),
    ['0s', '1ms', '500ms', '1s', '1s500ms', '1m30s', '1h', '1h30m', '4h', '1ms', '1s'],
  );
  assert.deepEqual(['0', '0s', '30s', '5m', '1h30m', '500ms', '1d', '2w', '1y'].map(parsePromDuration), [0, 0, 30_000, 300_000, 5_400_000, 500, 86_400_000, 1_209_600_000, 31_536_000_000]);
  for (const bad of ['', '1.5s', '5', 's', '30s5m', '-1s', '1 m']) assert.throws(() => parsePromDuration(bad), /invalid duration/, bad);
  assert.throws(() => formatPromDuration(-1), /cannot render/);
});

const KSM = { jobName: 'kube-state-metrics', url: 'http://127.0.0.1:8081/metrics' };

test('prometheus.yml: scaled intervals, one job per target, rule files, the Alertmanager', () => {
  const yaml = renderPrometheusConfig({
    targets: [KSM, { jobName: 'app', url: 'https://app.example:8443/custom/path?module=http&module=tcp' }],
    scrapeIntervalMs: 30_000,
    evaluationIntervalMs: 15_000,
    timeScale: 20,
    rulesDir: '/data/prometheus/rules',
    alertmanager: '127.0.0.1:9093',
  });
  const doc = YAML.parse(yaml);
  assert.deepEqual(doc.global, { scrape_interval: '1s500ms', evaluation_interval: '750ms', scrape_timeout: '1s500ms' });
  assert.deepEqual(doc.rule_files, ['/data/prometheus/rules/*.yaml']);
  assert.deepEqual(doc.alerting, { alertmanagers: [{ api_version: 'v2', static_configs: [{ targets: ['127.0.0.1:9093'] }] }] });
  assert.deepEqual(doc.scrape_configs, [
    { job_name: 'kube-state-metrics', honor_labels: true, scheme: 'http', metrics_path: '/metrics', static_configs: [{ targets: ['127.0.0.1:8081'] }] },
    { job_name: 'app', scheme: 'https', metrics_path: '/custom/path', params: { module: ['http', 'tcp'] }, static_configs: [{ targets: ['app.example:8443'] }] },
  ]);
});

test('prometheus.yml: static target labels (a stable instance) go into the static config', () => {
  const doc = YAML.parse(
    renderPrometheusConfig({ targets: [{ ...KSM, labels: { instance: 'kube-state-metrics' } }], scrapeIntervalMs: 30_000, evaluationIntervalMs: 30_000, timeScale: 1, rulesDir: '/r', alertmanager: '127.0.0.1:9093' }),
  );
  assert.deepEqual(doc.scrape_configs[0].static_configs, [{ targets: ['127.0.0.1:8081'], labels: { instance: 'kube-state-metrics' } }]);
});

test('prometheus.yml: the scrape timeout stays Prometheus\' 10 s when the interval is longer', () => {
  const doc = YAML.parse(renderPrometheusConfig({ targets: [KSM], scrapeIntervalMs: 60_000, evaluationIntervalMs: 60_000, timeScale: 1, rulesDir: '/r', alertmanager: 'a:1' }));
  assert.deepEqual(doc.global, { scrape_interval: '1m', evaluation_interval: '1m', scrape_timeout: '10s' });
});

test('prometheus.yml: bad input is refused', () => {
  const input = { targets: [KSM], scrapeIntervalMs: 1_000, evaluationIntervalMs: 1_000, timeScale: 1, rulesDir: '/r', alertmanager: 'a:1' };
  assert.throws(() => renderPrometheusConfig({ ...input, targets: [KSM, KSM] }), /duplicate scrape job "kube-state-metrics"/);
  assert.throws(() => renderPrometheusConfig({ ...input, targets: [{ jobName: 'x', url: 'nope' }] }), /scrape target "x": invalid URL "nope"/);
  assert.throws(() => renderPrometheusConfig({ ...input, targets: [{ jobName: 'x', url: 'ftp://h/m' }] }), /must be http or https/);
  assert.throws(() => renderPrometheusConfig({ ...input, scrapeIntervalMs: 0 }), /scrape interval must be a positive duration/);
});

test('prometheus.yml passes promtool check config, rule files included', needs('promtool'), async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubernaut-promcfg-'));
  try {
    const rulesDir = join(dir, 'rules');
    mkdirSync(rulesDir);
    writeFileSync(join(rulesDir, 'demo.yaml'), renderRuleFile(scenarioRule(), 20));
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, renderPrometheusConfig({ targets: [KSM], scrapeIntervalMs: 30_000, evaluationIntervalMs: 30_000, timeScale: 20, rulesDir, alertmanager: '127.0.0.1:9093' }));
    const r = await checkConfigFile(BINARIES.promtool!, file);
    assert.ok(r.ok, r.output);
    assert.match(r.output, /SUCCESS: 1 rule files found/);
    // And the check is real: a rule file with a syntax error fails the same command.
    writeFileSync(join(rulesDir, 'broken.yaml'), 'groups: [{name: g, rules: [{alert: A, expr: "up =="}]}]\n');
    assert.equal((await checkConfigFile(BINARIES.promtool!, file)).ok, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function scenarioRule(over: Partial<PrometheusRuleObject['metadata']> = {}): PrometheusRuleObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'kubernaut-statefulset-rules', namespace: 'demo-statefulset', uid: '0b5c7d1e-1111-2222-3333-444455556666', ...over },
    spec: {
      groups: [
        {
          name: 'kubernaut-statefulset',
          interval: '1m',
          rules: [
            {
              alert: 'KubernautStatefulSetReplicasMismatch',
              expr: 'kube_statefulset_status_replicas_ready{namespace="demo-statefulset"}\n  <\nkube_statefulset_status_replicas{namespace="demo-statefulset"}\n',
              for: '3m',
              keep_firing_for: '1m',
              labels: { severity: 'critical' },
              annotations: { summary: 'StatefulSet {{ $labels.statefulset }} has {{ $value }} ready replicas' },
            },
            { record: 'namespace:ready:sum', expr: 'sum by (namespace) (kube_statefulset_status_replicas_ready)' },
          ],
        },
      ],
    },
  };
}

test('rule file: named like prometheus-operator, groups as written, waits divided by the time scale', () => {
  const obj = scenarioRule();
  assert.equal(ruleFileName(obj), 'demo-statefulset-kubernaut-statefulset-rules-0b5c7d1e-1111-2222-3333-444455556666.yaml');
  assert.equal(ruleFileName(scenarioRule({ uid: undefined })), 'demo-statefulset-kubernaut-statefulset-rules.yaml');
  const doc = YAML.parse(renderRuleFile(obj, 20));
  const original = (obj.spec.groups as any[])[0];
  assert.deepEqual(doc, {
    groups: [
      {
        ...original,
        interval: '3s',
        rules: [{ ...original.rules[0], for: '9s', keep_firing_for: '3s' }, original.rules[1]],
      },
    ],
  });
  // The expression, labels and templates are untouched, line breaks included.
  assert.equal(doc.groups[0].rules[0].expr, original.rules[0].expr);
  // Time scale 1 writes the object's groups exactly (durations normalised: "3m" stays "3m").
  assert.deepEqual(YAML.parse(renderRuleFile(obj, 1)), { groups: obj.spec.groups });
});

test('rule file: a duration that does not parse is kept as written, for promtool to report', () => {
  const obj = scenarioRule();
  (obj.spec.groups as any[])[0].rules[0].for = 'three minutes';
  assert.equal(YAML.parse(renderRuleFile(obj, 20)).groups[0].rules[0].for, 'three minutes');
});

test('rendered rule files pass promtool check rules at any time scale', needs('promtool'), () => {
  for (const scale of [1, 20, 1000]) {
    const r = promtoolCheckRules(renderRuleFile(scenarioRule(), scale));
    assert.ok(r.ok, r.output);
    assert.match(r.output, /SUCCESS: 2 rules found/);
  }
});
