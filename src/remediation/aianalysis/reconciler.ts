/**
 * The AIAnalysis reconciler: Pending -> Investigating -> Analyzing -> Completed (or Failed).
 *
 * All state lives in the status, so a reconcile after a crash (or on another replica) resumes from
 * what was written: the session id is stored before anything else is done with it, and a
 * restarted controller polls that session instead of submitting another. Each reconcile makes at
 * most one call to the investigator and never waits for it to finish thinking: it returns a
 * requeue (`session-schedule.ts` says when), so a slow LLM never holds a worker. Every write is
 * conditional on the phase (and session) it read.
 *
 * Investigator failures: a lost session (404) is resubmitted as the next generation (5 at most);
 * no answer, 408, 429 and 5xx are retried 5 times, 30 s -> 480 s apart; other 4xx end the
 * analysis. Results are judged by `verdict.ts`; the approval policy (`approval-policy-store.ts`)
 * decides in Analyzing.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { AIAnalysis, AIAnalysisStatus, RemediationRequest } from '../../api/v1alpha1/index.ts';
import type { InvestigationResult } from '../../investigator/api/wire.ts';
import { messageOf, statusCodeOf } from '../../kube/api-errors.ts';
import type { ReconcileResult, Reconciler } from '../../kube/controller.ts';
import { keyString, type ObjectKey } from '../../kube/object-key.ts';
import type { Clock } from '../../platform/clock.ts';
import { componentLogger, type Logger } from '../../platform/log.ts';
import { parseSpecDuration } from '../signalprocessing/spec-duration.ts';
import { buildAnalyzeRequest, InvalidAnalysisRequestError } from './analyze-request.ts';
import { approvalFields, evidenceContext } from './approval-context.ts';
import { approvalFactsOf } from './approval-input.ts';
import type { ApprovalPolicySnapshot } from './approval-policy-store.ts';
import { aiAnalysisAuditEvent, endOfAnalysisData, type AIAnalysisAuditType, type AuditSink } from './audit.ts';
import { InvestigatorError, type Investigator } from './investigator-client.ts';
import type { AIAnalysisMetrics } from './metrics.ts';
import { resultFields } from './result-fields.ts';
import { MAX_REGENERATIONS, MAX_TRANSIENT_RETRIES, nextInvestigationStep, retryDelayMs, type ScheduleTime } from './session-schedule.ts';
import {
  analyzingStatus,
  completedStatus,
  failedStatus,
  investigatingStatus,
  notNeededStatus,
  pendingStatus,
  polledStatus,
  retryingStatus,
  sessionStoredStatus,
  type Failure,
  type Phase,
} from './status-updates.ts';
import { judgeResult, REASON_HUMAN_REVIEW, REASON_INVESTIGATION_FAILED, subReasonOfSessionFailure, type SubReason } from './verdict.ts';

type Status = AIAnalysisStatus;

/** Reads and status writes (the KubernautClient and informer caches, or a fake in tests). */
export interface AIAnalysisStore {
  get(key: ObjectKey): Promise<AIAnalysis | undefined>;
  /** Conditional read-modify-write; `mutate` returning undefined means no write (then undefined). */
  updateStatus(key: ObjectKey, mutate: (current: AIAnalysis) => Status | undefined): Promise<AIAnalysis | undefined>;
  getRemediationRequest(key: ObjectKey): Promise<RemediationRequest | undefined>;
}

export interface EventSink {
  event(obj: KubernetesObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface AIAnalysisReconcilerOptions {
  store: AIAnalysisStore;
  investigator: Investigator;
  approval: { snapshot(): ApprovalPolicySnapshot };
  audit: AuditSink;
  clock: Clock;
  events?: EventSink;
  log?: Logger;
  metrics?: AIAnalysisMetrics;
  /** Failed policy evaluations in Analyzing before the AA is Failed (default 8). */
  maxAnalyzingFailures?: number;
}

/** Phase changes one reconcile may make, plus a re-read or two. */
const MAX_STEPS = 8;

type StepOutcome = { written: AIAnalysis } | { requeue: ReconcileResult | void } | { unwritten: true };

const isTerminal = (phase: string) => phase === 'Completed' || phase === 'Failed';

export class AIAnalysisReconciler implements Reconciler {
  private readonly log: Logger;
  private readonly maxAnalyzingFailures: number;
  /** Failed policy evaluations per AA in Analyzing (nothing to record in the status: a restart may retry at once). */
  private readonly analyzingFailures = new Map<string, number>();

  constructor(private readonly o: AIAnalysisReconcilerOptions) {
    this.log = o.log ?? componentLogger('aianalysis');
    this.maxAnalyzingFailures = o.maxAnalyzingFailures ?? 8;
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    let aa = await this.o.store.get(key);
    for (let step = 0; aa && step < MAX_STEPS; step++) {
      const phase = aa.status?.phase ?? '';
      if (isTerminal(phase) || aa.metadata?.deletionTimestamp) {
        this.analyzingFailures.delete(keyString(key));
        return;
      }
      let outcome: StepOutcome;
      try {
        outcome = await this.step(key, aa, phase);
      } catch (err) {
        return this.stepFailed(key, phase, err);
      }
      if ('requeue' in outcome) return outcome.requeue;
      if ('written' in outcome) {
        aa = outcome.written;
        continue;
      }
      // No write: another writer moved the AA meanwhile. Continue from what it wrote, or, while our
      // copy does not show it yet, leave it to the event its write will bring.
      const before = JSON.stringify([phase, aa.status?.investigationSession]);
      aa = await this.o.store.get(key);
      if (JSON.stringify([aa?.status?.phase ?? '', aa?.status?.investigationSession]) === before) return;
    }
  }

  private async step(key: ObjectKey, aa: AIAnalysis, phase: Phase | ''): Promise<StepOutcome> {
    switch (phase) {
      case '':
        return this.moveTo(key, aa, '', 'Pending', (cur) => pendingStatus(cur, this.o.clock.now()));
      case 'Pending':
        return this.moveTo(key, aa, 'Pending', 'Investigating', (cur) => investigatingStatus(cur, this.o.investigator.endpoint, this.o.clock.now()));
      case 'Investigating':
        return this.investigate(key, aa);
      case 'Analyzing':
        return this.analyze(key, aa);
      default:
        return { requeue: undefined };
    }
  }

  private async moveTo(key: ObjectKey, aa: AIAnalysis, from: Phase | '', to: Phase, mutate: (cur: AIAnalysis) => Status): Promise<StepOutcome> {
    const written = await this.write(key, (cur) => phaseOf(cur) === from, mutate);
    if (!written) return { unwritten: true };
    this.audit(written, 'phase.transitioned', 'success', { fromPhase: from || null, phase: to });
    return { written };
  }

  // ---- Investigating -------------------------------------------------------------------------

  private async investigate(key: ObjectKey, aa: AIAnalysis): Promise<StepOutcome> {
    const next = nextInvestigationStep(aa.status, this.time());
    if (next.kind === 'wait') return { requeue: { requeueAfterMs: next.afterMs } };
    if (next.kind === 'submit') return this.submit(key, aa, next.generation);
    return this.poll(key, aa, next.sessionId);
  }

  /** Submits generation `generation` (no session stored for it yet). */
  private async submit(key: ObjectKey, aa: AIAnalysis, generation: number, lostId?: string): Promise<StepOutcome> {
    const request = await this.analyzeRequest(aa);
    if (typeof request === 'string') return this.fail(key, aa, 'Investigating', { reason: REASON_INVESTIGATION_FAILED, subReason: 'PermanentError', message: request, from: 'Investigating' });
    let id: string;
    try {
      id = await this.o.investigator.submit(request);
    } catch (err) {
      // A lost session whose replacement could not be submitted yet: the next generation is recorded without an id.
      return this.callFailed(key, aa, err, { submitting: true, ...(lostId !== undefined ? { lostGeneration: { generation } } : {}) });
    }
    const sameSlot = (cur: AIAnalysis) => phaseOf(cur) === 'Investigating' && (lostId !== undefined ? sessionIdOf(cur) === lostId : !sessionIdOf(cur)) && (cur.status?.investigationSession?.generation ?? 0) === (lostId !== undefined ? generation - 1 : generation);
    const written = await this.write(key, sameSlot, (cur) => sessionStoredStatus(cur, { id, generation, lostId }, this.o.clock.now()));
    if (!written) return { unwritten: true };
    this.o.metrics?.sessions.inc({ kind: generation > 0 ? 'regenerated' : 'new' });
    this.audit(written, 'investigation.submitted', 'success', { sessionId: id, generation, lostSessionId: lostId ?? null, investigator: this.o.investigator.endpoint });
    if (lostId !== undefined) this.event(written, 'Warning', 'SessionRegenerated', `investigation session ${lostId} was lost; resubmitted as ${id} (generation ${generation} of at most ${MAX_REGENERATIONS})`);
    else this.event(written, 'Normal', 'InvestigationStarted', `investigation session ${id} started at ${this.o.investigator.endpoint}`);
    return { written };
  }

  /** The request body, or why it cannot be built (a permanent failure). */
  private async analyzeRequest(aa: AIAnalysis): Promise<ReturnType<typeof buildAnalyzeRequest> | string> {
    const ref = aa.spec.remediationRequestRef;
    const rr = await this.o.store.getRemediationRequest({ namespace: ref.namespace || aa.metadata?.namespace || '', name: ref.name });
    try {
      return buildAnalyzeRequest(aa, rr);
    } catch (err) {
      if (err instanceof InvalidAnalysisRequestError) return err.message;
      throw err;
    }
  }

  private async poll(key: ObjectKey, aa: AIAnalysis, sessionId: string): Promise<StepOutcome> {
    let doc;
    try {
      doc = await this.o.investigator.session(sessionId);
    } catch (err) {
      return this.callFailed(key, aa, err);
    }
    if (doc.status === 'pending' || doc.status === 'investigating') {
      this.o.metrics?.polls.inc({ result: 'running' });
      return this.polled(key, aa, sessionId);
    }
    if (doc.status === 'failed') {
      this.o.metrics?.polls.inc({ result: 'failed' });
      this.observePolls(aa);
      const why = doc.error ? `${doc.error.reason}: ${doc.error.message}` : 'no reason given';
      return this.fail(key, aa, 'Investigating', { reason: REASON_INVESTIGATION_FAILED, subReason: subReasonOfSessionFailure(doc.error), message: `investigation session ${sessionId} failed (${why})`, from: 'Investigating' }, sessionId);
    }
    let result: InvestigationResult | undefined;
    try {
      result = await this.o.investigator.result(sessionId);
    } catch (err) {
      return this.callFailed(key, aa, err);
    }
    // Finished by its status, not yet by its result (409): look again shortly.
    if (!result) return this.polled(key, aa, sessionId);
    this.o.metrics?.polls.inc({ result: 'completed' });
    this.observePolls(aa);
    return this.applyResult(key, aa, sessionId, result);
  }

  private async polled(key: ObjectKey, _aa: AIAnalysis, sessionId: string): Promise<StepOutcome> {
    const written = await this.write(key, (cur) => phaseOf(cur) === 'Investigating' && sessionIdOf(cur) === sessionId, (cur) => polledStatus(cur, this.o.clock.now()));
    return written ? { written } : { unwritten: true };
  }

  /** A call to the investigator failed: resubmit a lost session, retry a transient failure, or fail. */
  private async callFailed(key: ObjectKey, aa: AIAnalysis, err: unknown, ctx: { submitting?: boolean; lostGeneration?: { generation: number } } = {}): Promise<StepOutcome> {
    if (!(err instanceof InvestigatorError)) throw err;
    const sessionId = sessionIdOf(aa);
    // Only a session call can lose a session; a submit that answers 404 is a misconfiguration (permanent).
    if (err.kind === 'lost' && sessionId && !ctx.submitting) {
      this.o.metrics?.polls.inc({ result: 'lost' });
      this.observePolls(aa);
      const generation = aa.status?.investigationSession?.generation ?? 0;
      if (generation >= MAX_REGENERATIONS) {
        return this.fail(key, aa, 'Investigating', { reason: REASON_INVESTIGATION_FAILED, subReason: 'SessionRegenerationExceeded', message: `investigation session ${sessionId} was lost, and ${MAX_REGENERATIONS} sessions were already resubmitted: giving up`, from: 'Investigating' }, sessionId);
      }
      this.log.warn({ aa: keyString(key), sessionId, generation }, 'investigation session lost; resubmitting');
      return this.submit(key, aa, generation + 1, sessionId);
    }
    if (err.kind === 'transient') {
      this.o.metrics?.polls.inc({ result: 'error' });
      const failures = (aa.status?.consecutiveFailures ?? 0) + 1;
      const delay = retryDelayMs(failures);
      const late = this.pastInvestigatingTimeout(aa, delay);
      if (failures > MAX_TRANSIENT_RETRIES || late) {
        const why = late ? `the next attempt would come after the investigating timeout (${aa.spec.timeoutConfig?.investigatingTimeout})` : `gave up after ${failures} attempts`;
        return this.fail(key, aa, 'Investigating', { reason: REASON_INVESTIGATION_FAILED, subReason: 'TransientError', message: `the investigator is unavailable: ${err.message}; ${why}`, from: 'Investigating' });
      }
      const message = `the investigator is unavailable (attempt ${failures} of ${MAX_TRANSIENT_RETRIES + 1}): ${err.message}; retrying in ${delay / 1000}s`;
      this.log.warn({ aa: keyString(key), failures, err: err.message }, 'investigator call failed; retrying');
      const guard = (cur: AIAnalysis) => phaseOf(cur) === 'Investigating' && sessionIdOf(cur) === sessionId && (cur.status?.consecutiveFailures ?? 0) === failures - 1;
      const written = await this.write(key, guard, (cur) => retryingStatus(cur, failures, message, this.o.clock.now(), ctx.lostGeneration));
      if (!written) return { unwritten: true };
      this.event(written, 'Warning', 'InvestigatorUnavailable', message);
      return { written };
    }
    return this.fail(key, aa, 'Investigating', { reason: REASON_INVESTIGATION_FAILED, subReason: 'PermanentError', message: `the investigator refused the analysis: ${err.message}`, from: 'Investigating' });
  }

  /** True when waiting `delayMs` more would pass the AA's own investigating timeout (if it has one). */
  private pastInvestigatingTimeout(aa: AIAnalysis, delayMs: number): boolean {
    const text = aa.spec.timeoutConfig?.investigatingTimeout;
    const started = Date.parse(aa.status?.startedAt ?? '');
    if (!text || !Number.isFinite(started)) return false;
    let timeoutMs: number;
    try {
      timeoutMs = parseSpecDuration(text);
    } catch {
      return false;
    }
    const t = this.time();
    return t.nominal(t.nowMs - started) + delayMs >= timeoutMs;
  }

  private async applyResult(key: ObjectKey, aa: AIAnalysis, sessionId: string, result: InvestigationResult): Promise<StepOutcome> {
    const verdict = judgeResult(result);
    this.o.metrics?.tokens.inc({ kind: 'prompt' }, result.usage.prompt_tokens);
    this.o.metrics?.tokens.inc({ kind: 'completion' }, result.usage.completion_tokens);
    const same = (cur: AIAnalysis) => phaseOf(cur) === 'Investigating' && sessionIdOf(cur) === sessionId;
    const now = this.o.clock.now();
    if (verdict.kind === 'failed') {
      return this.fail(
        key,
        aa,
        'Investigating',
        { reason: REASON_HUMAN_REVIEW, subReason: verdict.subReason, humanReviewReason: verdict.humanReviewReason, message: verdict.message, from: 'Investigating', fields: {} },
        sessionId,
        (cur) => ({ ...resultFields(result, cur, sessionId, now, verdict.keepWorkflow), approvalContext: evidenceContext(result) }),
      );
    }
    if (verdict.kind === 'not-needed') {
      const written = await this.write(key, same, (cur) => notNeededStatus(cur, resultFields(result, cur, sessionId, now, false), verdict.message, now));
      if (!written) return { unwritten: true };
      this.finished(written, 'Investigating', 'WorkflowNotNeeded');
      this.event(written, 'Normal', 'WorkflowNotNeeded', verdict.message);
      return { written };
    }
    const written = await this.write(key, same, (cur) => analyzingStatus(cur, { ...resultFields(result, cur, sessionId, now, true), approvalContext: evidenceContext(result) }, verdict.message, now));
    if (!written) return { unwritten: true };
    this.observeInvestigation(written, 'completed');
    this.audit(written, 'phase.transitioned', 'success', { fromPhase: 'Investigating', phase: 'Analyzing', workflowId: written.status?.selectedWorkflow?.workflowId ?? null, confidence: written.status?.selectedWorkflow?.confidence ?? null });
    this.event(written, 'Normal', 'InvestigationComplete', verdict.message);
    return { written };
  }

  // ---- Analyzing -----------------------------------------------------------------------------

  private async analyze(key: ObjectKey, aa: AIAnalysis): Promise<StepOutcome> {
    const snapshot = this.o.approval.snapshot();
    let outcome;
    try {
      outcome = await snapshot.evaluate(approvalFactsOf(aa));
    } catch (err) {
      const id = keyString(key);
      const failures = (this.analyzingFailures.get(id) ?? 0) + 1;
      this.analyzingFailures.set(id, failures);
      const message = `the approval policy could not be evaluated: ${(err as Error).message}`;
      if (failures >= this.maxAnalyzingFailures) {
        this.analyzingFailures.delete(id);
        return this.fail(key, aa, 'Analyzing', { reason: REASON_INVESTIGATION_FAILED, subReason: 'PermanentError', message: `${message}; gave up after ${failures} attempts`, from: 'Analyzing' });
      }
      this.log.warn({ aa: id, failures, err: (err as Error).message }, 'approval policy evaluation failed; retrying');
      return { requeue: { requeueAfterMs: Math.min(1000 * 2 ** (failures - 1), 60_000) } };
    }
    this.analyzingFailures.delete(keyString(key));
    const notes = [...snapshot.notices, ...(outcome.note ? [outcome.note] : [])];
    const now = this.o.clock.now();
    const written = await this.write(key, (cur) => phaseOf(cur) === 'Analyzing', (cur) => completedStatus(cur, approvalFields(outcome, cur.status?.approvalContext), notes, now));
    if (!written) return { unwritten: true };
    const st = written.status ?? {};
    this.o.metrics?.approvals.inc({ decision: st.approvalContext?.policyEvaluation?.decision ?? 'approved' });
    this.finished(written, 'Analyzing', 'WorkflowSelected');
    this.event(written, 'Normal', 'AnalysisCompleted', st.message ?? 'analysis completed');
    if (st.approvalRequired) this.event(written, 'Normal', 'ApprovalRequired', st.approvalContext?.whyApprovalRequired ?? st.approvalReason ?? 'the approval policy requires approval');
    return { written };
  }

  // ---- endings and plumbing ------------------------------------------------------------------

  /**
   * Failed with `f`. `sessionId`: only while that session is the one stored. `fields`: the result's
   * fields, computed from the fresh copy written over.
   */
  private async fail(key: ObjectKey, aa: AIAnalysis, from: Phase | '', f: Failure, sessionId?: string, fields?: (cur: AIAnalysis) => Partial<Status>): Promise<StepOutcome> {
    const now = this.o.clock.now();
    const guard = (cur: AIAnalysis) => phaseOf(cur) === from && (sessionId === undefined || sessionIdOf(cur) === sessionId);
    const written = await this.write(key, guard, (cur) => failedStatus(cur, { ...f, ...(fields ? { fields: fields(cur) } : {}) }, now));
    if (!written) return { unwritten: true };
    this.log.warn({ aa: keyString(key), from, subReason: f.subReason, message: f.message }, 'analysis failed');
    this.finished(written, from, f.subReason);
    this.event(written, 'Warning', 'AnalysisFailed', `${f.subReason}: ${f.message}`);
    return { written };
  }

  /** The end of an analysis: audit, metrics. */
  private finished(aa: AIAnalysis, from: Phase | '', outcome: SubReason | 'WorkflowSelected' | 'WorkflowNotNeeded'): void {
    const failed = aa.status?.phase === 'Failed';
    this.audit(aa, failed ? 'analysis.failed' : 'analysis.completed', failed ? 'failure' : 'success', endOfAnalysisData(aa, from));
    this.o.metrics?.analyses.inc({ outcome });
    if (from === 'Investigating') this.observeInvestigation(aa, failed ? 'failed' : 'completed');
  }

  private observeInvestigation(aa: AIAnalysis, outcome: 'completed' | 'failed'): void {
    const start = Date.parse(aa.status?.startedAt ?? '');
    if (Number.isFinite(start)) this.o.metrics?.investigationDuration.observe({ outcome }, Math.max(0, this.o.clock.nowMs() - start) / 1000);
  }

  private observePolls(aa: AIAnalysis): void {
    this.o.metrics?.pollsPerSession.observe(aa.status?.investigationSession?.pollCount ?? 0);
  }

  /** A step failed on the API server (or in a way the steps do not handle). */
  private async stepFailed(key: ObjectKey, phase: Phase | '', err: unknown): Promise<ReconcileResult | void> {
    const code = statusCodeOf(err);
    // Deleted under our feet: nothing left to record anything on.
    if (code === 404) return;
    if ((code === 422 || code === 400) && !isTerminal(phase)) {
      // The API server refuses the status we computed: no retry fixes that. A bare Failed it takes.
      const message = `the API server refused the status: ${messageOf(err)}`;
      const current = await this.o.store.get(key);
      if (current && !isTerminal(phaseOf(current))) await this.fail(key, current, phaseOf(current), { reason: REASON_INVESTIGATION_FAILED, subReason: 'PermanentError', message, from: phaseOf(current) });
      return;
    }
    // The work queue retries with its own back-off.
    throw err;
  }

  /** Writes `mutate(current)` when `guard(current)` holds on the fresh copy; undefined when it does not. */
  private write(key: ObjectKey, guard: (cur: AIAnalysis) => boolean, mutate: (cur: AIAnalysis) => Status): Promise<AIAnalysis | undefined> {
    return this.o.store.updateStatus(key, (cur) => (guard(cur) ? mutate(cur) : undefined));
  }

  private time(): ScheduleTime {
    const c = this.o.clock;
    return { nowMs: c.nowMs(), scaled: (ms) => c.scaled(ms), nominal: (ms) => c.nominal(ms) };
  }

  private audit(aa: AIAnalysis, type: AIAnalysisAuditType, outcome: 'success' | 'failure', data: Record<string, unknown>): void {
    this.o.audit.record(aiAnalysisAuditEvent(aa, type, outcome, this.o.clock.now(), data));
  }

  private event(aa: AIAnalysis, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.o.events?.event(aa, type, reason, message.length > 1024 ? `${message.slice(0, 1023)}…` : message);
  }
}

function phaseOf(aa: AIAnalysis): Phase | '' {
  return aa.status?.phase ?? '';
}

function sessionIdOf(aa: AIAnalysis): string | undefined {
  return aa.status?.investigationSession?.id || undefined;
}
