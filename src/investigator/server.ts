/**
 * The investigator service (investigation.md): the session HTTP API on the platform app (RFC 7807
 * problems, /healthz, /readyz, /metrics), optional bearer-token access control, and the sessions
 * whose agent loops talk to the LLM and reach the cluster, Prometheus and DataStorage through the
 * read-only tools. It never writes to the cluster.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { FastifyRequest } from 'fastify';
import type { AuditSink } from '../datastorage/client/audit-client.ts';
import type { Clock } from '../platform/clock.ts';
import { createHttpApp } from '../platform/http/app.ts';
import { addAccessControl, routedToPublicPath, type AccessAttributes, type HttpAuth } from '../platform/http/auth.ts';
import { componentLogger, type Logger } from '../platform/log.ts';
import type { AnalyzeRequest } from './api/wire.ts';
import { investigate, type TokenPricing } from './agent/investigation.ts';
import type { InvestigationLimits } from './agent/limits.ts';
import { resolveLimits } from './agent/limits.ts';
import { dataStorageSignalHistory, type SignalHistory } from './agent/signal-history.ts';
import { InvestigatorAudit } from './audit.ts';
import type { LlmProvider } from './llm/types.ts';
import { combineObservers, investigatorMetrics, metricsObserver } from './metrics.ts';
import { CachedCheck } from './session/cached-check.ts';
import { registerSessionRoutes } from './session/routes.ts';
import { InvestigationSessions } from './session/sessions.ts';
import { createToolset } from './tools/toolset.ts';
import type { IncidentScope, ToolDeps, Toolset } from './tools/types.ts';

export interface InvestigatorOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  kubeconfig: KubeConfig;
  llm: LlmProvider;
  dataStorage: { baseUrl: string; bearerToken?: () => string | undefined };
  /** Prometheus HTTP API base URL for the PromQL tools; without it they answer that none is configured. */
  prometheusUrl?: string;
  audit: AuditSink;
  clock: Clock;
  /** Bearer tokens and rights (`create`/`get` on `investigations.kubernaut.ai`); without it anyone may call. */
  auth?: HttpAuth;
  limits?: Partial<InvestigationLimits>;
  /** Nominal milliseconds a finished session is kept. Default 30 minutes. */
  sessionTtlMs?: number;
  /** Investigations running at once. Default 16. */
  maxConcurrentSessions?: number;
  /** Accepted requests waiting for a slot; beyond this a request gets 503 + Retry-After. Default 64. */
  maxQueuedSessions?: number;
  /** LLM sampling temperature (the LLM config's). Default 0.2. */
  temperature?: number;
  /** Completion token cap per call (the LLM config's). Default 4096. */
  maxOutputTokens?: number;
  /** Prices per million tokens (the LLM config's `pricing`): results then carry `estimated_cost_usd`. */
  pricing?: TokenPricing;
  /** The tools of one session; default: the real toolset (tools/toolset.ts). Tests and embedders may replace it. */
  toolsetFactory?: (deps: ToolDeps, scope: IncidentScope) => Toolset;
  /** Earlier remediations of the signal resource for the prompt; default: DataStorage's remediation history. */
  history?: SignalHistory;
  logger?: Logger;
}

export interface RunningInvestigator {
  url: string;
  close(): Promise<void>;
}

/** How long a readiness answer is reused, so probes do not hammer DataStorage and the LLM endpoint. */
const READINESS_CACHE_MS = 5000;
/** Real milliseconds a readiness probe of a dependency may take (guards a hung connection). */
const PROBE_TIMEOUT_MS = 3000;

/** The RBAC right of each investigator request. */
export function investigatorAccess(req: FastifyRequest): AccessAttributes | 'public' {
  if (routedToPublicPath(req)) return 'public';
  return { verb: req.method === 'POST' ? 'create' : 'get', resource: 'investigations' };
}

export async function startInvestigator(opts: InvestigatorOptions): Promise<RunningInvestigator> {
  const { clock, llm } = opts;
  const log = opts.logger ?? componentLogger('investigator');
  const limits = resolveLimits(opts.limits);
  let closing = false;

  const readiness = new CachedCheck(clock, READINESS_CACHE_MS, async () => {
    const [dataStorage, model] = await Promise.all([pingDataStorage(opts.dataStorage), llm.ping({ signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).catch(() => false)]);
    if (!dataStorage || !model) log.warn({ dataStorage, llm: model }, 'not ready: a dependency is unreachable');
    return dataStorage && model;
  });
  const { app, metrics: registry } = createHttpApp({ name: 'investigator', ready: async () => !closing && (await readiness.get()) });

  const audit = new InvestigatorAudit(opts.audit, clock);
  // Asked on scrapes only, after `sessions` exists.
  const metrics = investigatorMetrics(registry, () => sessions.store.countByStatus());

  const toolDeps: ToolDeps = { kubeconfig: opts.kubeconfig, prometheusUrl: opts.prometheusUrl, dataStorage: opts.dataStorage, clock };
  const makeToolset: (deps: ToolDeps, scope: IncidentScope) => Toolset = opts.toolsetFactory ?? createToolset;
  const history = opts.history ?? dataStorageSignalHistory(opts.dataStorage);

  const sessions = new InvestigationSessions({
    clock,
    log,
    audit,
    metrics,
    ttlMs: opts.sessionTtlMs,
    maxConcurrent: opts.maxConcurrentSessions,
    maxQueued: opts.maxQueuedSessions,
    maxSessions: Math.max(1000, (opts.maxConcurrentSessions ?? 16) + (opts.maxQueuedSessions ?? 64)),
    run: async (session, auditContext) => {
      const toolset = makeToolset(toolDeps, incidentScope(session.request));
      const knownTools = new Set(toolset.schemas.map((s) => s.name));
      return investigate(session.request, {
        llm,
        toolset,
        clock,
        limits,
        temperature: opts.temperature,
        maxOutputTokens: opts.maxOutputTokens,
        pricing: opts.pricing,
        history,
        signal: session.abort.signal,
        observer: combineObservers(audit.observer(auditContext), metricsObserver(metrics, llm.provider, knownTools)),
        log: log.child({ sessionId: session.id, incidentId: session.incidentId }),
      });
    },
  });

  if (opts.auth) {
    addAccessControl(app, {
      auth: opts.auth,
      access: investigatorAccess,
      onError: (err) => log.warn({ err: (err as Error).message }, 'cannot check the credentials of a request'),
    });
  }
  registerSessionRoutes(app, sessions);

  let address: string;
  try {
    address = await app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    await sessions.close();
    throw err;
  }
  log.info({ url: address, provider: llm.provider, model: llm.model }, 'investigator listening');
  let closed: Promise<void> | undefined;
  return {
    url: address,
    close() {
      closed ??= (async () => {
        closing = true;
        await sessions.close();
        await app.close();
      })();
      return closed;
    },
  };
}

/** The discovery filters of the incident (investigation.md §4); the LLM can neither see nor change them. */
export function incidentScope(req: AnalyzeRequest): IncidentScope {
  return {
    remediationId: req.remediation_id,
    severity: req.severity,
    environment: req.environment,
    priority: req.priority,
    customLabels: req.enrichment_results.customLabels ?? {},
    signalResource: { kind: req.resource_kind, name: req.resource_name, ...(req.resource_namespace ? { namespace: req.resource_namespace } : {}) },
  };
}

async function pingDataStorage(ds: InvestigatorOptions['dataStorage']): Promise<boolean> {
  try {
    const token = ds.bearerToken?.();
    const res = await fetch(new URL('/readyz', ds.baseUrl), { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok;
  } catch {
    return false;
  }
}
