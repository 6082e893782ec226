// Every workflow discovery step is recorded as a `datastorage.workflow.discovery` audit event in
// DataStorage's own audit trail (same store, same hash chain), with the context filters and the ids
// the caller was shown, correlated by the request's remediation_id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TEST_DATABASES } from '../../helpers/database.ts';
import { call, serve } from '../audit/fixtures.ts';

const REFERENCE_YAML = readFileSync(new URL('../../../workflows/fix-statefulset-pvc-v1/workflow.yaml', import.meta.url), 'utf8');
const CONTEXT = { severity: 'critical', component: 'StatefulSet', environment: 'production', detected_labels: JSON.stringify({ stateful: true, failedDetections: ['pdbProtected'] }) };
const query = (q: Record<string, string>) => `?${new URLSearchParams(q)}`;

for (const kind of TEST_DATABASES) {
  test(`${kind.name}: each discovery step is audited with its filters and returned ids, correlated by remediation_id`, { skip: kind.skip }, async () => {
    const s = await serve(kind);
    try {
      const base = s.ds.url;
      const registered = await fetch(`${base}/api/v1/workflows`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: REFERENCE_YAML });
      assert.equal(registered.status, 201);
      const catalogId = ((await registered.json()) as any).catalogId;
      const rr = { remediation_id: 'rr-0123456789ab-abcdefgh' };

      assert.equal((await call(base, 'GET', `/api/v1/workflows/actions${query({ ...CONTEXT, ...rr })}`)).status, 200);
      assert.equal((await call(base, 'GET', `/api/v1/workflows${query({ actionType: 'FixStatefulSetPVC', ...CONTEXT, ...rr, limit: '5' })}`)).status, 200);
      assert.equal((await call(base, 'GET', `/api/v1/workflows/fix-statefulset-pvc-v1${query({ ...CONTEXT, ...rr })}`)).status, 200);
      // The security gate's refusal is recorded too: an id asked for outside its context.
      assert.equal((await call(base, 'GET', `/api/v1/workflows/fix-statefulset-pvc-v1${query({ ...CONTEXT, component: 'Deployment', ...rr })}`)).status, 404);
      // A refused query (400) is not a discovery step: nothing is recorded.
      assert.equal((await call(base, 'GET', `/api/v1/workflows/actions${query({ severity: 'urgent', ...rr })}`)).status, 400);

      const audited = await call(base, 'GET', `/api/v1/audit/events${query({ correlationId: rr.remediation_id, eventType: 'datastorage.workflow.discovery' })}`);
      assert.equal(audited.status, 200);
      const events = audited.body.events;
      for (const e of events) {
        assert.deepEqual([e.eventCategory, e.eventAction, e.actorType, e.actorId], ['datastorage', 'discovery', 'service', 'datastorage']);
      }
      const filters = { severity: 'critical', component: 'StatefulSet', environment: 'production', detectedLabels: { stateful: true, failedDetections: ['pdbProtected'] } };
      assert.deepEqual(
        events.map((e: any) => [e.eventOutcome, e.eventData]),
        [
          ['success', { step: 'actions', filters, remediationId: rr.remediation_id, returnedIds: ['FixStatefulSetPVC'], total: 1, offset: 0, limit: 10 }],
          [
            'success',
            { step: 'workflows', filters, remediationId: rr.remediation_id, actionType: 'FixStatefulSetPVC', returnedIds: ['fix-statefulset-pvc-v1'], returnedCatalogIds: [catalogId], total: 1, offset: 0, limit: 5 },
          ],
          ['success', { step: 'workflow', filters, remediationId: rr.remediation_id, requestedId: 'fix-statefulset-pvc-v1', returnedIds: ['fix-statefulset-pvc-v1'], returnedCatalogIds: [catalogId] }],
          [
            'failure',
            { step: 'workflow', filters: { ...filters, component: 'Deployment' }, remediationId: rr.remediation_id, requestedId: 'fix-statefulset-pvc-v1', returnedIds: [], returnedCatalogIds: [] },
          ],
        ],
      );
      assert.deepEqual([events[2].resourceType, events[2].resourceName], ['workflow', 'fix-statefulset-pvc-v1']);
      assert.equal(events[3].resourceName, undefined);

      // Without a remediation id each call gets an id of its own; hostile filter text is stored safely.
      assert.equal((await call(base, 'GET', `/api/v1/workflows/actions${query({ custom_labels: JSON.stringify({ team: ['a\u0000b'] }) })}`)).status, 200);
      const all = await call(base, 'GET', `/api/v1/audit/events${query({ eventType: 'datastorage.workflow.discovery', eventCategory: 'datastorage' })}`);
      const last = all.body.events.at(-1);
      assert.equal(all.body.events.length, 5);
      assert.match(last.correlationId, /^[0-9a-f-]{36}$/);
      assert.deepEqual(last.eventData.filters, { customLabels: { team: ['a\\u0000b'] } });

      // Stored in the one hash chain, alongside everyone else's events.
      assert.deepEqual((await call(base, 'POST', '/api/v1/audit/verify-chain')).body, { valid: true, checked: 5 });
    } finally {
      await s.close();
    }
  });
}
