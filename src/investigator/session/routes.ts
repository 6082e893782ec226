/**
 * The session HTTP API (investigation.md §1): start an investigation, read its session, read its
 * result. Errors are RFC 7807 problems from the platform app; a lost session is 404, a result asked
 * for too early 409, a full queue 503 with Retry-After (retryable by the caller).
 */
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../../platform/http/app.ts';
import { analyzeRequestSchema } from '../api/wire.ts';
import { OverloadedError, type InvestigationSessions } from './sessions.ts';
import { sessionDocument, type Session } from './store.ts';

export const ANALYZE_PATH = '/api/v1/incident/analyze';
export const SESSION_PATH = '/api/v1/incident/session/:id';
export const RESULT_PATH = '/api/v1/incident/session/:id/result';

/** Retry-After of a 503: a slot usually frees within a few seconds. */
const RETRY_AFTER_SECONDS = 5;

export function registerSessionRoutes(app: FastifyInstance, sessions: InvestigationSessions): void {
  app.post(ANALYZE_PATH, async (req, reply) => {
    const parsed = analyzeRequestSchema.safeParse(req.body ?? undefined);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
      throw new ProblemError(400, 'Bad Request', `the analyze request is invalid (${errors.length} problem${errors.length === 1 ? '' : 's'})`, { errors });
    }
    try {
      const { session } = sessions.submit(parsed.data);
      return reply.code(202).header('location', `/api/v1/incident/session/${session.id}`).send({ session_id: session.id });
    } catch (err) {
      if (err instanceof OverloadedError) {
        reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        throw new ProblemError(503, 'Service Unavailable', `the investigator is at capacity: ${err.message}; retry later`);
      }
      throw err;
    }
  });

  app.get<{ Params: { id: string } }>(SESSION_PATH, async (req) => sessionDocument(findSession(sessions, req.params.id)));

  app.get<{ Params: { id: string } }>(RESULT_PATH, async (req) => {
    const session = findSession(sessions, req.params.id);
    if (session.status === 'completed' && session.result) return session.result;
    if (session.status === 'failed') {
      throw new ProblemError(409, 'Conflict', `session ${session.id} failed (${session.error?.reason}): it has no result`, { status: session.status, error: session.error });
    }
    throw new ProblemError(409, 'Conflict', `session ${session.id} is ${session.status}: the result is not ready`, { status: session.status });
  });
}

function findSession(sessions: InvestigationSessions, id: string): Session {
  const session = sessions.get(id);
  if (!session) throw new ProblemError(404, 'Not Found', `no session ${id.slice(0, 100)}: it is unknown, or was lost (restart, purge); submit the analyze request again`);
  return session;
}
