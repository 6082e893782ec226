/** The pure delivery decisions: back-off, per-channel state, the next step, the status counters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, DEFAULT_RETRY_POLICY, mergeAttempts, nextStep, retryPolicyOf, type DeliveryAttempt } from '../../../src/remediation/notification/delivery-plan.ts';
import { finalStatus, withAttempts } from '../../../src/remediation/notification/status-updates.ts';
import { notification } from './fixtures.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const attempt = (channel: string, n: number, s: number, status = 'failed'): DeliveryAttempt => ({ channel, attempt: n, timestamp: at(s), status, ...(status === 'success' ? {} : { error: 'boom' }) });

test('back-off: initial × multiplier^(failures-1), capped', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffMs(DEFAULT_RETRY_POLICY, n) / 1000), [30, 60, 120, 240, 480, 480]);
  assert.deepEqual(retryPolicyOf(notification({ retryPolicy: { maxAttempts: 99 } })), { ...DEFAULT_RETRY_POLICY, maxAttempts: 20 });
});

test('next step: new channels due at once; a failed one waits its back-off; a delivered one is never due again', () => {
  const p = DEFAULT_RETRY_POLICY;
  assert.deepEqual(nextStep(['a', 'b'], [], p, T0), { kind: 'send', due: ['a', 'b'] });
  const attempts = [attempt('a', 1, 0, 'success'), attempt('b', 1, 0)];
  const wait = nextStep(['a', 'b'], attempts, p, T0 + 10_000);
  assert.equal(wait.kind, 'wait');
  assert.equal(wait.kind === 'wait' && wait.afterMs, 20_000);
  assert.deepEqual(nextStep(['a', 'b'], attempts, p, T0 + 30_000), { kind: 'send', due: ['b'] });
  // The back-off in real time under a time scale of 60.
  const scaled = nextStep(['b'], attempts, p, T0 + 100, (ms) => ms / 60);
  assert.equal(scaled.kind === 'wait' && scaled.afterMs, 400);
});

test('finish: Sent, PartiallySent after maxAttempts, Failed; a permanent failure gives up at once', () => {
  const p = { ...DEFAULT_RETRY_POLICY, maxAttempts: 2 };
  const ok = [attempt('a', 1, 0, 'success')];
  assert.deepEqual(nextStep(['a'], ok, p, T0), { kind: 'finish', phase: 'Sent', delivered: ['a'], failed: [] });
  const partial = nextStep(['a', 'b'], [...ok, attempt('b', 1, 0), attempt('b', 2, 30)], p, T0 + 60_000);
  assert.equal(partial.kind === 'finish' && partial.phase, 'PartiallySent');
  const failed = nextStep(['c'], [attempt('c', 1, 0, 'permanent-failure')], p, T0);
  assert.equal(failed.kind === 'finish' && failed.phase, 'Failed');
  assert.deepEqual(nextStep([], [], p, T0), { kind: 'finish', phase: 'Sent', delivered: [], failed: [] });
  // Attempts of a channel routing no longer chooses do not count.
  assert.deepEqual(nextStep(['a'], [...ok, attempt('gone', 1, 0)], p, T0).kind, 'finish');
});

test('attempts are recorded once; counters add up (total = successful + failed)', () => {
  const nr = notification();
  const s1 = withAttempts(nr, [attempt('a', 1, 0, 'success'), attempt('b', 1, 0)]);
  const s2 = withAttempts({ ...nr, status: s1 }, [attempt('b', 1, 0), attempt('b', 2, 30)]);
  assert.deepEqual([s2.deliveryAttempts?.length, s2.totalAttempts, s2.successfulDeliveries, s2.failedDeliveries], [3, 3, 1, 2]);
  assert.equal(mergeAttempts(Array.from({ length: 200 }, (_, i) => attempt('x', i + 1, i)), [attempt('y', 1, 0, 'success')]).length, 200);
  const done = finalStatus({ ...nr, status: s2 }, 'PartiallySent', ['a'], [{ channel: 'b', attempts: 2, delivered: false, exhausted: true, lastError: 'boom' }], new Date(T0));
  assert.equal(done.conditions?.[0]?.message, 'delivered to a; not to b: boom');
  assert.equal(done.completionTime, at(0));
});
