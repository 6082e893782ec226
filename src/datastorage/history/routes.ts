/** GET /api/v1/remediation-history?kind=&name=&namespace=&limit= : past remediations of one target, newest first. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import { parseOrProblem } from '../audit/validation.ts';
import { listRemediationHistory } from './repository.ts';

const historyQuery = z.strictObject({
  kind: z.string().min(1),
  name: z.string().min(1),
  /** Omitted or empty: a cluster-scoped target (Node, PersistentVolume, ...). */
  namespace: z.string().default(''),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export function registerHistoryRoutes(app: FastifyInstance, db: Db): void {
  app.get('/api/v1/remediation-history', async (req) => {
    const q = parseOrProblem(historyQuery, req.query, 'query');
    return { remediations: await listRemediationHistory(db, q) };
  });
}
