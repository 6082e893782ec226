// The typed read clients the controllers use: RemediationHistoryClient (Orchestrator) and
// WorkflowCatalogClient (WorkflowExecution), against a real DataStorage, with a bearer token, and
// against servers that hang or are gone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { allowAuthenticated, staticTokenAuthenticator } from '../../../src/platform/http/auth.ts';
import { startDataStorage, type DataStorageHandle } from '../../../src/datastorage/server.ts';
import { DataStorageRequestError, RemediationHistoryClient } from '../../../src/datastorage/client/history-client.ts';
import { WorkflowCatalogClient } from '../../../src/datastorage/client/workflow-catalog-client.ts';
import { event } from '../audit/fixtures.ts';

const TOKEN = 'orchestrator-token';
const REFERENCE_YAML = readFileSync(new URL('../../../workflows/fix-statefulset-pvc-v1/workflow.yaml', import.meta.url), 'utf8');
const fingerprint = 'c'.repeat(64);
const sts = { kind: 'StatefulSet', name: 'kv-store', namespace: 'demo-statefulset' };

function lifecycle(rr: string, at: string, eventData: Record<string, unknown>) {
  return event({ eventType: 'orchestrator.lifecycle.transitioned', eventCategory: 'orchestrator', eventAction: 'transitioned', actorId: 'remediationorchestrator', correlationId: rr, eventTimestamp: at, eventData });
}

describe('DataStorage read clients', () => {
  let ds: DataStorageHandle;
  let catalogId: string;
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

  before(async () => {
    ds = await startDataStorage({
      clock: new ScaledClock(1),
      auth: { authenticate: staticTokenAuthenticator(new Map([[TOKEN, { username: 'system:serviceaccount:kubernaut-system:orchestrator', groups: [] }]])), authorize: allowAuthenticated },
    });
    const events = [
      lifecycle('rr-old', '2026-11-26T04:00:00Z', { remediationTarget: sts, fingerprint, phase: 'Completed', outcome: 'Remediated' }),
      lifecycle('rr-new', '2026-11-26T09:00:00Z', { remediationTarget: sts, fingerprint, phase: 'Failed', wasExecutionFailure: true }),
      lifecycle('rr-node', '2026-11-26T09:30:00Z', { remediationTarget: { kind: 'Node', name: 'worker-1', namespace: '' }, phase: 'Executing' }),
    ];
    assert.equal((await fetch(`${ds.url}/api/v1/audit/events/batch`, { method: 'POST', headers: auth, body: JSON.stringify({ events }) })).status, 201);
    const registered = await fetch(`${ds.url}/api/v1/workflows`, { method: 'POST', headers: { ...auth, 'content-type': 'application/yaml' }, body: REFERENCE_YAML });
    catalogId = ((await registered.json()) as any).catalogId;
  });
  after(() => ds.close());

  test('RemediationHistoryClient asks by remediation target or fingerprint, with since and limit, newest first', async () => {
    const history = new RemediationHistoryClient({ baseUrl: ds.url, bearerToken: () => TOKEN });
    assert.deepEqual((await history.byTarget(sts)).map((h) => h.remediationId), ['rr-new', 'rr-old']);
    assert.deepEqual((await history.byTarget(sts, { since: new Date('2026-11-26T05:00:00Z') })).map((h) => h.remediationId), ['rr-new']);
    assert.deepEqual((await history.byFingerprint(fingerprint, { limit: 1 })).map((h) => [h.remediationId, h.phase, h.wasExecutionFailure]), [['rr-new', 'Failed', true]]);
    assert.deepEqual((await history.byFingerprint(fingerprint, { since: '2026-11-26T04:00:00+00:00' })).length, 2);
    // Cluster-scoped: namespace left out.
    assert.deepEqual((await history.byTarget({ kind: 'Node', name: 'worker-1' })).map((h) => h.remediationTarget), [{ kind: 'Node', name: 'worker-1', namespace: '' }]);
  });

  test('WorkflowCatalogClient returns the exact version by catalogId, undefined when unknown', async () => {
    const catalog = new WorkflowCatalogClient({ baseUrl: ds.url, bearerToken: TOKEN });
    const entry = await catalog.byCatalogId(catalogId);
    assert.equal(entry?.catalogId, catalogId);
    assert.equal(entry?.metadata.workflowId, 'fix-statefulset-pvc-v1');
    assert.equal(entry?.status, 'active');
    assert.deepEqual(entry?.parameters.map((p) => p.name), ['TARGET_NAMESPACE', 'TARGET_STATEFULSET', 'TARGET_PVC']);
    assert.equal(await catalog.byCatalogId('00000000-0000-4000-8000-000000000000'), undefined);
    await assert.rejects(catalog.byCatalogId('fix-statefulset-pvc-v1'), (e: unknown) => {
      assert.ok(e instanceof DataStorageRequestError);
      assert.equal(e.status, 400);
      assert.match(e.message, /^GET \/api\/v1\/workflows\/by-catalog-id\/fix-statefulset-pvc-v1 at DataStorage http:\/\/127\.0\.0\.1:\d+ answered 400: catalogId: must be a UUID$/);
      return true;
    });
  });

  test('refusals are errors naming the status and DataStorage\'s reason', async () => {
    await assert.rejects(new RemediationHistoryClient({ baseUrl: ds.url }).byTarget(sts), (e: unknown) => e instanceof DataStorageRequestError && e.status === 401);
    await assert.rejects(new RemediationHistoryClient({ baseUrl: ds.url, bearerToken: TOKEN }).byFingerprint('not-a-fingerprint'), (e: unknown) => {
      assert.ok(e instanceof DataStorageRequestError);
      assert.equal(e.status, 400);
      assert.match(e.message, /fingerprint: must be 64 lower-case hex digits/);
      return true;
    });
  });

  test('a DataStorage that never answers times out; one that is gone fails at once', async () => {
    const hung: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
    try {
      await assert.rejects(new RemediationHistoryClient({ baseUrl: hungUrl, timeoutMs: 150 }).byTarget(sts), (e: unknown) => {
        assert.ok(e instanceof DataStorageRequestError);
        assert.equal(e.status, undefined);
        assert.match(e.message, /^GET \/api\/v1\/remediation-history\?kind=StatefulSet&name=kv-store&namespace=demo-statefulset at DataStorage .* timed out after 150 ms$/);
        return true;
      });
    } finally {
      hung.closeAllConnections();
      await new Promise((resolve) => hung.close(resolve));
    }
    // The port is free again: nothing listens there.
    await assert.rejects(new WorkflowCatalogClient({ baseUrl: hungUrl }).byCatalogId(catalogId), (e: unknown) => {
      assert.ok(e instanceof DataStorageRequestError);
      assert.equal(e.status, undefined);
      assert.match(e.message, /failed: ECONNREFUSED/);
      return true;
    });
  });
});
