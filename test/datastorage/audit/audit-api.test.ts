import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_DATABASES } from '../../helpers/database.ts';
import { call, event, serve } from './fixtures.ts';

for (const kind of TEST_DATABASES) {
  test(`${kind.name}: audit events are written one by one and in batches, idempotently, and read back in order`, { skip: kind.skip }, async () => {
    const s = await serve(kind);
    try {
      const base = s.ds.url;
      const one = event({ eventId: '1B4E28BA-2FA1-41D2-883F-0016D3CCA427', eventTimestamp: '2026-11-26T13:00:00.123456+01:00' });
      const r1 = await call(base, 'POST', '/api/v1/audit/events', one);
      assert.equal(r1.status, 201);
      assert.deepEqual(r1.body, { eventId: '1b4e28ba-2fa1-41d2-883f-0016d3cca427' });

      const batch = [event(), event({ correlationId: 'rr-other' }), event({ eventType: 'gateway.crd.created', eventAction: 'created' })];
      const r2 = await call(base, 'POST', '/api/v1/audit/events/batch', { events: batch });
      assert.equal(r2.status, 201);
      assert.deepEqual(r2.body, { eventIds: batch.map((e) => e.eventId) });

      // Retries: the single event again, and a batch repeating a stored event plus a new one (twice).
      assert.equal((await call(base, 'POST', '/api/v1/audit/events', one)).status, 201);
      const fresh = event();
      const r3 = await call(base, 'POST', '/api/v1/audit/events/batch', { events: [batch[0], fresh, fresh] });
      assert.equal(r3.status, 201);
      assert.deepEqual(r3.body.eventIds, [batch[0].eventId, fresh.eventId, fresh.eventId]);

      const all = await call(base, 'GET', '/api/v1/audit/events');
      assert.equal(all.status, 200);
      assert.deepEqual(
        all.body.events.map((e: any) => e.eventId),
        ['1b4e28ba-2fa1-41d2-883f-0016d3cca427', ...batch.map((e) => e.eventId), fresh.eventId],
      );
      assert.deepEqual(all.body.events.map((e: any) => e.sequence), [1, 2, 3, 4, 5]);
      const first = all.body.events[0];
      assert.equal(first.eventTimestamp, '2026-11-26T12:00:00.123Z');
      assert.equal(first.previousEventHash, '0'.repeat(64));
      assert.match(first.eventHash, /^[0-9a-f]{64}$/);
      assert.equal(all.body.events[1].previousEventHash, first.eventHash);
      assert.deepEqual(first.eventData, one.eventData);
      assert.equal(first.namespace, 'demo-statefulset');
      assert.ok(!Number.isNaN(Date.parse(first.receivedAt)));
      assert.equal(all.body.nextCursor, undefined);

      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /datastorage_audit_events_written_total\{result="stored",service="datastorage"\} 5/);
      assert.match(metrics, /datastorage_audit_events_written_total\{result="duplicate",service="datastorage"\} 3/);
      assert.match(metrics, /datastorage_audit_batch_size_count\{service="datastorage"\} 4/);
    } finally {
      await s.close();
    }
  });

  test(`${kind.name}: invalid events get a 400 problem listing every bad field, and nothing is written`, { skip: kind.skip }, async () => {
    const s = await serve(kind);
    try {
      const base = s.ds.url;
      const bad = await call(base, 'POST', '/api/v1/audit/events', event({ eventId: 'nope', eventCategory: 'kitchen', extra: 1, eventData: 'x' }));
      assert.equal(bad.status, 400);
      assert.match(bad.contentType, /^application\/problem\+json/);
      assert.equal(bad.body.status, 400);
      const paths = bad.body.errors.map((e: any) => e.path).sort();
      assert.deepEqual(paths, ['(root)', 'eventCategory', 'eventData', 'eventId']);
      assert.ok(bad.body.errors.every((e: any) => typeof e.message === 'string' && e.message.length > 0));

      const missing = await call(base, 'POST', '/api/v1/audit/events', { eventId: event().eventId });
      assert.equal(missing.status, 400);
      assert.ok(missing.body.errors.some((e: any) => e.path === 'eventTimestamp'));

      const badTime = await call(base, 'POST', '/api/v1/audit/events', event({ eventTimestamp: '2026-11-26 12:00' }));
      assert.deepEqual(badTime.body.errors.map((e: any) => e.path), ['eventTimestamp']);

      const nul = await call(base, 'POST', '/api/v1/audit/events', event({ eventData: { text: 'a\u0000b' } }));
      assert.deepEqual(nul.body.errors.map((e: any) => e.path), ['eventData']);
      const surrogate = await call(base, 'POST', '/api/v1/audit/events', event({ actorId: 'a\ud800' }));
      assert.deepEqual(surrogate.body.errors.map((e: any) => e.path), ['actorId']);

      // One bad event in a batch: the whole batch is refused.
      const batch = await call(base, 'POST', '/api/v1/audit/events/batch', { events: [event(), event(), event({ eventOutcome: 'maybe' })] });
      assert.equal(batch.status, 400);
      assert.deepEqual(batch.body.errors.map((e: any) => e.path), ['events[2].eventOutcome']);

      const tooMany = await call(base, 'POST', '/api/v1/audit/events/batch', { events: Array.from({ length: 1001 }, () => event()) });
      assert.equal(tooMany.status, 400);

      const malformed = await call(base, 'POST', '/api/v1/audit/events', '{"eventId":');
      assert.equal(malformed.status, 400);
      assert.match(malformed.contentType, /^application\/problem\+json/);

      const wrongType = await fetch(`${base}/api/v1/audit/events`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
      assert.equal(wrongType.status, 415);

      const count = await s.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_events');
      assert.equal(count.rows[0].n, '0');
      const verify = await call(base, 'POST', '/api/v1/audit/verify-chain');
      assert.deepEqual(verify.body, { valid: true, checked: 0 });
    } finally {
      await s.close();
    }
  });

  test(`${kind.name}: an event nested 1,000 (or 100,000) levels deep is a 400, and the server and its database keep working`, { skip: kind.skip }, async () => {
    // 1,000 nested arrays in eventData once crashed the embedded PostgreSQL (a WASM stack overflow) and with it the whole process.
    const nested = (depth: number) => {
      let v: unknown = 'x';
      for (let i = 0; i < depth; i++) v = [v];
      return v;
    };
    const s = await serve(kind);
    try {
      const base = s.ds.url;
      for (const depth of [1_000, 100_000]) {
        // Written out by hand: JSON.stringify itself overflows the stack at 100,000 levels.
        const body = JSON.stringify(event({ eventData: { v: 'DEEP' } })).replace('"DEEP"', '['.repeat(depth) + '"x"' + ']'.repeat(depth));
        const deep = await call(base, 'POST', '/api/v1/audit/events', body);
        assert.equal(deep.status, 400);
        assert.match(deep.contentType, /^application\/problem\+json/);
        assert.match(deep.body.detail, /nests deeper than 64 levels/);
      }
      // Within the limit it is stored like any other event.
      const ok = await call(base, 'POST', '/api/v1/audit/events', event({ eventData: { v: nested(60) } }));
      assert.equal(ok.status, 201);
      const count = await s.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_events');
      assert.equal(count.rows[0].n, '1');
      const verify = await call(base, 'POST', '/api/v1/audit/verify-chain');
      assert.deepEqual(verify.body, { valid: true, checked: 1 });
    } finally {
      await s.close();
    }
  });

  test(`${kind.name}: audit query filters by correlation id, type, category and time range, and pages with a cursor`, { skip: kind.skip }, async () => {
    const s = await serve(kind);
    try {
      const base = s.ds.url;
      const events = Array.from({ length: 25 }, (_, i) =>
        event({
          eventTimestamp: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
          correlationId: i % 2 === 0 ? 'rr-even' : 'rr-odd',
          eventType: i % 5 === 0 ? 'orchestrator.lifecycle.transitioned' : 'gateway.signal.received',
          eventCategory: i % 5 === 0 ? 'orchestrator' : 'gateway',
        }),
      );
      assert.equal((await call(base, 'POST', '/api/v1/audit/events/batch', { events })).status, 201);

      const even = await call(base, 'GET', '/api/v1/audit/events?correlationId=rr-even');
      assert.equal(even.body.events.length, 13);
      const type = await call(base, 'GET', '/api/v1/audit/events?eventType=orchestrator.lifecycle.transitioned');
      assert.deepEqual(type.body.events.map((e: any) => e.eventId), [0, 5, 10, 15, 20].map((i) => events[i].eventId));
      const category = await call(base, 'GET', '/api/v1/audit/events?eventCategory=orchestrator&correlationId=rr-odd');
      assert.deepEqual(category.body.events.map((e: any) => e.eventId), [5, 15].map((i) => events[i].eventId));
      const range = await call(base, 'GET', '/api/v1/audit/events?since=2026-01-01T00:03:00Z&until=2026-01-01T01:06:00%2B01:00');
      assert.deepEqual(range.body.events.map((e: any) => e.eventId), [3, 4, 5, 6].map((i) => events[i].eventId));

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await call(base, 'GET', `/api/v1/audit/events?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(page.status, 200);
        seen.push(...page.body.events.map((e: any) => e.eventId));
        cursor = page.body.nextCursor;
        pages += 1;
      } while (cursor);
      assert.equal(pages, 3);
      assert.deepEqual(seen, events.map((e) => e.eventId));

      for (const q of ['limit=0', 'limit=1001', 'since=yesterday', 'cursor=garbage', 'colour=blue', 'eventCategory=kitchen']) {
        const r = await call(base, 'GET', `/api/v1/audit/events?${q}`);
        assert.equal(r.status, 400, q);
        assert.match(r.contentType, /^application\/problem\+json/);
        assert.ok(Array.isArray(r.body.errors) && r.body.errors.length > 0, q);
      }
    } finally {
      await s.close();
    }
  });

  test(`${kind.name}: verify-chain passes on an intact trail and finds the first altered or deleted event`, { skip: kind.skip }, async () => {
    const s = await serve(kind);
    try {
      const base = s.ds.url;
      const events = Array.from({ length: 12 }, (_, i) => event({ eventTimestamp: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() }));
      await call(base, 'POST', '/api/v1/audit/events/batch', { events: events.slice(0, 7) });
      for (const e of events.slice(7)) await call(base, 'POST', '/api/v1/audit/events', e);

      assert.deepEqual((await call(base, 'POST', '/api/v1/audit/verify-chain', {})).body, { valid: true, checked: 12 });
      const ranged = await call(base, 'POST', '/api/v1/audit/verify-chain', { since: '2026-01-01T00:03:00Z', until: '2026-01-01T00:05:00Z' });
      assert.deepEqual(ranged.body, { valid: true, checked: 3 });
      assert.equal((await call(base, 'POST', '/api/v1/audit/verify-chain', { from: 1 })).status, 400);

      await s.db.query(`UPDATE audit_events SET event_data = '{"forged": true}' WHERE sequence = 8`);
      const broken = await call(base, 'POST', '/api/v1/audit/verify-chain');
      assert.equal(broken.status, 200);
      assert.equal(broken.body.valid, false);
      assert.equal(broken.body.firstInvalidSequence, 8);
      assert.equal(broken.body.checked, 7);
      assert.match(broken.body.reason, /hash/);
      // A range that ends before the altered row is still intact.
      assert.equal((await call(base, 'POST', '/api/v1/audit/verify-chain', { until: '2026-01-01T00:06:00Z' })).body.valid, true);

      // Re-hashing the forged row does not help: the next event's link breaks instead.
      await s.db.query(`UPDATE audit_events SET event_hash = repeat('a', 64) WHERE sequence = 8`);
      assert.equal((await call(base, 'POST', '/api/v1/audit/verify-chain')).body.firstInvalidSequence, 8);

      await s.db.query('DELETE FROM audit_events WHERE sequence = 3');
      const gap = await call(base, 'POST', '/api/v1/audit/verify-chain');
      assert.equal(gap.body.valid, false);
      assert.equal(gap.body.firstInvalidSequence, 3);
      assert.match(gap.body.reason, /missing/);
    } finally {
      await s.close();
    }
  });
}
