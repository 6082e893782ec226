/**
 * The audit HTTP API (DataStorage contract):
 *   POST /api/v1/audit/events           one event          -> 201 {eventId}
 *   POST /api/v1/audit/events/batch     {events: [...]}    -> 201 {eventIds}   (one transaction)
 *   GET  /api/v1/audit/events?...       filters + cursor   -> {events, nextCursor?}
 *   POST /api/v1/audit/verify-chain     {since?, until?}   -> {valid, checked, firstInvalidSequence?, reason?}
 * Both writes are idempotent on eventId: a retried event is stored once and its id still answered.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../db/database.ts';
import { auditBatchInput, auditEventInput, auditQueryInput, MAX_BATCH_EVENTS, verifyChainInput, type AuditEventInput } from './event-schema.ts';
import { appendEvents, queryEvents, toApiEvent, verifyChain, type AppendProjection } from './store.ts';
import { parseOrProblem } from './validation.ts';

export interface AuditRoutesDeps {
  clock: Clock;
  metrics: Registry;
  /** Derived tables kept in the append transaction (remediation history). */
  projections?: AppendProjection[];
}

export function registerAuditRoutes(app: FastifyInstance, db: Db, deps: AuditRoutesDeps): void {
  const written = new Counter({
    name: 'datastorage_audit_events_written_total',
    help: 'Audit events received, by result: stored now, or a retry of an already stored event',
    labelNames: ['result'],
    registers: [deps.metrics],
  });
  const batchSize = new Histogram({
    name: 'datastorage_audit_batch_size',
    help: 'Events per audit write request',
    buckets: [1, 10, 50, 100, 250, 500, MAX_BATCH_EVENTS],
    registers: [deps.metrics],
  });
  const verifyDuration = new Histogram({
    name: 'datastorage_audit_verify_chain_duration_seconds',
    help: 'Time spent verifying the audit hash chain',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
    registers: [deps.metrics],
  });

  async function write(events: AuditEventInput[]): Promise<void> {
    batchSize.observe(events.length);
    const { appended, duplicates } = await appendEvents(db, events, deps.clock.now(), deps.projections);
    written.inc({ result: 'stored' }, appended.length);
    written.inc({ result: 'duplicate' }, duplicates);
  }

  app.post('/api/v1/audit/events', async (req, reply) => {
    const event = parseOrProblem(auditEventInput, req.body, 'audit event');
    await write([event]);
    return reply.code(201).send({ eventId: event.eventId });
  });

  app.post('/api/v1/audit/events/batch', async (req, reply) => {
    const { events } = parseOrProblem(auditBatchInput, req.body, 'audit batch');
    await write(events);
    return reply.code(201).send({ eventIds: events.map((e) => e.eventId) });
  });

  app.get('/api/v1/audit/events', async (req) => {
    const q = parseOrProblem(auditQueryInput, req.query, 'query');
    const page = await queryEvents(db, q);
    return { events: page.events.map(toApiEvent), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  });

  app.post('/api/v1/audit/verify-chain', async (req) => {
    const range = parseOrProblem(verifyChainInput, req.body ?? undefined, 'verify-chain request');
    const stop = verifyDuration.startTimer();
    try {
      return await verifyChain(db, range);
    } finally {
      stop();
    }
  });
}
