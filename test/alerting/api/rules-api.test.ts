import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, KSM, prometheusRule, REPLICAS_MISMATCH, startStack, T0 } from './fixture.ts';

const S = 1000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

const RECORD = { record: 'kv:ready:ratio', expr: 'kube_statefulset_status_replicas_ready / kube_statefulset_status_replicas' };

test('a pending then firing alert in /api/v1/alerts and /api/v1/rules, with Prometheus field names and formats', async () => {
  const st = startStack(prometheusRule([REPLICAS_MISMATCH, RECORD]));
  st.scrape(2, 3);
  await st.evaluateAfter(0);
  const pendingAlert = {
    labels: { alertname: 'KubernautStatefulSetReplicasMismatch', ...KSM, severity: 'critical' },
    annotations: { summary: 'StatefulSet kv-store has 2 ready replicas' },
    state: 'pending',
    activeAt: iso(T0),
    value: '2e+00',
  };
  assert.deepEqual((await call(st.app, '/api/v1/alerts')).body, { status: 'success', data: { alerts: [pendingAlert] } });

  const rules = (await call(st.app, '/api/v1/rules')).body;
  assert.equal(rules.status, 'success');
  const [group] = rules.data.groups;
  assert.deepEqual(
    { ...group, rules: undefined, evaluationTime: typeof group.evaluationTime },
    { name: 'statefulset', file: 'demo-statefulset/kv-store-rules', rules: undefined, interval: 30, limit: 0, evaluationTime: 'number', lastEvaluation: iso(T0) },
  );
  const [alerting, recording] = group.rules;
  assert.deepEqual(
    { ...alerting, evaluationTime: typeof alerting.evaluationTime },
    {
      state: 'pending',
      name: 'KubernautStatefulSetReplicasMismatch',
      query: REPLICAS_MISMATCH.expr,
      duration: 180,
      keepFiringFor: 0,
      labels: { severity: 'critical' },
      annotations: REPLICAS_MISMATCH.annotations,
      alerts: [pendingAlert],
      health: 'ok',
      evaluationTime: 'number',
      lastEvaluation: iso(T0),
      type: 'alerting',
    },
  );
  assert.deepEqual(
    { ...recording, evaluationTime: typeof recording.evaluationTime },
    { name: 'kv:ready:ratio', query: RECORD.expr, health: 'ok', evaluationTime: 'number', lastEvaluation: iso(T0), type: 'recording' },
  );

  // 3 minutes (for: 3m) of the mismatch later, the alert fires; activeAt stays the first time
  st.clock.advanceNow(90 * S);
  st.scrape(2, 3);
  await st.evaluateAfter(90 * S);
  const alerts = (await call(st.app, '/api/v1/alerts')).body.data.alerts;
  assert.deepEqual(alerts, [{ ...pendingAlert, state: 'firing' }]);
  const firingRule = (await call(st.app, '/api/v1/rules?type=alert')).body.data.groups[0].rules;
  assert.equal(firingRule.length, 1, 'type=alert leaves the recording rule out');
  assert.equal(firingRule[0].state, 'firing');
  assert.equal(firingRule[0].lastEvaluation, iso(T0 + 180 * S));

  const records = (await call(st.app, '/api/v1/rules?type=record')).body.data.groups[0].rules;
  assert.deepEqual(records.map((r: { name: string }) => r.name), ['kv:ready:ratio']);
  const bad = await call(st.app, '/api/v1/rules?type=bogus');
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body, { status: 'error', errorType: 'bad_data', error: 'invalid parameter "type": not supported value "bogus"' });
});

test('an inactive rule never evaluated shows zero times; a failing rule reports its error', async () => {
  const st = startStack(prometheusRule([REPLICAS_MISMATCH, { alert: 'Dup', expr: '-{__name__=~"kube_statefulset_status_replicas.*"}' }]));
  let rules = (await call(st.app, '/api/v1/rules')).body.data.groups[0].rules;
  assert.equal(rules[0].state, 'inactive');
  assert.equal(rules[0].health, 'unknown');
  assert.equal(rules[0].lastEvaluation, '0001-01-01T00:00:00Z');
  assert.equal('lastError' in rules[0], false);
  st.scrape(3, 3);
  await st.evaluateAfter(0);
  rules = (await call(st.app, '/api/v1/rules')).body.data.groups[0].rules;
  assert.equal(rules[0].state, 'inactive');
  assert.equal(rules[0].health, 'ok');
  assert.equal(rules[1].health, 'err');
  assert.match(rules[1].lastError, /same labelset/);
  assert.deepEqual((await call(st.app, '/api/v1/alerts')).body.data.alerts, []);
});

test('/api/v1/targets maps scrape status to activeTargets', async () => {
  const st = startStack();
  st.targets.push(
    { jobName: 'kube-state-metrics', url: 'http://127.0.0.1:8081/metrics', labels: { job: 'kube-state-metrics', instance: '127.0.0.1:8081' }, health: 'up', lastScrape: new Date(T0), lastDurationSeconds: 0.012 },
    { jobName: 'gateway', url: 'http://127.0.0.1:8080/metrics', labels: { job: 'gateway', instance: '127.0.0.1:8080' }, health: 'down', lastScrape: new Date(T0), lastError: 'connection refused' },
    { jobName: 'new', url: 'http://127.0.0.1:8082/metrics', labels: { job: 'new', instance: '127.0.0.1:8082' }, health: 'unknown' },
  );
  const res = await call(st.app, '/api/v1/targets');
  assert.equal(res.body.status, 'success');
  assert.deepEqual(res.body.data.droppedTargets, []);
  const [ksm, gw, fresh] = res.body.data.activeTargets;
  assert.deepEqual(
    { labels: ksm.labels, scrapePool: ksm.scrapePool, scrapeUrl: ksm.scrapeUrl, health: ksm.health, lastError: ksm.lastError, lastScrape: ksm.lastScrape, lastScrapeDuration: ksm.lastScrapeDuration },
    { labels: { job: 'kube-state-metrics', instance: '127.0.0.1:8081' }, scrapePool: 'kube-state-metrics', scrapeUrl: 'http://127.0.0.1:8081/metrics', health: 'up', lastError: '', lastScrape: iso(T0), lastScrapeDuration: 0.012 },
  );
  assert.deepEqual([gw.health, gw.lastError], ['down', 'connection refused']);
  assert.deepEqual([fresh.health, fresh.lastScrape, fresh.lastScrapeDuration], ['unknown', '0001-01-01T00:00:00Z', 0]);
});
