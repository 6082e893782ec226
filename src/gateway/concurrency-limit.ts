/**
 * Bounded concurrency: at most `max` signal requests in flight; beyond that the Gateway answers
 * 503 with Retry-After at once instead of queueing (Alertmanager and exporters retry), so an alert
 * storm cannot pile up unbounded work against the API server. A request counts from its first
 * byte (before its body is read) until its response is finished or the connection closes.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError, sendProblem } from '../platform/http/app.ts';

export interface ConcurrencyLimit {
  /** Fastify onRequest hook. */
  admit(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined>;
  inFlight(): number;
}

export function concurrencyLimit(max: number, retryAfterSeconds: number, onReject: () => void): ConcurrencyLimit {
  let inFlight = 0;
  return {
    inFlight: () => inFlight,
    async admit(req, reply) {
      if (inFlight >= max) {
        onReject();
        reply.header('retry-after', String(retryAfterSeconds));
        return sendProblem(reply, new ProblemError(503, 'Service Unavailable', `too many signals in flight (limit ${max}); retry later`), req.url);
      }
      inFlight++;
      let done = false;
      reply.raw.once('close', () => {
        if (!done) {
          done = true;
          inFlight--;
        }
      });
      return undefined;
    },
  };
}
