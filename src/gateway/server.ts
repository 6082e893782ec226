/**
 * The Gateway service: Kubernaut's front door for signals. Wires the HTTP foundation, the signal
 * routes, authentication, the concurrency limit and the cluster clients (client-node only, so it
 * runs against the embedded cluster and real ones alike).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { VersionApi, type KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../platform/clock.ts';
import { componentLogger, type Logger } from '../platform/log.ts';
import { createHttpApp } from '../platform/http/app.ts';
import { discardAudit, type AuditSink } from './audit.ts';
import { addAccessControl, routedToPublicPath, type HttpAuth } from '../platform/http/auth.ts';
import { AlertBudget } from './concurrency-limit.ts';
import { FingerprintLocks } from './fingerprint-lock.ts';
import { gatewayMetrics } from './metrics.ts';
import { ClusterObjects } from './owner-chain.ts';
import { RemediationRequests } from './remediation-requests.ts';
import { registerSignalRoutes } from './routes.ts';
import { RetriedNotifications } from './retried-notifications.ts';
import { SignalPipeline } from './signal-pipeline.ts';

export const GATEWAY_BODY_LIMIT = 1024 * 1024;
/** The RBAC right a signal sender needs. */
export const SEND_SIGNALS = { verb: 'create', resource: 'signals' } as const;

export interface GatewayOptions {
  kubeconfig: KubeConfig;
  clock: Clock;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  auditClient?: AuditSink;
  /** Put every RemediationRequest in this namespace instead of the signal target's. */
  crNamespace?: string;
  /** Namespace for RRs of cluster-scoped targets (default `kubernaut-system`). */
  controllerNamespace?: string;
  /** Alerts (an Event counts as one) being decided at once before requests get 503 + Retry-After (default 1,000). */
  maxAlertsInFlight?: number;
  /** Alerts one request may carry; more is a 413 (default 500). */
  maxAlertsPerRequest?: number;
  /** Alerts of one request decided at the same time (default 16). */
  alertsInParallel?: number;
  /**
   * How long alerts counted by a failed request are remembered, so the sender's retries do not count
   * them again (nominal ms, default 5 minutes: Alertmanager retries until group_interval; 0 = never).
   */
  retryWindowMs?: number;
  /**
   * Bearer tokens and the right to send signals (`create` on `signals.kubernaut.ai`), e.g.
   * TokenReview + SubjectAccessReview on a real cluster; without it, anyone may send.
   */
  auth?: HttpAuth;
  /** How long a target's owner chain and `managed` scope are reused (nominal ms, default 10 s; 0 disables caching). */
  targetCacheTtlMs?: number;
  logger?: Logger;
}

export interface RunningGateway {
  url: string;
  close(): Promise<void>;
}

export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const { kubeconfig: kc, clock } = opts;
  const log = opts.logger ?? componentLogger('gateway');
  const versionApi = kc.makeApiClient(VersionApi);
  const { app, metrics: registry } = createHttpApp({
    name: 'gateway',
    bodyLimit: GATEWAY_BODY_LIMIT,
    // Ready when the API server answers: without it no signal can be decided.
    ready: () => versionApi.getCode().then(() => true, () => false),
  });
  const budget = new AlertBudget({ maxInFlight: opts.maxAlertsInFlight ?? 1000, maxPerRequest: opts.maxAlertsPerRequest ?? 500, retryAfterSeconds: 1 });
  const metrics = gatewayMetrics(registry, () => budget.alertsInFlight());
  const pipeline = new SignalPipeline({
    clock,
    log,
    audit: opts.auditClient ?? discardAudit,
    objects: new ClusterObjects(kc),
    remediationRequests: new RemediationRequests(kc, clock),
    locks: new FingerprintLocks(kc, { clock, instanceId: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}` }),
    crNamespace: opts.crNamespace,
    controllerNamespace: opts.controllerNamespace ?? 'kubernaut-system',
    targetCacheTtlMs: opts.targetCacheTtlMs,
  });
  if (opts.auth) {
    // Before the concurrency limit: callers without the right never take a slot.
    addAccessControl(app, {
      auth: opts.auth,
      access: (req) => (routedToPublicPath(req) ? 'public' : SEND_SIGNALS),
      onError: (err) => log.warn({ err: (err as Error).message }, 'cannot check the credentials of a request'),
    });
  }

  await app.register(async (signals) => {
    // Alerts count against the budget once the body is parsed (routes.ts): a slow upload holds nothing.
    const retried = new RetriedNotifications(clock, opts.retryWindowMs);
    registerSignalRoutes(signals, { clock, log, pipeline, metrics, budget, retried, alertsInParallel: opts.alertsInParallel });
  });

  const address = await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
  log.info({ url: address }, 'gateway listening');
  return {
    url: address,
    close: () => app.close(),
  };
}
