import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditClient } from '../../../src/datastorage/client/audit-client.ts';
import { startDataStorage, type DataStorageHandle } from '../../../src/datastorage/server.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { rootLogger } from '../../../src/platform/log.ts';
import { TEST_DATABASES } from '../../helpers/database.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';

const clock = new ScaledClock(20);
const quiet = rootLogger.child({}, { level: process.env.KUBERNAUT_LOG_LEVEL ?? 'silent' });

interface StoredEvent {
  sequence: number;
  eventId: string;
  eventData: { n: number };
}

/** Every event of a correlation id, page by page, in server order. */
async function fetchAll(baseUrl: string, correlationId: string): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  let cursor: string | undefined;
  do {
    const url = new URL('/api/v1/audit/events', baseUrl);
    url.searchParams.set('correlationId', correlationId);
    url.searchParams.set('limit', '1000');
    if (cursor) url.searchParams.set('cursor', cursor);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    const page = (await res.json()) as { events: StoredEvent[]; nextCursor?: string };
    all.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

for (const kind of TEST_DATABASES) {
  test(`${kind.name}: 1,000 events recorded across a DataStorage restart are all stored once, in order, with a valid chain`, { skip: kind.skip }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubernaut-audit-it-'));
    const fresh = await kind.freshUrl();
    // PGlite keeps its files under a temp dir so the restarted server finds the first one's events.
    const where = { databaseUrl: fresh.url, dataDir: fresh.url ? undefined : join(dir, 'pgdata') };
    let server: DataStorageHandle | undefined = await startDataStorage({ ...where, clock, logger: quiet });
    const port = Number(new URL(server.url).port);
    const client = new AuditClient({ baseUrl: server.url, clock, spillDir: join(dir, 'spill'), batchSize: 100, retryMaxDelayMs: 1000, logger: quiet });
    const record = (n: number) =>
      client.record({
        eventType: 'gateway.signal.received',
        eventCategory: 'gateway',
        eventAction: 'received',
        eventOutcome: 'success',
        correlationId: 'rr-audit-restart',
        actorType: 'service',
        actorId: 'gateway',
        resourceType: 'StatefulSet',
        resourceName: 'kv-store',
        namespace: 'demo-statefulset',
        eventData: { n },
      });
    try {
      for (let n = 0; n < 400; n++) record(n);
      await client.flush();

      await server.close();
      server = undefined;
      for (let n = 400; n < 700; n++) record(n);
      // The outage lasts until the client has given up on a delivery and spilled to disk.
      await eventually(async () => !client.stats().reachable && client.stats().spilled > 0, 'the client spills during the outage', 10_000);
      for (let n = 700; n < 1000; n++) record(n);

      server = await startDataStorage({ ...where, port, clock, logger: quiet });
      await client.flush();

      const stored = await fetchAll(server.url, 'rr-audit-restart');
      assert.equal(stored.length, 1000);
      assert.deepEqual(
        stored.map((e) => e.eventData.n),
        Array.from({ length: 1000 }, (_, i) => i),
      );
      assert.equal(new Set(stored.map((e) => e.eventId)).size, 1000);
      assert.ok(stored.every((e, i) => i === 0 || e.sequence > stored[i - 1].sequence));

      const verify = await fetch(new URL('/api/v1/audit/verify-chain', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(verify.status, 200);
      const result = (await verify.json()) as { valid: boolean; checked: number };
      assert.equal(result.valid, true);
      assert.equal(result.checked, 1000);
    } finally {
      await client.close({ timeoutMs: 1000 });
      await server?.close();
      await fresh.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
}

for (const kind of TEST_DATABASES) {
  test(`${kind.name}: events carrying hostile input (NUL, lone surrogates, a 70,000-character name) are stored, not refused`, { skip: kind.skip }, async () => {
    const fresh = await kind.freshUrl();
    const dir = await mkdtemp(join(tmpdir(), 'kubernaut-audit-hostile-'));
    const server = await startDataStorage({ databaseUrl: fresh.url, dataDir: fresh.url ? undefined : join(dir, 'pgdata'), clock, logger: quiet });
    const client = new AuditClient({ baseUrl: server.url, clock, batchSize: 10, logger: quiet });
    try {
      client.record({
        eventType: 'gateway.signal.rejected', eventCategory: 'gateway', eventAction: 'rejected', eventOutcome: 'failure',
        correlationId: 'rr-hostile', actorType: 'service', actorId: 'gateway',
        resourceType: 'StatefulSet', resourceName: 'x'.repeat(70_000), namespace: 'ns\u0000',
        eventData: { labels: { 'key\u0000': 'kv-store\u0000', alertname: 'A\ud800B', emoji: '😀' } },
      });
      await client.flush();
      const [stored] = await fetchAll(server.url, 'rr-hostile') as unknown as Array<{ resourceName: string; namespace: string; eventData: { labels: Record<string, string> } }>;
      assert.ok(stored, 'the event was stored');
      assert.equal(stored.resourceName.length, 253);
      assert.ok(stored.resourceName.endsWith('…'));
      assert.equal(stored.namespace, 'ns\\u0000');
      assert.deepEqual(stored.eventData.labels, { 'key\\u0000': 'kv-store\\u0000', alertname: 'A\uFFFDB', emoji: '😀' });
      assert.equal(client.stats().dropped, 0);
      assert.equal(client.stats().rejected, 0);
    } finally {
      await client.close({ timeoutMs: 1000 });
      await server.close();
      await fresh.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
