/** The memory of alerts counted by failed requests: keyed by the notification as sent, forgotten after the retry window. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetriedNotifications } from '../../src/gateway/retried-notifications.ts';
import type { SignalOutcome } from '../../src/gateway/signal-pipeline.ts';
import type { NormalizedSignal } from '../../src/gateway/signal.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

const signal = (payload: string, source: NormalizedSignal['source'] = 'prometheus'): NormalizedSignal => ({
  source, name: 'A', severity: 'critical', firingTime: new Date(0), labels: {}, annotations: {}, originalPayload: payload,
});
const created: SignalOutcome = { status: 'created', remediationRequest: 'rr-1', namespace: 'ns', fingerprint: 'f', occurrenceCount: 1 };

test('a counted notification is remembered for the retry window, only the very same one matches', async () => {
  const clock = new ManualClock();
  const memory = new RetriedNotifications(clock, 60_000);
  memory.rememberCounted(signal('{"a":1}'), created);
  assert.deepEqual(memory.earlierDecision(signal('{"a":1}')), created);
  assert.equal(memory.earlierDecision(signal('{"a":2}')), undefined, 'another payload is another notification');
  assert.equal(memory.earlierDecision(signal('{"a":1}', 'kubernetes-events')), undefined, 'another adapter');
  await clock.advance(60_001);
  assert.equal(memory.earlierDecision(signal('{"a":1}')), undefined, 'forgotten after the window');
});

test('decisions that counted nothing are not remembered', () => {
  const memory = new RetriedNotifications(new ManualClock(), 60_000);
  memory.rememberCounted(signal('x'), { status: 'rejected', reason: 'unmanaged', message: 'm', fingerprint: 'f' });
  memory.rememberCounted(signal('y'), { status: 'resolved', fingerprint: 'f' });
  assert.equal(memory.earlierDecision(signal('x')), undefined);
  assert.equal(memory.earlierDecision(signal('y')), undefined);
});
