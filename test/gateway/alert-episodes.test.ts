/**
 * Which RemediationRequest takes a repeat of a signal: running RRs take every repeat; finished ones
 * only during the Orchestrator's nextAllowedExecution, and a NoActionRequired one only for its own
 * alert episode (the same startsAt).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { absorbsRepeats, type RemediationRequest } from '../../src/gateway/remediation-requests.ts';

const NOW = new Date('2026-11-26T12:00:00Z');
const EPISODE = new Date('2026-11-26T11:50:00Z');
const LATER_EPISODE = new Date('2026-11-26T11:58:00Z');
const future = new Date(NOW.getTime() + 60_000).toISOString();
const past = new Date(NOW.getTime() - 1).toISOString();

function rr(status: RemediationRequest['status']): RemediationRequest {
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'RemediationRequest',
    metadata: { name: 'rr-x', namespace: 'shop' },
    spec: {
      signalFingerprint: 'a'.repeat(64), signalName: 'KubePodCrashLooping', severity: 'critical', signalType: 'alert', signalSource: 'prometheus',
      targetType: 'kubernetes', targetResource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' },
      firingTime: EPISODE.toISOString(), receivedTime: EPISODE.toISOString(),
    },
    status,
  };
}

test('a running RR (no phase yet, Blocked, Executing ...) takes every repeat, whatever its episode', () => {
  for (const status of [undefined, { overallPhase: 'Blocked' as const }, { overallPhase: 'Executing' as const }]) {
    assert.equal(absorbsRepeats(rr(status), NOW, EPISODE), true);
    assert.equal(absorbsRepeats(rr(status), NOW, LATER_EPISODE), true);
  }
});

test('a failed RR takes repeats of any episode while its backoff runs, none afterwards', () => {
  assert.equal(absorbsRepeats(rr({ overallPhase: 'Failed', nextAllowedExecution: future }), NOW, LATER_EPISODE), true);
  assert.equal(absorbsRepeats(rr({ overallPhase: 'TimedOut', nextAllowedExecution: future }), NOW, EPISODE), true);
  assert.equal(absorbsRepeats(rr({ overallPhase: 'Failed', nextAllowedExecution: past }), NOW, EPISODE), false);
  assert.equal(absorbsRepeats(rr({ overallPhase: 'Completed', outcome: 'Remediated' }), NOW, EPISODE), false);
});

test('a NoActionRequired RR takes only its own episode, and only while suppressed', () => {
  const done = (nextAllowedExecution: string) => rr({ overallPhase: 'Completed', outcome: 'NoActionRequired', nextAllowedExecution });
  assert.equal(absorbsRepeats(done(future), NOW, new Date(EPISODE.getTime())), true, 'same startsAt: a re-send of the episode');
  assert.equal(absorbsRepeats(done(future), NOW, LATER_EPISODE), false, 'fired again: a new episode');
  assert.equal(absorbsRepeats(done(future), NOW, new Date(EPISODE.getTime() - 60_000)), false, 'another episode');
  assert.equal(absorbsRepeats(done(past), NOW, EPISODE), false, 'suppression over');
});
