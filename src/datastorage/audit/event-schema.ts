/**
 * The audit event as clients send it (the DataStorage contract, camelCase JSON), validated with zod:
 * unknown fields are refused, ids and timestamps are normalised so that what we hash is exactly what
 * the database gives back (lowercase UUID, timestamps as ISO 8601 UTC with milliseconds).
 */
import { z } from 'zod';

/** The categories an event may be recorded under (crds.md §12, binding). */
export const EVENT_CATEGORIES = [
  'gateway',
  'orchestrator',
  'signalprocessing',
  'aianalysis',
  'investigator',
  'workflow',
  'effectiveness',
  'notification',
  'datastorage',
  'approval',
] as const;

/**
 * Categories of an earlier vocabulary: no longer accepted on write, but still accepted as a query
 * filter, so events stored under them stay findable (their rows and hashes are never rewritten).
 */
export const LEGACY_EVENT_CATEGORIES = ['workflowexecution', 'catalog'] as const;

export const EVENT_OUTCOMES = ['success', 'failure', 'pending'] as const;

export const ACTOR_TYPES = ['service', 'user'] as const;

export const MAX_BATCH_EVENTS = 1000;

/**
 * PostgreSQL cannot store U+0000, and a lone UTF-16 surrogate would reach it as U+FFFD (so the row
 * would no longer match its hash): refuse both up front.
 */
const storable = (s: string) => !s.includes('\u0000') && !/\p{Cs}/u.test(s);
const UNSTORABLE_MESSAGE = 'must not contain NUL characters or unpaired surrogates';

function storableJson(value: unknown): boolean {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.every(storableJson);
  if (value && typeof value === 'object') return Object.entries(value).every(([k, v]) => storable(k) && storableJson(v));
  return true;
}

const text = (max: number) => z.string().min(1).max(max).refine(storable, UNSTORABLE_MESSAGE);

/** Optional members may be empty (a cluster-scoped resource has namespace ""); absent and null are stored as NULL. */
const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .refine(storable, UNSTORABLE_MESSAGE)
    .nullish()
    .transform((v) => v ?? null);

/** RFC 3339 with an offset; stored (and hashed) as UTC with millisecond precision. */
export const rfc3339 = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

export const auditEventInput = z.strictObject({
  eventId: z.uuid().transform((s) => s.toLowerCase()),
  eventTimestamp: rfc3339,
  eventType: z
    .string()
    .max(253)
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/, 'must be a dotted name such as "gateway.signal.received"'),
  eventCategory: z.enum(EVENT_CATEGORIES),
  eventAction: text(253),
  eventOutcome: z.enum(EVENT_OUTCOMES),
  correlationId: text(253),
  actorType: z.enum(ACTOR_TYPES),
  actorId: text(253),
  resourceType: optionalText(253),
  resourceName: optionalText(253),
  namespace: optionalText(253),
  eventData: z.record(z.string(), z.unknown()).refine(storableJson, UNSTORABLE_MESSAGE),
});

export type AuditEventInput = z.output<typeof auditEventInput>;

export const auditBatchInput = z.strictObject({
  events: z.array(auditEventInput).max(MAX_BATCH_EVENTS, `at most ${MAX_BATCH_EVENTS} events per batch`),
});

/** An event as stored and returned: the input plus what the server adds. */
export interface StoredAuditEvent {
  sequence: number;
  eventId: string;
  eventTimestamp: string;
  eventType: string;
  eventCategory: string;
  eventAction: string;
  eventOutcome: string;
  correlationId: string;
  actorType: string;
  actorId: string;
  resourceType: string | null;
  resourceName: string | null;
  namespace: string | null;
  eventData: Record<string, unknown>;
  receivedAt: string;
  previousEventHash: string;
  eventHash: string;
}

export const auditQueryInput = z.strictObject({
  correlationId: z.string().min(1).optional(),
  eventType: z.string().min(1).optional(),
  eventCategory: z.enum([...EVENT_CATEGORIES, ...LEGACY_EVENT_CATEGORIES]).optional(),
  since: rfc3339.optional(),
  until: rfc3339.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().min(1).optional(),
});

export type AuditQuery = z.output<typeof auditQueryInput>;

export const verifyChainInput = z
  .strictObject({
    since: rfc3339.optional(),
    until: rfc3339.optional(),
  })
  .default({});
