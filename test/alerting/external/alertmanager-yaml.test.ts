/**
 * Alertmanager YAML <-> Dispatcher config: the supported subset parses into the Dispatcher's config,
 * everything that would change routing is refused by name, and rendered configs are accepted by
 * the real `amtool check-config` with every duration divided by the time scale.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AlertmanagerConfigError,
  alertmanagerYamlToDispatcherInput,
  defaultGatewayRouting,
  parseAlertmanagerYaml,
  renderAlertmanagerYaml,
} from '../../../src/alerting/dispatch/alertmanager-yaml.ts';
import { parseDispatcherConfig } from '../../../src/alerting/dispatch/index.ts';
import { amtoolCheck, needs } from './tools.ts';

const FULL = `
global:
  resolve_timeout: 2m
route:
  receiver: gateway
  group_by: [alertname, namespace]
  group_wait: 10s
  group_interval: 1m30s
  repeat_interval: 2h
receivers:
  - name: gateway
    webhook_configs:
      - url: http://kubernaut-gateway.kubernaut-system:8080/api/v1/signals/prometheus
        send_resolved: false
        max_alerts: 50
        http_config:
          authorization:
            credentials: s3cret
  - name: spare
    webhook_configs:
      - url: http://spare.example:9000/hook
        http_config:
          bearer_token: legacy-token
`;

test('the supported subset becomes the Dispatcher config', () => {
  const cfg = parseAlertmanagerYaml(FULL, { externalURL: 'http://am.example:9093' });
  assert.deepEqual(cfg.route, { receiver: 'gateway', groupBy: ['alertname', 'namespace'], groupWaitMs: 10_000, groupIntervalMs: 90_000, repeatIntervalMs: 7_200_000 });
  assert.equal(cfg.resolveTimeoutMs, 120_000);
  assert.equal(cfg.externalURL, 'http://am.example:9093');
  assert.deepEqual(cfg.receivers, [
    { name: 'gateway', url: 'http://kubernaut-gateway.kubernaut-system:8080/api/v1/signals/prometheus', sendResolved: false, maxAlerts: 50, bearerToken: 's3cret' },
    { name: 'spare', url: 'http://spare.example:9000/hook', sendResolved: true, maxAlerts: 0, bearerToken: 'legacy-token' },
  ]);
});

test('omitted timings get Alertmanager defaults (30s / 5m / 4h, resolve_timeout 5m)', () => {
  const cfg = parseAlertmanagerYaml('route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: "http://x:1/"}]}]\n');
  assert.deepEqual(
    [cfg.route.groupWaitMs, cfg.route.groupIntervalMs, cfg.route.repeatIntervalMs, cfg.resolveTimeoutMs, cfg.route.groupBy],
    [30_000, 300_000, 14_400_000, 300_000, []],
  );
});

test('empty routes / inhibit_rules / templates change nothing and are accepted', () => {
  const input = alertmanagerYamlToDispatcherInput(
    'route: {receiver: r, routes: []}\ninhibit_rules: []\ntemplates: []\nreceivers: [{name: r, webhook_configs: [{url: "http://x:1/"}]}]\n',
  );
  assert.deepEqual(input.route, { receiver: 'r' });
});

const base = (patch: { route?: string; top?: string; receiver?: string; webhook?: string }) => `
${patch.top ?? ''}
route:
  receiver: r
${patch.route ?? ''}
receivers:
  - name: r
${patch.receiver ?? ''}
    webhook_configs:
      - url: http://x:1/
${patch.webhook ?? ''}
`;

for (const [what, yaml, message] of [
  ['nested routes', base({ route: '  routes: [{receiver: r, matchers: ["severity=critical"]}]' }), /unsupported key "route\.routes": nested routes/],
  ['root matchers', base({ route: '  matchers: ["a=b"]' }), /unsupported key "route\.matchers"/],
  ['continue', base({ route: '  continue: true' }), /unsupported key "route\.continue"/],
  ['inhibit rules', base({ top: 'inhibit_rules: [{source_matchers: ["a=b"], target_matchers: ["c=d"], equal: [x]}]' }), /unsupported key "\(root\)\.inhibit_rules": inhibit rules/],
  ['time intervals', base({ top: 'time_intervals: [{name: night}]' }), /unsupported key "\(root\)\.time_intervals"/],
  ['a slack receiver', base({ receiver: '    slack_configs: [{channel: "#x"}]' }), /unsupported key "receivers\[0\]\.slack_configs": only webhook receivers/],
  ['basic auth', base({ webhook: '        http_config: {basic_auth: {username: u, password: p}}' }), /unsupported key "receivers\[0\]\.webhook_configs\[0\]\.http_config\.basic_auth"/],
  ['other global settings', base({ top: 'global: {smtp_smarthost: "x:25"}' }), /unsupported key "global\.smtp_smarthost"/],
  ['url_file', base({ webhook: '        url_file: /etc/x' }), /unsupported key "receivers\[0\]\.webhook_configs\[0\]\.url_file"/],
] as const) {
  test(`refused, naming the key: ${what}`, () => {
    assert.throws(() => parseAlertmanagerYaml(yaml), (e: Error) => e instanceof AlertmanagerConfigError && message.test(e.message));
  });
}

test('bad values get clear errors', () => {
  const cases: Array<[string, RegExp]> = [
    ['route: [\n', /invalid YAML/],
    ['receivers: [{name: r, webhook_configs: [{url: "http://x:1/"}]}]\n', /route is required/],
    [base({}).replace('receiver: r\n', 'receiver: nobody\n'), /route receiver "nobody" is not defined/],
    [base({ route: '  group_wait: 1.5s' }), /route\.group_wait: invalid duration "1\.5s"/],
    [base({ route: '  group_wait: soon' }), /route\.group_wait: invalid duration "soon"/],
    [base({ webhook: '        max_alerts: -1' }), /max_alerts must be a whole number/],
    [base({ webhook: '        send_resolved: "yes"' }), /send_resolved must be true or false/],
    [base({ webhook: '        http_config: {authorization: {type: Basic, credentials: x}}' }), /authorization\.type "Basic" is not supported/],
    ['route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: "http://a:1/"}, {url: "http://b:1/"}]}]\n', /has 2 webhook_configs: only one per receiver/],
    ['route: {receiver: r}\nreceivers: [{name: r}]\n', /has no webhook_configs: only webhook receivers/],
    ['route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: "not a url"}]}]\n', /receivers\.0\.url/],
  ];
  for (const [yaml, message] of cases) assert.throws(() => parseAlertmanagerYaml(yaml), message, yaml);
});

test('defaultGatewayRouting: everything to the Gateway webhook, by alertname and namespace, Alertmanager timings', () => {
  const cfg = defaultGatewayRouting('http://127.0.0.1:8080/');
  assert.deepEqual(cfg.route, { receiver: 'kubernaut-gateway', groupBy: ['alertname', 'namespace'], groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 14_400_000 });
  assert.deepEqual(cfg.receivers, [{ name: 'kubernaut-gateway', url: 'http://127.0.0.1:8080/api/v1/signals/prometheus', sendResolved: true, maxAlerts: 0 }]);
});

test('render divides every duration by the time scale and parses back to the scaled config', () => {
  const cfg = parseAlertmanagerYaml(FULL);
  const yaml = renderAlertmanagerYaml(cfg, { timeScale: 20 });
  assert.match(yaml, /group_wait: 500ms\n/);
  assert.match(yaml, /group_interval: 4s500ms\n/);
  assert.match(yaml, /repeat_interval: 6m\n/);
  assert.match(yaml, /resolve_timeout: 6s\n/);
  const back = parseAlertmanagerYaml(yaml);
  assert.deepEqual(back.route, { ...cfg.route, groupWaitMs: 500, groupIntervalMs: 4_500, repeatIntervalMs: 360_000 });
  assert.equal(back.resolveTimeoutMs, 6_000);
  assert.deepEqual(back.receivers, cfg.receivers);
  // At time scale 1 the round trip is exact.
  assert.deepEqual(parseAlertmanagerYaml(renderAlertmanagerYaml(cfg, { timeScale: 1 })), cfg);
});

test('a positive duration never renders as zero, however large the time scale', () => {
  const cfg = parseDispatcherConfig({ route: { receiver: 'r', groupWaitMs: 1_000 }, receivers: [{ name: 'r', url: 'http://x:1/' }] });
  assert.match(renderAlertmanagerYaml(cfg, { timeScale: 1e6 }), /group_wait: 1ms\n/);
});

test('rendered configs pass amtool check-config', needs('amtool'), () => {
  for (const [cfg, timeScale] of [
    [defaultGatewayRouting('http://127.0.0.1:8080'), 1],
    [defaultGatewayRouting('http://127.0.0.1:8080'), 20],
    [parseAlertmanagerYaml(FULL), 7],
    [parseDispatcherConfig({ route: { receiver: 'r', groupBy: ['...'] }, receivers: [{ name: 'r', url: 'http://x:1/', bearerToken: 't' }] }), 1000],
  ] as const) {
    const r = amtoolCheck(renderAlertmanagerYaml(cfg, { timeScale }));
    assert.ok(r.ok, r.output);
    assert.match(r.output, /SUCCESS/);
  }
});

test('amtool agrees with what we refuse: a broken config fails both', needs('amtool'), () => {
  // The check above cannot pass vacuously: amtool does reject an undefined receiver.
  const broken = base({}).replace('receiver: r\n', 'receiver: nobody\n');
  assert.equal(amtoolCheck(broken).ok, false);
  assert.throws(() => parseAlertmanagerYaml(broken));
});
