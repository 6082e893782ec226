// The PromQL tools against a tiny local stub of the Prometheus HTTP API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { prometheusTools } from '../../../src/investigator/tools/prometheus/tools.ts';
import { createToolsetFrom } from '../../../src/investigator/tools/runner.ts';
import type { IncidentScope } from '../../../src/investigator/tools/types.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

const NOW = Date.parse('2026-11-26T12:00:00Z') / 1000;
let server: Server;
let url: string;
const requests: URL[] = [];

function answer(u: URL): { status: number; body: unknown } {
  const q = u.searchParams.get('query') ?? '';
  if (q === 'bad(') return { status: 400, body: { status: 'error', errorType: 'bad_data', error: '1:5: parse error: unclosed left parenthesis' } };
  if (q === 'huge') return { status: 200, body: 'x'.repeat(9 * 1024 * 1024) };
  if (u.pathname === '/api/v1/query') {
    if (q === 'scalar(1)') return { status: 200, body: { status: 'success', data: { resultType: 'scalar', result: [NOW, '1'] } } };
    const n = q === 'many' ? 150 : 2;
    const result = Array.from({ length: n }, (_, i) => ({ metric: { __name__: 'kube_pod_status_ready', namespace: 'demo', pod: `kv-store-${i}` }, value: [Number(u.searchParams.get('time')), i === 0 ? '1' : '0.333333333333'] }));
    return { status: 200, body: { status: 'success', data: { resultType: 'vector', result } } };
  }
  const start = Number(u.searchParams.get('start'));
  const end = Number(u.searchParams.get('end'));
  const step = Number(u.searchParams.get('step'));
  const n = q === 'many' ? 25 : 1;
  const values: Array<[number, string]> = [];
  for (let t = start, i = 0; t <= end; t += step, i++) values.push([t, i < 3 ? '3' : '2']);
  return { status: 200, body: { status: 'success', data: { resultType: 'matrix', result: Array.from({ length: n }, (_, i) => ({ metric: { statefulset: `kv-${i}` }, values })) } } };
}

before(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://stub');
    requests.push(u);
    const { status, body } = answer(u);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((r) => server.close(() => r())));

const SCOPE: IncidentScope = { remediationId: 'rr', severity: 'high', environment: 'staging', priority: 'P2', customLabels: {}, signalResource: { kind: 'Pod', name: 'p', namespace: 'demo' } };

async function run(name: string, args: Record<string, unknown>, prometheusUrl: string | null = url) {
  const clock = new ManualClock(NOW * 1000);
  const t = createToolsetFrom(prometheusTools, { kubeconfig: new KubeConfig(), prometheusUrl: prometheusUrl ?? undefined, dataStorage: { baseUrl: 'http://127.0.0.1:9' }, clock }, SCOPE);
  const r = await t.execute({ id: '1', name, arguments: JSON.stringify(args) }, { signal: new AbortController().signal });
  return JSON.parse(r.content);
}

test('prometheus_query: compact series lines at the evaluation time; now-relative times', async () => {
  const env = await run('prometheus_query', { query: 'kube_pod_status_ready{namespace="demo"}', time: 'now-5m' });
  assert.equal(env.ok, true, env.error);
  assert.equal(
    env.untrusted_data,
    [
      'instant vector at 2026-11-26T11:55:00Z: 2 series',
      'kube_pod_status_ready{namespace="demo", pod="kv-store-0"} 1',
      'kube_pod_status_ready{namespace="demo", pod="kv-store-1"} 0.333333',
    ].join('\n'),
  );
  const sent = requests.at(-1)!;
  assert.equal(sent.pathname, '/api/v1/query');
  assert.equal(sent.searchParams.get('time'), String(NOW - 300));
  assert.equal(sent.searchParams.get('query'), 'kube_pod_status_ready{namespace="demo"}');
});

test('prometheus_query: at most 100 series, saying how many were left out; scalars', async () => {
  const env = await run('prometheus_query', { query: 'many' });
  const lines = env.untrusted_data.split('\n');
  assert.equal(lines.length, 102);
  assert.match(lines[0], /150 series$/);
  assert.match(lines.at(-1), /… 50 more series not shown \(at most 100\)/);
  assert.equal((await run('prometheus_query', { query: 'scalar(1)', time: NOW })).untrusted_data, 'scalar at 2026-11-26T12:00:00Z: 1');
});

test('prometheus_query_range: runs of equal values collapse; at most 20 series', async () => {
  const env = await run('prometheus_query_range', { query: 'kube_statefulset_status_replicas_ready', start: 'now-1h', end: 'now', step: '5m' });
  assert.equal(env.ok, true, env.error);
  assert.equal(
    env.untrusted_data,
    [
      'range 2026-11-26T11:00:00.000Z .. 2026-11-26T12:00:00.000Z step 300s: 1 series (times UTC on 2026-11-26)',
      '{statefulset="kv-0"}',
      '  11:00:00..11:10:00 3 (3 points); 11:15:00..12:00:00 2 (10 points)',
    ].join('\n'),
  );
  const sent = requests.at(-1)!;
  assert.deepEqual([sent.pathname, sent.searchParams.get('start'), sent.searchParams.get('end'), sent.searchParams.get('step')], ['/api/v1/query_range', String(NOW - 3600), String(NOW), '300']);
  const many = await run('prometheus_query_range', { query: 'many', start: '2026-11-26T11:00:00Z', end: '2026-11-26T11:10:00Z', step: 60 });
  assert.match(many.untrusted_data, /25 series/);
  assert.equal((many.untrusted_data.match(/^\{statefulset=/gm) ?? []).length, 20);
  assert.match(many.untrusted_data, /… 5 more series not shown \(at most 20\)/);
});

test('prometheus_query_range refuses more than 300 points per series, saying which step would do', async () => {
  const before = requests.length;
  const env = await run('prometheus_query_range', { query: 'up', start: 'now-1d', end: 'now', step: '1m' });
  assert.equal(env.ok, false);
  assert.equal(env.error, 'a range of 86400s at step 60s gives 1441 points per series, more than 300: use step >= 289s or a shorter range');
  assert.equal(requests.length, before, 'nothing was asked');
  const reversed = await run('prometheus_query_range', { query: 'up', start: 'now', end: 'now-1h', step: '1m' });
  assert.match(reversed.error, /end .* is before start/);
  const badTime = await run('prometheus_query_range', { query: 'up', start: 'yesterday', end: 'now', step: '1m' });
  assert.match(badTime.error, /start: "yesterday" is not a time/);
});

test("Prometheus's own errors, oversized answers and a missing Prometheus are ok:false with a clear message", async () => {
  const bad = await run('prometheus_query', { query: 'bad(' });
  assert.equal(bad.error, 'Prometheus refused the query (400 bad_data): 1:5: parse error: unclosed left parenthesis');
  const huge = await run('prometheus_query', { query: 'huge' });
  assert.match(huge.error, /exceeds 8 MiB; narrow the query/);
  const none = await run('prometheus_query', { query: 'up' }, null);
  assert.match(none.error, /^no Prometheus configured/);
  const down = await run('prometheus_query', { query: 'up' }, 'http://127.0.0.1:9');
  assert.match(down.error, /^Prometheus at http:\/\/127\.0\.0\.1:9 is unreachable/);
});
