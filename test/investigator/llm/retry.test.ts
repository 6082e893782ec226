/** The shared retry wrapper on its own: back-off bounds, caller aborts, a stuck SDK call. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffDelay, callWithRetries, type RetryPolicy } from '../../../src/investigator/llm/retry.ts';
import { LlmError } from '../../../src/investigator/llm/types.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { InstantSleepClock } from './fake-server.ts';

const policy: RetryPolicy = { maxRetries: 3, initialDelayMs: 1000, maxDelayMs: 8000, maxRetryAfterMs: 60_000, attemptTimeoutMs: 5000 };
const serverError = () => ({ error: new LlmError('p', 'server', 'boom', 500), retryable: true });

describe('callWithRetries', () => {
  test('back-off doubles per retry, is capped, and jitters within [step/2, step]', () => {
    assert.equal(backoffDelay(0, policy, () => 0), 500);
    assert.equal(backoffDelay(0, policy, () => 0.999999), 1000);
    assert.equal(backoffDelay(2, policy, () => 0), 2000);
    assert.equal(backoffDelay(10, policy, () => 0.999999), 8000);
  });

  test('retries transient failures, then succeeds', async () => {
    const clock = new InstantSleepClock();
    let calls = 0;
    const result = await callWithRetries(
      async () => {
        if (++calls < 3) throw new Error('transient');
        return 'ok';
      },
      { provider: 'p', clock, policy, classify: serverError, random: () => 0.5 },
    );
    assert.equal(result, 'ok');
    assert.deepEqual(clock.sleeps, [750, 1500]);
  });

  test('a caller abort ends the call at once with the caller reason, also while waiting to retry', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    let calls = 0;
    const call = callWithRetries(
      async () => {
        calls++;
        throw new Error('transient');
      },
      { provider: 'p', clock, policy, classify: serverError, signal: controller.signal },
    );
    await clock.advance(0);
    assert.equal(calls, 1);
    controller.abort(new Error('investigation cancelled'));
    await assert.rejects(call, /investigation cancelled/);
    assert.equal(calls, 1);
  });

  test('an attempt that ignores its abort signal is abandoned at the timeout', async () => {
    const clock = new ManualClock();
    const call = callWithRetries(() => new Promise<never>(() => {}), { provider: 'p', clock, policy, classify: serverError });
    const outcome = call.then(
      () => 'resolved',
      (err: unknown) => err,
    );
    await clock.advance(5000);
    const err = await outcome;
    assert.ok(err instanceof LlmError);
    assert.equal(err.kind, 'timeout');
  });
});
