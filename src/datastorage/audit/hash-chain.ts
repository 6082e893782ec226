/**
 * The audit hash chain, defined once here.
 *
 *   event_hash = lowercase hex sha256( previous_event_hash || canonicalJson(hashedFields(event)) )
 *
 * - `previous_event_hash` is the `event_hash` of the event with the previous `sequence`;
 *   the first event (sequence 1) uses GENESIS_HASH (64 zeros).
 * - `hashedFields` are every stored column except the two hashes, under their API names:
 *   sequence (number), eventId (lowercase UUID), eventTimestamp and receivedAt (ISO 8601 UTC with
 *   milliseconds, `2026-11-26T12:00:00.000Z`), eventType, eventCategory, eventAction, eventOutcome,
 *   correlationId, actorType, actorId, resourceType, resourceName, namespace (null when absent),
 *   eventData (the JSON object).
 * - canonicalJson is JSON with object keys sorted by UTF-16 code units at every depth, no whitespace,
 *   strings and numbers written as JSON.stringify writes them; undefined members are left out.
 *
 * Hashing the sequence makes reordering detectable; gap-free sequences make a deleted event
 * detectable (except at the very end of the chain, which needs an outside anchor).
 */
import { createHash } from 'node:crypto';
import type { StoredAuditEvent } from './event-schema.ts';

export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export type HashedEvent = Omit<StoredAuditEvent, 'eventHash' | 'previousEventHash'>;

export function hashedFields(e: HashedEvent): HashedEvent {
  return {
    sequence: e.sequence,
    eventId: e.eventId,
    eventTimestamp: e.eventTimestamp,
    eventType: e.eventType,
    eventCategory: e.eventCategory,
    eventAction: e.eventAction,
    eventOutcome: e.eventOutcome,
    correlationId: e.correlationId,
    actorType: e.actorType,
    actorId: e.actorId,
    resourceType: e.resourceType ?? null,
    resourceName: e.resourceName ?? null,
    namespace: e.namespace ?? null,
    eventData: e.eventData,
    receivedAt: e.receivedAt,
  };
}

export function eventHash(previousEventHash: string, event: HashedEvent): string {
  return createHash('sha256').update(previousEventHash).update(canonicalJson(hashedFields(event))).digest('hex');
}
