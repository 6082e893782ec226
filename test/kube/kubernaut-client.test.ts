/**
 * KubernautClient against the real embedded API server: typed reads, idempotent creates,
 * status read-modify-write under concurrent writers, metadata patches, deletes, write reports.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubernautKind } from '../../src/api/v1alpha1/index.ts';
import { AlreadyExistsError, KubernautClient, type KubernautObject } from '../../src/kube/kubernaut-client.ts';
import { controllerReference, hasFinalizer, withFinalizer, withoutFinalizer } from '../../src/kube/ownership.ts';
import { eventually } from '../helpers/kubernaut-process.ts';
import { BreakableProxy, remediationRequest, signalProcessing, startKubeEnv, type KubeEnv } from './fixtures.ts';

let env: KubeEnv;
let client: KubernautClient;

before(async () => {
  env = await startKubeEnv();
  client = new KubernautClient(env.kc);
});

after(async () => {
  await env?.stop();
});

test('get answers the typed object or undefined; list by namespace and label', async () => {
  const ns = await env.namespace('read');
  await client.create('RemediationRequest', remediationRequest(ns, 'one', { tier: 'web' }));
  await client.create('RemediationRequest', remediationRequest(ns, 'two', { tier: 'db' }));
  const one = await client.get('RemediationRequest', { namespace: ns, name: 'one' });
  assert.equal(one?.spec.signalName, 'KubePodCrashLooping');
  assert.equal(one?.kind, 'RemediationRequest');
  assert.equal(await client.get('RemediationRequest', { namespace: ns, name: 'missing' }), undefined);
  assert.deepEqual((await client.list('RemediationRequest', ns)).map((r) => r.metadata?.name).sort(), ['one', 'two']);
  assert.deepEqual((await client.list('RemediationRequest', ns, { labelSelector: 'tier=db' })).map((r) => r.metadata?.name), ['two']);
  const everywhere = await client.list('RemediationRequest');
  assert.ok(everywhere.every((r) => r.kind === 'RemediationRequest' && r.apiVersion === 'kubernaut.ai/v1alpha1'));
});

test('create is idempotent for the same controller owner and refuses an object of another owner', async () => {
  const ns = await env.namespace('create');
  const rr = await client.create('RemediationRequest', remediationRequest(ns, 'parent'));
  const otherRr = await client.create('RemediationRequest', remediationRequest(ns, 'other-parent'));
  const child = { ...signalProcessing(ns, 'sp-parent', 'parent'), metadata: { name: 'sp-parent', namespace: ns, ownerReferences: [controllerReference(rr)] } };
  const first = await client.create('SignalProcessing', child);
  const again = await client.create('SignalProcessing', child);
  assert.equal(again.metadata?.uid, first.metadata?.uid, 'the existing child is returned');
  assert.equal(again.metadata?.resourceVersion, first.metadata?.resourceVersion, 'and not written again');

  const foreign = { ...child, metadata: { ...child.metadata, ownerReferences: [controllerReference(otherRr)] } };
  await assert.rejects(client.create('SignalProcessing', foreign), (err: unknown) => {
    assert.ok(err instanceof AlreadyExistsError);
    assert.equal(err.code, 409);
    assert.equal(err.existingOwnerUid, rr.metadata?.uid);
    assert.match(err.message, new RegExp(`SignalProcessing ${ns}/sp-parent already exists and is controlled by uid ${rr.metadata?.uid}`));
    return true;
  });
  // Without an owner nothing proves the existing object is ours.
  await client.create('RemediationRequest', remediationRequest(ns, 'top-level'));
  await assert.rejects(client.create('RemediationRequest', remediationRequest(ns, 'top-level')), AlreadyExistsError);
});

test('updateStatus retries on conflict: two concurrent writers both count', async () => {
  const ns = await env.namespace('status');
  await client.create('RemediationRequest', remediationRequest(ns, 'counted'));
  const key = { namespace: ns, name: 'counted' };
  const writers = [new KubernautClient(env.kc), new KubernautClient(env.kc)];
  let calls = 0;
  const increment = (c: KubernautClient) =>
    c.updateStatus('RemediationRequest', key, (rr) => {
      calls++;
      return { ...rr.status, deduplication: { ...rr.status?.deduplication, occurrenceCount: (rr.status?.deduplication?.occurrenceCount ?? 0) + 1 } };
    });
  const rounds = 10;
  await Promise.all(writers.map(async (w) => {
    for (let i = 0; i < rounds; i++) await increment(w);
  }));
  const final = await client.get('RemediationRequest', key);
  assert.equal(final?.status?.deduplication?.occurrenceCount, 2 * rounds, 'no increment lost');
  assert.ok(calls >= 2 * rounds, `mutate is called again after a conflict (${calls} calls)`);
});

test('updateStatus re-reads and calls mutate again when another writer got in between', async () => {
  const ns = await env.namespace('conflict');
  await client.create('RemediationRequest', remediationRequest(ns, 'contended'));
  const key = { namespace: ns, name: 'contended' };
  const proxy = await new BreakableProxy(env.kubernaut.url).start();
  try {
    const slow = new KubernautClient(env.kcFor(proxy.url));
    const seenBySlow: (number | undefined)[] = [];
    // The slow writer's first PUT waits at the proxy until the other writer has written.
    proxy.hold((req) => req.method === 'PUT');
    const slowWrite = slow.updateStatus('RemediationRequest', key, (rr) => {
      seenBySlow.push(rr.status?.deduplication?.occurrenceCount);
      return { ...rr.status, deduplication: { occurrenceCount: (rr.status?.deduplication?.occurrenceCount ?? 0) + 1 } };
    });
    await eventually(() => proxy.heldRequests === 1, 'slow PUT parked');
    await client.updateStatus('RemediationRequest', key, (rr) => ({ ...rr.status, deduplication: { occurrenceCount: (rr.status?.deduplication?.occurrenceCount ?? 0) + 1 } }));
    proxy.release();
    const result = await slowWrite;
    assert.deepEqual(seenBySlow, [undefined, 1], 'second attempt computed from the fresh copy');
    assert.equal(result?.status?.deduplication?.occurrenceCount, 2);
  } finally {
    await proxy.stop();
  }
});

test('updateStatus skips the write when mutate reports no change, and fails for a missing object', async () => {
  const ns = await env.namespace('nochange');
  const created = await client.create('RemediationRequest', remediationRequest(ns, 'quiet'));
  const key = { namespace: ns, name: 'quiet' };
  assert.equal(await client.updateStatus('RemediationRequest', key, () => undefined), undefined);
  assert.equal((await client.get('RemediationRequest', key))?.metadata?.resourceVersion, created.metadata?.resourceVersion);
  const updated = await client.updateStatus('RemediationRequest', key, (rr) => ({ ...rr.status, overallPhase: 'Pending' }));
  assert.equal(updated?.status?.overallPhase, 'Pending');
  assert.equal(updated?.spec.signalName, 'KubePodCrashLooping', 'the whole object comes back');
  await assert.rejects(client.updateStatus('RemediationRequest', { namespace: ns, name: 'missing' }, () => ({})), (err: { code?: number }) => err.code === 404);
});

test('patchMetadata merges labels and finalizers; a stale resourceVersion is a conflict', async () => {
  const ns = await env.namespace('meta');
  const rr = await client.create('RemediationRequest', remediationRequest(ns, 'labelled', { keep: 'yes' }));
  const key = { namespace: ns, name: 'labelled' };
  const withF = await client.patchMetadata('RemediationRequest', key, { labels: { added: 'x' }, finalizers: withFinalizer(rr, 'kubernaut.ai/cleanup') });
  assert.deepEqual(withF.metadata?.labels, { keep: 'yes', added: 'x' });
  assert.ok(hasFinalizer(withF, 'kubernaut.ai/cleanup'));
  await assert.rejects(client.patchMetadata('RemediationRequest', key, { resourceVersion: rr.metadata?.resourceVersion, labels: { late: 'x' } }), (err: { code?: number }) => err.code === 409);
  const without = await client.patchMetadata('RemediationRequest', key, { finalizers: withoutFinalizer(withF, 'kubernaut.ai/cleanup'), resourceVersion: withF.metadata?.resourceVersion });
  assert.equal(hasFinalizer(without, 'kubernaut.ai/cleanup'), false);
});

test('delete answers whether there was something to delete; uid precondition protects a newer object', async () => {
  const ns = await env.namespace('delete');
  const key = { namespace: ns, name: 'doomed' };
  const old = await client.create('RemediationRequest', remediationRequest(ns, 'doomed'));
  assert.equal(await client.delete('RemediationRequest', key, { propagationPolicy: 'Background' }), true);
  assert.equal(await client.delete('RemediationRequest', key), false);
  await client.create('RemediationRequest', remediationRequest(ns, 'doomed'));
  assert.equal(await client.delete('RemediationRequest', key, { uid: old.metadata?.uid }), false, 'the new object is not the one meant');
  assert.ok(await client.get('RemediationRequest', key));
});

test('onWrite reports every successful write with the answered object', async () => {
  const ns = await env.namespace('onwrite');
  const writes: string[] = [];
  const reporting = new KubernautClient(env.kc, {
    onWrite: (kind: KubernautKind, obj: KubernautObject, deleted?: boolean) => writes.push(`${kind} ${obj.metadata?.name} ${deleted ? 'deleted' : obj.metadata?.resourceVersion}`),
  });
  const key = { namespace: ns, name: 'reported' };
  const created = await reporting.create('RemediationRequest', remediationRequest(ns, 'reported'));
  const updated = await reporting.updateStatus('RemediationRequest', key, (rr) => ({ ...rr.status, overallPhase: 'Processing' }));
  await reporting.updateStatus('RemediationRequest', key, () => undefined);
  const patched = await reporting.patchMetadata('RemediationRequest', key, { annotations: { a: 'b' } });
  await reporting.get('RemediationRequest', key);
  await reporting.delete('RemediationRequest', key);
  assert.deepEqual(writes, [
    `RemediationRequest reported ${created.metadata?.resourceVersion}`,
    `RemediationRequest reported ${updated?.metadata?.resourceVersion}`,
    `RemediationRequest reported ${patched.metadata?.resourceVersion}`,
    'RemediationRequest reported deleted',
  ]);
});
