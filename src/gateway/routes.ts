/**
 * The signal endpoints: adapters turn a payload into signals, the pipeline decides each one, and
 * the response reports every decision (per alert for Alertmanager batches).
 *
 * Status codes: 201 when a RemediationRequest was created, 202 when the signal was counted into an
 * existing one, 200 when nothing was created (rejected, resolved, ignored). A batch answers with the
 * most significant of its alerts' codes. A failure to process any alert (API server unreachable ...)
 * fails the request with a problem document, so the sender retries the batch.
 *
 * Every request's alerts are counted against the alert budget once its body is parsed (see
 * concurrency-limit.ts), decided a few at a time, and no longer started once the client went away.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/log.ts';
import { ProblemError } from '../platform/http/app.ts';
import { alertmanagerSignals } from './adapters/alertmanager.ts';
import { kubernetesEventSignal } from './adapters/kubernetes-event.ts';
import { settleEach, type AlertBudget } from './concurrency-limit.ts';
import type { RetriedNotifications } from './retried-notifications.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { SignalOutcome, SignalPipeline } from './signal-pipeline.ts';
import type { NormalizedSignal } from './signal.ts';

type Adapter = 'prometheus' | 'kubernetes-event';

const HTTP_STATUS: Record<SignalOutcome['status'], number> = { created: 201, duplicate: 202, rejected: 200, resolved: 200 };
const SIGNIFICANCE: SignalOutcome['status'][] = ['created', 'duplicate', 'rejected', 'resolved'];

export interface SignalRouteDeps {
  clock: Clock;
  log: Logger;
  pipeline: SignalPipeline;
  metrics: GatewayMetrics;
  budget: AlertBudget;
  /** Alerts counted by requests that failed, so their retries are not counted again. */
  retried: RetriedNotifications;
  /** Alerts of one request decided at the same time (default 16). */
  alertsInParallel?: number;
}

/** Aborted when the client goes away before its response is finished. */
function clientGone(req: FastifyRequest, reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const abort = () => {
    if (!reply.raw.writableFinished) controller.abort(new ProblemError(499, 'Client Closed Request', 'the client went away before the signal was decided'));
  };
  if (reply.raw.destroyed || req.raw.socket?.destroyed) abort();
  else reply.raw.once('close', abort);
  return controller.signal;
}

/** The number of alerts a webhook body carries, read before validating it (cheap to refuse early). */
function alertCount(body: unknown): number {
  const alerts = (body as { alerts?: unknown } | null)?.alerts;
  return Array.isArray(alerts) ? alerts.length : 0;
}

export function registerSignalRoutes(app: FastifyInstance, deps: SignalRouteDeps): void {
  const { clock, pipeline, metrics, log, budget, retried } = deps;
  const alertsInParallel = deps.alertsInParallel ?? 16;

  async function handle(adapter: Adapter, signal: NormalizedSignal, firing: boolean, receivedAt: Date, abort: AbortSignal): Promise<SignalOutcome> {
    metrics.received.inc({ adapter });
    // A retry of a request that failed after counting this alert: answer what was decided then.
    const earlier = firing ? retried.earlierDecision(signal) : undefined;
    if (earlier) {
      metrics.retriesAbsorbed.inc({ adapter });
      return { ...earlier, status: 'duplicate', retried: true };
    }
    const stopTimer = metrics.latency.startTimer({ adapter });
    try {
      const outcome = firing ? await pipeline.process(signal, receivedAt, abort) : pipeline.recordResolved(signal, receivedAt);
      stopTimer({ outcome: outcome.status });
      if (outcome.status === 'rejected') metrics.rejected.inc({ adapter, reason: outcome.reason });
      else metrics[outcome.status].inc({ adapter });
      log.debug({ adapter, signal: signal.name, ...outcome }, 'signal decided');
      return outcome;
    } catch (err) {
      stopTimer({ outcome: 'error' });
      metrics.failed.inc({ adapter });
      pipeline.auditFailure(signal, receivedAt, err);
      if (abort.aborted && err === abort.reason) log.info({ adapter, signal: signal.name }, 'signal abandoned: the client went away');
      else log.error({ err, adapter, signal: signal.name }, 'signal processing failed');
      throw err;
    }
  }

  function parse<T>(adapter: Adapter, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      metrics.invalid.inc({ adapter });
      throw err;
    }
  }

  /** Runs `work` with `alerts` reserved from the budget; refuses the request if they are not available. */
  async function withinBudget<T>(reply: FastifyReply, alerts: number, work: () => Promise<T>): Promise<T> {
    const reservation = budget.reserve(alerts);
    if (!reservation.granted) {
      if (reservation.retryAfterSeconds === undefined) metrics.tooLarge.inc();
      else {
        metrics.overloaded.inc();
        reply.header('retry-after', String(reservation.retryAfterSeconds));
      }
      throw reservation.problem;
    }
    try {
      return await work();
    } finally {
      reservation.release();
    }
  }

  app.post('/api/v1/signals/prometheus', async (req, reply) => {
    const receivedAt = clock.now();
    const tooLarge = budget.tooLarge(alertCount(req.body));
    if (tooLarge) {
      metrics.tooLarge.inc();
      throw tooLarge;
    }
    const alerts = parse('prometheus', () => alertmanagerSignals(req.body, receivedAt));
    const abort = clientGone(req, reply);
    const settled = await withinBudget(reply, alerts.length, () =>
      settleEach(alerts, alertsInParallel, abort, (a) => handle('prometheus', a.signal, a.firing, receivedAt, abort)));
    const results = settled.map((s, index) => ({
      index,
      alertname: alerts[index].signal.name,
      ...(s.status === 'fulfilled' ? s.value : { status: 'error', error: s.reason instanceof Error ? s.reason.message : String(s.reason) }),
    }));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure || abort.aborted) {
      // The sender will send the whole batch again: what was counted now must not count twice.
      settled.forEach((s, index) => {
        if (s.status === 'fulfilled') retried.rememberCounted(alerts[index].signal, s.value);
      });
    }
    if (failure) {
      const status = failure.reason instanceof ProblemError ? failure.reason.status : 500;
      throw new ProblemError(status, status === 503 ? 'Service Unavailable' : 'Signal processing failed', `${results.filter((r) => r.status === 'error').length} of ${results.length} alerts could not be processed; retry the batch`, { results });
    }
    const outcomes = settled.map((s) => (s as PromiseFulfilledResult<SignalOutcome>).value);
    const main = SIGNIFICANCE.map((status) => outcomes.find((o) => o.status === status)).find(Boolean)!;
    // A single alert (the common case) answers with its own decision at the top level.
    return reply.code(HTTP_STATUS[main.status]).send({ ...main, results });
  });

  app.post('/api/v1/signals/kubernetes-event', async (req, reply) => {
    const receivedAt = clock.now();
    const event = parse('kubernetes-event', () => kubernetesEventSignal(req.body, receivedAt));
    if (event.ignored) {
      metrics.ignored.inc({ adapter: 'kubernetes-event' });
      return reply.code(200).send({ status: 'ignored', reason: event.reason });
    }
    const abort = clientGone(req, reply);
    const outcome = await withinBudget(reply, 1, () => handle('kubernetes-event', event.signal, true, receivedAt, abort));
    if (abort.aborted) retried.rememberCounted(event.signal, outcome);
    return reply.code(HTTP_STATUS[outcome.status]).send(outcome);
  });
}
