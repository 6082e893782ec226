import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { completeAuditEvent, type AuditEvent } from '../../../src/datastorage/client/audit-event.ts';
import { SpillStore } from '../../../src/datastorage/client/spill-store.ts';

function events(from: number, count: number): AuditEvent[] {
  return Array.from({ length: count }, (_, i) =>
    completeAuditEvent(
      {
        eventType: 'test.spill.recorded',
        eventCategory: 'datastorage',
        eventAction: 'recorded',
        eventOutcome: 'success',
        correlationId: 'spill',
        actorType: 'service',
        actorId: 'test',
        eventData: { n: from + i },
      },
      new Date(),
    ),
  );
}

async function drain(store: SpillStore, batch = 7): Promise<number[]> {
  const seen: number[] = [];
  for (;;) {
    const got = await store.peek(batch);
    if (got.length === 0) return seen;
    seen.push(...got.map((e) => e.eventData.n as number));
    await store.acknowledge(got.length);
  }
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kubernaut-spill-store-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('appended and prepended events come out in queue order across segments, then the files are gone', () =>
  withDir(async (dir) => {
    const store = new SpillStore(dir, { segmentMaxEvents: 10 });
    assert.equal(await store.open(), 0);
    const appended = store.append(events(20, 25));
    assert.equal(store.pending, 25, 'counted as soon as the append is called');
    await appended;
    await store.prepend(events(10, 10));
    await store.prepend(events(0, 10));
    await store.append(events(45, 5));
    assert.equal(store.pending, 50);
    assert.deepEqual(await drain(store), Array.from({ length: 50 }, (_, i) => i));
    assert.equal(store.pending, 0);
    await store.close();
    assert.deepEqual(await readdir(dir), []);
  }));

test('a reopened store resumes after the acknowledged events and never appends to an old segment', () =>
  withDir(async (dir) => {
    const first = new SpillStore(dir, { segmentMaxEvents: 100 });
    await first.open();
    await first.append(events(0, 30));
    await first.acknowledge((await first.peek(12)).length);
    await first.close();

    const second = new SpillStore(dir, { segmentMaxEvents: 100 });
    assert.equal(await second.open(), 18);
    await second.append(events(30, 5));
    assert.equal((await readdir(dir)).filter((f) => f.endsWith('.jsonl')).length, 2, 'a new segment for the new process');
    assert.deepEqual(await drain(second), Array.from({ length: 23 }, (_, i) => i + 12));
  }));

test('a torn last line (a crash mid-write) is skipped; the complete events before it survive', () =>
  withDir(async (dir) => {
    const first = new SpillStore(dir);
    await first.open();
    await first.append(events(0, 5));
    await first.close();
    const [segment] = (await readdir(dir)).filter((f) => f.endsWith('.jsonl'));
    await appendFile(join(dir, segment), '{"eventId":"6f1c', 'utf8');

    const second = new SpillStore(dir);
    assert.equal(await second.open(), 5);
    await second.append(events(5, 2));
    assert.deepEqual(await drain(second, 100), [0, 1, 2, 3, 4, 5, 6]);
  }));

test('one process at a time: a live holder keeps the directory, a dead one\'s lock is taken over', () =>
  withDir(async (dir) => {
    const first = new SpillStore(dir);
    await first.open();
    await assert.rejects(new SpillStore(dir).open(), /in use by process/);
    await first.close();
    const second = new SpillStore(dir);
    await second.open();
    await second.close();

    // A pid that cannot be alive (above the kernel's maximum) stands for a crashed holder.
    await writeFile(join(dir, 'LOCK'), '4194305');
    const third = new SpillStore(dir);
    assert.equal(await third.open(), 0);
    await third.close();

    // Our own pid, but no store of this process holds it: an earlier run that got the same pid.
    await writeFile(join(dir, 'LOCK'), String(process.pid));
    const fourth = new SpillStore(dir);
    await fourth.open();
    await assert.rejects(new SpillStore(dir).open(), /in use by process/);
    await fourth.close();
  }));

test('stores opening one directory at the same moment: exactly one gets it, the others are told it is in use', () =>
  withDir(async (dir) => {
    const stores = Array.from({ length: 5 }, () => new SpillStore(dir));
    const results = await Promise.allSettled(stores.map((s) => s.open()));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.match(String(r.reason), /in use by process/);
    await Promise.all(stores.map((s) => s.close()));
    assert.deepEqual(await readdir(dir), [], 'the lock is released, no candidate file is left');
  }));

const SPILL_STORE_MODULE = fileURLToPath(new URL('../../../src/datastorage/client/spill-store.ts', import.meta.url));

/** A separate process that tries to open the store, reports, and holds it until its stdin closes. */
function contender(dir: string): { outcome: Promise<string>; release(): Promise<void> } {
  const script = `
    const { SpillStore } = await import(${JSON.stringify(SPILL_STORE_MODULE)});
    const store = new SpillStore(${JSON.stringify(dir)});
    const outcome = await store.open().then(() => 'opened', (e) => 'refused: ' + e.message);
    process.stdout.write(outcome + '\\n');
    process.stdin.resume();
    process.stdin.on('end', () => void store.close());`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  const outcome = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`contender exited (${code}) before reporting`)));
  });
  return {
    outcome,
    async release() {
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    },
  };
}

test('processes racing to take over a crashed holder\'s lock: exactly one wins', () =>
  withDir(async (dir) => {
    // A pid that cannot be alive (above the kernel's maximum) stands for a crashed holder.
    await writeFile(join(dir, 'LOCK'), '4194305');
    const contenders = Array.from({ length: 3 }, () => contender(dir));
    try {
      const outcomes = await Promise.all(contenders.map((c) => c.outcome));
      assert.equal(outcomes.filter((o) => o === 'opened').length, 1, outcomes.join('; '));
      for (const o of outcomes.filter((x) => x !== 'opened')) assert.match(o, /^refused: .*in use by process \d+/);
    } finally {
      await Promise.all(contenders.map((c) => c.release()));
    }
    assert.deepEqual(await readdir(dir), [], 'the winner released its lock and removed the crashed one\'s');
  }));
