import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BEHAVIOR, oomKillAfter, parseBehavior } from '../../../src/cluster/kubelet/behavior.ts';
import { renderLogs, rfc3339Nano } from '../../../src/cluster/kubelet/container-logs.ts';
import { formatGoDuration } from '../../../src/cluster/kubelet/go-duration.ts';
import { imageId, normalizeImage } from '../../../src/cluster/kubelet/images.ts';
import { PodIpAllocator } from '../../../src/cluster/kubelet/ip-allocator.ts';

test('the behaviour annotation parses YAML and JSON, with "*" as the fallback', () => {
  const yaml = parseBehavior('app:\n  crashLoop: true\n"*":\n  logs: [hi]\n');
  assert.equal(yaml.error, undefined);
  assert.equal(yaml.forContainer('app').exitAfterSeconds, 1);
  assert.equal(yaml.forContainer('app').exitCode, 1);
  assert.deepEqual(yaml.forContainer('other').logs, ['hi']);
  const json = parseBehavior('{"db": {"oomKillAfterSeconds": 5, "readiness": "fail"}}');
  assert.equal(json.forContainer('db').oomKillAfterSeconds, 5);
  assert.equal(json.forContainer('db').readiness, 'fail');
  assert.equal(json.forContainer('web'), DEFAULT_BEHAVIOR);
  assert.equal(parseBehavior(undefined).forContainer('x'), DEFAULT_BEHAVIOR);
});

test('a malformed behaviour annotation yields an error and defaults', () => {
  for (const bad of ['[1, 2]', 'app: {exitCode: 300}', 'app: {readiness: maybe}', 'app: {colour: red}', 'app: [', 'app: 3']) {
    const parsed = parseBehavior(bad);
    assert.ok(parsed.error, bad);
    assert.equal(parsed.forContainer('app'), DEFAULT_BEHAVIOR);
  }
});

test('memoryUsage OOM-kills only a container whose memory limit is below it', () => {
  const b = parseBehavior('app: {memoryUsage: 150Mi}\nslow: {memoryUsage: 1Gi, oomKillAfterSeconds: 7}\nold: {oomKillAfterSeconds: 3}');
  assert.equal(b.error, undefined);
  const app = b.forContainer('app');
  assert.equal(oomKillAfter(app, '128Mi'), 2);
  assert.equal(oomKillAfter(app, '150Mi'), undefined);
  assert.equal(oomKillAfter(app, '256Mi'), undefined);
  assert.equal(oomKillAfter(app, undefined), undefined);
  assert.equal(oomKillAfter(b.forContainer('slow'), '512Mi'), 7);
  assert.equal(oomKillAfter(b.forContainer('slow'), '1.5Gi'), undefined);
  // Without memoryUsage the kill does not depend on the limit.
  assert.equal(oomKillAfter(b.forContainer('old'), '1Ti'), 3);
  for (const bad of ['app: {memoryUsage: lots}', 'app: {memoryUsage: 0}', 'app: {memoryUsage: -5Mi}']) assert.ok(parseBehavior(bad).error, bad);
});

test('durations print like Go', () => {
  assert.equal(formatGoDuration(0), '0s');
  assert.equal(formatGoDuration(800), '800ms');
  assert.equal(formatGoDuration(1500), '1.5s');
  assert.equal(formatGoDuration(10_000), '10s');
  assert.equal(formatGoDuration(80_000), '1m20s');
  assert.equal(formatGoDuration(300_000), '5m0s');
  assert.equal(formatGoDuration(3_600_000), '1h0m0s');
});

test('image references normalize like containerd', () => {
  assert.equal(normalizeImage('nginx'), 'docker.io/library/nginx:latest');
  assert.equal(normalizeImage('nginx:1.27'), 'docker.io/library/nginx:1.27');
  assert.equal(normalizeImage('bitnami/redis:7'), 'docker.io/bitnami/redis:7');
  assert.equal(normalizeImage('registry.k8s.io/pause:3.10'), 'registry.k8s.io/pause:3.10');
  assert.equal(normalizeImage('localhost:5000/app'), 'localhost:5000/app:latest');
  assert.match(imageId('nginx:1.27'), /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
  assert.equal(imageId('nginx:1.27'), imageId('docker.io/library/nginx:1.27'));
});

test('log rendering honours tailLines, timestamps, sinceSeconds and limitBytes', () => {
  const now = Date.parse('2025-01-01T00:01:00.000Z');
  const lines = [
    { timeMs: now - 50_000, text: 'old' },
    { timeMs: now - 5_000, text: 'recent' },
    { timeMs: now - 1_000, text: 'newest' },
  ];
  assert.equal(renderLogs(lines, {}, now), 'old\nrecent\nnewest\n');
  assert.equal(renderLogs(lines, { tailLines: 2 }, now), 'recent\nnewest\n');
  assert.equal(renderLogs(lines, { sinceSeconds: 10 }, now), 'recent\nnewest\n');
  assert.equal(renderLogs(lines, { limitBytes: 6 }, now), 'old\nre');
  assert.equal(renderLogs(lines, { tailLines: 1, timestamps: true }, now), '2025-01-01T00:00:59Z newest\n');
  assert.equal(rfc3339Nano(Date.parse('2025-01-01T00:00:00.120Z')), '2025-01-01T00:00:00.12Z');
});

test('pod IPs come from the node CIDR, round-robin, one per pod', () => {
  const ips = PodIpAllocator.forNode(2);
  assert.equal(ips.cidr, '10.244.2.0/24');
  const a = ips.allocate('a');
  assert.equal(a, '10.244.2.2');
  assert.equal(ips.allocate('a'), a);
  assert.equal(ips.allocate('b'), '10.244.2.3');
  ips.release('a');
  assert.equal(ips.allocate('c'), '10.244.2.4', 'a freed address is not reused at once');
  assert.equal(ips.reserve('d', '10.244.2.3'), false, 'taken by b');
  assert.equal(ips.reserve('d', '10.244.2.9'), true);
});
