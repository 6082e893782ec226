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
import { requireBearerToken, staticTokenAuthenticator, type Authenticator } from './authentication.ts';
import { concurrencyLimit } from './concurrency-limit.ts';
import { FingerprintLocks } from './fingerprint-lock.ts';
import { gatewayMetrics } from './metrics.ts';
import { ClusterObjects } from './owner-chain.ts';
import { RemediationRequests } from './remediation-requests.ts';
import { registerSignalRoutes } from './routes.ts';
import { SignalPipeline } from './signal-pipeline.ts';

export const GATEWAY_BODY_LIMIT = 1024 * 1024;

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
  /** Signal requests allowed in flight before answering 503 (default 200). */
  maxConcurrent?: number;
  /** Static bearer tokens (token -> user name); with neither this nor `authenticate`, no authentication. */
  tokens?: Record<string, string>;
  /** Custom token check, e.g. `tokenReviewAuthenticator(kc)` on a real cluster. */
  authenticate?: Authenticator;
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
  const limit = concurrencyLimit(opts.maxConcurrent ?? 200, 1, () => metrics.overloaded.inc());
  const metrics = gatewayMetrics(registry, limit.inFlight);
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
  const authenticate = opts.authenticate ?? (opts.tokens ? staticTokenAuthenticator(opts.tokens) : undefined);

  await app.register(async (signals) => {
    // Counted from the first byte, so slow uploads count against the limit too.
    signals.addHook('onRequest', limit.admit);
    if (authenticate) signals.addHook('onRequest', async (req, reply) => void (await requireBearerToken(req, reply, authenticate)));
    registerSignalRoutes(signals, { clock, log, pipeline, metrics });
  });

  const address = await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
  log.info({ url: address }, 'gateway listening');
  return {
    url: address,
    close: () => app.close(),
  };
}
