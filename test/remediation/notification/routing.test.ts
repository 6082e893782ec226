/**
 * Routing: the Alertmanager-like route tree (match, matchRe, continue, nested routes, inherited
 * receivers), the routing keys of an NR, the spec.channels override and config validation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ROUTING_CONFIG, parseRoutingConfig, parseRoutingYaml, RoutingConfigError, type RoutingConfigInput } from '../../../src/remediation/notification/routing-config.ts';
import { matchReceivers, routeNotification, routingKeysOf } from '../../../src/remediation/notification/routing.ts';
import { notification } from './fixtures.ts';

const CONFIG: RoutingConfigInput = {
  route: {
    receiver: 'default',
    routes: [
      { match: { type: 'approval' }, receiver: 'approvals', continue: true },
      {
        matchRe: { severity: 'critical|high' },
        receiver: 'oncall',
        routes: [
          { match: { environment: 'production' }, receiver: 'prod-oncall' },
          { match: { environment: 'staging' } },
        ],
      },
      { match: { 'skip-reason': 'RecentlyRemediated' }, receiver: 'quiet' },
      { matchRe: { namespace: 'team-a-.*' }, receiver: 'team-a' },
    ],
  },
  receivers: [
    { name: 'default', consoleConfigs: [{}], logConfigs: [{}] },
    { name: 'approvals', slackConfigs: [{ webhookUrl: 'https://hooks.slack.com/services/T0/B0/secret' }] },
    { name: 'oncall', webhookConfigs: [{ url: 'https://pager.example.com/hook' }] },
    { name: 'prod-oncall', webhookConfigs: [{ url: 'https://pager.example.com/prod' }], slackConfigs: [{ webhookUrl: 'https://hooks.slack.com/services/T0/B1/x' }, { webhookUrlFile: '/etc/slack/2' }] },
    { name: 'quiet' },
    { name: 'team-a', fileConfigs: [{ path: '/tmp/team-a.jsonl' }] },
  ],
};
const config = parseRoutingConfig(CONFIG);

test('routing keys: spec fields, reserved metadata keys, the NR namespace as a fallback, priority defaulting to medium', () => {
  const nr = notification({ reviewSource: 'WorkflowResolutionFailed', metadata: { 'skip-reason': 'ExponentialBackoff', 'investigation-outcome': 'inconclusive', type: 'spoofed' } });
  delete nr.spec.priority;
  const keys = routingKeysOf(nr);
  assert.deepEqual(
    [keys.type, keys.priority, keys.severity, keys.phase, keys['review-source'], keys.environment, keys.namespace, keys['skip-reason'], keys['investigation-outcome']],
    ['approval', 'medium', 'critical', 'AwaitingApproval', 'WorkflowResolutionFailed', 'production', 'shop', 'ExponentialBackoff', 'inconclusive'],
  );
  const handMade = notification();
  delete handMade.spec.metadata;
  assert.equal(routingKeysOf(handMade).namespace, 'notif-test');
});

test('match with continue, then matchRe into nested routes: both receivers, deepest match wins', () => {
  assert.deepEqual(matchReceivers(config.route, { type: 'approval', severity: 'critical', environment: 'production' }), ['approvals', 'prod-oncall']);
});

test('a nested route without a receiver inherits its parent\'s', () => {
  assert.deepEqual(matchReceivers(config.route, { type: 'completion', severity: 'high', environment: 'staging' }), ['oncall']);
});

test('a matching route without continue ends the search among its siblings', () => {
  // severity high matches "oncall" first; the namespace route after it is not tried.
  assert.deepEqual(matchReceivers(config.route, { type: 'completion', severity: 'high', namespace: 'team-a-web' }), ['oncall']);
  assert.deepEqual(matchReceivers(config.route, { type: 'completion', severity: 'low', namespace: 'team-a-web' }), ['team-a']);
});

test('matchRe is anchored; a missing key reads as the empty string; nothing matching -> the root receiver', () => {
  assert.deepEqual(matchReceivers(config.route, { type: 'completion', severity: 'criticality' }), ['default']);
  assert.deepEqual(matchReceivers(config.route, { type: 'completion', namespace: 'xteam-a-web' }), ['default']);
  assert.deepEqual(matchReceivers({ receiver: 'r', routes: [{ match: { environment: '' }, receiver: 'no-env' }] }, {}), ['no-env']);
  assert.deepEqual(matchReceivers(config.route, {}), ['default']);
});

test('routeNotification: targets with stable ids per receiver and config index; a receiver without configs silences', () => {
  const d = routeNotification(notification({ type: 'approval', severity: 'critical' }), config);
  assert.deepEqual(d.receivers, ['approvals', 'prod-oncall']);
  assert.deepEqual(
    d.targets.map((t) => t.id),
    ['slack:approvals', 'slack:prod-oncall', 'slack:prod-oncall:1', 'webhook:prod-oncall'],
  );
  const quiet = routeNotification(notification({ type: 'status-update', severity: 'low', metadata: { 'skip-reason': 'RecentlyRemediated' } }), config);
  assert.deepEqual([quiet.receivers, quiet.targets], [['quiet'], []]);
});

test('spec.channels overrides routing: kinds from the chosen receivers, else the first receiver that has one, console/log built in, unsupported kinds marked', () => {
  const nr = notification({ type: 'completion', severity: 'high', metadata: { environment: 'staging' }, channels: ['webhook', 'slack', 'file', 'console', 'email'] });
  const d = routeNotification(nr, config);
  assert.deepEqual(d.receivers, ['oncall']);
  assert.deepEqual(
    d.targets.map((t) => t.id),
    ['webhook:oncall', 'slack:approvals', 'file:team-a', 'console:default', 'email'],
  );
  const email = d.targets.at(-1)!;
  assert.ok('unavailable' in email && /not supported/.test(email.unavailable));
  const bare = routeNotification(notification({ channels: ['log', 'console', 'slack'] }), DEFAULT_ROUTING_CONFIG);
  assert.deepEqual(
    bare.targets.map((t) => [t.id, 'unavailable' in t ? t.unavailable : '']),
    [
      ['log:default', ''],
      ['console:default', ''],
      ['slack', 'no receiver configures a slack channel'],
    ],
  );
});

test('the default config sends everything to the console and the log', () => {
  assert.deepEqual(
    routeNotification(notification(), DEFAULT_ROUTING_CONFIG).targets.map((t) => t.id),
    ['console:default', 'log:default'],
  );
});

test('at most 10 channels per notification; the rest are reported as dropped', () => {
  const many = parseRoutingConfig({ route: { receiver: 'a', routes: [{ receiver: 'b', continue: true }, { receiver: 'a' }] }, receivers: [{ name: 'a', consoleConfigs: Array(8).fill({}) }, { name: 'b', logConfigs: Array(5).fill({}) }] });
  const d = routeNotification(notification(), many);
  assert.equal(d.targets.length, 10);
  assert.equal(d.dropped.length, 3);
});

test('config validation: every problem named with its path', () => {
  const bad = (input: unknown) => assert.throws(() => parseRoutingConfig(input), RoutingConfigError);
  bad({ route: { receiver: 'nope' }, receivers: [{ name: 'a' }] });
  bad({ route: {}, receivers: [{ name: 'a' }] });
  bad({ route: { receiver: 'a' }, receivers: [{ name: 'a' }, { name: 'a' }] });
  bad({ route: { receiver: 'a', routes: [{ matchRe: { type: '(' } }] }, receivers: [{ name: 'a' }] });
  bad({ route: { receiver: 'a' }, receivers: [{ name: 'a', slackConfigs: [{}] }] });
  bad({ route: { receiver: 'a' }, receivers: [{ name: 'a', slackConfigs: [{ webhookUrl: 'ftp://x' }] }] });
  bad({ route: { receiver: 'a' }, receivers: [{ name: 'a', smtpConfigs: [{}] }] });
  bad({ route: { receiver: 'a' }, receivers: [{ name: 'a', webhookConfigs: [{ url: 'https://x', bearerToken: 't', bearerTokenFile: '/f' }] }] });
  let deep: Record<string, unknown> = { receiver: 'a' };
  for (let i = 0; i < 12; i++) deep = { receiver: 'a', routes: [deep] };
  bad({ route: deep, receivers: [{ name: 'a' }] });
  assert.throws(
    () => parseRoutingConfig({ route: { receiver: 'ghost' }, receivers: [{ name: 'a', slackConfigs: [{ webhookUrl: 'https://hooks.slack.com/services/T/B/tok' }, {}] }] }),
    (err: Error) => /route\.receiver: receiver "ghost" is not defined/.test(err.message) && /receivers\.0\.slackConfigs\.1/.test(err.message) && !err.message.includes('tok'),
  );
  assert.throws(() => parseRoutingYaml('route: [unclosed'), /not YAML/);
  assert.throws(() => parseRoutingYaml('x'.repeat(300 * 1024)), /larger than/);
  const yaml = parseRoutingYaml('route:\n  receiver: r\nreceivers:\n  - name: r\n    fileConfigs:\n      - path: /tmp/n.jsonl\n');
  assert.equal(yaml.receivers[0]!.fileConfigs![0]!.maxSizeBytes, 10 * 1024 * 1024);
});
