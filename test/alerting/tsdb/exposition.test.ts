import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExposition, parseSampleValue } from '../../../src/alerting/tsdb/exposition.ts';

test('sample values: decimals, exponents, NaN, +Inf, -Inf', () => {
  assert.equal(parseSampleValue('42'), 42);
  assert.equal(parseSampleValue('-1.5e3'), -1500);
  assert.ok(Number.isNaN(parseSampleValue('NaN')));
  assert.equal(parseSampleValue('+Inf'), Infinity);
  assert.equal(parseSampleValue('-Inf'), -Infinity);
  assert.throws(() => parseSampleValue('abc'), /invalid sample value/);
  assert.throws(() => parseSampleValue(''), /empty/);
});

test('gauges, counters and untyped metrics with labels', () => {
  const samples = parseExposition(
    [
      '# HELP kube_pod_info Info',
      '# TYPE kube_pod_info gauge',
      'kube_pod_info{namespace="demo",pod="kv-0"} 1',
      'kube_pod_info{namespace="demo",pod="kv-1"} NaN',
      '# TYPE requests_total counter',
      'requests_total 7',
      'loose_metric{a="x y"} -Inf',
      '',
    ].join('\n'),
  );
  assert.equal(samples.length, 4);
  assert.deepEqual(samples[0], { labels: { namespace: 'demo', pod: 'kv-0', __name__: 'kube_pod_info' }, value: 1 });
  assert.ok(Number.isNaN(samples[1].value));
  assert.deepEqual(samples[2], { labels: { __name__: 'requests_total' }, value: 7 });
  assert.deepEqual(samples[3], { labels: { a: 'x y', __name__: 'loose_metric' }, value: -Infinity });
});

test('histograms and summaries are flattened into their series', () => {
  const samples = parseExposition(
    [
      '# TYPE latency histogram',
      'latency_bucket{path="/a",le="0.1"} 2',
      'latency_bucket{path="/a",le="+Inf"} 3',
      'latency_sum{path="/a"} 0.5',
      'latency_count{path="/a"} 3',
      '# TYPE rpc summary',
      'rpc{quantile="0.5"} 0.01',
      'rpc_sum 4',
      'rpc_count 9',
      '',
    ].join('\n'),
  );
  const byKey = new Map(samples.map((s) => [JSON.stringify(Object.entries(s.labels).sort()), s.value]));
  const get = (labels: Record<string, string>) => byKey.get(JSON.stringify(Object.entries(labels).sort()));
  assert.equal(get({ __name__: 'latency_bucket', path: '/a', le: '0.1' }), 2);
  assert.equal(get({ __name__: 'latency_bucket', path: '/a', le: '+Inf' }), 3);
  assert.equal(get({ __name__: 'latency_sum', path: '/a' }), 0.5);
  assert.equal(get({ __name__: 'latency_count', path: '/a' }), 3);
  assert.equal(get({ __name__: 'rpc', quantile: '0.5' }), 0.01);
  assert.equal(get({ __name__: 'rpc_sum' }), 4);
  assert.equal(get({ __name__: 'rpc_count' }), 9);
  assert.equal(samples.length, 7);
});
