/**
 * EventRecorder against the real embedded API server: core/v1 Events with the involved object,
 * repeats aggregated into one Event (count, lastTimestamp) within the window, a rate limit and a
 * bound on waiting events, and no exception ever reaching the caller.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import type { RemediationRequest } from '../../src/api/v1alpha1/index.ts';
import { ScaledClock } from '../../src/platform/clock.ts';
import { EventRecorder } from '../../src/kube/event-recorder.ts';
import { KubernautClient } from '../../src/kube/kubernaut-client.ts';
import { ManualClock, driveUntil } from '../helpers/manual-clock.ts';
import { eventually } from '../helpers/kubernaut-process.ts';
import { remediationRequest, startKubeEnv, type KubeEnv } from './fixtures.ts';

let env: KubeEnv;
let client: KubernautClient;
let core: CoreV1Api;

before(async () => {
  env = await startKubeEnv();
  client = new KubernautClient(env.kc);
  core = env.kc.makeApiClient(CoreV1Api);
});

after(async () => {
  await env?.stop();
});

async function eventsIn(ns: string): Promise<CoreV1Event[]> {
  return (await core.listNamespacedEvent({ namespace: ns })).items;
}

async function subject(ns: string, name = 'subject'): Promise<RemediationRequest> {
  return client.create('RemediationRequest', remediationRequest(ns, name));
}

test('records a core/v1 Event about the object, and counts repeats into it', async () => {
  const ns = await env.namespace('events');
  const rr = await subject(ns);
  const recorder = new EventRecorder(env.kc, new ScaledClock(1), 'remediation-orchestrator');
  for (let i = 0; i < 5; i++) recorder.event(rr, 'Warning', 'WorkflowFailed', 'job backoff limit exceeded');
  await recorder.flush();
  let events = await eventsIn(ns);
  assert.equal(events.length, 1, 'five repeats are one Event');
  const [e] = events;
  assert.equal(e.count, 5);
  assert.equal(e.type, 'Warning');
  assert.equal(e.reason, 'WorkflowFailed');
  assert.equal(e.message, 'job backoff limit exceeded');
  assert.equal(e.source?.component, 'remediation-orchestrator');
  assert.deepEqual(
    { kind: e.involvedObject.kind, apiVersion: e.involvedObject.apiVersion, name: e.involvedObject.name, namespace: e.involvedObject.namespace, uid: e.involvedObject.uid },
    { kind: 'RemediationRequest', apiVersion: 'kubernaut.ai/v1alpha1', name: 'subject', namespace: ns, uid: rr.metadata?.uid },
  );
  assert.ok(e.firstTimestamp && e.lastTimestamp);

  // A repeat after the Event was written patches it.
  recorder.event(rr, 'Warning', 'WorkflowFailed', 'job backoff limit exceeded');
  await recorder.flush();
  events = await eventsIn(ns);
  assert.equal(events.length, 1);
  assert.equal(events[0].metadata.name, e.metadata.name);
  assert.equal(events[0].count, 6);
  assert.ok(new Date(events[0].lastTimestamp!).getTime() >= new Date(e.lastTimestamp!).getTime());
  assert.equal(new Date(events[0].firstTimestamp!).getTime(), new Date(e.firstTimestamp!).getTime());
});

test('another message, type, reason or object is another Event', async () => {
  const ns = await env.namespace('distinct');
  const rr = await subject(ns);
  const other = await subject(ns, 'other');
  const recorder = new EventRecorder(env.kc, new ScaledClock(1), 'test');
  recorder.event(rr, 'Normal', 'Created', 'created SignalProcessing sp-1');
  recorder.event(rr, 'Normal', 'Created', 'created AIAnalysis ai-1');
  recorder.event(rr, 'Warning', 'Created', 'created SignalProcessing sp-1');
  recorder.event(rr, 'Normal', 'Updated', 'created SignalProcessing sp-1');
  recorder.event(other, 'Normal', 'Created', 'created SignalProcessing sp-1');
  await recorder.flush();
  const events = await eventsIn(ns);
  assert.equal(events.length, 5);
  assert.ok(events.every((e) => e.count === 1));
});

test('a repeat after the aggregation window starts a new Event', async () => {
  const ns = await env.namespace('window');
  const rr = await subject(ns);
  const clock = new ManualClock();
  const recorder = new EventRecorder(env.kc, clock, 'test');
  recorder.event(rr, 'Normal', 'Progressing', 'still analysing');
  await recorder.flush();
  clock.advanceNow(9 * 60_000);
  recorder.event(rr, 'Normal', 'Progressing', 'still analysing');
  await recorder.flush();
  assert.deepEqual((await eventsIn(ns)).map((e) => e.count), [2], 'within 10 minutes of the last occurrence: counted');
  clock.advanceNow(10 * 60_000);
  recorder.event(rr, 'Normal', 'Progressing', 'still analysing');
  await recorder.flush();
  assert.deepEqual((await eventsIn(ns)).map((e) => e.count).sort(), [1, 2], '10 minutes later: a new Event');
});

test('an event storm is rate-limited and bounded: waiting events are capped, repeats fold in', async () => {
  const ns = await env.namespace('storm');
  const rr = await subject(ns);
  const clock = new ManualClock();
  const recorder = new EventRecorder(env.kc, clock, 'test', { burst: 3, ratePerSecond: 1, maxPending: 5 });
  for (let i = 0; i < 50; i++) recorder.event(rr, 'Warning', 'Storm', `distinct message ${i}`);
  for (let i = 0; i < 50; i++) recorder.event(rr, 'Warning', 'Storm', 'distinct message 3');

  // The burst goes out at once; then the recorder waits on the clock for tokens.
  await eventually(async () => (await eventsIn(ns)).length === 3 && clock.pending > 0, 'burst written, then waiting for a token');
  await clock.advance(1000);
  await eventually(async () => (await eventsIn(ns)).length === 4, 'one more per second');
  await driveUntil(clock, async () => (await eventsIn(ns)).length === 6, 'the rest', { stepMs: 1000 });
  await recorder.flush();
  const events = await eventsIn(ns);
  assert.equal(events.length, 6, 'the first one plus at most 5 waiting; the rest dropped');
  assert.deepEqual(events.map((e) => e.message).sort(), [0, 1, 2, 3, 4, 5].map((i) => `distinct message ${i}`).sort());
  assert.equal(events.find((e) => e.message === 'distinct message 3')?.count, 51, 'repeats while waiting folded into one write');
});

test('never throws: odd objects, an unreachable API server', async () => {
  const recorder = new EventRecorder(env.kcFor('http://127.0.0.1:1'), new ScaledClock(1), 'test');
  assert.doesNotThrow(() => recorder.event({}, 'Normal', 'NoMetadata', 'x'));
  assert.doesNotThrow(() => recorder.event(null as never, 'Normal', 'Null', 'x'));
  assert.doesNotThrow(() => recorder.event({ metadata: { name: 'cluster-scoped', uid: 'u' }, kind: 'Node', apiVersion: 'v1' }, 'Warning', 'Unreachable', 'x'));
  await recorder.flush();
});
