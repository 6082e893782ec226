/**
 * GET /api/v1/remediation-history : past remediations, newest first (by start).
 *   ?kind=&name=&namespace=   of one remediation target (namespace omitted or "" = cluster-scoped)
 *   ?fingerprint=             of one signal fingerprint (64 lower-case hex)
 *   &since=<RFC 3339>         only those that started or completed at/after it (e.g. "the last 4 hours")
 *   &limit=1..500             default 50
 * -> {remediations: RemediationHistoryEntry[]} (entry.ts). Exactly one of target or fingerprint.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import { rfc3339 } from '../audit/event-schema.ts';
import { parseOrProblem } from '../audit/validation.ts';
import { listRemediationHistory, type HistorySelector } from './repository.ts';

const historyQuery = z
  .strictObject({
    kind: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    namespace: z.string().optional(),
    fingerprint: z.string().regex(/^[a-f0-9]{64}$/, 'must be 64 lower-case hex digits').optional(),
    since: rfc3339.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .superRefine((q, ctx) => {
    const byTarget = q.kind !== undefined || q.name !== undefined || q.namespace !== undefined;
    if (q.fingerprint !== undefined && byTarget) {
      ctx.addIssue({ code: 'custom', path: ['fingerprint'], message: 'query either by target (kind, name, namespace) or by fingerprint, not both' });
    } else if (q.fingerprint === undefined) {
      if (q.kind === undefined) ctx.addIssue({ code: 'custom', path: ['kind'], message: 'is required (with name), unless fingerprint is given' });
      if (q.name === undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: 'is required (with kind), unless fingerprint is given' });
    }
  });

export function registerHistoryRoutes(app: FastifyInstance, db: Db): void {
  app.get('/api/v1/remediation-history', async (req) => {
    const q = parseOrProblem(historyQuery, req.query, 'query');
    const select: HistorySelector =
      q.fingerprint !== undefined ? { fingerprint: q.fingerprint } : { target: { kind: q.kind!, name: q.name!, namespace: q.namespace ?? '' } };
    return { remediations: await listRemediationHistory(db, { select, since: q.since, limit: q.limit }) };
  });
}
