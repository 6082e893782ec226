import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, q, startStack, T0 } from './fixture.ts';

const S = 1000;
const amIso = (ms: number) => new Date(ms).toISOString();

test('GET /api/v2/alerts lists what the dispatcher holds, in Alertmanager 0.25 shape, sorted by fingerprint', async () => {
  const st = startStack();
  st.dispatcher.ingest([
    {
      labels: { alertname: 'KubernautStatefulSetReplicasMismatch', namespace: 'demo-statefulset', severity: 'critical' },
      annotations: { summary: 'kv-store' },
      state: 'firing',
      startsAt: new Date(T0 - 60 * S),
      endsAt: new Date(T0 + 120 * S),
      generatorURL: 'http://localhost:9190/alerts',
    },
    { labels: { alertname: 'Other', severity: 'warning' }, state: 'firing', startsAt: new Date(T0) },
  ]);
  st.clock.advanceNow(10 * S);
  // re-sent 10 s later: updatedAt moves, startsAt stays
  st.dispatcher.ingest([{ labels: { alertname: 'Other', severity: 'warning' }, state: 'firing', startsAt: new Date(T0) }]);

  const res = await call(st.app, '/api/v2/alerts');
  assert.equal(res.status, 200);
  const alerts = res.body as any[];
  assert.equal(alerts.length, 2);
  assert.ok(alerts[0].fingerprint < alerts[1].fingerprint, 'sorted by fingerprint');
  const kv = alerts.find((a) => a.labels.alertname === 'KubernautStatefulSetReplicasMismatch');
  assert.deepEqual(kv, {
    annotations: { summary: 'kv-store' },
    endsAt: amIso(T0 + 120 * S),
    fingerprint: kv.fingerprint,
    receivers: [{ name: 'gateway' }],
    startsAt: amIso(T0 - 60 * S),
    status: { inhibitedBy: [], silencedBy: [], state: 'active' },
    updatedAt: amIso(T0),
    generatorURL: 'http://localhost:9190/alerts',
    labels: { alertname: 'KubernautStatefulSetReplicasMismatch', namespace: 'demo-statefulset', severity: 'critical' },
  });
  assert.match(kv.fingerprint, /^[0-9a-f]{16}$/);
  const other = alerts.find((a) => a.labels.alertname === 'Other');
  assert.deepEqual([other.startsAt, other.updatedAt, other.endsAt], [amIso(T0), amIso(T0 + 10 * S), amIso(T0 + 10 * S + 300 * S)], 'endsAt from the 5m resolve timeout');
});

test('filters: label matchers (quoted or not, =, !=, =~, !~), active, receiver; bad filters are 400', async () => {
  const st = startStack();
  st.dispatcher.ingest([
    { labels: { alertname: 'A', severity: 'critical' }, state: 'firing', startsAt: new Date(T0) },
    { labels: { alertname: 'B', severity: 'warning' }, state: 'firing', startsAt: new Date(T0) },
  ]);
  const names = async (params: Record<string, string | string[]>) => {
    const res = await call(st.app, q('/api/v2/alerts', params));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return (res.body as any[]).map((a) => a.labels.alertname).sort();
  };
  assert.deepEqual(await names({ filter: 'alertname="A"' }), ['A']);
  assert.deepEqual(await names({ filter: 'alertname=B' }), ['B']);
  assert.deepEqual(await names({ filter: 'severity!="critical"' }), ['B']);
  assert.deepEqual(await names({ filter: 'alertname=~"A|B"' }), ['A', 'B']);
  assert.deepEqual(await names({ filter: ['alertname=~"A|B"', 'severity!~"crit.*"'] }), ['B']);
  assert.deepEqual(await names({ filter: 'alertname="Z"' }), []);
  assert.deepEqual(await names({ active: 'false' }), [], 'every alert here is active');
  assert.deepEqual(await names({ active: 'true', silenced: 'false', inhibited: 'false' }), ['A', 'B']);
  assert.deepEqual(await names({ receiver: 'gate.*' }), ['A', 'B']);
  assert.deepEqual(await names({ receiver: 'slack' }), []);

  const bad = await call(st.app, q('/api/v2/alerts', { filter: 'bad' }));
  assert.equal(bad.status, 400);
  assert.equal(bad.body, 'bad matcher format: bad');
  assert.equal((await call(st.app, q('/api/v2/alerts', { filter: '{alertname="A"}' }))).status, 400);
  assert.equal((await call(st.app, q('/api/v2/alerts', { filter: 'alertname=~"("' }))).status, 400);
  assert.equal((await call(st.app, q('/api/v2/alerts', { active: 'maybe' }))).status, 400);
});

test('resolved alerts are not listed; without a dispatcher the v2 route is 404', async () => {
  const st = startStack();
  st.dispatcher.ingest([{ labels: { alertname: 'A' }, state: 'firing', startsAt: new Date(T0) }]);
  st.clock.advanceNow(S);
  st.dispatcher.ingest([{ labels: { alertname: 'A' }, state: 'resolved', startsAt: new Date(T0) }]);
  assert.deepEqual((await call(st.app, '/api/v2/alerts')).body, []);
  assert.equal(st.dispatcher.alerts().length, 1, 'still held until notified');

  const bare = startStack(undefined, { dispatcher: false });
  const res = await call(bare.app, '/api/v2/alerts');
  assert.equal(res.status, 404);
});
