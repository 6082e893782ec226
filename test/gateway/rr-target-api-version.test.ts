/** The RR's spec.targetResource carries the apiVersion of each kind the Gateway targets, whatever version the signal named. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateTarget } from '../../src/gateway/target-validation.ts';
import { buildRemediationRequest } from '../../src/gateway/remediation-requests.ts';
import type { NormalizedSignal, ResourceRef } from '../../src/gateway/signal.ts';

const EXPECTED: Array<[kind: string, apiVersion: string, namespace: string]> = [
  ['Pod', 'v1', 'shop'],
  ['Service', 'v1', 'shop'],
  ['PersistentVolumeClaim', 'v1', 'shop'],
  ['Node', 'v1', ''],
  ['Deployment', 'apps/v1', 'shop'],
  ['StatefulSet', 'apps/v1', 'shop'],
  ['DaemonSet', 'apps/v1', 'shop'],
  ['ReplicaSet', 'apps/v1', 'shop'],
  ['Job', 'batch/v1', 'shop'],
  ['CronJob', 'batch/v1', 'shop'],
  ['HorizontalPodAutoscaler', 'autoscaling/v2', 'shop'],
  ['PodDisruptionBudget', 'policy/v1', 'shop'],
];

function rrTargetOf(ref: ResourceRef) {
  const valid = validateTarget(ref);
  assert.ok('target' in valid, JSON.stringify(valid));
  const signal: NormalizedSignal = { source: 'prometheus', name: 'A', severity: 'critical', target: ref, firingTime: new Date(), labels: {}, annotations: {}, originalPayload: '{}' };
  return buildRemediationRequest({ signal, target: valid.target, fingerprint: 'a'.repeat(64), namespace: 'shop', receivedAt: new Date() }).spec.targetResource;
}

for (const [kind, apiVersion, namespace] of EXPECTED) {
  test(`${kind} -> apiVersion ${apiVersion}`, () => {
    assert.deepEqual(rrTargetOf({ kind, name: 'x', namespace }), { apiVersion, kind, name: 'x', namespace });
  });
}

test('an Event naming an older version of the same group gets the kind\'s own apiVersion', () => {
  assert.equal(rrTargetOf({ kind: 'HorizontalPodAutoscaler', name: 'web', namespace: 'shop', apiVersion: 'autoscaling/v1' }).apiVersion, 'autoscaling/v2');
});
