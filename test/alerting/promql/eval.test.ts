import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { evaluate, isStaleNaN, isStaleSample, MemoryStorage, parsePromQL, STALE_NAN, staleSample } from '../../../src/alerting/promql/index.ts';
import { run, scalar, vec } from './helpers.ts';

const T = 1_000_000_000; // an arbitrary evaluation time (ms)

test('the reference alert expression keeps the left side labels and value where ready < desired', () => {
  const s = new MemoryStorage();
  const ns = 'demo-statefulset';
  const base = { namespace: ns, statefulset: 'web', job: 'kube-state-metrics' };
  s.add({ __name__: 'kube_statefulset_status_replicas_ready', ...base }, [[T - 10_000, 1]]);
  s.add({ __name__: 'kube_statefulset_status_replicas', ...base }, [[T - 10_000, 3]]);
  // Healthy statefulset: filtered out.
  const db = { namespace: ns, statefulset: 'db', job: 'kube-state-metrics' };
  s.add({ __name__: 'kube_statefulset_status_replicas_ready', ...db }, [[T - 10_000, 2]]);
  s.add({ __name__: 'kube_statefulset_status_replicas', ...db }, [[T - 10_000, 2]]);
  // Another namespace: not selected.
  const other = { namespace: 'other', statefulset: 'web', job: 'kube-state-metrics' };
  s.add({ __name__: 'kube_statefulset_status_replicas_ready', ...other }, [[T - 10_000, 0]]);
  s.add({ __name__: 'kube_statefulset_status_replicas', ...other }, [[T - 10_000, 5]]);

  const expr =
    'kube_statefulset_status_replicas_ready{namespace="demo-statefulset"} < kube_statefulset_status_replicas{namespace="demo-statefulset"}';
  assert.deepEqual(vec(s, expr, T), [{ labels: { __name__: 'kube_statefulset_status_replicas_ready', ...base }, value: 1 }]);
  // Once ready catches up, the alert expression is empty.
  s.add({ __name__: 'kube_statefulset_status_replicas_ready', ...base }, [[T + 5_000, 3]]);
  assert.deepEqual(vec(s, expr, T + 10_000), []);
});

test('instant selector: latest sample within the 5m lookback, matchers, offset', () => {
  const s = new MemoryStorage();
  s.add({ __name__: 'up', job: 'api', pod: 'web-1' }, [[T - 60_000, 1], [T - 30_000, 0]]);
  s.add({ __name__: 'up', job: 'api', pod: 'db-1' }, [[T - 400_000, 1]]); // too old
  s.add({ __name__: 'up', job: 'batch', pod: 'web-2' }, [[T, 7]]);
  assert.deepEqual(vec(s, 'up{job="api"}', T), [{ labels: { __name__: 'up', job: 'api', pod: 'web-1' }, value: 0 }]);
  assert.deepEqual(vec(s, 'up{job="api"} offset 45s', T), [{ labels: { __name__: 'up', job: 'api', pod: 'web-1' }, value: 1 }]);
  assert.deepEqual(vec(s, 'up{pod="db-1"}', T), []);
  assert.deepEqual(vec(s, 'up{pod="db-1"} offset 2m', T), [{ labels: { __name__: 'up', job: 'api', pod: 'db-1' }, value: 1 }]);
  assert.deepEqual(
    vec(s, 'up{pod=~"web-.*"}', T).map((x) => x.labels.pod),
    ['web-1', 'web-2'],
  );
  assert.deepEqual(vec(s, 'up{pod=~"web"}', T), [], 'regex is anchored');
  assert.equal(vec(s, 'up{job=~"(?i)API"}', T).length, 1, 'case-insensitive flag');
  assert.equal(vec(s, 'up{pod=~"(?P<n>web)-1"}', T).length, 1, 'RE2 named group');
  assert.deepEqual(vec(s, 'up{pod!~"web-1|db-1", job!="api"}', T).map((x) => x.value), [7]);
  assert.deepEqual(vec(s, 'up{missing=""}', T).length, 2, 'absent label matches ""');
  // Boundary: exactly lookback old is out (window is left-open), just inside is in.
  const b = new MemoryStorage().add({ __name__: 'x' }, [[T, 5]]);
  assert.equal(vec(b, 'x', T + 300_000).length, 0);
  assert.equal(vec(b, 'x', T + 299_999).length, 1);
  assert.equal(vec(b, 'x', T - 1).length, 0, 'no future samples');
  const v = evaluate(parsePromQL('x'), T + 60_000, b, { lookbackDeltaMs: 30_000 });
  assert.deepEqual(v, { type: 'vector', samples: [] });
});

test('staleness markers end a series immediately', () => {
  assert.ok(isStaleNaN(STALE_NAN));
  assert.ok(!isStaleNaN(NaN));
  assert.ok(!isStaleNaN(0 / 0));
  assert.ok(isStaleSample(staleSample(T)));
  assert.ok(!isStaleSample([T, NaN]));
  const s = new MemoryStorage().add({ __name__: 'x' }, [[T, 5], staleSample(T + 10_000)]);
  assert.deepEqual(vec(s, 'x', T + 5_000), [{ labels: { __name__: 'x' }, value: 5 }]);
  assert.deepEqual(vec(s, 'x', T + 20_000), []);
  // An ordinary NaN is a value, not a marker.
  const n = new MemoryStorage().add({ __name__: 'y' }, [[T, NaN]]);
  assert.equal(vec(n, 'y', T).length, 1);
  // Stale markers are not samples for range functions.
  assert.deepEqual(vec(s, 'count_over_time(x[1m])', T + 20_000), [{ labels: {}, value: 1 }]);
});

test('arithmetic: scalar/scalar, vector/scalar, vector/vector drop the metric name', () => {
  const s = new MemoryStorage();
  s.add({ __name__: 'a', k: '1' }, [[T, 10]]);
  s.add({ __name__: 'a', k: '2' }, [[T, 20]]);
  s.add({ __name__: 'b', k: '1' }, [[T, 4]]);
  assert.equal(scalar(s, '1 + 2 * 3', T), 7);
  assert.equal(scalar(s, '2 ^ 3 ^ 2', T), 512, '^ is right-associative');
  assert.equal(scalar(s, '7 % 4', T), 3);
  assert.equal(scalar(s, '-(1 - 3)', T), 2);
  assert.equal(scalar(s, '1 / 0', T), Infinity);
  assert.deepEqual(vec(s, 'a * 2', T), [
    { labels: { k: '1' }, value: 20 },
    { labels: { k: '2' }, value: 40 },
  ]);
  assert.deepEqual(vec(s, '100 - a', T).map((x) => x.value), [90, 80]);
  assert.deepEqual(vec(s, 'a / b', T), [{ labels: { k: '1' }, value: 2.5 }]);
  assert.deepEqual(vec(s, 'a - b', T), [{ labels: { k: '1' }, value: 6 }]);
  assert.deepEqual(vec(s, 'a % 3', T).map((x) => x.value), [1, 2]);
  assert.deepEqual(vec(s, '-a', T)[0], { labels: { k: '1' }, value: -10 });
  // Dropping the name makes a{k="1"} and b{k="1"} collide.
  assert.throws(() => run(s, '{k="1"} * 2', T), /same labelset/);
  assert.throws(() => run(s, 'abs({k="1"})', T), /same labelset/);
  assert.equal(vec(s, '{k="1"} > 0', T).length, 2, 'filters keep the name, so no collision');
});

test('comparisons filter (keeping the name) or, with bool, return 0/1 without the name', () => {
  const s = new MemoryStorage();
  s.add({ __name__: 'a', k: '1' }, [[T, 10]]);
  s.add({ __name__: 'a', k: '2' }, [[T, 20]]);
  s.add({ __name__: 'b', k: '1' }, [[T, 10]]);
  s.add({ __name__: 'b', k: '2' }, [[T, 5]]);
  assert.deepEqual(vec(s, 'a > 15', T), [{ labels: { __name__: 'a', k: '2' }, value: 20 }]);
  assert.deepEqual(vec(s, '15 < a', T), [{ labels: { __name__: 'a', k: '2' }, value: 20 }], 'vector value kept');
  assert.deepEqual(vec(s, 'a > bool 15', T), [
    { labels: { k: '1' }, value: 0 },
    { labels: { k: '2' }, value: 1 },
  ]);
  assert.deepEqual(vec(s, 'a == b', T), [{ labels: { __name__: 'a', k: '1' }, value: 10 }]);
  assert.deepEqual(vec(s, 'a != b', T), [{ labels: { __name__: 'a', k: '2' }, value: 20 }]);
  assert.deepEqual(vec(s, 'a >= bool b', T), [
    { labels: { k: '1' }, value: 1 },
    { labels: { k: '2' }, value: 1 },
  ]);
  assert.deepEqual(vec(s, 'a <= b', T).map((x) => x.value), [10]);
  assert.equal(scalar(s, '2 > bool 1', T), 1);
  assert.equal(scalar(s, '2 < bool 1', T), 0);
});

test('vector matching: on, ignoring, group_left, group_right and duplicate errors', () => {
  const s = new MemoryStorage();
  s.add({ __name__: 'req', job: 'api', pod: 'p1', code: '200' }, [[T, 10]]);
  s.add({ __name__: 'req', job: 'api', pod: 'p2', code: '500' }, [[T, 30]]);
  s.add({ __name__: 'req', job: 'db', pod: 'p3', code: '200' }, [[T, 5]]);
  s.add({ __name__: 'info', job: 'api', version: 'v1' }, [[T, 1]]);
  s.add({ __name__: 'info', job: 'db', version: 'v2' }, [[T, 1]]);
  s.add({ __name__: 'total', job: 'api' }, [[T, 40]]);

  assert.deepEqual(vec(s, 'req * on(job) group_left(version) info', T), [
    { labels: { job: 'api', pod: 'p1', code: '200', version: 'v1' }, value: 10 },
    { labels: { job: 'api', pod: 'p2', code: '500', version: 'v1' }, value: 30 },
    { labels: { job: 'db', pod: 'p3', code: '200', version: 'v2' }, value: 5 },
  ]);
  assert.deepEqual(vec(s, 'total / on(job) group_right req', T), [
    { labels: { job: 'api', pod: 'p1', code: '200' }, value: 4 },
    { labels: { job: 'api', pod: 'p2', code: '500' }, value: 40 / 30 },
  ]);
  assert.deepEqual(vec(s, 'req / ignoring(pod, code) group_left total', T).map((x) => x.value), [0.25, 0.75]);
  // one-to-one with on(): result keeps only the `on` labels.
  assert.deepEqual(vec(s, 'total - on(job) info', T), [{ labels: { job: 'api' }, value: 39 }]);
  // one-to-one where several left series match one right one: error, must be explicit.
  assert.throws(() => run(s, 'req - on(job) info', T), /many-to-one matching must be explicit/);
  // duplicate series on the "one" side.
  assert.throws(() => run(s, 'info * on() group_left req', T), /found duplicate series .* right hand-side/);
  assert.throws(() => run(s, 'total + on(job) req', T), /found duplicate series .* right hand-side/);
  assert.throws(() => run(s, 'req * on() group_right info', T), /found duplicate series .* left hand-side/);
});

test('set operators and, or, unless', () => {
  const s = new MemoryStorage();
  s.add({ __name__: 'a', k: '1' }, [[T, 1]]);
  s.add({ __name__: 'a', k: '2' }, [[T, 2]]);
  s.add({ __name__: 'b', k: '2', extra: 'x' }, [[T, 20]]);
  s.add({ __name__: 'b', k: '3' }, [[T, 30]]);
  assert.deepEqual(vec(s, 'a and b', T), []);
  assert.deepEqual(vec(s, 'a and on(k) b', T), [{ labels: { __name__: 'a', k: '2' }, value: 2 }]);
  assert.deepEqual(vec(s, 'a unless on(k) b', T), [{ labels: { __name__: 'a', k: '1' }, value: 1 }]);
  assert.deepEqual(vec(s, 'a or on(k) b', T), [
    { labels: { __name__: 'a', k: '1' }, value: 1 },
    { labels: { __name__: 'a', k: '2' }, value: 2 },
    { labels: { __name__: 'b', k: '3' }, value: 30 },
  ]);
  assert.equal(vec(s, 'a or b', T).length, 4);
  assert.deepEqual(vec(s, 'a unless ignoring(extra) b', T).map((x) => x.labels.k), ['1']);
});

test('aggregations: sum count min max avg by/without, topk/bottomk', () => {
  const s = new MemoryStorage();
  s.add({ __name__: 'm', job: 'api', pod: 'a' }, [[T, 1]]);
  s.add({ __name__: 'm', job: 'api', pod: 'b' }, [[T, 5]]);
  s.add({ __name__: 'm', job: 'db', pod: 'c' }, [[T, 3]]);
  assert.deepEqual(vec(s, 'sum(m)', T), [{ labels: {}, value: 9 }]);
  assert.deepEqual(vec(s, 'sum by (job) (m)', T), [
    { labels: { job: 'api' }, value: 6 },
    { labels: { job: 'db' }, value: 3 },
  ]);
  assert.deepEqual(vec(s, 'count without (pod) (m)', T), [
    { labels: { job: 'api' }, value: 2 },
    { labels: { job: 'db' }, value: 1 },
  ]);
  assert.deepEqual(vec(s, 'max(m) by (job)', T).map((x) => x.value), [5, 3]);
  assert.deepEqual(vec(s, 'min by (job) (m)', T).map((x) => x.value), [1, 3]);
  assert.deepEqual(vec(s, 'avg(m)', T), [{ labels: {}, value: 3 }]);
  assert.deepEqual(vec(s, 'sum by (nope) (m)', T), [{ labels: {}, value: 9 }]);
  assert.deepEqual(vec(s, 'topk(2, m)', T), [
    { labels: { __name__: 'm', job: 'api', pod: 'b' }, value: 5 },
    { labels: { __name__: 'm', job: 'db', pod: 'c' }, value: 3 },
  ]);
  assert.deepEqual(vec(s, 'bottomk by (job) (1, m)', T).map((x) => x.labels.pod), ['a', 'c']);
  assert.deepEqual(vec(s, 'topk(0, m)', T), []);
  assert.deepEqual(vec(s, 'sum(nothing)', T), []);
});

test('composite alert-style expressions', () => {
  const s = new MemoryStorage();
  for (let i = 0; i <= 20; i++) {
    const t = T + i * 15_000;
    s.add({ __name__: 'http_requests_total', job: 'api', code: '500' }, [[t, i * 3]]);
    s.add({ __name__: 'http_requests_total', job: 'api', code: '200' }, [[t, i * 12]]);
    s.add({ __name__: 'http_requests_total', job: 'db', code: '200' }, [[t, i * 15]]);
  }
  const end = T + 300_000;
  const ratio = vec(
    s,
    'sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (job) (rate(http_requests_total[5m])) > 0.1',
    end,
  );
  assert.equal(ratio.length, 1);
  assert.deepEqual(ratio[0].labels, { job: 'api' });
  assert.ok(Math.abs(ratio[0].value - 0.2) < 1e-9);
  assert.deepEqual(vec(s, 'count(http_requests_total == 0 or vector(0))', end), [{ labels: {}, value: 1 }]);
  assert.deepEqual(
    vec(s, 'sum by (job) (http_requests_total) > 200 unless on(job) http_requests_total{code="500"}', end),
    [{ labels: { job: 'db' }, value: 300 }],
  );
});

/**
 * Evaluates each expression over `x{pod="aaa…a!", long="xxx…x"}` (5,000 and 100,000 characters)
 * in a worker thread, at time 0 or, with `range`, at every step from 0 to 86,400 s: with a
 * backtracking regex it would never return, and the deadline makes that a failure instead of a
 * test that hangs (the worker is then terminated). Returns each result's label sets, as
 * `name=value` with long values as their length.
 */
async function labelsInWorker(exprs: string[], range?: { stepMs: number }): Promise<string[][][]> {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     import('tsx/esm/api').then(async ({ register }) => {
       register();
       const { MemoryStorage, evaluate, evaluateRange, parsePromQL } = await import(workerData.module);
       const s = new MemoryStorage().add({ __name__: 'x', pod: 'a'.repeat(5000) + '!', long: 'x'.repeat(100000) }, [[0, 1]]);
       const step = workerData.range?.stepMs;
       parentPort.postMessage(workerData.exprs.map((e) => {
         const v = step ? evaluateRange(parsePromQL(e), 0, 86400000, step, s, { lookbackDeltaMs: 86400000 }) : evaluate(parsePromQL(e), 0, s);
         return (v.samples ?? v.series).map((x) => Object.entries(x.labels).map(([k, l]) => k + '=' + (l.length > 20 ? l.length : l)).sort());
       }));
     });`,
    { eval: true, workerData: { module: new URL('../../../src/alerting/promql/index.ts', import.meta.url).href, exprs, range } },
  );
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      // A liveness bound, not a timing assertion: generous for a busy machine.
      timer = setTimeout(() => reject(new Error('no answer in 60 s: a regex backtracks exponentially, or runs again at every step')), 60_000);
    });
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}

const X = ['__name__=x', 'long=100000', 'pod=5001'];

test('catastrophic regexes against a long label value answer, as RE2 does in linear time (found by fuzzing)', async () => {
  assert.deepEqual(
    await labelsInWorker([
      'x{pod=~"(a+)+$"}',
      'x{pod=~"(a|aa)+!"}',
      'x{pod!~"(a|a)*"}',
      'x{pod=~"(?i)(A+)+$"}',
      'x{pod=~"(a+)+|b{17}"}',
      'label_replace(x, "m", "$2", "pod", "(a+)+(!)")',
      'label_replace(x, "m", "$1", "pod", "((?:a|a)*)")',
    ]),
    [[], [X], [X], [], [], [[...X, 'm=!'].sort()], [X]],
  );
});

test('a range query matches a regex against a long value once, not at each of its 10,800 steps (found by fuzzing)', async () => {
  // On the linear-time engine one such match takes tens of milliseconds: minutes for the range.
  assert.deepEqual(await labelsInWorker(['x{long!~"(x+x+)+y"}', 'label_replace(x, "m", "$1", "long", "(x+x+)+y")'], { stepMs: 8_000 }), [[X], [X]]);
});

test('regexes keep their meaning on the linear-time engine: (?i) and counted repetitions', () => {
  const s = new MemoryStorage();
  for (const pod of ['web-1', 'WEB-22', 'wéb-3', 'WÉB-4', 'db-0123456789abcdef0123456789abcdef', 'a-b', 'A]']) s.add({ __name__: 'up', pod }, [[T, 1]]);
  const pods = (expr: string) => vec(s, expr, T).map((x) => x.labels.pod).sort();
  assert.deepEqual(pods('up{pod=~"(?i)web-[0-9]{1,2}"}'), ['WEB-22', 'web-1']);
  assert.deepEqual(pods('up{pod=~"(?i)WÉB-.*"}'), ['WÉB-4', 'wéb-3']);
  assert.deepEqual(pods('up{pod=~"(?i)[v-x]\\\\S+"}'), ['WEB-22', 'WÉB-4', 'web-1', 'wéb-3']);
  assert.deepEqual(pods('up{pod=~"(?i)[^a-z]+.*"}'), []);
  assert.deepEqual(pods('up{pod=~"(?i)[a-]-?[B\\\\]]"}'), ['A]', 'a-b']);
  assert.deepEqual(pods('up{pod=~"db-[0-9a-f]{32}"}'), ['db-0123456789abcdef0123456789abcdef']);
  assert.deepEqual(pods('up{pod=~"db-[0-9a-f]{17,31}"}'), []);
  assert.deepEqual(pods('up{pod=~"(?:db-|x)(?:[0-9a-f]{4}){8,}?"}'), ['db-0123456789abcdef0123456789abcdef']);
  assert.deepEqual(vec(s, 'label_replace(up{pod=~"db.*"}, "h", "$1", "pod", "db-(?:[0-9]{10})([a-f]{6}).*")', T)[0].labels.h, 'abcdef');
});
