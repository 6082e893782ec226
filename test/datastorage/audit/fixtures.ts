/** Shared by the DataStorage tests: an in-process server on a fresh database, events, JSON over HTTP. */
import { randomUUID } from 'node:crypto';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { startDataStorage, type DataStorageHandle } from '../../../src/datastorage/server.ts';
import type { Database } from '../../../src/datastorage/db/database.ts';
import type { TestDatabaseKind } from '../../helpers/database.ts';

export interface Served {
  ds: DataStorageHandle;
  db: Database;
  close(): Promise<void>;
}

/** A DataStorage server on a fresh database that the test can also reach with SQL. */
export async function serve(kind: TestDatabaseKind): Promise<Served> {
  const db = await kind.open();
  const ds = await startDataStorage({ database: db, clock: new ScaledClock(1) });
  return {
    ds,
    db,
    async close() {
      await ds.close();
      await db.close();
    },
  };
}

let counter = 0;

export function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    eventId: randomUUID(),
    eventTimestamp: new Date(Date.UTC(2026, 10, 26, 12, 0, 0, counter)).toISOString(),
    eventType: 'gateway.signal.received',
    eventCategory: 'gateway',
    eventAction: 'received',
    eventOutcome: 'success',
    correlationId: 'rr-abc',
    actorType: 'service',
    actorId: 'gateway',
    resourceType: 'StatefulSet',
    resourceName: 'kv-store',
    namespace: 'demo-statefulset',
    eventData: { alertName: 'KubernautStatefulSetReplicasMismatch', n: counter, nested: { b: [1, 'x', null, 'é😀', 1.5e-7, 2 ** 70], a: true } },
    ...overrides,
  };
}

export interface JsonResponse {
  status: number;
  contentType: string;
  body: any;
}

export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
}
