/** The one age order of RemediationRequests the Gateway and the Orchestrator share. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRemediationRequestAge, type RemediationRequest } from '../../src/api/v1alpha1/index.ts';

const rr = (name: string, creationTimestamp: string, createdAt?: string) =>
  ({ metadata: { name, creationTimestamp, ...(createdAt ? { annotations: { 'kubernaut.ai/created-at': createdAt } } : {}) } }) as unknown as RemediationRequest;

test('creationTimestamp first, then the millisecond receipt annotation, then the name', () => {
  const sorted = [
    rr('rr-c', '2026-12-07T10:00:01Z', '2026-12-07T10:00:01.900Z'),
    rr('rr-z', '2026-12-07T10:00:00Z', '2026-12-07T10:00:00.100Z'),
    rr('rr-a', '2026-12-07T10:00:00Z', '2026-12-07T10:00:00.800Z'),
    rr('rr-b', '2026-12-07T10:00:00Z'),
  ].sort(compareRemediationRequestAge).map((r) => r.metadata!.name);
  // Same second: rr-z was received first although its name sorts last; no annotation sorts after one.
  assert.deepEqual(sorted, ['rr-z', 'rr-a', 'rr-b', 'rr-c']);
});

test('identical times fall back to the name, so the order is total', () => {
  const a = rr('rr-a', '2026-12-07T10:00:00Z', '2026-12-07T10:00:00.100Z');
  const b = rr('rr-b', '2026-12-07T10:00:00Z', '2026-12-07T10:00:00.100Z');
  assert.ok(compareRemediationRequestAge(a, b) < 0);
  assert.ok(compareRemediationRequestAge(b, a) > 0);
  assert.equal(compareRemediationRequestAge(a, a), 0);
});
