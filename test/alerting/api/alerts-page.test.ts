import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, KSM, prometheusRule, REPLICAS_MISMATCH, startStack } from './fixture.ts';

const S = 1000;

test('/alerts lists each group and alerting rule with state, expression, for, labels and active alerts', async () => {
  const st = startStack(
    prometheusRule([REPLICAS_MISMATCH, { alert: 'NeverFires', expr: 'kube_statefulset_status_replicas > 100', for: '1m', keep_firing_for: '2m' }]),
  );
  st.scrape(2, 3);
  await st.evaluateAfter(0);
  let res = await call(st.app, '/alerts');
  assert.equal(res.status, 200);
  assert.match(res.type, /^text\/html/);
  const page = res.body as string;
  assert.match(page, /<meta http-equiv="refresh" content="5">/);
  assert.match(page, /demo-statefulset\/kv-store-rules &gt; statefulset/, 'file = namespace/name, then the group');
  assert.match(page, /<span class="badge pending">pending<\/span> KubernautStatefulSetReplicasMismatch <span class="muted">\(0 firing, 1 pending\)/);
  assert.match(page, /<span class="badge inactive">inactive<\/span> NeverFires/);
  assert.match(page, /kube_statefulset_status_replicas_ready &lt; kube_statefulset_status_replicas/, 'expression, escaped');
  assert.match(page, /<th>for<\/th><td>3m<\/td>/);
  assert.match(page, /<th>keep_firing_for<\/th><td>2m<\/td>/);
  assert.match(page, /<span class="chip">severity="critical"<\/span>/);
  assert.match(page, new RegExp(`statefulset="${KSM.statefulset}"`), 'alert labels');
  assert.match(page, /StatefulSet kv-store has 2 ready replicas/, 'rendered annotation');
  assert.match(page, /2026-11-26T12:00:00Z/, 'activeAt');
  assert.doesNotMatch(page, /<script|src=|href="http/i, 'self-contained');

  st.clock.advanceNow(90 * S);
  st.scrape(2, 3);
  await st.evaluateAfter(90 * S);
  res = await call(st.app, '/alerts');
  assert.match(res.body, /<span class="badge firing">firing<\/span> KubernautStatefulSetReplicasMismatch <span class="muted">\(1 firing, 0 pending\)/);
  assert.match(res.body, /<section class="rule firing">/, 'coloured by state');
});

test('/alerts escapes hostile label and annotation values', async () => {
  const hostile = '<script>alert("x")</script>';
  const st = startStack(
    prometheusRule([
      {
        alert: 'Hostile',
        expr: 'label_replace(kube_statefulset_status_replicas, "evil", "<img src=x onerror=alert(1)>", "", "")',
        labels: { team: '"><b>' },
        annotations: { description: hostile, pod: '{{ $labels.evil }}' },
      },
    ]),
  );
  st.scrape(2, 3);
  await st.evaluateAfter(0);
  const page = (await call(st.app, '/alerts')).body as string;
  assert.doesNotMatch(page, /<script>/);
  assert.doesNotMatch(page, /<img/);
  assert.doesNotMatch(page, /"><b>/);
  assert.match(page, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
  assert.match(page, /&lt;img src=x onerror=alert\(1\)&gt;/);
});

test('/alerts shows rules rejected at load time with their messages', async () => {
  const st = startStack(prometheusRule([REPLICAS_MISMATCH, { alert: 'Broken<1>', expr: 'sum(up' }]));
  assert.equal(st.problems.length, 1);
  const page = (await call(st.app, '/alerts')).body as string;
  assert.match(page, /Rejected rules \(1\)/);
  assert.match(page, /Broken&lt;1&gt;/);
  assert.match(page, /could not parse expression: parse error/);
  assert.match(page, /KubernautStatefulSetReplicasMismatch/, 'the valid rule is still listed');
});

test('/ redirects to /alerts; an empty stack renders a page saying so', async () => {
  const st = startStack({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'empty', namespace: 'x' }, spec: { groups: [] } });
  const root = await st.app.inject({ url: '/' });
  assert.equal(root.statusCode, 302);
  assert.equal(root.headers.location, '/alerts');
  assert.match((await call(st.app, '/alerts')).body, /No rule groups loaded/);
});
