import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../../src/cluster/apiserver/errors.ts';
import type { KubeObject } from '../../../../src/cluster/core/types.ts';
import { applyJsonPatch, applyMergePatch } from '../../../../src/cluster/apiserver/patch/index.ts';

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'default', resourceVersion: '7', labels: { app: 'd', tier: 'web' } },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  };
}

function isApiError(code: number, reason: string, pattern?: RegExp) {
  return (e: unknown): boolean => e instanceof ApiError && e.code === code && e.reason === reason && (!pattern || pattern.test(e.message));
}

describe('JSON patch (RFC 6902)', () => {
  it('applies add/replace/remove/copy/move/test and returns a new object', () => {
    const doc = deployment();
    const before = structuredClone(doc);
    const out = applyJsonPatch(doc, [
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/metadata/labels/new', value: 'x' },
      { op: 'remove', path: '/metadata/labels/tier' },
      { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'side', image: 'busybox' } },
      { op: 'copy', from: '/spec/template/spec/containers/0/image', path: '/metadata/labels/image' },
      { op: 'move', from: '/metadata/labels/new', path: '/metadata/labels/moved' },
    ]);
    assert.equal(out.spec.replicas, 3);
    assert.deepEqual(out.metadata.labels, { app: 'd', image: 'nginx', moved: 'x' });
    assert.equal(out.spec.template.spec.containers[1].name, 'side');
    assert.deepEqual(doc, before, 'input untouched');
  });

  it('does not alias values from the operations into the result', () => {
    const value = { name: 'side', image: 'busybox' };
    const out = applyJsonPatch(deployment(), [{ op: 'add', path: '/spec/template/spec/containers/-', value }]);
    out.spec.template.spec.containers[1].image = 'changed';
    assert.equal(value.image, 'busybox');
  });

  it('answers 400 BadRequest for malformed patches', () => {
    assert.throws(() => applyJsonPatch(deployment(), { op: 'add' }), isApiError(400, 'BadRequest', /array/));
    assert.throws(() => applyJsonPatch(deployment(), [{ op: 'frob', path: '/a' }]), isApiError(400, 'BadRequest'));
    assert.throws(() => applyJsonPatch(deployment(), [{ op: 'add', path: 'no-slash', value: 1 }]), isApiError(400, 'BadRequest'));
    assert.throws(() => applyJsonPatch(deployment(), [{ op: 'replace', path: '/spec/replicas' }]), isApiError(400, 'BadRequest'));
    assert.throws(() => applyJsonPatch(deployment(), ['nope']), isApiError(400, 'BadRequest'));
    assert.throws(() => applyJsonPatch(deployment(), [{ op: 'replace', path: '', value: 5 }]), isApiError(400, 'BadRequest', /object/));
  });

  it('answers 422 Invalid when a well-formed patch does not apply (missing path, failed test)', () => {
    assert.throws(() => applyJsonPatch(deployment(), [{ op: 'replace', path: '/spec/nope', value: 1 }]), isApiError(422, 'Invalid', /replace operation on path "\/spec\/nope"/));
    assert.throws(() => applyJsonPatch(deployment(), [{ op: 'remove', path: '/metadata/annotations/x' }]), isApiError(422, 'Invalid'));
    assert.throws(() => applyJsonPatch(deployment(), [{ op: 'test', path: '/metadata/resourceVersion', value: '6' }]), isApiError(422, 'Invalid', /test failed/));
    assert.throws(() => applyJsonPatch(deployment(), [{ op: 'add', path: '/spec/template/spec/containers/5', value: {} }]), isApiError(422, 'Invalid'));
  });
});

describe('JSON patch limits', () => {
  it('refuses copies that add more than 3 MiB in all (each copy of the root doubles the object) with 422', () => {
    // 40 of these grew an object past any memory: the process died.
    const ops = Array.from({ length: 40 }, (_, i) => ({ op: 'copy', from: '', path: `/c${i}` }));
    assert.throws(() => applyJsonPatch(deployment(), ops), isApiError(422, 'Invalid', /Unable to complete the copy, the accumulated size increase of copy is \d+, exceeding the limit 3145728$/));
    // A few copies are fine.
    const out = applyJsonPatch(deployment(), ops.slice(0, 3));
    assert.deepEqual(Object.keys(out).filter((k) => k.startsWith('c')), ['c0', 'c1', 'c2']);
  });

  it('refuses a patch that nests the object deeper than a request body may be (a copy into itself), with 400', () => {
    let d: Record<string, unknown> = { x: 1 };
    for (let i = 0; i < 600; i++) d = { x: d };
    const doc = { ...deployment(), spec: { free: { d } } } as KubeObject;
    // 600 levels copied 600 levels down: 1,200 levels, which later handlers would overflow the stack on.
    const deeper = [{ op: 'copy', from: '/spec/free/d', path: '/spec/free/d' + '/x'.repeat(600) }];
    assert.throws(() => applyJsonPatch(doc, deeper), isApiError(400, 'BadRequest', /exceeded max depth$/));
    // An object stored that deep before the limit existed can still be patched (to let it go).
    const legacy = structuredClone(doc);
    (legacy.spec as any).free.e = structuredClone(d);
    let inner: any = (legacy.spec as any).free.e;
    for (let i = 0; i < 600; i++) inner = inner.x;
    inner.x = structuredClone(d);
    assert.equal(applyJsonPatch(legacy, [{ op: 'remove', path: '/spec/free/d' }]).metadata.name, 'd');
  });
});

describe('JSON merge patch (RFC 7386)', () => {
  it('merges maps, deletes with null and replaces lists', () => {
    const doc = deployment();
    const before = structuredClone(doc);
    const out = applyMergePatch(doc, {
      metadata: { labels: { tier: null, env: 'prod' } },
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'other', image: 'x' }] } } },
    });
    assert.deepEqual(out.metadata.labels, { app: 'd', env: 'prod' });
    assert.equal(out.spec.replicas, 2);
    assert.deepEqual(out.spec.template.spec.containers, [{ name: 'other', image: 'x' }]);
    assert.deepEqual(doc, before);
  });

  it('replaces scalars with objects and strips nulls inside new objects', () => {
    const out = applyMergePatch(deployment(), { spec: { replicas: { weird: 1, gone: null } } });
    assert.deepEqual(out.spec.replicas, { weird: 1 });
  });

  it('answers 400 when the patch is not an object', () => {
    for (const bad of [[], 'x', null, 3]) assert.throws(() => applyMergePatch(deployment(), bad), isApiError(400, 'BadRequest'));
  });
});
