import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { AuditClient, NoopAuditSink, RecordingAuditSink, type AuditClientOptions, type AuditEventInput } from '../../../src/datastorage/client/audit-client.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { rootLogger } from '../../../src/platform/log.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';
import { FakeDataStorage } from './fake-datastorage.ts';

// Waits (flush interval, backoff) are nominal: 20x faster keeps the tests quick.
const clock = new ScaledClock(20);
// The clients log every outage and refusal; the assertions say what matters.
const quiet = rootLogger.child({ component: 'audit-client' }, { level: process.env.KUBERNAUT_LOG_LEVEL ?? 'silent' });

function event(n: number, correlationId = 'rr-test'): AuditEventInput {
  return {
    eventType: 'gateway.signal.received',
    eventCategory: 'gateway',
    eventAction: 'received',
    eventOutcome: 'success',
    correlationId,
    actorType: 'service',
    actorId: 'gateway',
    resourceType: 'StatefulSet',
    resourceName: 'kv-store',
    namespace: 'demo',
    eventData: { n },
  };
}

function numbers(events: { eventData: Record<string, unknown> }[]): number[] {
  return events.map((e) => e.eventData.n as number);
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

async function withSpillDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kubernaut-audit-spill-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function newClient(ds: FakeDataStorage, extra: Partial<AuditClientOptions> = {}): AuditClient {
  return new AuditClient({ baseUrl: ds.url, clock, retryMaxDelayMs: 1000, logger: quiet, ...extra });
}

test('delivers recorded events in batches, in record order, stamped with an id and a time', async () => {
  const ds = new FakeDataStorage();
  await ds.start();
  const client = newClient(ds, { batchSize: 100 });
  try {
    const before = Date.now();
    for (const n of range(250)) client.record(event(n));
    await client.flush();
    assert.deepEqual(numbers(ds.stored), range(250));
    assert.equal(ds.duplicates, 0);
    assert.ok(ds.batchSizes.every((size) => size <= 100), `batches ${ds.batchSizes}`);
    assert.ok(ds.batchSizes.length >= 3);
    const first = ds.stored[0];
    assert.match(first.eventId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(Date.parse(first.eventTimestamp) >= before - 1000);
    assert.equal(new Set(ds.stored.map((e) => e.eventId)).size, 250);
    assert.deepEqual({ ...first, eventId: undefined, eventTimestamp: undefined }, { ...event(0), eventId: undefined, eventTimestamp: undefined });
    assert.deepEqual(client.stats(), { recorded: 250, delivered: 250, dropped: 0, rejected: 0, buffered: 0, spilled: 0, reachable: true });
  } finally {
    await client.close();
    await ds.stop();
  }
});

test('an event that brings its own id and time keeps them', async () => {
  const ds = new FakeDataStorage();
  await ds.start();
  const client = newClient(ds);
  try {
    const own = { ...event(1), eventId: '0b6f3c1e-8d2a-4f5b-9c7d-1e2f3a4b5c6d', eventTimestamp: '2026-01-02T03:04:05.678Z' };
    client.record(own);
    client.record({ ...event(2), eventId: 'not-a-uuid' });
    await client.flush();
    assert.equal(ds.stored.length, 1);
    assert.equal(ds.stored[0].eventId, own.eventId);
    assert.equal(ds.stored[0].eventTimestamp, own.eventTimestamp);
    assert.equal(client.stats().dropped, 1);
  } finally {
    await client.close();
    await ds.stop();
  }
});

test('a few events are sent after the flush interval without anyone calling flush()', async () => {
  const ds = new FakeDataStorage();
  await ds.start();
  const client = newClient(ds, { batchSize: 100, flushIntervalMs: 1000 });
  try {
    for (const n of range(3)) client.record(event(n));
    await eventually(async () => ds.stored.length === 3, 'the flush interval sends the partial batch', 5000);
    assert.deepEqual(ds.batchSizes, [3]);
  } finally {
    await client.close();
    await ds.stop();
  }
});

test('record() never throws: invalid events are dropped and counted', async () => {
  const ds = new FakeDataStorage();
  await ds.start();
  const client = newClient(ds);
  try {
    client.record({} as AuditEventInput);
    client.record({ ...event(1), eventCategory: 'nonsense' } as unknown as AuditEventInput);
    client.record({ ...event(2), eventType: 'not dotted' });
    client.record(event(3));
    await client.flush();
    assert.deepEqual(numbers(ds.stored), [3]);
    assert.equal(client.stats().dropped, 3);
  } finally {
    await client.close();
    await ds.stop();
  }
});

test('an outage loses nothing: events spill to disk and are replayed in order, once, after recovery', async () => {
  await withSpillDir(async (spillDir) => {
    const ds = new FakeDataStorage();
    await ds.start();
    const client = newClient(ds, { spillDir, batchSize: 50 });
    try {
      for (const n of range(100)) client.record(event(n));
      await client.flush();
      await ds.stop();

      for (const n of range(200).map((i) => i + 100)) client.record(event(n));
      await eventually(async () => client.stats().spilled === 200, 'events recorded during the outage are on disk', 10_000);
      assert.equal(client.stats().reachable, false);
      // More events while everything earlier waits on disk: they must come after it.
      for (const n of range(100).map((i) => i + 300)) client.record(event(n));

      await ds.start();
      await client.flush();
      assert.deepEqual(numbers(ds.stored), range(400));
      assert.equal(ds.stored.length, new Set(ds.stored.map((e) => e.eventId)).size);
      const stats = client.stats();
      assert.equal(stats.spilled, 0);
      assert.equal(stats.buffered, 0);
      assert.equal(stats.reachable, true);
    } finally {
      await client.close();
      await ds.stop();
    }
  });
});

test('a full buffer spills to disk instead of growing or dropping', async () => {
  await withSpillDir(async (spillDir) => {
    const ds = new FakeDataStorage();
    await ds.start();
    await ds.stop(); // the port is known, nobody answers
    const client = newClient(ds, { spillDir, batchSize: 100, maxBufferedEvents: 200 });
    try {
      for (const n of range(1000)) client.record(event(n));
      await eventually(async () => client.stats().spilled === 1000, 'the burst is on disk', 10_000);
      assert.equal(client.stats().dropped, 0);
      await ds.start();
      await client.flush();
      assert.deepEqual(numbers(ds.stored), range(1000));
    } finally {
      await client.close();
      await ds.stop();
    }
  });
});

test('without a spill directory, events beyond maxBufferedEvents are dropped and counted', async () => {
  const ds = new FakeDataStorage();
  await ds.start();
  await ds.stop();
  const client = newClient(ds, { batchSize: 100, maxBufferedEvents: 300 });
  try {
    for (const n of range(500)) client.record(event(n));
    assert.equal(client.stats().dropped, 200);
    await ds.start();
    await client.flush();
    assert.deepEqual(numbers(ds.stored), range(300));
  } finally {
    await client.close();
    await ds.stop();
  }
});

test('close() spills what it could not deliver, and the next client delivers it first', async () => {
  await withSpillDir(async (spillDir) => {
    const ds = new FakeDataStorage();
    await ds.start();
    await ds.stop();
    const first = newClient(ds, { spillDir });
    for (const n of range(70)) first.record(event(n));
    await first.close({ timeoutMs: 2000 });
    assert.equal(first.stats().spilled, 70);
    first.record(event(999));
    assert.equal(first.stats().dropped, 1, 'a closed client drops');

    await ds.start();
    const second = newClient(ds, { spillDir });
    try {
      for (const n of range(30).map((i) => i + 70)) second.record(event(n));
      await second.flush();
      assert.deepEqual(numbers(ds.stored), range(100));
    } finally {
      await second.close();
      await ds.stop();
    }
  });
});

test('a second client on a spill directory in use still delivers, from memory only', async () => {
  await withSpillDir(async (spillDir) => {
    const ds = new FakeDataStorage();
    await ds.start();
    const owner = newClient(ds, { spillDir });
    owner.record(event(1));
    // Once flushed, the owner has opened its spill store: the directory is taken before `other` asks.
    await owner.flush();
    const other = newClient(ds, { spillDir });
    try {
      other.record(event(2));
      await other.flush();
      assert.deepEqual(numbers(ds.stored).sort(), [1, 2]);
      await ds.stop();
      other.record(event(3));
      await eventually(async () => !other.stats().reachable, 'the outage is noticed', 5000);
      assert.equal(other.stats().spilled, 0, 'nothing of it went into the directory it does not own');
      assert.equal(other.stats().buffered, 1);
    } finally {
      await other.close({ timeoutMs: 200 });
      await owner.close({ timeoutMs: 200 });
      await ds.stop();
    }
  });
});

test('an event DataStorage refuses is set aside without blocking the ones around it', async () => {
  await withSpillDir(async (spillDir) => {
    const ds = new FakeDataStorage({ refuse: (e) => e.eventData.poison === true });
    await ds.start();
    const client = newClient(ds, { spillDir, batchSize: 100 });
    try {
      for (const n of range(40)) client.record(n === 17 ? { ...event(n), eventData: { n, poison: true } } : event(n));
      await client.flush();
      assert.deepEqual(numbers(ds.stored), range(40).filter((n) => n !== 17));
      assert.equal(client.stats().rejected, 1);
      const rejected = (await readFile(join(spillDir, 'rejected.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(rejected.length, 1);
      assert.equal(rejected[0].event.eventData.n, 17);
      assert.match(rejected[0].reason, /HTTP 400/);
      // Back to full batches afterwards.
      for (const n of range(100).map((i) => i + 40)) client.record(event(n));
      await client.flush();
      assert.equal(ds.batchSizes.at(-1), 100);
    } finally {
      await client.close();
      await ds.stop();
    }
  });
});

function startChild(baseUrl: string, spillDir: string, count: number): { child: ChildProcess; output: () => string; exited: Promise<unknown> } {
  const fixture = new URL('./fixtures/audit-child.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, baseUrl, spillDir, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { child, output: () => out, exited };
}

test('a crashed process loses nothing it spilled; the next one replays it in order, stored once', async () => {
  await withSpillDir(async (spillDir) => {
    const ds = new FakeDataStorage();
    await ds.start();
    await ds.stop();

    // 1. A process records 500 events during an outage and is killed once they are on disk.
    const writer = startChild(ds.url, spillDir, 500);
    try {
      await eventually(async () => writer.output().includes('SPILLED'), 'the child spilled its events', 15_000);
    } finally {
      writer.child.kill('SIGKILL');
      await writer.exited;
    }

    // 2. A process replaying them is killed mid-way, with one batch stored but never acknowledged.
    await ds.start();
    ds.holdAfterBatches = 3;
    const replayer = startChild(ds.url, spillDir, 0);
    try {
      await eventually(async () => ds.batchSizes.length === 4, 'the replay reached the batch whose answer is lost', 15_000);
    } finally {
      replayer.child.kill('SIGKILL');
      await replayer.exited;
    }
    assert.ok(ds.stored.length > 0 && ds.stored.length < 500, `partly replayed: ${ds.stored.length}`);

    // 3. The next process delivers the rest: every event once, in the original order.
    ds.holdAfterBatches = undefined;
    const client = newClient(ds, { spillDir });
    try {
      await client.flush();
      assert.deepEqual(numbers(ds.storedOf('crash')), range(500));
      assert.ok(ds.duplicates > 0, 'the unacknowledged batch was sent again (and stored once)');
      assert.equal(client.stats().spilled, 0);
    } finally {
      await client.close();
      await ds.stop();
    }
  });
});

test('exposes its counters as Prometheus metrics', async () => {
  const ds = new FakeDataStorage();
  await ds.start();
  const metrics = new Registry();
  const client = newClient(ds, { metrics });
  try {
    for (const n of range(5)) client.record(event(n));
    client.record({} as AuditEventInput);
    await client.flush();
    const text = await metrics.metrics();
    assert.match(text, /^kubernaut_audit_client_events_recorded_total 5$/m);
    assert.match(text, /^kubernaut_audit_client_events_delivered_total 5$/m);
    assert.match(text, /^kubernaut_audit_client_events_dropped_total 1$/m);
    assert.match(text, /^kubernaut_audit_client_datastorage_reachable 1$/m);
    // A second scrape does not count twice.
    assert.match(await metrics.metrics(), /^kubernaut_audit_client_events_recorded_total 5$/m);
  } finally {
    await client.close();
    await ds.stop();
  }
});

test('services without DataStorage audit into a no-op sink; tests can record into memory', () => {
  new NoopAuditSink().record(event(1));
  const sink = new RecordingAuditSink();
  sink.record(event(1));
  sink.record({ ...event(2), eventType: 'gateway.crd.created' });
  assert.equal(sink.events.length, 2);
  assert.equal(sink.ofType('gateway.crd.created')[0].eventData.n, 2);
  assert.ok(sink.events[0].eventId && sink.events[0].eventTimestamp);
});
