/**
 * Runs the sessions: each accepted request becomes a session whose investigation runs on its own
 * (one slow LLM call never holds up another session), at most `maxConcurrent` at once; more wait in
 * a bounded queue, and beyond it a request is refused (the HTTP layer answers 503 + Retry-After,
 * which the AIAnalysis controller retries). Idempotent on the incident id while its session runs.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import type { AnalyzeRequest } from '../api/wire.ts';
import type { InvestigationOutcome } from '../agent/investigation.ts';
import type { InvestigatorAudit, SessionAuditContext } from '../audit.ts';
import type { InvestigatorMetrics } from '../metrics.ts';
import { SessionStore, StoreFullError, type Session } from './store.ts';

/** Runs the investigation of one session; must honour the signal (cancel on shutdown). */
export type RunInvestigation = (session: Session, audit: SessionAuditContext) => Promise<InvestigationOutcome>;

export interface SessionsOptions {
  clock: Clock;
  log: Logger;
  audit: InvestigatorAudit;
  metrics: InvestigatorMetrics;
  run: RunInvestigation;
  /** Investigations running at once. Default 16. */
  maxConcurrent?: number;
  /** Accepted sessions waiting for a slot. Default 64. */
  maxQueued?: number;
  /** Nominal milliseconds a finished session is kept. Default 30 minutes. */
  ttlMs?: number;
  /** Sessions held, finished ones included. Default 1000. */
  maxSessions?: number;
}

export class OverloadedError extends Error {
  override name = 'OverloadedError';
}

export interface Submission {
  session: Session;
  /** False when the incident's running session was returned instead (idempotency). */
  created: boolean;
}

export class InvestigationSessions {
  readonly store: SessionStore;
  private readonly maxConcurrent: number;
  private readonly maxQueued: number;
  private readonly queue: Session[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private running = 0;
  private closed = false;

  constructor(private readonly opts: SessionsOptions) {
    this.store = new SessionStore({ clock: opts.clock, ttlMs: opts.ttlMs, maxSessions: opts.maxSessions });
    this.maxConcurrent = Math.max(1, opts.maxConcurrent ?? 16);
    this.maxQueued = Math.max(0, opts.maxQueued ?? 64);
    if (this.maxConcurrent + this.maxQueued > (opts.maxSessions ?? 1000)) {
      throw new Error('maxSessions must hold at least maxConcurrent + maxQueued sessions');
    }
  }

  /** Starts (or queues) an investigation; throws OverloadedError when there is no room. */
  submit(request: AnalyzeRequest): Submission {
    if (this.closed) throw new OverloadedError('the investigator is shutting down');
    const existing = this.store.runningFor(request.incident_id);
    if (existing) return { session: existing, created: false };
    if (this.running >= this.maxConcurrent && this.queue.length >= this.maxQueued) {
      this.opts.metrics.sessionsRejected.inc();
      throw new OverloadedError(`${this.running} investigations are running and ${this.queue.length} are waiting, the limit`);
    }
    let session: Session;
    try {
      session = this.store.create(request);
    } catch (err) {
      if (err instanceof StoreFullError) {
        this.opts.metrics.sessionsRejected.inc();
        throw new OverloadedError(err.message);
      }
      throw err;
    }
    this.opts.audit.sessionCreated(auditContext(session), session.generation);
    this.queue.push(session);
    this.startNext();
    return { session, created: true };
  }

  get(id: string): Session | undefined {
    return this.store.get(id);
  }

  get queued(): number {
    return this.queue.length;
  }

  get active(): number {
    return this.running;
  }

  /** Cancels every session (queued ones fail at once, running ones as soon as they notice) and waits for them. */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.queue.splice(0)) this.finishFailed(s, 'Cancelled', 'the investigator shut down before the investigation started');
    for (const s of this.store.running()) s.abort.abort(new Error('the investigator is shutting down'));
    await Promise.allSettled([...this.inFlight]);
    this.store.close();
  }

  private startNext(): void {
    while (!this.closed && this.running < this.maxConcurrent && this.queue.length > 0) {
      const session = this.queue.shift()!;
      this.running++;
      const done = this.runSession(session).finally(() => {
        this.running--;
        this.inFlight.delete(done);
        this.startNext();
      });
      this.inFlight.add(done);
    }
  }

  private async runSession(session: Session): Promise<void> {
    const ctx = auditContext(session);
    const started = this.opts.clock.nowMs();
    this.store.markInvestigating(session);
    let outcome: InvestigationOutcome;
    try {
      outcome = await this.opts.run(session, ctx);
    } catch (err) {
      this.opts.log.error({ err, sessionId: session.id }, 'investigation crashed');
      outcome = { status: 'failed', reason: 'InternalError', message: `the investigation failed: ${(err as Error).message}`, usage: emptyUsage(), injection: [] };
    }
    const seconds = Math.max(0, this.opts.clock.nowMs() - started) / 1000;
    if (outcome.status === 'completed') {
      this.store.complete(session, outcome.result);
      this.opts.audit.sessionCompleted(ctx, outcome.result, outcome.injection);
      this.opts.metrics.sessionsFinished.inc({ status: 'completed', reason: outcome.result.needs_human_review ? (outcome.result.human_review_reason ?? 'needs_human_review') : outcome.result.investigation_outcome });
      this.opts.metrics.sessionDuration.observe({ status: 'completed' }, seconds);
      this.opts.log.info({ sessionId: session.id, incidentId: session.incidentId, outcome: outcome.result.investigation_outcome, workflow: outcome.result.selected_workflow?.workflow_id ?? null }, 'investigation completed');
    } else {
      this.finishFailed(session, outcome.reason, outcome.message, outcome);
      this.opts.metrics.sessionDuration.observe({ status: 'failed' }, seconds);
    }
  }

  private finishFailed(session: Session, reason: string, message: string, outcome?: Extract<InvestigationOutcome, { status: 'failed' }>): void {
    this.store.fail(session, reason, message);
    this.opts.audit.sessionFailed(auditContext(session), reason, message, outcome?.usage, outcome?.injection);
    this.opts.metrics.sessionsFinished.inc({ status: 'failed', reason });
    this.opts.log.warn({ sessionId: session.id, incidentId: session.incidentId, reason, message }, 'investigation failed');
  }
}

function auditContext(s: Session): SessionAuditContext {
  return { correlationId: s.request.remediation_id, incidentId: s.incidentId, sessionId: s.id };
}

function emptyUsage() {
  return { prompt_tokens: 0, completion_tokens: 0, tokens_estimated: false, llm_turns: 0, tool_calls: 0, latency_ms: 0 };
}
