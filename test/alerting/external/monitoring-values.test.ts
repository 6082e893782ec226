/**
 * deploy/monitoring/kube-prometheus-stack-values.yaml: its Alertmanager config is inside the subset
 * Kubernaut understands, is the default Gateway routing aimed at the Gateway Service that
 * deploy/kubernetes defines, passes amtool, and its rule selector picks up the scenario's rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { defaultGatewayRouting, parseAlertmanagerYaml } from '../../../src/alerting/dispatch/alertmanager-yaml.ts';
import { ROOT } from '../../helpers/kubernaut-process.ts';
import { amtoolCheck, needs } from './tools.ts';

const values = YAML.parse(readFileSync(join(ROOT, 'deploy/monitoring/kube-prometheus-stack-values.yaml'), 'utf8'));
const alertmanagerYaml = YAML.stringify(values.alertmanager.config);

function gatewayServiceUrl(): string {
  const docs = YAML.parseAllDocuments(readFileSync(join(ROOT, 'deploy/kubernetes/30-gateway.yaml'), 'utf8')).map((d) => d.toJS());
  const svc = docs.find((d) => d?.kind === 'Service');
  assert.ok(svc, 'the Gateway Service exists');
  return `http://${svc.metadata.name}.${svc.metadata.namespace}:${svc.spec.ports[0].port}`;
}

test('the values route every alert to the Gateway Service exactly like the default routing of kubernaut up', () => {
  const parsed = parseAlertmanagerYaml(alertmanagerYaml);
  assert.equal(gatewayServiceUrl(), 'http://kubernaut-gateway.kubernaut-system:8080');
  assert.deepEqual(parsed, defaultGatewayRouting(gatewayServiceUrl()));
});

test('the values replace the chart\'s default routes, inhibit rules and templates with empty lists', () => {
  // Helm merges maps but replaces lists: without these, the chart's Watchdog route (to its 'null'
  // receiver, which our receivers list removes) would survive and Alertmanager would refuse the config.
  assert.deepEqual(values.alertmanager.config.route.routes, []);
  assert.deepEqual(values.alertmanager.config.inhibit_rules, []);
  assert.deepEqual(values.alertmanager.config.templates, []);
});

test('the values\' Alertmanager config passes amtool check-config', needs('amtool'), () => {
  const r = amtoolCheck(alertmanagerYaml);
  assert.ok(r.ok, r.output);
  assert.match(r.output, /1 receivers/);
});

test('the rule selector picks up the scenario\'s PrometheusRule in any namespace', () => {
  const spec = values.prometheus.prometheusSpec;
  const rule = YAML.parse(readFileSync(join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure/manifests/prometheus-rule.yaml'), 'utf8'));
  assert.equal(spec.ruleSelectorNilUsesHelmValues, false);
  assert.deepEqual(spec.ruleNamespaceSelector, {});
  const wanted = Object.entries(spec.ruleSelector.matchLabels as Record<string, string>);
  assert.ok(wanted.length > 0);
  for (const [k, v] of wanted) assert.equal(rule.metadata.labels?.[k], v, `scenario rule has label ${k}=${v}`);
});

test('kube-state-metrics keeps its own labels', () => {
  assert.equal(values['kube-state-metrics'].prometheus.monitor.honorLabels, true);
});
