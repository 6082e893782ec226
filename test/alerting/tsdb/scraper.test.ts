import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemorySeriesStore } from '../../../src/alerting/tsdb/store.ts';
import { Scraper, applyTargetLabels, instanceOf, targetLabels, type ScrapeResult, type ScrapeTarget } from '../../../src/alerting/tsdb/scraper.ts';
import { isStaleSample, type Matcher } from '../../../src/alerting/promql/storage.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function text(body: string, status = 200): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body);
  };
}

const eq = (name: string, value: string): Matcher => ({ type: '=', name, value });

function values(store: MemorySeriesStore, matchers: Matcher[]): number[] {
  const found = store.select(matchers, 0, Infinity);
  assert.equal(found.length, 1, `one series for ${JSON.stringify(matchers)}, got ${found.length}`);
  return found[0].samples.map((s) => s[1]);
}

function target(url: string, extra: Partial<ScrapeTarget> = {}): ScrapeTarget {
  return { jobName: 'ksm', url, intervalMs: 15_000, timeoutMs: 10_000, ...extra };
}

test('a target may name its own instance (stable across address changes); job always comes from the job name', () => {
  assert.deepEqual(targetLabels(target('http://127.0.0.1:8080/metrics')), { job: 'ksm', instance: '127.0.0.1:8080' });
  assert.deepEqual(targetLabels(target('http://127.0.0.1:8080/metrics', { labels: { instance: 'kube-state-metrics', env: 'demo' } })), {
    job: 'ksm',
    instance: 'kube-state-metrics',
    env: 'demo',
  });
  assert.equal(targetLabels(target('http://127.0.0.1:8080/metrics', { labels: { job: 'other' } })).job, 'ksm');
});

test('instance label and honor_labels=false conflict handling', () => {
  assert.equal(instanceOf('http://127.0.0.1:8080/metrics'), '127.0.0.1:8080');
  assert.equal(instanceOf('http://example.com/metrics'), 'example.com:80');
  assert.equal(instanceOf('https://example.com/metrics'), 'example.com:443');
  assert.deepEqual(applyTargetLabels({ __name__: 'm', job: 'inner', a: '1' }, { job: 'outer', instance: 'h:1' }), {
    __name__: 'm',
    a: '1',
    job: 'outer',
    exported_job: 'inner',
    instance: 'h:1',
  });
  assert.deepEqual(applyTargetLabels({ job: 'x', exported_job: 'y' }, { job: 'outer' }), {
    job: 'outer',
    exported_job: 'y',
    exported_exported_job: 'x',
  });
});

test('scrapes a real HTTP server: values change, target labels and scrape series are added', async () => {
  let value = 1;
  const srv = await serve((req, res) =>
    text(
      [
        '# TYPE kube_statefulset_status_replicas_ready gauge',
        `kube_statefulset_status_replicas_ready{namespace="demo",statefulset="kv-store"} ${value}`,
        '# TYPE conflict gauge',
        'conflict{job="scraped-job",instance="scraped-instance"} +Inf',
        '',
      ].join('\n'),
    )(req, res),
  );
  try {
    const clock = new ManualClock();
    const store = new MemorySeriesStore();
    const scraper = new Scraper({ store, clock, targets: [target(srv.url)] });
    const instance = new URL(srv.url).host;
    const t1 = clock.nowMs();
    const [r1] = await scraper.scrapeAll();
    assert.equal(r1.up, true);
    assert.equal(r1.samples, 2);
    value = 3;
    clock.advanceNow(15_000);
    await scraper.scrapeAll();

    const ready = store.select([eq('__name__', 'kube_statefulset_status_replicas_ready')], 0, Infinity);
    assert.equal(ready.length, 1);
    assert.deepEqual(ready[0].labels, {
      __name__: 'kube_statefulset_status_replicas_ready',
      namespace: 'demo',
      statefulset: 'kv-store',
      job: 'ksm',
      instance,
    });
    assert.deepEqual(ready[0].samples, [
      [t1, 1],
      [t1 + 15_000, 3],
    ]);
    const conflict = store.select([eq('__name__', 'conflict')], 0, Infinity)[0];
    assert.deepEqual(conflict.labels, {
      __name__: 'conflict',
      job: 'ksm',
      instance,
      exported_job: 'scraped-job',
      exported_instance: 'scraped-instance',
    });
    assert.equal(conflict.samples[0][1], Infinity);

    assert.deepEqual(values(store, [eq('__name__', 'up'), eq('job', 'ksm'), eq('instance', instance)]), [1, 1]);
    assert.deepEqual(values(store, [eq('__name__', 'scrape_samples_scraped')]), [2, 2]);
    const durations = values(store, [eq('__name__', 'scrape_duration_seconds')]);
    assert.equal(durations.length, 2);
    assert.ok(durations.every((d) => d >= 0 && Number.isFinite(d)));
    const [status] = scraper.targets();
    assert.equal(status.health, 'up');
    assert.equal(status.lastSamples, 2);
    assert.deepEqual(status.labels, { job: 'ksm', instance });
  } finally {
    await srv.close();
  }
});

test('a series that disappears from the exposition becomes stale', async () => {
  let withB = true;
  const srv = await serve((req, res) => text(`m{x="a"} 1\n${withB ? 'm{x="b"} 2\n' : ''}`)(req, res));
  try {
    const clock = new ManualClock();
    const store = new MemorySeriesStore();
    const scraper = new Scraper({ store, clock, targets: [target(srv.url)] });
    await scraper.scrapeAll();
    withB = false;
    clock.advanceNow(15_000);
    await scraper.scrapeAll();
    const b = store.select([eq('x', 'b')], 0, Infinity)[0].samples;
    assert.equal(b.length, 2);
    assert.ok(isStaleSample(b[1]));
    assert.deepEqual(values(store, [eq('x', 'a')]), [1, 1]);
    assert.deepEqual(values(store, [eq('__name__', 'up')]), [1, 1]);
  } finally {
    await srv.close();
  }
});

test('HTTP errors and unreachable targets give up=0 and stale series', async () => {
  let status = 200;
  const srv = await serve((req, res) => text('m 1\n', status)(req, res));
  const clock = new ManualClock();
  const store = new MemorySeriesStore();
  const scraper = new Scraper({ store, clock, targets: [target(srv.url)] });
  try {
    await scraper.scrapeAll();
    status = 500;
    clock.advanceNow(15_000);
    const [failed] = await scraper.scrapeAll();
    assert.equal(failed.up, false);
    assert.match(failed.error ?? '', /500/);
    const m = store.select([eq('__name__', 'm')], 0, Infinity)[0].samples;
    assert.equal(m.length, 2);
    assert.ok(isStaleSample(m[1]));
    assert.deepEqual(values(store, [eq('__name__', 'up')]), [1, 0]);
    assert.deepEqual(values(store, [eq('__name__', 'scrape_samples_scraped')]), [1, 0]);
    assert.equal(scraper.targets()[0].health, 'down');
    status = 200;
    clock.advanceNow(15_000);
    await scraper.scrapeAll();
    assert.deepEqual(values(store, [eq('__name__', 'up')]), [1, 0, 1]);
    assert.equal(store.select([eq('__name__', 'm')], 0, Infinity)[0].samples.at(-1)![1], 1);
  } finally {
    await srv.close();
  }
  // The server is gone: connection refused.
  clock.advanceNow(15_000);
  const [refused] = await scraper.scrapeAll();
  assert.equal(refused.up, false);
  assert.ok(refused.error);
  assert.deepEqual(values(store, [eq('__name__', 'up')]), [1, 0, 1, 0]);
  assert.ok(isStaleSample(store.select([eq('__name__', 'm')], 0, Infinity)[0].samples.at(-1)!));
});

test('unparsable exposition is a failed scrape', async () => {
  const srv = await serve(text('m{x="a"} notanumber\n'));
  try {
    const store = new MemorySeriesStore();
    const scraper = new Scraper({ store, clock: new ManualClock(), targets: [target(srv.url)] });
    const [r] = await scraper.scrapeAll();
    assert.equal(r.up, false);
    assert.deepEqual(values(store, [eq('__name__', 'up')]), [0]);
  } finally {
    await srv.close();
  }
});

test('the scrape timeout runs on the clock', async () => {
  let arrived!: () => void;
  const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
  const srv = await serve(() => arrived()); // never answers
  try {
    const clock = new ManualClock();
    const store = new MemorySeriesStore();
    const scraper = new Scraper({ store, clock, targets: [target(srv.url, { timeoutMs: 5000 })] });
    const pending = scraper.scrapeAll();
    await requestArrived;
    clock.advanceNow(5000);
    const [r] = await pending;
    assert.equal(r.up, false);
    assert.match(r.error ?? '', /timed out/);
    assert.deepEqual(values(store, [eq('__name__', 'up')]), [0]);
  } finally {
    await srv.close();
  }
});

test('start() scrapes on the clock interval; stop() cancels; removed targets go stale', async () => {
  let n = 0;
  const srv = await serve((req, res) => text(`counter_total ${++n}\n`)(req, res));
  try {
    const clock = new ManualClock();
    const store = new MemorySeriesStore();
    const results: ScrapeResult[] = [];
    let notify: (() => void) | undefined;
    const scraper = new Scraper({
      store,
      clock,
      targets: [target(srv.url)],
      onScrape: (r) => {
        results.push(r);
        notify?.();
      },
    });
    const nextScrape = () => new Promise<void>((resolve) => (notify = resolve));

    scraper.start();
    let wait = nextScrape();
    clock.advanceNow(0);
    await wait;
    assert.equal(results.length, 1);
    clock.advanceNow(14_999);
    assert.equal(results.length, 1, 'not before the interval');
    wait = nextScrape();
    clock.advanceNow(1);
    await wait;
    wait = nextScrape();
    clock.advanceNow(15_000);
    await wait;
    assert.equal(results.length, 3);
    assert.deepEqual(values(store, [eq('__name__', 'counter_total')]), [1, 2, 3]);

    // Removing the target marks its series (and up) stale.
    scraper.setTargets([]);
    assert.ok(isStaleSample(store.select([eq('__name__', 'counter_total')], 0, Infinity)[0].samples.at(-1)!));
    assert.ok(isStaleSample(store.select([eq('__name__', 'up')], 0, Infinity)[0].samples.at(-1)!));
    clock.advanceNow(60_000);
    assert.equal(results.length, 3);

    // A new target starts right away while running; stop() cancels its timers.
    scraper.setTargets([target(srv.url, { jobName: 'other' })]);
    wait = nextScrape();
    clock.advanceNow(0);
    await wait;
    assert.equal(results.at(-1)!.target.jobName, 'other');
    await scraper.stop();
    assert.equal(clock.pending, 0);
    clock.advanceNow(60_000);
    assert.equal(results.length, 4);
  } finally {
    await srv.close();
  }
});
