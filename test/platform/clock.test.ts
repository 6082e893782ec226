import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, ScaledClock } from '../../src/platform/clock.ts';

// Node's mock timers stand in for the real setTimeout and Date, so what is checked is when the
// clock's timers are due, not how fast this machine happens to run them.
test('time scale divides waits but timestamps stay real', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: Date.parse('2026-11-26T12:00:00Z') });
  const clock = new ScaledClock(100);
  assert.equal(clock.scaled(180_000), 1800);
  assert.equal(clock.nominal(1800), 180_000);

  let slept = false;
  const sleeping = clock.sleep(3000).then(() => (slept = true)); // 3 s nominal = 30 ms real
  let fired = 0;
  clock.setTimeout(() => fired++, 3000);
  let ticks = 0;
  const interval = clock.setInterval(() => ticks++, 1000); // every 10 ms real

  t.mock.timers.tick(29);
  await Promise.resolve();
  assert.deepEqual({ slept, fired, ticks }, { slept: false, fired: 0, ticks: 2 });
  t.mock.timers.tick(1);
  await sleeping;
  assert.deepEqual({ slept, fired, ticks }, { slept: true, fired: 1, ticks: 3 });
  // Timestamps are the wall clock's, never scaled: 30 ms of real time passed, not 3 s.
  assert.equal(clock.nowMs(), Date.parse('2026-11-26T12:00:00.030Z'));
  assert.equal(clock.now().toISOString(), '2026-11-26T12:00:00.030Z');

  interval.cancel();
  t.mock.timers.tick(1000);
  assert.equal(ticks, 3);
});

test('sleep can be aborted', async () => {
  const clock = new ScaledClock(1);
  const ac = new AbortController();
  const p = clock.sleep(60_000, ac.signal);
  ac.abort(new Error('stop'));
  await assert.rejects(p, /stop/);
});

test('invalid time scales are refused', () => {
  assert.throws(() => new ScaledClock(0));
  assert.throws(() => new ScaledClock(Number.NaN));
});

test('durations parse like Prometheus/Go durations', () => {
  assert.equal(parseDuration('3m'), 180_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.throws(() => parseDuration('3 minutes'));
  assert.throws(() => parseDuration(''));
});
