import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySeriesStore, CHUNK_CAPACITY } from '../../../src/alerting/tsdb/store.ts';
import { STALE_NAN, isStaleSample, type Matcher, type StoredSeries } from '../../../src/alerting/promql/storage.ts';

const T0 = 1_700_000_000_000;

function eq(name: string, value: string): Matcher {
  return { type: '=', name, value };
}

function keys(result: StoredSeries[]): string[] {
  return result.map((s) => `${s.labels.__name__}{${Object.entries(s.labels).filter(([k]) => k !== '__name__').map(([k, v]) => `${k}=${v}`).join(',')}}`).sort();
}

function sampleStore(): MemorySeriesStore {
  const store = new MemorySeriesStore();
  store.append({ __name__: 'http_requests_total', job: 'api', code: '200', path: '/a' }, T0, 10);
  store.append({ __name__: 'http_requests_total', job: 'api', code: '500', path: '/a' }, T0, 1);
  store.append({ __name__: 'http_requests_total', job: 'web', code: '200' }, T0, 5);
  store.append({ __name__: 'http_requests_total', job: 'web', code: '404', path: '' }, T0, 2);
  store.append({ __name__: 'up', job: 'api' }, T0, 1);
  store.append({ __name__: 'up', job: 'web' }, T0, 0);
  return store;
}

test('select with equality matchers uses the label index', () => {
  const store = sampleStore();
  assert.deepEqual(keys(store.select([eq('__name__', 'up')], T0, T0)), ['up{job=api}', 'up{job=web}']);
  assert.deepEqual(keys(store.select([eq('__name__', 'http_requests_total'), eq('code', '200')], T0, T0)), [
    'http_requests_total{code=200,job=api,path=/a}',
    'http_requests_total{code=200,job=web}',
  ]);
  assert.deepEqual(store.select([eq('__name__', 'nope')], T0, T0), []);
  assert.deepEqual(store.select([eq('__name__', 'up'), eq('job', 'db')], T0, T0), []);
});

test('select with != =~ !~ matchers', () => {
  const store = sampleStore();
  const name = eq('__name__', 'http_requests_total');
  assert.deepEqual(keys(store.select([name, { type: '!=', name: 'code', value: '200' }], T0, T0)), [
    'http_requests_total{code=404,job=web}',
    'http_requests_total{code=500,job=api,path=/a}',
  ]);
  assert.deepEqual(keys(store.select([name, { type: '=~', name: 'code', value: '2..|4..' }], T0, T0)), [
    'http_requests_total{code=200,job=api,path=/a}',
    'http_requests_total{code=200,job=web}',
    'http_requests_total{code=404,job=web}',
  ]);
  // Regexes are anchored: "20" does not match "200".
  assert.deepEqual(store.select([name, { type: '=~', name: 'code', value: '20' }], T0, T0), []);
  assert.deepEqual(keys(store.select([name, { type: '!~', name: 'code', value: '[24]..' }], T0, T0)), [
    'http_requests_total{code=500,job=api,path=/a}',
  ]);
  // A regex on __name__ alone.
  assert.equal(store.select([{ type: '=~', name: '__name__', value: 'http_.*' }], T0, T0).length, 4);
  assert.equal(store.select([{ type: '!~', name: '__name__', value: 'http_.*' }], T0, T0).length, 2);
});

test('absent labels match the empty string; empty label values are not stored', () => {
  const store = sampleStore();
  const name = eq('__name__', 'http_requests_total');
  assert.deepEqual(keys(store.select([name, eq('path', '')], T0, T0)), [
    'http_requests_total{code=200,job=web}',
    'http_requests_total{code=404,job=web}',
  ]);
  assert.deepEqual(keys(store.select([name, { type: '!=', name: 'path', value: '' }], T0, T0)), [
    'http_requests_total{code=200,job=api,path=/a}',
    'http_requests_total{code=500,job=api,path=/a}',
  ]);
  assert.equal(store.select([name, { type: '=~', name: 'path', value: '/a|' }], T0, T0).length, 4);
  assert.equal(store.select([name, { type: '=~', name: 'path', value: '.+' }], T0, T0).length, 2);
  const web404 = store.select([name, eq('code', '404')], T0, T0)[0];
  assert.deepEqual(web404.labels, { __name__: 'http_requests_total', job: 'web', code: '404' });
  // Labels with "" are the same series as without them.
  assert.equal(store.append({ __name__: 'up', job: 'api', extra: '' }, T0 + 1, 1), 'ok');
  assert.equal(store.select([eq('__name__', 'up'), eq('job', 'api')], T0, T0 + 1)[0].samples.length, 2);
});

test('select returns the samples in [start, end] in time order, across chunks', () => {
  const store = new MemorySeriesStore({ retentionMs: 1e9 });
  const labels = { __name__: 'm', i: '1' };
  const n = CHUNK_CAPACITY * 3 + 7;
  for (let i = 0; i < n; i++) assert.equal(store.append(labels, T0 + i * 1000, i), 'ok');
  const all = store.select([eq('__name__', 'm')], T0, T0 + n * 1000)[0].samples;
  assert.equal(all.length, n);
  assert.deepEqual(all[0], [T0, 0]);
  assert.deepEqual(all[n - 1], [T0 + (n - 1) * 1000, n - 1]);
  for (let i = 1; i < n; i++) assert.ok(all[i][0] > all[i - 1][0]);
  const window = store.select([eq('__name__', 'm')], T0 + 127_500, T0 + 130_000)[0].samples;
  assert.deepEqual(window, [
    [T0 + 128_000, 128],
    [T0 + 129_000, 129],
    [T0 + 130_000, 130],
  ]);
  assert.deepEqual(store.select([eq('__name__', 'm')], T0 - 10_000, T0 - 1), []);
  const stats = store.stats();
  assert.equal(stats.series, 1);
  assert.equal(stats.samples, n);
  assert.equal(stats.chunks, 4);
});

test('out-of-order samples are refused and duplicates ignored', () => {
  const store = new MemorySeriesStore();
  const labels = { __name__: 'm' };
  assert.equal(store.append(labels, T0 + 1000, 1), 'ok');
  assert.equal(store.append(labels, T0 + 1000, 2), 'duplicate');
  assert.equal(store.append(labels, T0, 3), 'out-of-order');
  assert.deepEqual(store.select([eq('__name__', 'm')], 0, Infinity)[0].samples, [[T0 + 1000, 1]]);
});

test('the stale marker keeps its bit pattern; an ordinary NaN is a value', () => {
  const store = new MemorySeriesStore();
  store.append({ __name__: 'a' }, T0, NaN);
  store.append({ __name__: 'a' }, T0 + 1, STALE_NAN);
  store.append({ __name__: 'b' }, T0, Infinity);
  store.append({ __name__: 'c' }, T0, -Infinity);
  const [first, second] = store.select([eq('__name__', 'a')], 0, Infinity)[0].samples;
  assert.ok(Number.isNaN(first[1]) && !isStaleSample(first));
  assert.ok(isStaleSample(second) && second[2] === true);
  assert.equal(store.select([eq('__name__', 'b')], 0, Infinity)[0].samples[0][1], Infinity);
  assert.equal(store.select([eq('__name__', 'c')], 0, Infinity)[0].samples[0][1], -Infinity);
});

test('a series missing from the next scrape of its target gets one stale marker', () => {
  const store = new MemorySeriesStore();
  const a = { __name__: 'm', x: 'a' };
  const b = { __name__: 'm', x: 'b' };
  store.commitScrape('t1', [{ labels: a, value: 1 }, { labels: b, value: 2 }], T0);
  store.commitScrape('t1', [{ labels: a, value: 3 }], T0 + 15_000);
  store.commitScrape('t1', [{ labels: a, value: 4 }], T0 + 30_000);
  const sb = store.select([eq('x', 'b')], 0, Infinity)[0].samples;
  assert.equal(sb.length, 2);
  assert.deepEqual(sb[0], [T0, 2]);
  assert.equal(sb[1][0], T0 + 15_000);
  assert.ok(isStaleSample(sb[1]));
  assert.deepEqual(store.select([eq('x', 'a')], 0, Infinity)[0].samples.map((s) => s[1]), [1, 3, 4]);
  // It comes back: ordinary samples again.
  store.commitScrape('t1', [{ labels: a, value: 5 }, { labels: b, value: 6 }], T0 + 45_000);
  const back = store.select([eq('x', 'b')], 0, Infinity)[0].samples;
  assert.deepEqual(back[2], [T0 + 45_000, 6]);
});

test('another target scraping the same series does not make it stale', () => {
  const store = new MemorySeriesStore();
  const shared = { __name__: 'm' };
  store.commitScrape('t1', [{ labels: shared, value: 1 }], T0);
  store.commitScrape('t2', [], T0 + 1);
  const samples = store.select([eq('__name__', 'm')], 0, Infinity)[0].samples;
  assert.deepEqual(samples, [[T0, 1]]);
});

test('a failed scrape marks every series of the target stale, once', () => {
  const store = new MemorySeriesStore();
  const a = { __name__: 'm', x: 'a' };
  const b = { __name__: 'm', x: 'b' };
  const other = { __name__: 'm', x: 'other' };
  store.commitScrape('t1', [{ labels: a, value: 1 }, { labels: b, value: 2 }], T0);
  store.commitScrape('t2', [{ labels: other, value: 9 }], T0);
  store.failScrape('t1', T0 + 15_000);
  store.failScrape('t1', T0 + 30_000);
  for (const x of ['a', 'b']) {
    const s = store.select([eq('x', x)], 0, Infinity)[0].samples;
    assert.equal(s.length, 2, x);
    assert.equal(s[1][0], T0 + 15_000);
    assert.ok(isStaleSample(s[1]));
  }
  assert.equal(store.select([eq('x', 'other')], 0, Infinity)[0].samples.length, 1);
  // Recovery: new samples, and no marker for the series the failed scrape had "lost".
  store.commitScrape('t1', [{ labels: a, value: 7 }], T0 + 45_000);
  assert.deepEqual(store.select([eq('x', 'a')], 0, Infinity)[0].samples[2], [T0 + 45_000, 7]);
  assert.equal(store.select([eq('x', 'b')], 0, Infinity)[0].samples.length, 2);
  // Dropping the target marks what it still had.
  store.dropTarget('t1', T0 + 60_000);
  const last = store.select([eq('x', 'a')], 0, Infinity)[0].samples.at(-1)!;
  assert.equal(last[0], T0 + 60_000);
  assert.ok(isStaleSample(last));
  assert.equal(store.markStale(a, T0 + 70_000), false, 'already stale');
});

test('retention drops old samples and forgets series left without samples', () => {
  const store = new MemorySeriesStore({ retentionMs: 60_000, gcIntervalMs: 1000 });
  const keep = { __name__: 'keep' };
  const gone = { __name__: 'gone', pod: 'p1' };
  store.append(gone, T0, 1);
  for (let i = 0; i <= 300; i++) store.append(keep, T0 + i * 1000, i);
  const samples = store.select([eq('__name__', 'keep')], 0, Infinity)[0].samples;
  assert.ok(samples.length <= 62 && samples.length >= 60, `kept ${samples.length}`);
  assert.ok(samples[0][0] >= T0 + 300_000 - 61_000);
  assert.deepEqual(samples.at(-1), [T0 + 300_000, 300]);
  assert.deepEqual(store.select([eq('__name__', 'gone')], 0, Infinity), []);
  assert.deepEqual(store.labelValues('pod'), []);
  assert.deepEqual(store.labelValues('__name__'), ['keep']);
  // An explicit gc cuts exactly at its bound.
  store.gc(T0 + 299_500);
  assert.deepEqual(store.select([eq('__name__', 'keep')], 0, Infinity)[0].samples, [[T0 + 300_000, 300]]);
  assert.equal(store.stats().samples, 1);
});

test('series(), labelNames(), labelValues() and latest()', () => {
  const store = sampleStore();
  assert.deepEqual(store.labelNames(), ['__name__', 'code', 'job', 'path']);
  assert.deepEqual(store.labelValues('job'), ['api', 'web']);
  assert.equal(store.series([eq('job', 'web')]).length, 3);
  assert.equal(store.series().length, 6);
  assert.deepEqual(store.latest({ job: 'web', __name__: 'up' }), [T0, 0]);
  assert.equal(store.latest({ __name__: 'missing' }), undefined);
});

test('many series: index-based select stays correct', () => {
  const store = new MemorySeriesStore();
  for (let i = 0; i < 5000; i++) {
    store.append({ __name__: `metric_${i % 10}`, pod: `pod-${i}`, ns: `ns-${i % 7}` }, T0, i);
  }
  const r = store.select([eq('__name__', 'metric_3'), eq('ns', 'ns-2')], T0, T0);
  const expected = [];
  for (let i = 0; i < 5000; i++) if (i % 10 === 3 && i % 7 === 2) expected.push(i);
  assert.deepEqual(r.map((s) => s.samples[0][1]).sort((a, b) => a - b), expected);
  assert.equal(store.select([{ type: '=~', name: 'pod', value: 'pod-(1|22)' }], T0, T0).length, 2);
  assert.ok(store.stats().chunkBytes < 5000 * 16 * 16, 'small chunks for series with few samples');
});
