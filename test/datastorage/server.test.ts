import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScaledClock } from '../../src/platform/clock.ts';
import { startDataStorage } from '../../src/datastorage/server.ts';
import { TEST_DATABASES } from '../helpers/database.ts';
import { call, event } from './audit/fixtures.ts';

const clock = new ScaledClock(1);

test('pglite: DataStorage keeps its audit trail under a data dir across restarts, and serves probes and every API', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubernaut-ds-'));
  try {
    const events = [event(), event(), event()];
    const first = await startDataStorage({ dataDir, clock });
    try {
      assert.equal((await call(first.url, 'GET', '/healthz')).status, 200);
      assert.deepEqual((await call(first.url, 'GET', '/readyz')).body, { status: 'ready' });
      const missing = await call(first.url, 'GET', '/api/v1/nothing');
      assert.equal(missing.status, 404);
      assert.match(missing.contentType, /^application\/problem\+json/);
      // The workflow catalog is served by the same app (and audits the discovery call in the same trail).
      assert.equal((await call(first.url, 'GET', '/api/v1/workflows/actions')).status, 200);
      assert.equal((await call(first.url, 'POST', '/api/v1/audit/events/batch', { events })).status, 201);
    } finally {
      await first.close();
    }

    const second = await startDataStorage({ dataDir, clock });
    try {
      const stored = await call(second.url, 'GET', '/api/v1/audit/events');
      assert.deepEqual(stored.body.events.map((e: any) => e.eventType), ['datastorage.workflow.discovery', ...events.map((e) => e.eventType)]);
      assert.deepEqual(stored.body.events.slice(1).map((e: any) => e.eventId), events.map((e) => e.eventId));
      await call(second.url, 'POST', '/api/v1/audit/events', event());
      assert.deepEqual((await call(second.url, 'POST', '/api/v1/audit/verify-chain')).body, { valid: true, checked: 5 });
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

for (const kind of TEST_DATABASES) {
  test(`${kind.name}: concurrent appends, including retries racing each other, keep one gap-free valid chain`, { skip: kind.skip }, async () => {
    const fresh = await kind.freshUrl();
    // Two replicas on one PostgreSQL (started together: migrations must cope); one server on PGlite.
    const servers = await Promise.all(
      (kind.name === 'postgresql' ? [0, 1] : [0]).map(() => startDataStorage({ databaseUrl: fresh.url, clock })),
    );
    try {
      const batches = Array.from({ length: 16 }, () => Array.from({ length: 20 }, () => event()));
      const singles = Array.from({ length: 40 }, () => event());
      const requests = [
        ...batches.map((events, i) => call(servers[i % servers.length].url, 'POST', '/api/v1/audit/events/batch', { events })),
        // Every single event sent twice, to different replicas at once.
        ...singles.flatMap((e, i) => [
          call(servers[i % servers.length].url, 'POST', '/api/v1/audit/events', e),
          call(servers[(i + 1) % servers.length].url, 'POST', '/api/v1/audit/events', e),
        ]),
      ];
      const answers = await Promise.all(requests);
      assert.ok(answers.every((a) => a.status === 201), JSON.stringify(answers.find((a) => a.status !== 201)));

      const total = batches.length * 20 + singles.length;
      for (const s of servers) {
        assert.deepEqual((await call(s.url, 'POST', '/api/v1/audit/verify-chain')).body, { valid: true, checked: total });
      }
      const ids = new Set<string>();
      let cursor: string | undefined;
      let expected = 1;
      do {
        const page = await call(servers[0].url, 'GET', `/api/v1/audit/events?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
        for (const e of page.body.events) {
          assert.equal(e.sequence, expected++);
          ids.add(e.eventId);
        }
        cursor = page.body.nextCursor;
      } while (cursor);
      assert.equal(ids.size, total);
      // Each batch is contiguous: its events were appended in one transaction.
      const all = (await call(servers[0].url, 'GET', '/api/v1/audit/events?limit=1000')).body.events;
      const position = new Map<string, number>(all.map((e: any) => [e.eventId, e.sequence]));
      for (const b of batches) {
        const seqs = b.map((e) => position.get(e.eventId as string)!);
        assert.deepEqual(seqs, seqs.map((_, i) => seqs[0] + i));
      }
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      await fresh.drop();
    }
  });
}
