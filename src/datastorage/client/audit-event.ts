/**
 * The audit event as Kubernaut services record it and DataStorage's audit API receives it
 * (camelCase JSON). One zod schema is the source of truth for the TypeScript types.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ACTOR_TYPES, EVENT_CATEGORIES, EVENT_OUTCOMES } from '../audit/event-schema.ts';

// The vocabulary is DataStorage's (its audit API refuses anything else): one definition, shared.
export { ACTOR_TYPES as AUDIT_ACTOR_TYPES, EVENT_CATEGORIES as AUDIT_EVENT_CATEGORIES, EVENT_OUTCOMES as AUDIT_EVENT_OUTCOMES } from '../audit/event-schema.ts';

/** The event fields every event has, as the DataStorage contract names them. */
const auditEventFields = {
  /** Dotted, e.g. `gateway.signal.received`. */
  eventType: z.string().regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/i, 'a dotted name such as "gateway.signal.received"'),
  eventCategory: z.enum(EVENT_CATEGORIES),
  /** A verb, e.g. `received`. */
  eventAction: z.string().min(1),
  eventOutcome: z.enum(EVENT_OUTCOMES),
  /** The RemediationRequest name, or the signal fingerprint while no RR exists. */
  correlationId: z.string().min(1),
  actorType: z.enum(ACTOR_TYPES),
  actorId: z.string().min(1),
  // DataStorage stores absent and null alike.
  resourceType: z.string().nullish(),
  resourceName: z.string().nullish(),
  namespace: z.string().nullish(),
  eventData: z.record(z.string(), z.unknown()),
};

/** Set by the client, so a retried event is stored once. */
const eventId = z.uuid();
/** RFC 3339: when the event happened (not when it was delivered). */
const eventTimestamp = z.iso.datetime({ offset: true });

/**
 * What a service hands to `record()`. `eventId` and `eventTimestamp` are normally left out and
 * filled by the client; a service may set them, e.g. to date the event by when a signal arrived.
 */
export const auditEventInputSchema = z.strictObject({
  ...auditEventFields,
  eventId: eventId.optional(),
  eventTimestamp: eventTimestamp.optional(),
});

/** The event on the wire: what a client sends to `POST /api/v1/audit/events[/batch]`. */
export const auditEventSchema = z.strictObject({ ...auditEventFields, eventId, eventTimestamp });

export type AuditEventInput = z.infer<typeof auditEventInputSchema>;
export type AuditEvent = z.infer<typeof auditEventSchema>;

/** Stamps an input with a fresh id and the time it happened, unless it has them already. */
export function completeAuditEvent(input: AuditEventInput, now: Date): AuditEvent {
  return storable({ ...input, eventId: input.eventId ?? randomUUID(), eventTimestamp: input.eventTimestamp ?? now.toISOString() });
}

/** DataStorage's limit on the short text members (names, ids, verbs). */
const MAX_SHORT_TEXT = 253;
const SHORT_TEXT_MEMBERS = ['eventAction', 'correlationId', 'actorId', 'resourceType', 'resourceName', 'namespace'] as const;

/**
 * Hostile input reaches the audit trail too (a label value with a NUL, a name 70,000 characters
 * long), and DataStorage refuses what PostgreSQL cannot store or what breaks its limits. Such an
 * event would be lost, so the client records it in a form DataStorage takes: NUL written out as the
 * text `\u0000`, unpaired surrogates as U+FFFD, over-long short members cut to 253 characters
 * ending in `…`. Everything else stays exactly as recorded.
 */
function storable(event: AuditEvent): AuditEvent {
  const out: AuditEvent = { ...event, eventData: storableJson(event.eventData) as Record<string, unknown> };
  for (const member of SHORT_TEXT_MEMBERS) {
    const v = out[member];
    if (typeof v === 'string') out[member] = shortText(storableText(v));
  }
  return out;
}

function storableText(s: string): string {
  return s.replaceAll('\u0000', '\\u0000').replace(/\p{Cs}/gu, '\uFFFD');
}

function shortText(s: string): string {
  if (s.length <= MAX_SHORT_TEXT) return s;
  // Never cut a surrogate pair in two: that would leave an unstorable half.
  const cut = s.slice(0, MAX_SHORT_TEXT - 1).replace(/[\uD800-\uDBFF]$/, '');
  return `${cut}…`;
}

function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)]));
  return value;
}
