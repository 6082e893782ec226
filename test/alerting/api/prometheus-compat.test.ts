/**
 * Differential check against the real Prometheus 2.42 binary: both servers see the same two
 * series, and the JSON of /api/v1/query and /api/v1/query_range must have the same shape (keys,
 * value types, result types, error status and errorType). Values differ only in timestamps.
 * Skipped when `prometheus` is not on the PATH.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAlertingApi } from '../../../src/alerting/api/index.ts';
import { MemorySeriesStore } from '../../../src/alerting/tsdb/index.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { eventually, freePort } from '../../helpers/kubernaut-process.ts';

const METRICS = 'demo_gauge{pod="a"} 1\ndemo_gauge{pod="b"} 2.5\n';

function prometheusMissing(): string | undefined {
  const r = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  return r.error || r.status !== 0 ? 'the prometheus binary is not on the PATH' : undefined;
}

/** Keys and value types, recursively; arrays by the shape of their elements (all must agree). */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) {
    const shapes = [...new Set(v.map((x) => JSON.stringify(shape(x))))];
    return shapes.map((s) => JSON.parse(s));
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    // label maps: names are data, not schema
    if ('__name__' in o || 'pod' in o) return 'labels';
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, k === 'status' || k === 'resultType' || k === 'errorType' ? o[k] : shape(o[k])]));
  }
  return typeof v;
}

test('query and query_range JSON have the shape of Prometheus 2.42 responses', { skip: prometheusMissing() }, async (t) => {
  const target: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(METRICS));
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => target.close(() => resolve())));
  const targetPort = (target.address() as { port: number }).port;

  const dir = mkdtempSync(join(tmpdir(), 'kubernaut-prom-compat-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global: {scrape_interval: 500ms}\nscrape_configs:\n- job_name: demo\n  static_configs: [{targets: ['127.0.0.1:${targetPort}']}]\n`,
  );
  const promPort = await freePort();
  const prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
  t.after(() => {
    prom.kill('SIGKILL');
  });
  const promUrl = `http://127.0.0.1:${promPort}`;

  // Ours: the same series, as a scrape would store them.
  const store = new MemorySeriesStore();
  const now = Date.now();
  for (const dt of [-2000, -1000, 0]) {
    store.append({ __name__: 'demo_gauge', pod: 'a', job: 'demo', instance: `127.0.0.1:${targetPort}` }, now + dt, 1);
    store.append({ __name__: 'demo_gauge', pod: 'b', job: 'demo', instance: `127.0.0.1:${targetPort}` }, now + dt, 2.5);
  }
  const ours = await startAlertingApi({
    backend: { clock: new ScaledClock(1), storage: store, ruleGroups: () => [], ruleProblems: () => [], targets: () => [] },
    host: '127.0.0.1',
    port: 0,
  });
  t.after(() => ours.close());

  const get = async (base: string, path: string) => {
    const res = await fetch(base + path);
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  // a few scrapes, so a 4 s range ending now has points on both servers
  await eventually(
    async () => (await get(promUrl, '/api/v1/query?query=count_over_time(demo_gauge%5B1m%5D)%20%3E%3D%205')).body.data?.result?.length === 2,
    'prometheus to scrape the target five times',
  );

  const end = Math.floor(Date.now() / 1000);
  const paths = [
    '/api/v1/query?query=demo_gauge',
    '/api/v1/query?query=sum(demo_gauge)',
    '/api/v1/query?query=demo_gauge%20%3E%2010',
    '/api/v1/query?query=1%2B1',
    '/api/v1/query?query=%22text%22',
    '/api/v1/query?query=0%2F0',
    '/api/v1/query?query=sum(demo_gauge',
    '/api/v1/query?query=demo_gauge&time=not-a-time',
    `/api/v1/query_range?query=demo_gauge&start=${end - 4}&end=${end}&step=2`,
    `/api/v1/query_range?query=1&start=${end - 4}&end=${end}&step=2s`,
    `/api/v1/query_range?query=demo_gauge&start=${end}&end=${end - 4}&step=2`,
    `/api/v1/query_range?query=demo_gauge&start=0&end=${end}&step=1`,
    '/api/v1/series?match[]=demo_gauge',
    '/api/v1/labels',
    '/api/v1/label/pod/values',
  ];
  for (const path of paths) {
    const [theirs, mine] = await Promise.all([get(promUrl, path), get(ours.url, path)]);
    assert.equal(mine.status, theirs.status, `status of ${path}: ${JSON.stringify(mine.body)} vs ${JSON.stringify(theirs.body)}`);
    assert.deepEqual(shape(mine.body), shape(theirs.body), `shape of ${path}`);
  }
  // Same label values for the series both have.
  const [theirValues, myValues] = await Promise.all([get(promUrl, '/api/v1/label/pod/values'), get(ours.url, '/api/v1/label/pod/values')]);
  assert.deepEqual(myValues.body, theirValues.body);
});
