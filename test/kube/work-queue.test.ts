/**
 * WorkQueue semantics on a ManualClock: dedup, one worker per key, delayed adds merging into the
 * earliest, per-key exponential back-off, the overall rate limit, the retry cap, shutdown, metrics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { WorkQueue } from '../../src/kube/work-queue.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

/** Takes every key available right now (get() of a non-empty queue resolves at once). */
async function drain(q: WorkQueue): Promise<string[]> {
  const keys: string[] = [];
  while (q.len() > 0) keys.push((await q.get())!);
  return keys;
}

test('a key added many times is queued once, in first-added order', async () => {
  const q = new WorkQueue(new ManualClock(), { name: 'dedup' });
  for (const k of ['a', 'b', 'a', 'c', 'b', 'a']) q.add(k);
  assert.equal(q.len(), 3);
  assert.deepEqual(await drain(q), ['a', 'b', 'c']);
});

test('a key re-added while being processed is handed out again only after done', async () => {
  const q = new WorkQueue(new ManualClock(), { name: 'processing' });
  q.add('a');
  const first = await q.get();
  assert.equal(first, 'a');
  q.add('a');
  q.add('a');
  assert.equal(q.len(), 0, 'not handed to a second worker while the first has it');
  let second: string | undefined;
  const waiting = q.get().then((k) => (second = k));
  await new Promise((r) => setImmediate(r));
  assert.equal(second, undefined);
  q.done('a');
  await waiting;
  assert.equal(second, 'a', 'processed once more after done');
  q.done('a');
  assert.equal(q.len(), 0, 'the two re-adds counted once');
});

test('a waiting worker gets the next key added', async () => {
  const q = new WorkQueue(new ManualClock(), { name: 'waiters' });
  const taken = Promise.all([q.get(), q.get()]);
  q.add('x');
  q.add('y');
  assert.deepEqual(await taken, ['x', 'y']);
});

test('addAfter waits on the clock and several delayed adds of a key merge into the earliest', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue(clock, { name: 'delayed' });
  q.addAfter('k', 1000);
  q.addAfter('k', 300);
  q.addAfter('k', 5000);
  assert.equal(q.delayedLen(), 1);
  clock.advanceNow(299);
  assert.equal(q.len(), 0);
  clock.advanceNow(1);
  assert.deepEqual(await drain(q), ['k'], 'at the earliest time');
  q.done('k');
  clock.advanceNow(10_000);
  assert.equal(q.len(), 0, 'the later ones were merged away, not kept');
  q.addAfter('now', 0);
  assert.equal(q.len(), 1, 'no delay: added at once');
});

test('addRateLimited backs off exponentially per key from 5 ms up to the cap; forget resets it', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue(clock, { name: 'backoff', maxDelayMs: 100, maxRetries: 100 });
  const delays: number[] = [];
  for (let i = 0; i < 7; i++) {
    q.addRateLimited('k');
    let waited = 0;
    while (q.len() === 0) {
      clock.advanceNow(1);
      waited++;
    }
    delays.push(waited);
    await q.get();
    q.done('k');
  }
  assert.deepEqual(delays, [5, 10, 20, 40, 80, 100, 100]);
  assert.equal(q.numRequeues('k'), 7);
  q.addRateLimited('other');
  clock.advanceNow(5);
  assert.equal(q.len(), 1, 'back-off is per key');
  q.forget('k');
  assert.equal(q.numRequeues('k'), 0);
  q.addRateLimited('k');
  clock.advanceNow(5);
  assert.equal(q.len(), 2, 'after forget the back-off starts over');
});

test('the overall token bucket spaces rate-limited adds of many keys once the burst is used', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue(clock, { name: 'bucket', ratePerSecond: 10, burst: 3, baseDelayMs: 1 });
  for (let i = 0; i < 6; i++) q.addRateLimited(`k${i}`);
  clock.advanceNow(1);
  assert.equal(q.len(), 3, 'the burst goes after the per-key back-off');
  clock.advanceNow(99);
  assert.equal(q.len(), 4, 'then one per 100 ms (10/s)');
  clock.advanceNow(100);
  assert.equal(q.len(), 5);
  clock.advanceNow(100);
  assert.equal(q.len(), 6);
});

test('after maxRetries failures a key is dropped and counted', async () => {
  const clock = new ManualClock();
  const registry = new Registry();
  const q = new WorkQueue(clock, { name: 'capped', maxRetries: 3 }, registry);
  const outcomes: boolean[] = [];
  for (let i = 0; i < 4; i++) outcomes.push(q.addRateLimited('bad'));
  assert.deepEqual(outcomes, [true, true, true, false]);
  assert.equal(q.numRequeues('bad'), 0, 'its history is forgotten');
  const text = await registry.metrics();
  assert.match(text, /workqueue_dropped_total\{name="capped"\} 1/);
  assert.match(text, /workqueue_retries_total\{name="capped"\} 3/);
});

test('metrics: depth, adds, queue and work durations, labelled by queue, several queues on one registry', async () => {
  const clock = new ManualClock();
  const registry = new Registry();
  const a = new WorkQueue(clock, { name: 'a' }, registry);
  const b = new WorkQueue(clock, { name: 'b' }, registry);
  a.add('1');
  a.add('2');
  a.add('1');
  b.add('x');
  let text = await registry.metrics();
  assert.match(text, /workqueue_depth\{name="a"\} 2/);
  assert.match(text, /workqueue_depth\{name="b"\} 1/);
  assert.match(text, /workqueue_adds_total\{name="a"\} 2/);
  clock.advanceNow(2000);
  const key = (await a.get())!;
  clock.advanceNow(500);
  a.done(key);
  text = await registry.metrics();
  assert.match(text, /workqueue_queue_duration_seconds_sum\{name="a"\} 2\b/);
  assert.match(text, /workqueue_work_duration_seconds_sum\{name="a"\} 0.5\b/);
  assert.match(text, /workqueue_depth\{name="a"\} 1/);
});

test('shutDown answers waiting and later get() with undefined, ignores adds and cancels delayed ones', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue(clock, { name: 'shutdown' });
  q.add('busy');
  const busy = (await q.get())!;
  q.addAfter('later', 100);
  const waiting = q.get();
  q.shutDown();
  assert.equal(await waiting, undefined);
  assert.equal(await q.get(), undefined);
  q.add('x');
  clock.advanceNow(1000);
  assert.equal(q.len(), 0);
  let idle = false;
  const idlePromise = q.idle().then(() => (idle = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(idle, false, 'a key is still being processed');
  q.done(busy);
  await idlePromise;
  assert.equal(clock.pending, 0, 'no timer left behind');
});
