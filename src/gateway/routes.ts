/**
 * The signal endpoints: adapters turn a payload into signals, the pipeline decides each one, and
 * the response reports every decision (per alert for Alertmanager batches).
 *
 * Status codes: 201 when a RemediationRequest was created, 202 when the signal was counted into an
 * existing one, 200 when nothing was created (rejected, resolved, ignored). A batch answers with the
 * most significant of its alerts' codes. A failure to process any alert (API server unreachable ...)
 * fails the request with a problem document, so the sender retries the batch.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/log.ts';
import { ProblemError } from '../platform/http/app.ts';
import { alertmanagerSignals } from './adapters/alertmanager.ts';
import { kubernetesEventSignal } from './adapters/kubernetes-event.ts';
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
}

export function registerSignalRoutes(app: FastifyInstance, deps: SignalRouteDeps): void {
  const { clock, pipeline, metrics, log } = deps;

  async function handle(adapter: Adapter, signal: NormalizedSignal, firing: boolean, receivedAt: Date): Promise<SignalOutcome> {
    metrics.received.inc({ adapter });
    const stopTimer = metrics.latency.startTimer({ adapter });
    try {
      const outcome = firing ? await pipeline.process(signal, receivedAt) : pipeline.recordResolved(signal, receivedAt);
      stopTimer({ outcome: outcome.status });
      if (outcome.status === 'rejected') metrics.rejected.inc({ adapter, reason: outcome.reason });
      else metrics[outcome.status].inc({ adapter });
      log.debug({ adapter, signal: signal.name, ...outcome }, 'signal decided');
      return outcome;
    } catch (err) {
      stopTimer({ outcome: 'error' });
      metrics.failed.inc({ adapter });
      pipeline.auditFailure(signal, receivedAt, err);
      log.error({ err, adapter, signal: signal.name }, 'signal processing failed');
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

  app.post('/api/v1/signals/prometheus', async (req, reply) => {
    const receivedAt = clock.now();
    const alerts = parse('prometheus', () => alertmanagerSignals(req.body, receivedAt));
    const settled = await Promise.allSettled(alerts.map((a) => handle('prometheus', a.signal, a.firing, receivedAt)));
    const results = settled.map((s, index) => ({
      index,
      alertname: alerts[index].signal.name,
      ...(s.status === 'fulfilled' ? s.value : { status: 'error', error: s.reason instanceof Error ? s.reason.message : String(s.reason) }),
    }));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
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
    const outcome = await handle('kubernetes-event', event.signal, true, receivedAt);
    return reply.code(HTTP_STATUS[outcome.status]).send(outcome);
  });
}
