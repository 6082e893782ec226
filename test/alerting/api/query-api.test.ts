import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertPromError, call, KSM, q, startStack, T0 } from './fixture.ts';

const S = 1000;

function stackWithData() {
  const st = startStack();
  st.scrape(3, 3);
  st.clock.advanceNow(30 * S);
  st.scrape(2, 3);
  return st;
}

test('instant query: vector with metric labels, value as [unix seconds, string], default time = now', async () => {
  const { app } = stackWithData();
  const res = await call(app, q('/api/v1/query', { query: 'kube_statefulset_status_replicas_ready' }));
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, {
    status: 'success',
    data: {
      resultType: 'vector',
      result: [{ metric: { __name__: 'kube_statefulset_status_replicas_ready', ...KSM }, value: [(T0 + 30 * S) / 1000, '2'] }],
    },
  });
});

test('instant query: time as unix seconds (float, rounded to ms) or RFC 3339; scalar and string results', async () => {
  const { app } = stackWithData();
  const atFirst = await call(app, q('/api/v1/query', { query: 'kube_statefulset_status_replicas_ready', time: String(T0 / 1000 + 10.0004) }));
  assert.deepEqual(atFirst.body.data.result[0].value, [T0 / 1000 + 10, '3'], 'the first scrape, 10 s later');
  const rfc = await call(app, q('/api/v1/query', { query: 'time()', time: '2026-11-26T12:00:05.250Z' }));
  assert.deepEqual(rfc.body.data, { resultType: 'scalar', result: [T0 / 1000 + 5.25, String(T0 / 1000 + 5.25)] });
  const offset = await call(app, q('/api/v1/query', { query: 'time()', time: '2026-11-26T14:00:00+02:00' }));
  assert.equal(offset.body.data.result[0], T0 / 1000);
  const str = await call(app, q('/api/v1/query', { query: '"hello"', time: '100' }));
  assert.deepEqual(str.body.data, { resultType: 'string', result: [100, 'hello'] });
  const special = await call(app, q('/api/v1/query', { query: '0/0', time: '1' }));
  assert.deepEqual(special.body.data.result, [1, 'NaN']);
  assert.deepEqual((await call(app, q('/api/v1/query', { query: '-1/0', time: '1' }))).body.data.result, [1, '-Inf']);
  assert.deepEqual((await call(app, q('/api/v1/query', { query: '1/0', time: '1' }))).body.data.result, [1, '+Inf']);
});

test('POST with a form-encoded body works like GET', async () => {
  const { app } = stackWithData();
  const res = await call(app, '/api/v1/query', { query: 'kube_statefulset_status_replicas - kube_statefulset_status_replicas_ready' });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.data.result, [{ metric: KSM, value: [(T0 + 30 * S) / 1000, '1'] }]);
  const range = await call(app, '/api/v1/query_range', { query: 'kube_statefulset_status_replicas_ready', start: String(T0 / 1000), end: String(T0 / 1000 + 30), step: '30s' });
  assert.equal(range.body.data.result[0].values.length, 2);
});

test('bad PromQL is a 400 bad_data in Prometheus format with the parser position', async () => {
  const { app } = stackWithData();
  const res = await call(app, q('/api/v1/query', { query: 'sum(up' }));
  assertPromError(res, 400, 'bad_data', /^invalid parameter "query": .*position 6 \(line 1, column 7\)/);
  assert.match(res.type, /application\/json/, 'not RFC 7807: Prometheus clients parse this body');
  assertPromError(await call(app, '/api/v1/query'), 400, 'bad_data', /invalid parameter "query": empty expression/);
  assertPromError(await call(app, q('/api/v1/query', { query: 'up', time: 'yesterday' })), 400, 'bad_data', /invalid parameter "time": cannot parse "yesterday" to a valid timestamp/);
  const posted = await call(app, '/api/v1/query', { query: 'rate(up[5m]' });
  assertPromError(posted, 400, 'bad_data', /invalid parameter "query"/);
});

test('an evaluation error is a 422 execution error', async () => {
  const { app } = stackWithData();
  // dropping __name__ makes both series {KSM}: Prometheus refuses duplicate label sets
  const res = await call(app, q('/api/v1/query', { query: '-{__name__=~"kube_statefulset_status_replicas.*"}' }));
  assertPromError(res, 422, 'execution', /vector cannot contain metrics with the same labelset/);
});

test('a non-form body is refused with a Prometheus-style error', async () => {
  const { app } = stackWithData();
  const res = await app.inject({ method: 'POST', url: '/api/v1/query', payload: 'query=up', headers: { 'content-type': 'text/plain' } });
  assert.equal(res.statusCode, 415);
  assert.equal(res.json().errorType, 'bad_data');
});

test('a JSON body nested deeper than the body parser allows is a 400 bad_data in Prometheus format, not a 500 (found by fuzzing)', async () => {
  const { app } = stackWithData();
  const res = await app.inject({ method: 'POST', url: '/api/v1/query', payload: '['.repeat(100) + ']'.repeat(100), headers: { 'content-type': 'application/json' } });
  assert.equal(res.statusCode, 400, res.body);
  assert.deepEqual(res.json(), { status: 'error', errorType: 'bad_data', error: 'the JSON body nests deeper than 64 levels' });
});

test('a query whose labels would grow without bound is a 422, not gigabytes (found by fuzzing)', async () => {
  const { app } = stackWithData();
  // Each label_join doubles the value: 30 characters × 2^40 without a bound.
  let expr = 'label_replace(vector(1), "a", "' + 'a'.repeat(30) + '", "", "")';
  for (let i = 0; i < 40; i++) expr = `label_join(${expr}, "a", "", "a", "a")`;
  assertPromError(await call(app, '/api/v1/query', { query: expr }), 422, 'execution', /label_join: the labels of a series would exceed 1048576 characters/);
});

test('range query: matrix with values per step; step as seconds or duration', async () => {
  const { app } = stackWithData();
  const start = T0 / 1000;
  const want = {
    status: 'success',
    data: {
      resultType: 'matrix',
      result: [{ metric: { __name__: 'kube_statefulset_status_replicas_ready', ...KSM }, values: [[start, '3'], [start + 15, '3'], [start + 30, '2']] }],
    },
  };
  const res = await call(app, q('/api/v1/query_range', { query: 'kube_statefulset_status_replicas_ready', start: String(start), end: String(start + 30), step: '15' }));
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, want);
  const rfc = await call(app, q('/api/v1/query_range', { query: 'kube_statefulset_status_replicas_ready', start: '2026-11-26T12:00:00Z', end: '2026-11-26T12:00:30Z', step: '15s' }));
  assert.deepEqual(rfc.body, want);
  const scalar = await call(app, q('/api/v1/query_range', { query: '1', start: '0', end: '2', step: '1' }));
  assert.deepEqual(scalar.body.data.result, [{ metric: {}, values: [[0, '1'], [1, '1'], [2, '1']] }]);
});

test('range query parameter errors are 400 bad_data with the offending parameter', async () => {
  const { app } = stackWithData();
  const base = { query: 'up', start: '100', end: '200', step: '10' };
  assertPromError(await call(app, q('/api/v1/query_range', { ...base, end: '50' })), 400, 'bad_data', /invalid parameter "end": end timestamp must not be before start time/);
  assertPromError(await call(app, q('/api/v1/query_range', { ...base, step: '0' })), 400, 'bad_data', /invalid parameter "step": zero or negative/);
  assertPromError(await call(app, q('/api/v1/query_range', { ...base, step: 'often' })), 400, 'bad_data', /invalid parameter "step": cannot parse "often" to a valid duration/);
  const { step: _omit, ...noStep } = base;
  assertPromError(await call(app, q('/api/v1/query_range', noStep)), 400, 'bad_data', /invalid parameter "step"/);
  const { start: _s, ...noStart } = base;
  assertPromError(await call(app, q('/api/v1/query_range', noStart)), 400, 'bad_data', /invalid parameter "start"/);
  assertPromError(await call(app, q('/api/v1/query_range', { ...base, start: '0', end: '11001', step: '1' })), 400, 'bad_data', /exceeded maximum resolution of 11,000 points/);
  assertPromError(await call(app, q('/api/v1/query_range', { ...base, query: '"s"' })), 400, 'bad_data', /invalid expression type "string" for range query/);
});

test('series, labels and label values (Grafana metric browser) from plain selectors', async () => {
  const { app } = stackWithData();
  const series = await call(app, q('/api/v1/series', { 'match[]': ['kube_statefulset_status_replicas', 'kube_statefulset_status_replicas_ready{statefulset="kv-store"}'] }));
  assert.deepEqual(series.body, {
    status: 'success',
    data: [
      { __name__: 'kube_statefulset_status_replicas', ...KSM },
      { __name__: 'kube_statefulset_status_replicas_ready', ...KSM },
    ],
  });
  const outside = await call(app, q('/api/v1/series', { 'match[]': 'kube_statefulset_status_replicas', start: '0', end: '1' }));
  assert.deepEqual(outside.body.data, [], 'no samples in [start, end]');
  assertPromError(await call(app, '/api/v1/series'), 400, 'bad_data', /no match\[\] parameter provided/);
  assertPromError(await call(app, q('/api/v1/series', { 'match[]': 'sum(up)' })), 400, 'bad_data', /invalid parameter "match\[\]": "sum\(up\)" is not a plain series selector/);

  const labels = await call(app, '/api/v1/labels');
  assert.deepEqual(labels.body.data, ['__name__', 'job', 'namespace', 'statefulset']);
  const names = await call(app, '/api/v1/label/__name__/values');
  assert.deepEqual(names.body.data, ['kube_statefulset_status_replicas', 'kube_statefulset_status_replicas_ready']);
  const filtered = await call(app, q('/api/v1/label/__name__/values', { 'match[]': '{__name__=~".*ready"}' }));
  assert.deepEqual(filtered.body.data, ['kube_statefulset_status_replicas_ready']);
  assertPromError(await call(app, '/api/v1/label/1bad/values'), 400, 'bad_data', /invalid label name: "1bad"/);
  // Label names have no length limit (the router's 100-character limit on path parameters answered 414, found by fuzzing).
  const long = await call(app, `/api/v1/label/${'l'.repeat(300)}/values`);
  assert.deepEqual([long.status, long.body], [200, { status: 'success', data: [] }]);
  assertPromError(await call(app, `/api/v1/label/${'1'.repeat(300)}/values`), 400, 'bad_data', /invalid label name/);
  assertPromError(await call(app, '/api/v1/label/a%0Ab/values'), 400, 'bad_data', /invalid label name: "a\\nb"/);
  assert.equal((await call(app, '/api/v1/label/job/values/x')).status, 404);
});

test('buildinfo reports a Prometheus 2.42-compatible version', async () => {
  const { app } = startStack();
  const res = await call(app, '/api/v1/status/buildinfo');
  assert.equal(res.body.status, 'success');
  assert.match(res.body.data.version, /^2\.42\.0/);
});

test('instant query of a bare range selector returns its raw samples as a matrix; query_range refuses it', async () => {
  const { app } = stackWithData();
  const res = await call(app, q('/api/v1/query', { query: 'kube_statefulset_status_replicas_ready[1m]' }));
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.data, {
    resultType: 'matrix',
    result: [{ metric: { __name__: 'kube_statefulset_status_replicas_ready', ...KSM }, values: [[T0 / 1000, '3'], [(T0 + 30 * S) / 1000, '2']] }],
  });
  const range = await call(app, q('/api/v1/query_range', { query: 'kube_statefulset_status_replicas_ready[1m]', start: String(T0 / 1000), end: String(T0 / 1000 + 30), step: '15s' }));
  assert.equal(range.status, 400);
});
