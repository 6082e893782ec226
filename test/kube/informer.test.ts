/**
 * The Informer against the real embedded API server: events and cache, selectors, indexers, our
 * own writes shown at once (and never regressed by older watch events), failing handlers, resync,
 * and recovery from a lost connection and from a watch too old for the watch cache (410).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import type { RemediationRequest, SignalProcessing } from '../../src/api/v1alpha1/index.ts';
import { ScaledClock } from '../../src/platform/clock.ts';
import { Informer, type InformerEvent } from '../../src/kube/informer.ts';
import { KubernautClient } from '../../src/kube/kubernaut-client.ts';
import { controllerReference } from '../../src/kube/ownership.ts';
import { CORE_RESOURCES, KUBERNAUT_RESOURCES } from '../../src/kube/resource.ts';
import { eventually } from '../helpers/kubernaut-process.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { BreakableProxy, remediationRequest, signalProcessing, startKubeEnv, type KubeEnv } from './fixtures.ts';

// A small watch cache, so that a watch parked for a while resumes from an expired resourceVersion.
const WATCH_CACHE = 50;

let env: KubeEnv;
let client: KubernautClient;
const clock = new ScaledClock(10);
const informers: Informer<any>[] = [];

before(async () => {
  env = await startKubeEnv(['--watch-cache-size', String(WATCH_CACHE)]);
  client = new KubernautClient(env.kc);
});

after(async () => {
  await Promise.all(informers.map((i) => i.stop()));
  await env?.stop();
});

function rrInformer(opts: ConstructorParameters<typeof Informer<RemediationRequest>>[3] = {}, kc = env.kc, c = clock): Informer<RemediationRequest> {
  const informer = new Informer<RemediationRequest>(kc, KUBERNAUT_RESOURCES.RemediationRequest, c, opts);
  informers.push(informer);
  return informer;
}

interface Seen {
  event: InformerEvent;
  name: string;
  rv?: string;
  oldRv?: string;
  labels?: Record<string, string>;
}

function record<T extends RemediationRequest | SignalProcessing | V1ConfigMap>(informer: Informer<T>): Seen[] {
  const seen: Seen[] = [];
  informer.onEvent((event, obj, old) => seen.push({ event, name: obj.metadata!.name!, rv: obj.metadata?.resourceVersion, oldRv: old?.metadata?.resourceVersion, labels: obj.metadata?.labels }));
  return seen;
}

test('delivers add, update and delete and keeps the cache in step', async () => {
  const ns = await env.namespace('events');
  await client.create('RemediationRequest', remediationRequest(ns, 'before-start'));
  const informer = rrInformer({ namespace: ns });
  const seen = record(informer);
  await informer.start();
  assert.equal(informer.hasSynced(), true);
  assert.deepEqual(seen.map((s) => `${s.event} ${s.name}`), ['add before-start']);

  const created = await client.create('RemediationRequest', remediationRequest(ns, 'rr-1'));
  await eventually(() => informer.get({ namespace: ns, name: 'rr-1' }), 'rr-1 cached');
  const patched = await client.patchMetadata('RemediationRequest', { namespace: ns, name: 'rr-1' }, { labels: { step: 'two' } });
  await eventually(() => informer.get({ namespace: ns, name: 'rr-1' })?.metadata?.labels?.step === 'two', 'rr-1 updated');
  await client.delete('RemediationRequest', { namespace: ns, name: 'rr-1' });
  await eventually(() => seen.some((s) => s.event === 'delete' && s.name === 'rr-1'), 'rr-1 deleted');

  const ofRr1 = seen.filter((s) => s.name === 'rr-1');
  assert.deepEqual(ofRr1.map((s) => s.event), ['add', 'update', 'delete']);
  assert.equal(ofRr1[0].rv, created.metadata!.resourceVersion);
  assert.equal(ofRr1[1].rv, patched.metadata!.resourceVersion);
  assert.equal(ofRr1[1].oldRv, created.metadata!.resourceVersion, 'update carries the previous copy');
  assert.equal(informer.get({ namespace: ns, name: 'rr-1' }), undefined);
  assert.deepEqual(informer.list(ns).map((o) => o.metadata!.name), ['before-start']);
  // Objects of a list carry their type, like watch events do.
  assert.equal(informer.get({ namespace: ns, name: 'before-start' })?.kind, 'RemediationRequest');
});

test('a handler added later first gets the cached objects; a throwing handler does not stop the others', async () => {
  const ns = await env.namespace('handlers');
  await client.create('RemediationRequest', remediationRequest(ns, 'a'));
  const informer = rrInformer({ namespace: ns });
  informer.onEvent(() => {
    throw new Error('handler bug');
  });
  await informer.start();
  const late = record(informer);
  assert.deepEqual(late.map((s) => `${s.event} ${s.name}`), ['add a']);
  await client.create('RemediationRequest', remediationRequest(ns, 'b'));
  await eventually(() => late.some((s) => s.name === 'b'), 'b delivered past the failing handler');
  assert.equal(informer.list().length, 2);
});

test('namespace, label and field selectors limit what is cached', async () => {
  const ns = await env.namespace('selected');
  const other = await env.namespace('other');
  await client.create('RemediationRequest', remediationRequest(ns, 'team-a', { team: 'a' }));
  await client.create('RemediationRequest', remediationRequest(ns, 'team-b', { team: 'b' }));
  await client.create('RemediationRequest', remediationRequest(other, 'elsewhere', { team: 'a' }));
  const byLabel = rrInformer({ namespace: ns, labelSelector: 'team=a' });
  const byField = rrInformer({ fieldSelector: `metadata.name=elsewhere` });
  const seen = record(byLabel);
  await Promise.all([byLabel.start(), byField.start()]);
  assert.deepEqual(byLabel.list().map((o) => o.metadata!.name), ['team-a']);
  assert.deepEqual(byField.list().map((o) => `${o.metadata!.namespace}/${o.metadata!.name}`), [`${other}/elsewhere`]);

  // An object that starts matching arrives; one that stops matching leaves.
  await client.patchMetadata('RemediationRequest', { namespace: ns, name: 'team-b' }, { labels: { team: 'a' } });
  await eventually(() => byLabel.get({ namespace: ns, name: 'team-b' }), 'team-b now selected');
  await client.patchMetadata('RemediationRequest', { namespace: ns, name: 'team-a' }, { labels: { team: 'c' } });
  await eventually(() => !byLabel.get({ namespace: ns, name: 'team-a' }), 'team-a no longer selected');
  assert.deepEqual(seen.map((s) => `${s.event} ${s.name}`), ['add team-a', 'add team-b', 'delete team-a']);
  await client.create('RemediationRequest', remediationRequest(other, 'not-selected', { team: 'a' }));
  await client.create('RemediationRequest', remediationRequest(ns, 'selected-last', { team: 'a' }));
  await eventually(() => byLabel.get({ namespace: ns, name: 'selected-last' }), 'selected-last cached');
  assert.equal(byLabel.list().length, 2, 'nothing of another namespace');
});

test('indexes by namespace, by controller owner and by custom indexers', async () => {
  const ns = await env.namespace('indexed');
  const rr1 = await client.create('RemediationRequest', remediationRequest(ns, 'rr-1'));
  const rr2 = await client.create('RemediationRequest', remediationRequest(ns, 'rr-2'));
  const sps = new Informer<SignalProcessing>(env.kc, KUBERNAUT_RESOURCES.SignalProcessing, clock, {
    indexers: { remediation: (sp) => [sp.spec.remediationRequestRef.name] },
  });
  informers.push(sps);
  await sps.start();
  const owned = (rr: RemediationRequest, name: string): SignalProcessing => ({ ...signalProcessing(ns, name, rr.metadata!.name!), metadata: { name, namespace: ns, ownerReferences: [controllerReference(rr)] } });
  await client.create('SignalProcessing', owned(rr1, 'sp-1a'));
  await client.create('SignalProcessing', owned(rr1, 'sp-1b'));
  await client.create('SignalProcessing', owned(rr2, 'sp-2'));
  await client.create('SignalProcessing', signalProcessing(ns, 'sp-orphan', 'rr-2'));
  await eventually(() => sps.list(ns).length === 4, 'four SPs cached');

  const names = (objs: SignalProcessing[]) => objs.map((o) => o.metadata!.name).sort();
  assert.deepEqual(names(sps.byIndex('owner', rr1.metadata!.uid!)), ['sp-1a', 'sp-1b']);
  assert.deepEqual(names(sps.byIndex('owner', rr2.metadata!.uid!)), ['sp-2']);
  assert.deepEqual(names(sps.byIndex('namespace', ns)), ['sp-1a', 'sp-1b', 'sp-2', 'sp-orphan']);
  assert.deepEqual(names(sps.byIndex('remediation', 'rr-2')), ['sp-2', 'sp-orphan']);
  assert.throws(() => sps.byIndex('nope', 'x'), /no index named "nope"/);

  await client.delete('SignalProcessing', { namespace: ns, name: 'sp-1a' });
  await eventually(() => sps.byIndex('owner', rr1.metadata!.uid!).length === 1, 'index follows deletes');
});

test('reflectWrite shows our own writes at once and older watch events never bring back the old state', async () => {
  const ns = await env.namespace('reflect');
  const informer = rrInformer({ namespace: ns });
  const writer = new KubernautClient(env.kc);
  writer.reflectInto('RemediationRequest', informer);
  const seen = record(informer);
  await informer.start();
  const key = { namespace: ns, name: 'mine' };

  const created = await writer.create('RemediationRequest', remediationRequest(ns, 'mine'));
  assert.equal(informer.get(key)?.metadata?.resourceVersion, created.metadata!.resourceVersion, 'visible right after the create returns');
  let last = created;
  for (let i = 1; i <= 5; i++) {
    last = (await writer.updateStatus('RemediationRequest', key, (rr) => ({ ...rr.status, deduplication: { occurrenceCount: i } })))!;
    assert.equal(informer.get(key)?.status?.deduplication?.occurrenceCount, i, `write ${i} visible at once`);
  }
  // Someone else's write: once the watch shows it, every event of ours has come by too.
  await client.patchMetadata('RemediationRequest', key, { labels: { by: 'someone-else' } });
  await eventually(() => informer.get(key)?.metadata?.labels?.by === 'someone-else', 'foreign write seen through the watch');
  assert.equal(informer.get(key)?.status?.deduplication?.occurrenceCount, 5);
  const rvs = seen.filter((s) => s.name === 'mine').map((s) => BigInt(s.rv!));
  assert.deepEqual(rvs, [...rvs].sort((a, b) => (a < b ? -1 : 1)), 'handlers saw every resourceVersion once, in order');
  assert.equal(new Set(rvs).size, rvs.length);
  assert.ok(rvs.length >= 7, `create, 5 status writes and the label: ${rvs.length} events`);

  // Explicit: an older copy is ignored, a non-integer resourceVersion cannot be ordered and is taken.
  const current = informer.get(key)!;
  informer.reflectWrite({ ...last, metadata: { ...last.metadata, resourceVersion: created.metadata!.resourceVersion } });
  assert.equal(informer.get(key)?.metadata?.resourceVersion, current.metadata?.resourceVersion);
  informer.reflectWrite({ ...current, metadata: { ...current.metadata, resourceVersion: 'opaque-1' }, status: { overallPhase: 'Pending' } });
  assert.equal(informer.get(key)?.status?.overallPhase, 'Pending');

  // A delete of ours is gone at once and its watch event is not delivered a second time.
  await writer.delete('RemediationRequest', key);
  assert.equal(informer.get(key), undefined);
  await writer.create('RemediationRequest', remediationRequest(ns, 'marker'));
  await eventually(() => seen.some((s) => s.name === 'marker' && s.event === 'add'), 'marker');
  await client.patchMetadata('RemediationRequest', { namespace: ns, name: 'marker' }, { labels: { x: 'y' } });
  await eventually(() => informer.get({ namespace: ns, name: 'marker' })?.metadata?.labels?.x === 'y', 'watch caught up');
  assert.equal(seen.filter((s) => s.name === 'mine' && s.event === 'delete').length, 1);
  assert.equal(informer.get(key), undefined, 'no stale event resurrected it');
});

test('resync re-delivers every cached object as an update on the clock', async () => {
  const ns = await env.namespace('resync');
  await client.create('RemediationRequest', remediationRequest(ns, 'r1'));
  await client.create('RemediationRequest', remediationRequest(ns, 'r2'));
  const manual = new ManualClock();
  const informer = rrInformer({ namespace: ns, resyncMs: 60_000 }, env.kc, manual);
  const seen = record(informer);
  await informer.start();
  assert.equal(seen.length, 2);
  manual.advanceNow(59_999);
  assert.equal(seen.length, 2, 'not before the period');
  manual.advanceNow(1);
  assert.deepEqual(seen.slice(2).map((s) => `${s.event} ${s.name} ${s.rv === s.oldRv}`).sort(), ['update r1 true', 'update r2 true']);
  manual.advanceNow(60_000);
  assert.equal(seen.length, 6);
});

test('after the connection is lost it lists again and delivers exactly what changed meanwhile', async () => {
  const ns = await env.namespace('relist');
  for (const name of ['kept', 'changed', 'removed']) await client.create('RemediationRequest', remediationRequest(ns, name));
  const proxy = await new BreakableProxy(env.kubernaut.url).start();
  try {
    const informer = rrInformer({ namespace: ns }, env.kcFor(proxy.url));
    const seen = record(informer);
    await informer.start();
    assert.equal(seen.length, 3);
    const listsBefore = proxy.listRequests;

    proxy.cut();
    await client.create('RemediationRequest', remediationRequest(ns, 'added'));
    await client.patchMetadata('RemediationRequest', { namespace: ns, name: 'changed' }, { labels: { v: '2' } });
    await client.delete('RemediationRequest', { namespace: ns, name: 'removed' });
    proxy.restore();

    await eventually(() => informer.list().length === 3 && informer.get({ namespace: ns, name: 'added' }), 'cache caught up');
    await eventually(() => informer.get({ namespace: ns, name: 'changed' })?.metadata?.labels?.v === '2', 'change caught up');
    assert.ok(proxy.listRequests > listsBefore, 'listed again');
    assert.deepEqual(seen.slice(3).map((s) => `${s.event} ${s.name}`).sort(), ['add added', 'delete removed', 'update changed']);
    // And it watches again: a later change arrives as an event.
    await client.create('RemediationRequest', remediationRequest(ns, 'later'));
    await eventually(() => informer.get({ namespace: ns, name: 'later' }), 'watching again');
    await informer.stop();
  } finally {
    await proxy.stop();
  }
});

test('a watch whose resourceVersion left the watch cache (410) lists again and delivers the differences', async () => {
  const ns = await env.namespace('expired');
  await client.create('RemediationRequest', remediationRequest(ns, 'old'));
  const proxy = await new BreakableProxy(env.kubernaut.url).start();
  const core = env.kc.makeApiClient(CoreV1Api);
  try {
    const informer = rrInformer({ namespace: ns }, env.kcFor(proxy.url));
    const seen = record(informer);
    await informer.start();
    await eventually(() => proxy.watchRequests >= 1, 'watching');

    // The next watch is parked while more changes than the watch cache holds happen.
    proxy.holdWatches();
    proxy.dropConnections();
    await eventually(() => proxy.heldRequests >= 1, 'informer asked to watch again');
    const listsBefore = proxy.listRequests;
    await client.create('RemediationRequest', remediationRequest(ns, 'new'));
    await client.delete('RemediationRequest', { namespace: ns, name: 'old' });
    for (let i = 0; i < WATCH_CACHE + 5; i++) await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `filler-${i}` } } });
    proxy.release();

    await eventually(() => informer.get({ namespace: ns, name: 'new' }) && !informer.get({ namespace: ns, name: 'old' }), 'differences delivered');
    assert.ok(proxy.listRequests > listsBefore, 'listed again after the expired watch');
    assert.deepEqual(seen.map((s) => `${s.event} ${s.name}`), ['add old', 'add new', 'delete old']);
    await informer.stop();
  } finally {
    proxy.release();
    await proxy.stop();
  }
});

test('watches built-in kinds too, with their type filled in', async () => {
  const ns = await env.namespace('core');
  const core = env.kc.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'listed' }, data: { a: '1' } } });
  const informer = new Informer<V1ConfigMap>(env.kc, CORE_RESOURCES.configMaps, clock, { namespace: ns });
  informers.push(informer);
  await informer.start();
  const listed = informer.get({ namespace: ns, name: 'listed' })!;
  assert.equal(listed.kind, 'ConfigMap');
  assert.equal(listed.apiVersion, 'v1');
  assert.equal(typeof listed.metadata?.creationTimestamp, 'string', 'the JSON as sent, like watch events');
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'watched' } } });
  await eventually(() => informer.get({ namespace: ns, name: 'watched' }), 'watched');
});
