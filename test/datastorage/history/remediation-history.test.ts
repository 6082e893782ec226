import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { openDatabase } from '../../../src/datastorage/db/database.ts';
import { loadMigrations, migrate } from '../../../src/datastorage/db/migrate.ts';
import { startDataStorage } from '../../../src/datastorage/server.ts';
import { TEST_DATABASES } from '../../helpers/database.ts';
import { call, event, serve } from '../audit/fixtures.ts';

const kvStore = { kind: 'StatefulSet', name: 'kv-store', namespace: 'demo-statefulset' };
const fingerprint = 'a'.repeat(64);

/** Every member of an entry nobody has reported yet. */
const NOTHING_YET = {
  fingerprint: null,
  signalType: null,
  signalName: null,
  signalTarget: null,
  remediationTarget: null,
  workflowId: null,
  workflowVersion: null,
  actionType: null,
  outcome: null,
  phase: null,
  startedAt: null,
  completedAt: null,
  preRemediationSpecHash: null,
  postRemediationSpecHash: null,
  wasExecutionFailure: null,
  failureReason: null,
  blockReason: null,
  effectivenessScore: null,
  assessmentReason: null,
};

function lifecycle(rr: string, minute: number, eventData: Record<string, unknown>, type = 'orchestrator.lifecycle.transitioned') {
  return event({
    eventType: type,
    eventCategory: 'orchestrator',
    eventAction: type.split('.').pop(),
    actorId: 'remediationorchestrator',
    correlationId: rr,
    eventTimestamp: new Date(Date.UTC(2026, 10, 26, 10, minute)).toISOString(),
    eventData,
  });
}

function assessment(rr: string, minute: number, overallScore: number | null, assessmentReason: string, extra: Record<string, unknown> = {}) {
  return event({
    eventType: 'effectiveness.assessment.completed',
    eventCategory: 'effectiveness',
    eventAction: 'completed',
    actorId: 'effectivenessmonitor',
    correlationId: rr,
    eventTimestamp: new Date(Date.UTC(2026, 10, 26, 10, minute)).toISOString(),
    eventData: { overallScore, assessmentReason, ...extra },
  });
}

for (const kind of TEST_DATABASES) {
  test(`${kind.name}: remediation history is derived from lifecycle and effectiveness audit events, newest first`, { skip: kind.skip }, async () => {
    const s = await serve(kind);
    try {
      const base = s.ds.url;
      const first = [
        lifecycle('rr-1', 0, { targetResource: kvStore, signalName: 'KubernautStatefulSetReplicasMismatch', fingerprint, phase: 'Pending' }, 'orchestrator.lifecycle.started'),
        lifecycle('rr-1', 2, { phase: 'Executing', workflowId: 'fix-statefulset-pvc-v1', workflowVersion: '1.0.0', actionType: 'DeleteStuckPod', preRemediationSpecHash: 'sha256:1111' }),
        // Noise that must not feed the history: another component, same correlation id.
        event({ correlationId: 'rr-1', eventData: { phase: 'Failed' } }),
        lifecycle('rr-1', 4, { phase: 'Verifying' }),
      ];
      assert.equal((await call(base, 'POST', '/api/v1/audit/events/batch', { events: first })).status, 201);
      await call(base, 'POST', '/api/v1/audit/events', assessment('rr-1', 9, 0.92, 'full'));
      await call(base, 'POST', '/api/v1/audit/events', lifecycle('rr-1', 10, { phase: 'Completed', outcome: 'Remediated' }, 'orchestrator.lifecycle.completed'));
      // A late retry of an older event fills nothing and rolls nothing back.
      await call(base, 'POST', '/api/v1/audit/events', lifecycle('rr-1', 3, { phase: 'Executing' }));

      // A second, failed remediation of the same target, and one of another target.
      await call(base, 'POST', '/api/v1/audit/events/batch', {
        events: [
          lifecycle('rr-2', 30, { targetResource: kvStore, signalName: 'KubernautStatefulSetReplicasMismatch', fingerprint, phase: 'Pending' }),
          lifecycle('rr-2', 35, { phase: 'Failed', completedAt: '2026-11-26T10:36:00Z' }, 'orchestrator.lifecycle.failed'),
          lifecycle('rr-3', 40, { targetResource: { kind: 'Deployment', name: 'web', namespace: 'demo-statefulset' }, phase: 'Pending' }),
        ],
      });

      const r = await call(base, 'GET', '/api/v1/remediation-history?kind=StatefulSet&name=kv-store&namespace=demo-statefulset');
      assert.equal(r.status, 200);
      // Events of earlier senders name only targetResource: it is the signal target, and stands in
      // as the remediation target.
      const kvStoreBoth = { signalTarget: kvStore, remediationTarget: kvStore };
      assert.deepEqual(r.body.remediations, [
        {
          ...NOTHING_YET,
          remediationId: 'rr-2',
          signalName: 'KubernautStatefulSetReplicasMismatch',
          fingerprint,
          ...kvStoreBoth,
          startedAt: '2026-11-26T10:30:00.000Z',
          completedAt: '2026-11-26T10:36:00.000Z',
          phase: 'Failed',
        },
        {
          ...NOTHING_YET,
          remediationId: 'rr-1',
          signalName: 'KubernautStatefulSetReplicasMismatch',
          fingerprint,
          ...kvStoreBoth,
          workflowId: 'fix-statefulset-pvc-v1',
          workflowVersion: '1.0.0',
          actionType: 'DeleteStuckPod',
          startedAt: '2026-11-26T10:00:00.000Z',
          completedAt: '2026-11-26T10:10:00.000Z',
          outcome: 'Remediated',
          phase: 'Completed',
          effectivenessScore: 0.92,
          assessmentReason: 'full',
          preRemediationSpecHash: 'sha256:1111',
        },
      ]);

      const limited = await call(base, 'GET', '/api/v1/remediation-history?kind=StatefulSet&name=kv-store&namespace=demo-statefulset&limit=1');
      assert.deepEqual(limited.body.remediations.map((h: any) => h.remediationId), ['rr-2']);
      const other = await call(base, 'GET', '/api/v1/remediation-history?kind=Deployment&name=web&namespace=demo-statefulset');
      assert.deepEqual(other.body.remediations.map((h: any) => h.remediationId), ['rr-3']);
      const none = await call(base, 'GET', '/api/v1/remediation-history?kind=StatefulSet&name=kv-store&namespace=elsewhere');
      assert.deepEqual(none.body, { remediations: [] });
    } finally {
      await s.close();
    }
  });

  test(`${kind.name}: remediation history of cluster-scoped targets, and bad queries`, { skip: kind.skip }, async () => {
    const s = await serve(kind);
    try {
      const base = s.ds.url;
      await call(base, 'POST', '/api/v1/audit/events/batch', {
        events: [
          // The assessment arriving first still lands on the row; the target comes with the lifecycle event.
          assessment('rr-node', 20, null, 'no_execution'),
          lifecycle('rr-node', 5, { targetResource: { kind: 'Node', name: 'kind-worker' }, phase: 'Pending' }),
          // Wrong member types are ignored, the event is still stored.
          lifecycle('rr-node', 6, { phase: 42, workflowId: ['x'] }),
        ],
      });
      const r = await call(base, 'GET', '/api/v1/remediation-history?kind=Node&name=kind-worker');
      assert.equal(r.status, 200);
      assert.equal(r.body.remediations.length, 1);
      assert.equal(r.body.remediations[0].phase, 'Pending');
      assert.equal(r.body.remediations[0].workflowId, null);
      assert.equal(r.body.remediations[0].effectivenessScore, null);
      assert.equal(r.body.remediations[0].assessmentReason, 'no_execution');
      assert.equal((await call(base, 'GET', '/api/v1/audit/events?correlationId=rr-node')).body.events.length, 3);

      for (const q of [
        'name=kv-store',
        'kind=StatefulSet',
        'kind=Node&name=x&limit=0',
        'kind=Node&name=x&colour=blue',
        '',
        `fingerprint=${fingerprint}&kind=Node&name=x`,
        'fingerprint=ABC',
        'kind=Node&name=x&since=yesterday',
        'kind=Node&name=x&kind=Pod',
      ]) {
        const bad = await call(base, 'GET', `/api/v1/remediation-history?${q}`);
        assert.equal(bad.status, 400, q);
        assert.match(bad.contentType, /^application\/problem\+json/);
        assert.ok(bad.body.errors.length > 0);
      }
    } finally {
      await s.close();
    }
  });
  test(`${kind.name}: history is keyed by the remediation target, keeps the signal target apart, and answers by fingerprint and since`, { skip: kind.skip }, async () => {
    const s = await serve(kind);
    try {
      const base = s.ds.url;
      const pod = { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-1', namespace: 'demo-statefulset' };
      const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: 'demo-statefulset' };
      const workflow = { workflowId: 'fix-statefulset-pvc-v1', workflowVersion: '1.0.0', actionType: 'FixStatefulSetPVC' };
      const signal = { signalTarget: pod, signalType: 'alert', signalName: 'KubePodNotReady', fingerprint };
      await call(base, 'POST', '/api/v1/audit/events/batch', {
        events: [
          // An earlier remediation of the StatefulSet, reported the old way, hours before.
          { ...lifecycle('rr-c', 0, { targetResource: kvStore, fingerprint: 'b'.repeat(64), phase: 'Completed', outcome: 'Remediated' }), eventTimestamp: '2026-11-26T06:00:00.000Z' },
          lifecycle('rr-a', 0, { ...signal, phase: 'Pending' }, 'orchestrator.lifecycle.started'),
          lifecycle('rr-a', 1, { phase: 'Blocked', blockReason: 'ExponentialBackoff' }),
          // The Orchestrator clears the block reason once it resumes.
          lifecycle('rr-a', 2, { phase: 'Analyzing', blockReason: null }),
          lifecycle('rr-a', 3, { phase: 'Executing', remediationTarget: sts, ...workflow, preRemediationSpecHash: 'sha256:1111' }),
          lifecycle('rr-a', 6, { phase: 'Verifying', wasExecutionFailure: 'no' }),
        ],
      });
      // The EM's score is stored as sent, even where its components would weigh to something else.
      const components = { healthAssessed: true, healthScore: 1, alertAssessed: true, alertScore: 1, metricsAssessed: false };
      await call(base, 'POST', '/api/v1/audit/events', assessment('rr-a', 20, 0.3, 'partial', { remediationTarget: sts, components, postRemediationSpecHash: 'sha256:2222' }));
      await call(base, 'POST', '/api/v1/audit/events', lifecycle('rr-a', 21, { phase: 'Completed', outcome: 'Remediated', completedAt: '2026-11-26T10:21:00Z' }, 'orchestrator.lifecycle.completed'));
      // A second try that failed before it touched the cluster (the target was locked).
      await call(base, 'POST', '/api/v1/audit/events', lifecycle('rr-b', 30, { ...signal, remediationTarget: sts, ...workflow, phase: 'Failed', wasExecutionFailure: false, failureReason: 'target resource locked', completedAt: '2026-11-26T10:31:00Z' }, 'orchestrator.lifecycle.failed'));

      const history = async (q: string) => {
        const r = await call(base, 'GET', `/api/v1/remediation-history?${q}`);
        assert.equal(r.status, 200, `${q}: ${JSON.stringify(r.body)}`);
        return r.body.remediations;
      };
      const bySts = 'kind=StatefulSet&name=kv-store&namespace=demo-statefulset';
      const all = await history(bySts);
      assert.deepEqual(all.map((h: any) => h.remediationId), ['rr-b', 'rr-a', 'rr-c']);
      assert.deepEqual(all[1], {
        remediationId: 'rr-a',
        fingerprint,
        signalType: 'alert',
        signalName: 'KubePodNotReady',
        signalTarget: pod,
        remediationTarget: sts,
        ...workflow,
        outcome: 'Remediated',
        phase: 'Completed',
        startedAt: '2026-11-26T10:00:00.000Z',
        completedAt: '2026-11-26T10:21:00.000Z',
        preRemediationSpecHash: 'sha256:1111',
        postRemediationSpecHash: 'sha256:2222',
        wasExecutionFailure: null,
        failureReason: null,
        blockReason: null,
        effectivenessScore: 0.3,
        assessmentReason: 'partial',
      });
      assert.deepEqual([all[0].wasExecutionFailure, all[0].failureReason, all[0].phase], [false, 'target resource locked', 'Failed']);
      assert.deepEqual([all[2].signalTarget, all[2].remediationTarget], [kvStore, kvStore]);

      // The signal's resource is not a key; the fingerprint is.
      assert.deepEqual(await history('kind=Pod&name=kv-store-1&namespace=demo-statefulset'), []);
      assert.deepEqual((await history(`fingerprint=${fingerprint}`)).map((h: any) => h.remediationId), ['rr-b', 'rr-a']);
      assert.deepEqual((await history(`fingerprint=${fingerprint}&limit=1`)).map((h: any) => h.remediationId), ['rr-b']);

      // since: remediations that started or completed at/after it ("the last 4 hours").
      assert.deepEqual((await history(`${bySts}&since=2026-11-26T08:00:00Z`)).map((h: any) => h.remediationId), ['rr-b', 'rr-a']);
      assert.deepEqual((await history(`${bySts}&since=2026-11-26T10:15:00%2B00:00`)).map((h: any) => h.remediationId), ['rr-b', 'rr-a']);
      assert.deepEqual((await history(`fingerprint=${fingerprint}&since=2026-11-26T10:25:00Z`)).map((h: any) => h.remediationId), ['rr-b']);
    } finally {
      await s.close();
    }
  });

  test(`${kind.name}: rows stored before the remediation-target migration keep their target as both signal and stand-in remediation target`, { skip: kind.skip }, async () => {
    const fresh = await kind.freshUrl();
    const db = await openDatabase({ url: fresh.url });
    try {
      await migrate(db, loadMigrations().filter((m) => m.version < '004'));
      await db.query(
        `INSERT INTO remediation_history (remediation_id, target_kind, target_name, target_namespace, signal_name, fingerprint, started_at, phase, effectiveness_score, last_sequence)
         VALUES ('rr-old', 'StatefulSet', 'kv-store', 'demo-statefulset', 'KubernautStatefulSetReplicasMismatch', $1, '2026-11-20T10:00:00Z', 'Completed', 0.8, 1)`,
        [fingerprint],
      );
      const ds = await startDataStorage({ database: db, clock: new ScaledClock(1) });
      try {
        const byStandIn = await call(ds.url, 'GET', '/api/v1/remediation-history?kind=StatefulSet&name=kv-store&namespace=demo-statefulset');
        assert.deepEqual(byStandIn.body.remediations, [
          {
            ...NOTHING_YET,
            remediationId: 'rr-old',
            signalName: 'KubernautStatefulSetReplicasMismatch',
            fingerprint,
            signalTarget: kvStore,
            remediationTarget: kvStore,
            startedAt: '2026-11-20T10:00:00.000Z',
            phase: 'Completed',
            effectivenessScore: 0.8,
          },
        ]);
        // A later event naming the real remediation target replaces the stand-in.
        const owner = { kind: 'Deployment', name: 'kv-frontend', namespace: 'demo-statefulset' };
        await call(ds.url, 'POST', '/api/v1/audit/events', lifecycle('rr-old', 0, { remediationTarget: owner }));
        const moved = await call(ds.url, 'GET', '/api/v1/remediation-history?kind=Deployment&name=kv-frontend&namespace=demo-statefulset');
        assert.deepEqual(moved.body.remediations.map((h: any) => [h.remediationId, h.signalTarget, h.remediationTarget]), [['rr-old', kvStore, owner]]);
        assert.deepEqual((await call(ds.url, 'GET', '/api/v1/remediation-history?kind=StatefulSet&name=kv-store&namespace=demo-statefulset')).body.remediations, []);
      } finally {
        await ds.close();
      }
    } finally {
      await db.close();
      await fresh.drop();
    }
  });
}
