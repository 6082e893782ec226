import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, ScaledClock } from '../../src/platform/clock.ts';

test('time scale divides waits but timestamps stay real', async () => {
  const clock = new ScaledClock(100);
  const before = Date.now();
  await clock.sleep(3000); // 3 s nominal = 30 ms real
  const waited = Date.now() - before;
  assert.ok(waited < 1000, `waited ${waited} ms`);
  assert.ok(Math.abs(clock.nowMs() - Date.now()) < 50);
  assert.equal(clock.scaled(180_000), 1800);
  assert.equal(clock.nominal(1800), 180_000);
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
