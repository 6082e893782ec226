/**
 * The audit trail in SQL: appending (idempotent, hash-chained, all-or-nothing per call), querying
 * with filters and keyset pagination, and verifying the chain.
 *
 * Appends from every DataStorage replica are serialised with a transaction-scoped advisory lock:
 * the chain needs the previous event's hash and the next gap-free sequence, and the lock makes
 * "read head, insert after it" atomic across processes. Reads take no lock.
 */
import type { Db } from '../db/database.ts';
import type { AuditEventInput, AuditQuery, StoredAuditEvent } from './event-schema.ts';
import { eventHash, GENESIS_HASH } from './hash-chain.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

/** Arbitrary constant shared by every replica: "kubernaut audit chain". */
const CHAIN_LOCK_KEY = 4_721_994;

/** Work done in the append transaction after the new events are stored (e.g. remediation history). */
export type AppendProjection = (tx: Db, appended: StoredAuditEvent[]) => Promise<void>;

export interface AppendResult {
  /** The events stored now, in sequence order (retries of stored events are not repeated). */
  appended: StoredAuditEvent[];
  /** How many inputs were already stored (or repeated within the call). */
  duplicates: number;
}

const COLUMNS = `sequence, event_id, event_timestamp, event_type, event_category, event_action, event_outcome,
  correlation_id, actor_type, actor_id, resource_type, resource_name, namespace, event_data, received_at,
  previous_event_hash, event_hash`;

function fromRow(r: Record<string, any>): StoredAuditEvent {
  return {
    sequence: Number(r.sequence),
    eventId: r.event_id,
    eventTimestamp: (r.event_timestamp as Date).toISOString(),
    eventType: r.event_type,
    eventCategory: r.event_category,
    eventAction: r.event_action,
    eventOutcome: r.event_outcome,
    correlationId: r.correlation_id,
    actorType: r.actor_type,
    actorId: r.actor_id,
    resourceType: r.resource_type,
    resourceName: r.resource_name,
    namespace: r.namespace,
    eventData: r.event_data,
    receivedAt: (r.received_at as Date).toISOString(),
    previousEventHash: r.previous_event_hash,
    eventHash: r.event_hash,
  };
}

/** The JSON shape of a stored event: optional members left out when absent. */
export function toApiEvent(e: StoredAuditEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { ...e };
  for (const k of ['resourceType', 'resourceName', 'namespace'] as const) if (e[k] === null) delete out[k];
  return out;
}

export async function appendEvents(
  db: Db,
  inputs: AuditEventInput[],
  receivedAt: Date,
  projections: AppendProjection[] = [],
): Promise<AppendResult> {
  if (inputs.length === 0) return { appended: [], duplicates: 0 };
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK_KEY]);
    const ids = inputs.map((e) => e.eventId);
    const seen = await tx.query<{ event_id: string }>('SELECT event_id FROM audit_events WHERE event_id = ANY($1::uuid[])', [ids]);
    const stored = new Set(seen.rows.map((r) => r.event_id));
    const head = await tx.query<{ sequence: string; event_hash: string }>('SELECT sequence, event_hash FROM audit_events ORDER BY sequence DESC LIMIT 1');
    let sequence = head.rows.length ? Number(head.rows[0].sequence) : 0;
    let previous = head.rows.length ? head.rows[0].event_hash : GENESIS_HASH;
    const received = receivedAt.toISOString();

    const appended: StoredAuditEvent[] = [];
    for (const input of inputs) {
      if (stored.has(input.eventId)) continue;
      stored.add(input.eventId);
      sequence += 1;
      // What we hash must be exactly what the database returns: eventData through a JSON round trip.
      const body = { ...input, eventData: JSON.parse(JSON.stringify(input.eventData)), sequence, receivedAt: received };
      const hash = eventHash(previous, body);
      appended.push({ ...body, previousEventHash: previous, eventHash: hash });
      previous = hash;
    }
    if (appended.length > 0) {
      const rows = appended.map((e) => ({
        sequence: e.sequence,
        event_id: e.eventId,
        event_timestamp: e.eventTimestamp,
        event_type: e.eventType,
        event_category: e.eventCategory,
        event_action: e.eventAction,
        event_outcome: e.eventOutcome,
        correlation_id: e.correlationId,
        actor_type: e.actorType,
        actor_id: e.actorId,
        resource_type: e.resourceType,
        resource_name: e.resourceName,
        namespace: e.namespace,
        event_data: e.eventData,
        received_at: e.receivedAt,
        previous_event_hash: e.previousEventHash,
        event_hash: e.eventHash,
      }));
      // One statement for the whole batch; the lock means no conflict can occur, the clause is a guard.
      const inserted = await tx.query(
        `INSERT INTO audit_events (${COLUMNS})
         SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS x(sequence bigint, event_id uuid,
           event_timestamp timestamptz, event_type text, event_category text, event_action text, event_outcome text,
           correlation_id text, actor_type text, actor_id text, resource_type text, resource_name text, namespace text,
           event_data jsonb, received_at timestamptz, previous_event_hash text, event_hash text)
         ON CONFLICT (event_id) DO NOTHING`,
        [JSON.stringify(rows)],
      );
      if (inserted.rowCount !== appended.length) throw new Error('audit chain head moved during an append');
      for (const project of projections) await project(tx, appended);
    }
    return { appended, duplicates: inputs.length - appended.length };
  });
}

export interface QueryPage {
  events: StoredAuditEvent[];
  nextCursor?: string;
}

export async function queryEvents(db: Db, q: AuditQuery): Promise<QueryPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.correlationId !== undefined) add('correlation_id = ?', q.correlationId);
  if (q.eventType !== undefined) add('event_type = ?', q.eventType);
  if (q.eventCategory !== undefined) add('event_category = ?', q.eventCategory);
  if (q.since !== undefined) add('event_timestamp >= ?', q.since);
  if (q.until !== undefined) add('event_timestamp <= ?', q.until);
  if (q.cursor !== undefined) add('sequence > ?', decodeCursor(q.cursor));
  params.push(q.limit + 1);
  const r = await db.query(
    `SELECT ${COLUMNS} FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY sequence LIMIT $${params.length}`,
    params,
  );
  const events = r.rows.slice(0, q.limit).map(fromRow);
  const more = r.rows.length > q.limit;
  return more ? { events, nextCursor: encodeCursor(events[events.length - 1].sequence) } : { events };
}

export interface ChainVerification {
  valid: boolean;
  checked: number;
  firstInvalidSequence?: number;
  reason?: string;
}

const VERIFY_PAGE = 1000;

/**
 * Recomputes every hash in sequence order. With a time range, verifies the contiguous run of
 * sequences from the first event at/after `since` to the last one at/before `until` (event
 * timestamps), including the link to the event just before it.
 */
export async function verifyChain(db: Db, range: { since?: string; until?: string } = {}): Promise<ChainVerification> {
  const bounds = await db.query<{ lo: string | null; hi: string | null }>(
    `SELECT (SELECT min(sequence) FROM audit_events WHERE $1::timestamptz IS NULL OR event_timestamp >= $1) AS lo,
            (SELECT max(sequence) FROM audit_events WHERE $2::timestamptz IS NULL OR event_timestamp <= $2) AS hi`,
    [range.since ?? null, range.until ?? null],
  );
  const lo = bounds.rows[0].lo === null ? null : Number(bounds.rows[0].lo);
  const hi = bounds.rows[0].hi === null ? null : Number(bounds.rows[0].hi);
  if (lo === null || hi === null || lo > hi) return { valid: true, checked: 0 };

  let expected = lo;
  let previous: string;
  if (lo === 1) previous = GENESIS_HASH;
  else {
    const before = await db.query<{ event_hash: string }>('SELECT event_hash FROM audit_events WHERE sequence = $1', [lo - 1]);
    if (before.rows.length === 0) return { valid: false, checked: 0, firstInvalidSequence: lo - 1, reason: `event ${lo - 1} is missing` };
    previous = before.rows[0].event_hash;
  }
  let checked = 0;
  while (expected <= hi) {
    const page = await db.query(`SELECT ${COLUMNS} FROM audit_events WHERE sequence >= $1 AND sequence <= $2 ORDER BY sequence LIMIT ${VERIFY_PAGE}`, [expected, hi]);
    if (page.rows.length === 0) return { valid: false, checked, firstInvalidSequence: expected, reason: `event ${expected} is missing` };
    for (const raw of page.rows) {
      const e = fromRow(raw);
      if (e.sequence !== expected) return { valid: false, checked, firstInvalidSequence: expected, reason: `event ${expected} is missing` };
      if (e.previousEventHash !== previous) {
        return { valid: false, checked, firstInvalidSequence: e.sequence, reason: `previous_event_hash does not match the hash of event ${e.sequence - 1}` };
      }
      if (eventHash(previous, e) !== e.eventHash) {
        return { valid: false, checked, firstInvalidSequence: e.sequence, reason: 'event_hash does not match the event content' };
      }
      previous = e.eventHash;
      checked += 1;
      expected += 1;
    }
  }
  return { valid: true, checked };
}
