import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWebhookPayload, formatLabelSet, formatTime, labelsFingerprint } from '../../../src/alerting/dispatch/index.ts';

test('fingerprints: 16 hex digits of FNV-1a 64 over sorted labels, independent of order', () => {
  // FNV-1a 64 of no bytes is its offset basis.
  assert.equal(labelsFingerprint({}), 'cbf29ce484222325');
  const a = labelsFingerprint({ alertname: 'X', pod: 'p', namespace: 'n' });
  assert.match(a, /^[0-9a-f]{16}$/);
  assert.equal(labelsFingerprint({ namespace: 'n', pod: 'p', alertname: 'X' }), a);
  assert.notEqual(labelsFingerprint({ alertname: 'X', pod: 'q', namespace: 'n' }), a);
  // The separator keeps name/value boundaries apart.
  assert.notEqual(labelsFingerprint({ ab: 'c' }), labelsFingerprint({ a: 'bc' }));
  assert.equal(labelsFingerprint({ a: '1', empty: '' }), labelsFingerprint({ a: '1' }));
});

test('times are RFC 3339 in UTC like Go prints them; label sets like Alertmanager group keys', () => {
  assert.equal(formatTime(Date.parse('2026-11-26T13:38:18.120Z')), '2026-11-26T13:38:18.12Z');
  assert.equal(formatTime(Date.parse('2026-11-26T13:38:18.000Z')), '2026-11-26T13:38:18Z');
  assert.equal(formatTime(Date.parse('2026-11-26T13:38:18.007Z')), '2026-11-26T13:38:18.007Z');
  assert.equal(formatLabelSet({ b: 'x"y', a: '1' }), '{a="1", b="x\\"y"}');
  assert.equal(formatLabelSet({}), '{}');
});

test('payload status is firing while any alert fires, even a truncated one', () => {
  const base = { labels: { alertname: 'A' }, annotations: {}, startsAtMs: 0, endsAtMs: 1000, generatorURL: '' };
  const p = buildWebhookPayload({
    receiver: 'r',
    groupKey: '{}:{}',
    groupLabels: {},
    externalURL: 'http://x',
    maxAlerts: 1,
    alerts: [
      { ...base, fingerprint: '1', resolved: true },
      { ...base, labels: { alertname: 'A', pod: 'b' }, fingerprint: '2', resolved: false },
    ],
  });
  assert.equal(p.status, 'firing');
  assert.equal(p.truncatedAlerts, 1);
  assert.equal(p.alerts[0].endsAt, '1970-01-01T00:00:01Z');
  assert.deepEqual(p.commonLabels, { alertname: 'A' });
});
