/**
 * kubectl computes client-side apply patches from the strategic-merge metadata published in the
 * OpenAPI schemas; the server applies them with its own patch metadata. Both must agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinFieldFacts } from '../../../../src/cluster/apiserver/patch/builtin-meta.ts';
import { PATCH_STRATEGIES, builtinSchemas } from '../../../../src/cluster/apiserver/openapi/builtin-schemas.ts';

/**
 * Entries where the two tables knowingly differ. Kubernetes declares PodStatus
 * resourceClaimStatuses "merge,retainKeys"; the server's table says "merge". Status is not
 * something kubectl applies client-side, so the difference has no effect there.
 */
const KNOWN_DIFFERENCES = new Set(['V1PodStatus.resourceClaimStatuses']);

test('published patch strategies match the server patch metadata', () => {
  const builtins = builtinSchemas();
  const expected = new Map<string, string>();
  for (const [key, facts] of Object.entries(builtinFieldFacts)) {
    const strategy = [facts.patchStrategy === 'merge' ? 'merge' : '', facts.retainKeys ? 'retainKeys' : ''].filter(Boolean).join(',');
    if (!strategy || KNOWN_DIFFERENCES.has(key)) continue;
    const [model, field] = key.split('.');
    const name = builtins.catalog.definitionNames.get(model);
    assert.ok(name, `unknown model ${model}`);
    expected.set(`${name}.${field}`, `${strategy}/${facts.patchMergeKey ?? ''}`);
    const prop = builtins.definition(name)!.properties[field];
    assert.equal(prop['x-kubernetes-patch-strategy'], strategy, `${key} strategy`);
    assert.equal(prop['x-kubernetes-patch-merge-key'], facts.patchMergeKey, `${key} merge key`);
  }
  for (const [name, fields] of Object.entries(PATCH_STRATEGIES)) {
    for (const [field, [strategy, key]] of Object.entries(fields)) {
      if (name === 'io.k8s.api.core.v1.PodStatus' && field === 'resourceClaimStatuses') continue;
      assert.equal(expected.get(`${name}.${field}`), `${strategy}/${key ?? ''}`, `${name}.${field} is not in the server's patch metadata`);
    }
  }
});
