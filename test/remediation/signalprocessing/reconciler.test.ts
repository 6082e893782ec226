/**
 * The reconciler against an in-memory store: one status write per phase, conditions and audit,
 * resuming from the phase written (restart safety), transient failures retried with back-off
 * and counted, permanent ones ending in Failed with `error`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { SignalProcessing, SignalProcessingStatus } from '../../../src/api/v1alpha1/index.ts';
import { auditEventSchema } from '../../../src/datastorage/client/audit-event.ts';
import { RecordingAuditSink } from '../../../src/datastorage/client/audit-sink.ts';
import { keyString, type ObjectKey } from '../../../src/kube/object-key.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';
import type { ClusterReader } from '../../../src/remediation/signalprocessing/cluster-reader.ts';
import { PolicySandbox } from '../../../src/remediation/signalprocessing/policy-sandbox.ts';
import { PolicyStore } from '../../../src/remediation/signalprocessing/policy-store.ts';
import { SignalProcessingReconciler, type SignalProcessingStore } from '../../../src/remediation/signalprocessing/reconciler.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { NS, referenceCluster } from './fake-cluster.ts';
import { REFERENCE_NAMESPACE_LABELS, signal, signalProcessing } from './fixtures.ts';

/** SignalProcessings in memory; `failWrite` may refuse a write (as the API server would). */
class MemoryStore implements SignalProcessingStore {
  readonly objects = new Map<string, SignalProcessing>();
  /** The phase of every status write, in order. */
  readonly writes: string[] = [];
  failWrite?: (next: SignalProcessingStatus) => Error | undefined;
  /** Runs on the stored object before a status write reads it (another writer getting there first). */
  beforeRead?: (current: SignalProcessing) => void;

  put(sp: SignalProcessing): ObjectKey {
    const key = { namespace: sp.metadata!.namespace!, name: sp.metadata!.name! };
    this.objects.set(keyString(key), structuredClone(sp));
    return key;
  }
  async get(key: ObjectKey) {
    const sp = this.objects.get(keyString(key));
    return sp && structuredClone(sp);
  }
  async updateStatus(key: ObjectKey, mutate: (current: SignalProcessing) => SignalProcessingStatus | undefined) {
    const current = this.objects.get(keyString(key));
    if (!current) throw Object.assign(new Error('not found'), { code: 404 });
    this.beforeRead?.(current);
    const status = mutate(structuredClone(current));
    if (!status) return undefined;
    const err = this.failWrite?.(status);
    if (err) throw err;
    const next = { ...structuredClone(current), status };
    this.objects.set(keyString(key), next);
    this.writes.push(status.phase ?? '');
    return structuredClone(next);
  }
}

const apiError = (code: number, message: string) => Object.assign(new Error(message), { code, body: JSON.stringify({ message }) });

let sandbox: PolicySandbox;
before(() => {
  sandbox = new PolicySandbox(new ScaledClock(1));
});
after(() => sandbox.close());

function setup(reader: ClusterReader = referenceCluster()) {
  const store = new MemoryStore();
  const audit = new RecordingAuditSink();
  const clock = new ManualClock();
  const finished: string[] = [];
  const reconciler = new SignalProcessingReconciler({
    store,
    reader,
    policies: new PolicyStore(sandbox),
    audit,
    clock,
    onFinished: (outcome) => finished.push(outcome),
  });
  return { store, audit, clock, reconciler, finished };
}

const reference = () => signalProcessing('sp-rr-1', NS, signal());

test('a new SignalProcessing goes through every phase, one status write each, to Completed', async () => {
  const { store, audit, reconciler, finished, clock } = setup();
  const key = store.put(reference());
  assert.equal(await reconciler.reconcile(key), undefined);
  assert.deepEqual(store.writes, ['Pending', 'Enriching', 'Classifying', 'Categorizing', 'Completed']);
  const s = (await store.get(key))!.status!;
  assert.equal(s.phase, 'Completed');
  assert.equal(s.startTime, clock.now().toISOString());
  assert.equal(s.completionTime, clock.now().toISOString());
  assert.deepEqual(s.kubernetesContext?.ownerChain, [
    { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace: NS },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NS },
  ]);
  assert.deepEqual(s.kubernetesContext?.namespace?.labels, REFERENCE_NAMESPACE_LABELS);
  assert.equal(s.kubernetesContext?.degradedMode, false);
  assert.deepEqual(s.kubernetesContext?.customLabels, {});
  // The pod's node is in the status (categorization kept it), the condition message and the audit event.
  const node = { name: 'kind-worker', labels: { 'kubernetes.io/hostname': 'kind-worker' }, ready: true, conditions: [{ type: 'Ready', status: 'True' }, { type: 'MemoryPressure', status: 'False' }], unschedulable: false };
  assert.deepEqual(s.kubernetesContext?.node, node);
  assert.match(s.conditions!.find((c) => c.type === 'EnrichmentComplete')!.message, /; on Node kind-worker \(Ready=True\)/);
  assert.equal(s.environmentClassification?.environment, 'production');
  assert.equal(s.environmentClassification?.source, 'namespace-labels');
  assert.equal(s.severity, 'critical');
  assert.equal(s.priorityAssignment?.priority, 'P0');
  assert.equal(s.signalMode, 'reactive');
  assert.deepEqual(s.businessClassification, { businessUnit: 'engineering', serviceOwner: 'backend-team', criticality: 'high', slaRequirement: 'tier-1' });
  assert.match(s.policyHash ?? '', /^[a-f0-9]{64}$/);
  const conditions = Object.fromEntries((s.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));
  assert.deepEqual(conditions, {
    EnrichmentComplete: 'True/Enriched',
    ClassificationComplete: 'True/Classified',
    CategorizationComplete: 'True/Categorized',
    ProcessingComplete: 'True/Completed',
    Ready: 'True/Completed',
  });
  assert.ok(s.conditions!.every((c) => c.observedGeneration === 1 && c.lastTransitionTime));
  assert.deepEqual(audit.events.map((e) => e.eventType), [
    'signalprocessing.enrichment.completed',
    'signalprocessing.classification.completed',
    'signalprocessing.categorization.completed',
    'signalprocessing.phase.completed',
  ]);
  assert.ok(audit.events.every((e) => e.correlationId === 'rr-1' && e.eventCategory === 'signalprocessing' && e.resourceName === 'sp-rr-1'));
  // What DataStorage's audit API accepts.
  for (const e of audit.events) auditEventSchema.parse(e);
  assert.deepEqual(audit.events[1].eventData.priority, 'P0');
  assert.deepEqual(audit.events[0].eventData.node, node);
  assert.deepEqual(finished, ['completed']);

  // Done is done: another reconcile writes nothing.
  await reconciler.reconcile(key);
  assert.equal(store.writes.length, 5);
});

test('resumes from the phase written: a crash after enrichment classifies from the recorded context', async () => {
  const cluster = referenceCluster();
  const { store, reconciler } = setup(cluster);
  // What the first process wrote before it died: Classifying, with the context it had found.
  const key = store.put(
    signalProcessing('sp-rr-2', NS, signal(), {
      phase: 'Classifying',
      startTime: '2026-11-26T11:59:00.000Z',
      kubernetesContext: { namespace: { name: NS, labels: { 'kubernaut.ai/environment': 'staging' } }, ownerChain: [], degradedMode: false },
    }),
  );
  cluster.reads = [];
  await reconciler.reconcile(key);
  assert.deepEqual(cluster.reads, [], 'no enrichment again');
  assert.deepEqual(store.writes, ['Categorizing', 'Completed']);
  const s = (await store.get(key))!.status!;
  assert.equal(s.environmentClassification?.environment, 'staging');
  assert.equal(s.priorityAssignment?.priority, 'P1');
  assert.equal(s.startTime, '2026-11-26T11:59:00.000Z');

  // Categorizing uses the environment classification recorded, whatever the context says now.
  const key3 = store.put(
    signalProcessing('sp-rr-3', NS, signal(), {
      phase: 'Categorizing',
      kubernetesContext: { namespace: { name: NS, labels: {} }, ownerChain: [] },
      environmentClassification: { environment: 'development', source: 'namespace-name' },
      severity: 'critical',
      priorityAssignment: { priority: 'P2' },
    }),
  );
  await reconciler.reconcile(key3);
  const s3 = (await store.get(key3))!.status!;
  assert.equal(s3.phase, 'Completed');
  assert.deepEqual([s3.businessClassification?.criticality, s3.businessClassification?.slaRequirement], ['low', 'bronze']);
});

test('a transient failure is counted and retried with back-off; success resets the count', async () => {
  const { store, reconciler } = setup();
  const key = store.put(reference());
  let refusals = 2;
  store.failWrite = (next) => (next.phase === 'Classifying' && refusals-- > 0 ? apiError(503, 'etcdserver: leader changed') : undefined);

  assert.deepEqual(await reconciler.reconcile(key), { requeueAfterMs: 1000 });
  let s = (await store.get(key))!.status!;
  assert.equal(s.phase, 'Enriching');
  assert.equal(s.consecutiveFailures, 1);
  assert.ok(s.lastFailureTime);
  const ready = s.conditions!.find((c) => c.type === 'Ready')!;
  assert.deepEqual([ready.status, ready.reason], ['False', 'Retrying']);
  assert.match(ready.message, /leader changed/);

  assert.deepEqual(await reconciler.reconcile(key), { requeueAfterMs: 2000 });
  assert.equal((await store.get(key))!.status!.consecutiveFailures, 2);

  assert.equal(await reconciler.reconcile(key), undefined);
  s = (await store.get(key))!.status!;
  assert.equal(s.phase, 'Completed');
  assert.equal(s.consecutiveFailures, 0);
  assert.ok(s.lastFailureTime, 'the last failure stays on record');
});

test('a status the API server refuses (422) is permanent: Failed with error, audited', async () => {
  const { store, audit, reconciler, finished } = setup();
  const key = store.put(reference());
  store.failWrite = (next) => (next.phase === 'Categorizing' ? apiError(422, 'SignalProcessing.kubernaut.ai "sp-rr-1" is invalid: status.severity: Unsupported value') : undefined);
  assert.equal(await reconciler.reconcile(key), undefined);
  const s = (await store.get(key))!.status!;
  assert.equal(s.phase, 'Failed');
  assert.match(s.error ?? '', /is invalid/);
  assert.ok(s.completionTime);
  const conditions = Object.fromEntries((s.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));
  assert.equal(conditions.ClassificationComplete, 'False/Failed');
  assert.equal(conditions.ProcessingComplete, 'False/Failed');
  assert.equal(conditions.Ready, 'False/Failed');
  assert.equal(audit.ofType('signalprocessing.phase.failed').length, 1);
  auditEventSchema.parse(audit.ofType('signalprocessing.phase.failed')[0]);
  assert.deepEqual(finished, ['failed']);
});

test('too many consecutive failures end in Failed', async () => {
  const store = new MemoryStore();
  const reconciler = new SignalProcessingReconciler({ store, reader: referenceCluster(), policies: new PolicyStore(sandbox), audit: new RecordingAuditSink(), clock: new ManualClock(), maxConsecutiveFailures: 3 });
  const key = store.put(reference());
  store.failWrite = (next) => (next.phase === 'Enriching' ? apiError(500, 'internal error') : undefined);
  assert.deepEqual(await reconciler.reconcile(key), { requeueAfterMs: 1000 });
  assert.deepEqual(await reconciler.reconcile(key), { requeueAfterMs: 2000 });
  assert.equal(await reconciler.reconcile(key), undefined);
  const s = (await store.get(key))!.status!;
  assert.equal(s.phase, 'Failed');
  assert.match(s.error ?? '', /gave up after 3 consecutive failures; the last: internal error/);
});

test('an unusable enrichment timeout in the spec is permanent', async () => {
  const { store, reconciler } = setup();
  const sp = reference();
  sp.spec.enrichmentConfig = { timeout: '10 parsecs' };
  const key = store.put(sp);
  await reconciler.reconcile(key);
  const s = (await store.get(key))!.status!;
  assert.equal(s.phase, 'Failed');
  assert.match(s.error ?? '', /enrichmentConfig\.timeout/);
  assert.equal(s.conditions!.find((c) => c.type === 'EnrichmentComplete')?.status, 'False');
});

test('degraded mode and a missing target complete, and say so', async () => {
  const down = referenceCluster();
  down.fail.add('Pod');
  const a = setup(down);
  const key = a.store.put(reference());
  await a.reconciler.reconcile(key);
  const s = (await a.store.get(key))!.status!;
  assert.equal(s.phase, 'Completed');
  assert.equal(s.kubernetesContext?.degradedMode, true);
  const enriched = s.conditions!.find((c) => c.type === 'EnrichmentComplete')!;
  assert.equal(enriched.reason, 'DegradedMode');
  assert.match(enriched.message, /could not read Pod/);
  assert.equal(s.conditions!.find((c) => c.type === 'Ready')?.reason, 'DegradedMode');
  assert.equal(s.environmentClassification?.environment, 'production', 'the namespace could still be read');
  assert.deepEqual(a.finished, ['degraded']);

  const b = setup();
  const missing = b.store.put(signalProcessing('sp-rr-9', NS, signal({ targetResource: { apiVersion: 'v1', kind: 'Pod', name: 'nope', namespace: NS } })));
  await b.reconciler.reconcile(missing);
  const m = (await b.store.get(missing))!.status!;
  assert.equal(m.phase, 'Completed');
  assert.equal(m.conditions!.find((c) => c.type === 'EnrichmentComplete')?.reason, 'TargetNotFound');
  assert.deepEqual(m.kubernetesContext?.ownerChain, []);
  assert.equal(m.priorityAssignment?.priority, 'P0');
});

test('another writer moved the phase: the step is not written twice, processing continues from theirs', async () => {
  const { store, reconciler } = setup();
  const key = store.put(reference());
  store.beforeRead = (current) => {
    // While we enriched, "another replica" wrote the Enriching step's result first.
    if (current.status?.phase !== 'Enriching') return;
    store.beforeRead = undefined;
    current.status = { ...current.status, phase: 'Classifying', kubernetesContext: { namespace: { name: NS, labels: { 'kubernaut.ai/environment': 'staging' } }, ownerChain: [] } };
    store.writes.push('Classifying (other)');
  };
  await reconciler.reconcile(key);
  assert.deepEqual(store.writes, ['Pending', 'Enriching', 'Classifying (other)', 'Categorizing', 'Completed']);
  assert.equal((await store.get(key))!.status!.environmentClassification?.environment, 'staging');
});
