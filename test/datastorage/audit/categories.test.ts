// The audit vocabulary of crds.md §12: exactly ten categories are accepted on write; events stored
// under an earlier vocabulary stay readable and filterable, and their chain stays valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendEvents } from '../../../src/datastorage/audit/store.ts';
import { auditEventInput, type AuditEventInput } from '../../../src/datastorage/audit/event-schema.ts';
import { TEST_DATABASES } from '../../helpers/database.ts';
import { call, event, serve } from './fixtures.ts';

const CONTRACT_CATEGORIES = ['gateway', 'orchestrator', 'signalprocessing', 'aianalysis', 'investigator', 'workflow', 'effectiveness', 'notification', 'datastorage', 'approval'];

for (const kind of TEST_DATABASES) {
  test(`${kind.name}: the ten contract categories are accepted, earlier ones only as a query filter over stored events`, { skip: kind.skip }, async () => {
    const s = await serve(kind);
    try {
      const base = s.ds.url;
      const events = CONTRACT_CATEGORIES.map((eventCategory) => event({ eventCategory, eventType: `${eventCategory}.test.recorded` }));
      assert.equal((await call(base, 'POST', '/api/v1/audit/events/batch', { events })).status, 201);

      for (const old of ['workflowexecution', 'catalog', 'kitchen']) {
        const refused = await call(base, 'POST', '/api/v1/audit/events', event({ eventCategory: old }));
        assert.equal(refused.status, 400, old);
        assert.deepEqual(refused.body.errors.map((e: any) => e.path), ['eventCategory']);
      }

      // An event an earlier release stored under 'workflowexecution' (written straight to the store,
      // as that release's validation let it through).
      const legacy = auditEventInput.parse(event()) as AuditEventInput;
      await appendEvents(s.db, [{ ...legacy, eventCategory: 'workflowexecution' as AuditEventInput['eventCategory'] }], new Date());
      const found = await call(base, 'GET', '/api/v1/audit/events?eventCategory=workflowexecution');
      assert.equal(found.status, 200);
      assert.deepEqual(found.body.events.map((e: any) => e.eventId), [legacy.eventId]);
      assert.equal((await call(base, 'GET', '/api/v1/audit/events?eventCategory=catalog')).body.events.length, 0);
      assert.equal((await call(base, 'GET', '/api/v1/audit/events?eventCategory=kitchen')).status, 400);
      for (const c of CONTRACT_CATEGORIES) assert.equal((await call(base, 'GET', `/api/v1/audit/events?eventCategory=${c}`)).body.events.length, 1, c);

      assert.deepEqual((await call(base, 'POST', '/api/v1/audit/verify-chain')).body, { valid: true, checked: 11 });
    } finally {
      await s.close();
    }
  });
}
