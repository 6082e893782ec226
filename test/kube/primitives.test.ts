/** The small pure pieces: object keys, resource paths, resourceVersion order, conditions, ownership. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubernautCondition } from '../../src/api/v1alpha1/index.ts';
import { getCondition, isConditionFalse, isConditionTrue, removeCondition, setCondition } from '../../src/kube/conditions.ts';
import { keyOf, keyString, parseKey } from '../../src/kube/object-key.ts';
import { controllerOf, controllerReference, hasFinalizer, isControlledBy, withFinalizer, withoutFinalizer } from '../../src/kube/ownership.ts';
import { CORE_RESOURCES, KUBERNAUT_RESOURCES, apiVersionOf, resourcePath } from '../../src/kube/resource.ts';
import { isNewerResourceVersion, isStaleResourceVersion } from '../../src/kube/resource-version.ts';

test('object keys: "ns/name" or "name", both ways', () => {
  assert.deepEqual(keyOf({ metadata: { name: 'n', namespace: 'ns' } }), { namespace: 'ns', name: 'n' });
  assert.deepEqual(keyOf({ metadata: { name: 'node-1' } }), { namespace: '', name: 'node-1' });
  assert.equal(keyString({ namespace: 'ns', name: 'n' }), 'ns/n');
  assert.equal(keyString({ namespace: '', name: 'node-1' }), 'node-1');
  for (const k of [{ namespace: 'ns', name: 'n' }, { namespace: '', name: 'node-1' }]) assert.deepEqual(parseKey(keyString(k)), k);
});

test('resource paths of core, grouped and Kubernaut kinds', () => {
  assert.equal(resourcePath(CORE_RESOURCES.pods), '/api/v1/pods');
  assert.equal(resourcePath(CORE_RESOURCES.pods, 'demo'), '/api/v1/namespaces/demo/pods');
  assert.equal(resourcePath(CORE_RESOURCES.nodes, 'ignored'), '/api/v1/nodes', 'cluster-scoped kinds have no namespace');
  assert.equal(resourcePath(CORE_RESOURCES.leases, 'kube-system'), '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases');
  assert.equal(resourcePath(KUBERNAUT_RESOURCES.RemediationRequest, 'x'), '/apis/kubernaut.ai/v1alpha1/namespaces/x/remediationrequests');
  assert.equal(apiVersionOf(CORE_RESOURCES.configMaps), 'v1');
  assert.equal(apiVersionOf(KUBERNAUT_RESOURCES.AIAnalysis), 'kubernaut.ai/v1alpha1');
  assert.equal(KUBERNAUT_RESOURCES.AIAnalysis.plural, 'aianalyses');
  assert.equal(Object.keys(KUBERNAUT_RESOURCES).length, 8);
});

test('resourceVersions are ordered as integers when both are, else a different one is accepted', () => {
  assert.equal(isNewerResourceVersion('10', '9'), true, 'numerically, not as strings');
  assert.equal(isNewerResourceVersion('9', '10'), false);
  assert.equal(isNewerResourceVersion('10', '10'), false);
  assert.equal(isNewerResourceVersion('abc', '10'), true);
  assert.equal(isNewerResourceVersion('5', undefined), true);
  assert.equal(isStaleResourceVersion('9', '10'), true);
  assert.equal(isStaleResourceVersion('10', '10'), true);
  assert.equal(isStaleResourceVersion('x', '10'), false);
});

test('setCondition keeps lastTransitionTime while the status stays, moves it when the status changes', () => {
  const t1 = new Date('2026-01-01T00:00:00Z');
  const t2 = new Date('2026-01-01T00:05:00Z');
  const t3 = new Date('2026-01-01T00:10:00Z');
  const base: KubernautCondition[] = [{ type: 'Other', status: 'True', reason: 'R', message: 'm', lastTransitionTime: t1.toISOString() }];
  const c1 = setCondition(base, { type: 'Ready', status: 'False', reason: 'Waiting', message: 'not yet' }, { now: t1, observedGeneration: 1 });
  assert.equal(base.length, 1, 'input not mutated');
  assert.deepEqual(getCondition(c1, 'Ready'), { type: 'Ready', status: 'False', reason: 'Waiting', message: 'not yet', lastTransitionTime: t1.toISOString(), observedGeneration: 1 });
  const c2 = setCondition(c1, { type: 'Ready', status: 'False', reason: 'StillWaiting', message: 'soon' }, { now: t2, observedGeneration: 2 });
  assert.equal(getCondition(c2, 'Ready')?.lastTransitionTime, t1.toISOString(), 'same status: transition time kept');
  assert.equal(getCondition(c2, 'Ready')?.reason, 'StillWaiting');
  assert.equal(getCondition(c2, 'Ready')?.observedGeneration, 2);
  const c3 = setCondition(c2, { type: 'Ready', status: 'True', reason: 'Done', message: 'ok' }, { now: t3 });
  assert.equal(getCondition(c3, 'Ready')?.lastTransitionTime, t3.toISOString(), 'status changed: transition time moves');
  assert.deepEqual(c3.map((c) => c.type), ['Other', 'Ready'], 'one entry per type, order kept');
  assert.equal(isConditionTrue(c3, 'Ready'), true);
  assert.equal(isConditionFalse(c2, 'Ready'), true);
  assert.equal(isConditionTrue(undefined, 'Ready'), false);
  assert.deepEqual(removeCondition(c3, 'Other').map((c) => c.type), ['Ready']);
});

test('controller references, and finalizer lists for a metadata patch', () => {
  const owner = { apiVersion: 'kubernaut.ai/v1alpha1', kind: 'RemediationRequest', metadata: { name: 'rr', namespace: 'ns', uid: 'u-1' } };
  const ref = controllerReference(owner);
  assert.deepEqual(ref, { apiVersion: 'kubernaut.ai/v1alpha1', kind: 'RemediationRequest', name: 'rr', uid: 'u-1', controller: true, blockOwnerDeletion: true });
  assert.throws(() => controllerReference({ metadata: { name: 'no-uid' } }), /apiVersion, kind, metadata.name and metadata.uid are all required/);
  const child = { metadata: { name: 'c', ownerReferences: [{ ...ref, uid: 'other', controller: false }, ref], finalizers: ['a'] } };
  assert.equal(controllerOf(child)?.uid, 'u-1');
  assert.equal(controllerOf({ metadata: {} }), undefined);
  assert.equal(isControlledBy(child, 'u-1'), true);
  assert.equal(isControlledBy(child, 'other'), false);
  assert.deepEqual(withFinalizer(child, 'b'), ['a', 'b']);
  assert.deepEqual(withFinalizer(child, 'a'), ['a']);
  assert.deepEqual(withoutFinalizer(child, 'a'), []);
  assert.equal(hasFinalizer(child, 'a'), true);
  assert.equal(hasFinalizer({ metadata: {} }, 'a'), false);
  assert.deepEqual(child.metadata.finalizers, ['a'], 'the object is not changed');
});
