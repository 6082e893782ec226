/**
 * Controllers built with ControllerBuilder against the real embedded API server, on a ManualClock:
 * which events reconcile which key (for / owns / watches), workers only after the caches synced,
 * one reconcile per key at a time, errors retried with back-off then dropped, requeueAfter, stop.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import type { RemediationRequest, SignalProcessing } from '../../src/api/v1alpha1/index.ts';
import { ControllerBuilder, type Controller, type ReconcileResult } from '../../src/kube/controller.ts';
import { Informer } from '../../src/kube/informer.ts';
import { KubernautClient } from '../../src/kube/kubernaut-client.ts';
import { keyString, type ObjectKey } from '../../src/kube/object-key.ts';
import { controllerReference } from '../../src/kube/ownership.ts';
import { CORE_RESOURCES, KUBERNAUT_RESOURCES } from '../../src/kube/resource.ts';
import { eventually } from '../helpers/kubernaut-process.ts';
import { ManualClock, driveUntil } from '../helpers/manual-clock.ts';
import { remediationRequest, signalProcessing, startKubeEnv, type KubeEnv } from './fixtures.ts';

let env: KubeEnv;
let client: KubernautClient;
const controllers: Controller[] = [];

before(async () => {
  env = await startKubeEnv();
  client = new KubernautClient(env.kc);
});

after(async () => {
  await Promise.all(controllers.map((c) => c.stop()));
  await env?.stop();
});

/** A reconciler that records every call and answers what the test tells it to. */
class Recorder {
  readonly calls: string[] = [];
  inFlight = new Map<string, number>();
  maxInFlightPerKey = 0;
  maxInFlight = 0;
  answer: (key: ObjectKey, call: number) => Promise<ReconcileResult | void> | ReconcileResult | void = () => undefined;

  count(key: string): number {
    return this.calls.filter((k) => k === key).length;
  }

  readonly reconciler = {
    reconcile: async (key: ObjectKey): Promise<ReconcileResult | void> => {
      const k = keyString(key);
      this.calls.push(k);
      this.inFlight.set(k, (this.inFlight.get(k) ?? 0) + 1);
      this.maxInFlightPerKey = Math.max(this.maxInFlightPerKey, this.inFlight.get(k)!);
      this.maxInFlight = Math.max(this.maxInFlight, [...this.inFlight.values()].reduce((a, b) => a + b, 0));
      try {
        return await this.answer(key, this.count(k));
      } finally {
        this.inFlight.set(k, this.inFlight.get(k)! - 1);
      }
    },
  };
}

function informers(ns: string, clock: ManualClock) {
  return {
    rrs: new Informer<RemediationRequest>(env.kc, KUBERNAUT_RESOURCES.RemediationRequest, clock, { namespace: ns }),
    sps: new Informer<SignalProcessing>(env.kc, KUBERNAUT_RESOURCES.SignalProcessing, clock, { namespace: ns }),
    cms: new Informer<V1ConfigMap>(env.kc, CORE_RESOURCES.configMaps, clock, { namespace: ns }),
  };
}

function track(c: Controller): Controller {
  controllers.push(c);
  return c;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('for, owns and watches decide which key an event reconciles; workers start after the caches synced', async () => {
  const ns = await env.namespace('mapping');
  const clock = new ManualClock();
  const { rrs, sps, cms } = informers(ns, clock);
  const rr = await client.create('RemediationRequest', remediationRequest(ns, 'parent'));
  await client.create('RemediationRequest', remediationRequest(ns, 'sibling'));
  const rec = new Recorder();
  const syncedAtFirstCall: boolean[] = [];
  rec.answer = () => void syncedAtFirstCall.push(rrs.hasSynced() && sps.hasSynced() && cms.hasSynced() && rrs.list().length === 2);
  const controller = track(
    ControllerBuilder.named('mapping', { clock })
      .for(rrs)
      .owns(sps, 'RemediationRequest')
      // Every RR of the namespace depends on the ConfigMap "policy".
      .watches(cms, (cm: V1ConfigMap) => (cm.metadata?.name === 'policy' ? rrs.list(cm.metadata.namespace).map((r) => ({ namespace: ns, name: r.metadata!.name! })) : []))
      .workers(2)
      .complete(rec.reconciler),
  );
  await controller.start();
  const parent = `${ns}/parent`;
  const sibling = `${ns}/sibling`;
  await eventually(() => rec.count(parent) === 1 && rec.count(sibling) === 1, 'initial reconcile of both');
  assert.ok(syncedAtFirstCall.every(Boolean), 'no worker ran before every cache had synced');

  await client.create('SignalProcessing', { ...signalProcessing(ns, 'owned', 'parent'), metadata: { name: 'owned', namespace: ns, ownerReferences: [controllerReference(rr)] } });
  await eventually(() => rec.count(parent) === 2, 'child create reconciles its owner');
  await client.updateStatus('SignalProcessing', { namespace: ns, name: 'owned' }, () => ({ phase: 'Pending' }));
  await eventually(() => rec.count(parent) === 3, 'child status change reconciles its owner');

  // Not owned, or owned by another kind: nobody's business.
  await client.create('SignalProcessing', signalProcessing(ns, 'orphan', 'parent'));
  const foreignOwner = { ...controllerReference(rr), kind: 'WorkflowExecution', name: 'sibling' };
  await client.create('SignalProcessing', { ...signalProcessing(ns, 'foreign', 'sibling'), metadata: { name: 'foreign', namespace: ns, ownerReferences: [foreignOwner] } });
  const core = env.kc.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'unrelated' } } });
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'policy' } } });
  await eventually(() => rec.count(parent) === 4 && rec.count(sibling) === 2, 'the watched ConfigMap reconciles every RR');
  await client.delete('SignalProcessing', { namespace: ns, name: 'owned' });
  await eventually(() => rec.count(parent) === 5, 'child delete reconciles its owner');
  assert.equal(rec.count(sibling), 2, 'the orphan, the foreign-owned child and the other ConfigMap reconciled nothing');
  assert.deepEqual(new Set(rec.calls), new Set([parent, sibling]));
  await controller.stop();
});

test('a key is never reconciled twice at once; different keys run on parallel workers', async () => {
  const ns = await env.namespace('serial');
  const clock = new ManualClock();
  const { rrs } = informers(ns, clock);
  await client.create('RemediationRequest', remediationRequest(ns, 'a'));
  await client.create('RemediationRequest', remediationRequest(ns, 'b'));
  const rec = new Recorder();
  const gate = deferred();
  rec.answer = (_key, call) => (call === 1 ? gate.promise : undefined);
  const controller = track(ControllerBuilder.named('serial', { clock }).for(rrs).workers(4).complete(rec.reconciler));
  await controller.start();
  await eventually(() => rec.inFlight.get(`${ns}/a`) === 1 && rec.inFlight.get(`${ns}/b`) === 1, 'both keys in flight together');

  // Events for a key under way: it is reconciled once more, after the first one ends.
  for (let i = 0; i < 3; i++) await client.patchMetadata('RemediationRequest', { namespace: ns, name: 'a' }, { labels: { n: String(i) } });
  await eventually(() => rrs.get({ namespace: ns, name: 'a' })?.metadata?.labels?.n === '2', 'events delivered');
  controller.enqueue({ namespace: ns, name: 'a' });
  assert.equal(rec.count(`${ns}/a`), 1);
  gate.resolve();
  await eventually(() => rec.count(`${ns}/a`) === 2, 'a reconciled again after it finished');
  assert.equal(rec.maxInFlightPerKey, 1);
  assert.equal(rec.maxInFlight, 2);
  await controller.stop();
});

test('errors are retried with back-off and dropped after maxRetries; requeueAfterMs reconciles again on the clock', async () => {
  const ns = await env.namespace('retry');
  const clock = new ManualClock();
  const registry = new Registry();
  const { rrs } = informers(ns, clock);
  await client.create('RemediationRequest', remediationRequest(ns, 'flaky'));
  await client.create('RemediationRequest', remediationRequest(ns, 'broken'));
  await client.create('RemediationRequest', remediationRequest(ns, 'periodic'));
  const rec = new Recorder();
  const callTimes = new Map<string, number[]>();
  rec.answer = (key, call) => {
    const k = keyString(key);
    callTimes.set(k, [...(callTimes.get(k) ?? []), clock.nowMs()]);
    if (key.name === 'flaky' && call <= 2) throw new Error(`transient failure ${call}`);
    if (key.name === 'broken') throw new Error('always fails');
    if (key.name === 'periodic') return { requeueAfterMs: 30_000 };
  };
  const controller = track(ControllerBuilder.named('retry', { clock, registry, queue: { maxRetries: 3 } }).for(rrs).complete(rec.reconciler));
  await controller.start();
  const t0 = clock.nowMs();
  await driveUntil(clock, () => rec.count(`${ns}/flaky`) === 3, 'flaky succeeds on the third attempt', { stepMs: 1 });
  const flaky = callTimes.get(`${ns}/flaky`)!.map((t) => t - t0);
  assert.ok(flaky[1] - flaky[0] >= 5 && flaky[2] - flaky[1] >= 10, `back-off 5 ms then 10 ms: ${flaky}`);
  await driveUntil(clock, () => rec.count(`${ns}/broken`) === 4, 'broken tried 1 + 3 times', { stepMs: 5 });
  await driveUntil(clock, async () => /workqueue_dropped_total\{name="retry"\} 1/.test(await registry.metrics()), 'broken dropped');
  await clock.advance(60_000);
  assert.equal(rec.count(`${ns}/broken`), 4, 'a dropped key is not retried any more');
  assert.equal(rec.count(`${ns}/flaky`), 3, 'a key that succeeded is done');

  const periodic = callTimes.get(`${ns}/periodic`)!.map((t) => t - t0);
  assert.ok(periodic.length >= 2, `periodic reconciled every 30 s: ${periodic}`);
  assert.deepEqual(periodic.slice(1).map((t, i) => t - periodic[i]), periodic.slice(1).map(() => 30_000));
  const metrics = await registry.metrics();
  assert.match(metrics, /controller_reconcile_total\{controller="retry",result="error"\} 6/);
  assert.match(metrics, /controller_reconcile_total\{controller="retry",result="requeue_after"\} \d+/);
  await controller.stop();
});

test('stop waits for the reconciles under way and starts no more', async () => {
  const ns = await env.namespace('stop');
  const clock = new ManualClock();
  const { rrs } = informers(ns, clock);
  await client.create('RemediationRequest', remediationRequest(ns, 'busy'));
  const rec = new Recorder();
  const gate = deferred();
  rec.answer = () => gate.promise;
  const controller = ControllerBuilder.named('stop', { clock }).for(rrs).complete(rec.reconciler);
  await controller.start();
  await eventually(() => rec.inFlight.get(`${ns}/busy`) === 1, 'reconcile under way');
  let stopped = false;
  const stopping = controller.stop().then(() => (stopped = true));
  await client.create('RemediationRequest', remediationRequest(ns, 'after-stop'));
  await new Promise((r) => setImmediate(r));
  assert.equal(stopped, false, 'stop waits for the reconcile');
  gate.resolve();
  await stopping;
  assert.equal(rrs.isRunning(), false, 'the informer it started is stopped');
  assert.deepEqual(rec.calls, [`${ns}/busy`]);
});
