/** The one managed-scope rule the Gateway and the Orchestrator share. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isManagedScope } from '../../src/api/v1alpha1/managed-scope.ts';

const MANAGED = { 'kubernaut.ai/managed': 'true' };

test('the target, its root owner or its namespace labelled managed="true" puts the signal in scope', () => {
  assert.equal(isManagedScope({ target: MANAGED, rootOwner: {}, namespace: {} }), true);
  assert.equal(isManagedScope({ target: {}, rootOwner: MANAGED, namespace: {} }), true);
  assert.equal(isManagedScope({ target: {}, rootOwner: {}, namespace: MANAGED }), true);
});

test('nothing labelled, a missing object, or any other value is out of scope', () => {
  assert.equal(isManagedScope({ target: { app: 'web' }, rootOwner: { app: 'web' }, namespace: { team: 'shop' } }), false);
  assert.equal(isManagedScope({ target: undefined, rootOwner: undefined, namespace: undefined }), false);
  for (const value of ['True', 'yes', '1', 'false', '']) {
    assert.equal(isManagedScope({ target: { 'kubernaut.ai/managed': value }, rootOwner: {}, namespace: {} }), false, value);
  }
});
