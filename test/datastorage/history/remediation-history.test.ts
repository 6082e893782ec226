import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_DATABASES } from '../../helpers/database.ts';
import { call, event, serve } from '../audit/fixtures.ts';

const kvStore = { kind: 'StatefulSet', name: 'kv-store', namespace: 'demo-statefulset' };
const fingerprint = 'a'.repeat(64);

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

function assessment(rr: string, minute: number, overallScore: number | null, assessmentReason: string) {
  return event({
    eventType: 'effectiveness.assessment.completed',
    eventCategory: 'effectiveness',
    eventAction: 'completed',
    actorId: 'effectivenessmonitor',
    correlationId: rr,
    eventTimestamp: new Date(Date.UTC(2026, 10, 26, 10, minute)).toISOString(),
    eventData: { overallScore, assessmentReason },
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
      assert.deepEqual(r.body.remediations, [
        {
          remediationId: 'rr-2',
          signalName: 'KubernautStatefulSetReplicasMismatch',
          fingerprint,
          workflowId: null,
          workflowVersion: null,
          actionType: null,
          startedAt: '2026-11-26T10:30:00.000Z',
          completedAt: '2026-11-26T10:36:00.000Z',
          outcome: null,
          phase: 'Failed',
          effectivenessScore: null,
          assessmentReason: null,
          preRemediationSpecHash: null,
        },
        {
          remediationId: 'rr-1',
          signalName: 'KubernautStatefulSetReplicasMismatch',
          fingerprint,
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

      for (const q of ['name=kv-store', 'kind=StatefulSet', 'kind=Node&name=x&limit=0', 'kind=Node&name=x&colour=blue']) {
        const bad = await call(base, 'GET', `/api/v1/remediation-history?${q}`);
        assert.equal(bad.status, 400, q);
        assert.match(bad.contentType, /^application\/problem\+json/);
        assert.ok(bad.body.errors.length > 0);
      }
    } finally {
      await s.close();
    }
  });
}
