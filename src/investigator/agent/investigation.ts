/**
 * The agent loop of one investigation (investigation.md §5-§8): the opening prompt, LLM turns whose
 * tool calls are executed in order and fed back, the final answer parsed and validated against the
 * cluster and the catalog, self-correction over up to three attempts, and the result with its
 * evidence and token accounting. Bounded everywhere: turns and tool calls per attempt, time per
 * tool call and per session, tokens per session; at a limit the model gets one last turn without
 * tools to answer.
 */
import type { Clock } from '../../platform/clock.ts';
import { componentLogger, type Logger } from '../../platform/log.ts';
import type { AnalyzeRequest, Evidence, HumanReviewReason, InvestigationResult, InvestigationUsage, ResourceRef, ValidationAttempt } from '../api/wire.ts';
import type { LlmConfig } from '../llm/config.ts';
import { countCompletionTokens, countPromptTokens } from '../llm/token-count.ts';
import { LlmError, type ChatMessage, type ChatRequest, type ChatResponse, type LlmProvider, type ToolCall, type ToolChoice } from '../llm/types.ts';
import { detectInjection } from '../safety/injection.ts';
import { redactText, redactValue } from '../safety/redact.ts';
import type { InjectionFinding, ToolExecution, Toolset } from '../tools/types.ts';
import { parseAnswer } from './answer-parser.ts';
import type { LlmAnswer } from './answer-schema.ts';
import { validateAnswer, type AnswerValidation } from './answer-validation.ts';
import { answerNowMessage, notRunEnvelope, validationFeedback } from './feedback.ts';
import { resolveLimits, type InvestigationLimits } from './limits.ts';
import type { InvestigationObserver } from './observer.ts';
import { incidentPrompt, systemPrompt, type HistoryLines } from './prompt.ts';
import type { SignalHistory } from './signal-history.ts';
import { reviewReasonFor, type AnswerError } from './validation-errors.ts';
import { untilAborted } from '../../platform/abort.ts';

export type TokenPricing = NonNullable<LlmConfig['pricing']>;

export interface InvestigationDeps {
  llm: LlmProvider;
  toolset: Toolset;
  clock: Clock;
  limits?: Partial<InvestigationLimits>;
  /** Default 0.2 (§7). */
  temperature?: number;
  /** Default 4096. */
  maxOutputTokens?: number;
  /** Prices per million tokens: with them the usage carries `estimated_cost_usd`. */
  pricing?: TokenPricing;
  /** Earlier remediations of the signal resource for the first prompt; without it the section says none are known. */
  history?: SignalHistory;
  observer?: InvestigationObserver;
  /** Aborts the investigation (service shutdown): it ends as failed `Cancelled`. */
  signal?: AbortSignal;
  log?: Logger;
}

/** Why a session failed, in the AIAnalysis subReason vocabulary where one fits (crds.md §4). */
export type FailureReason = 'MaxRetriesExceeded' | 'TransientError' | 'PermanentError' | 'Cancelled' | 'InternalError';

export type InvestigationOutcome =
  | { status: 'completed'; result: InvestigationResult; /** Every prompt-injection finding, with its source (for the audit trail). */ injection: InjectionFinding[] }
  | { status: 'failed'; reason: FailureReason; message: string; usage: InvestigationUsage; injection: InjectionFinding[] };

export function investigate(request: AnalyzeRequest, deps: InvestigationDeps): Promise<InvestigationOutcome> {
  return new Investigation(request, deps).run();
}

const EXCERPT_CHARS = 2000;
const MAX_EVIDENCE_ARGUMENT_CHARS = 4000;

class Cancelled extends Error {}

interface ParsedAttempt {
  answer: LlmAnswer;
  prose: string;
  validation: AnswerValidation;
}

class Investigation {
  private readonly limits: InvestigationLimits;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly temperature: number;
  private readonly maxOutputTokens: number;
  private readonly startedMs: number;
  /** Aborted when the session time is up (or on cancel): ordinary turns and tool calls. */
  private readonly work = new AbortController();
  /** Aborted a grace period later (or on cancel): the forced last turn and validation. */
  private readonly finish = new AbortController();
  private deadlineReached = false;
  private cancelled = false;

  private messages: ChatMessage[] = [];
  private sentMessages = 0;
  private turnSeq = 0;
  private readonly usage = { prompt: 0, completion: 0, estimated: false, turns: 0, toolCalls: 0 };
  private model: string;
  private readonly evidence: Evidence[] = [];
  private readonly injection: InjectionFinding[] = [];
  private readonly attempts: ValidationAttempt[] = [];

  constructor(
    private readonly req: AnalyzeRequest,
    private readonly deps: InvestigationDeps,
  ) {
    this.limits = resolveLimits(deps.limits);
    this.clock = deps.clock;
    this.log = deps.log ?? componentLogger('investigator');
    this.temperature = deps.temperature ?? 0.2;
    this.maxOutputTokens = deps.maxOutputTokens ?? 4096;
    this.startedMs = this.clock.nowMs();
    this.model = deps.llm.model;
  }

  async run(): Promise<InvestigationOutcome> {
    const { sessionTimeoutMs, finalTurnTimeoutMs } = this.limits;
    const timers = [
      this.clock.setTimeout(() => {
        this.deadlineReached = true;
        this.work.abort(new Error(`the session time limit of ${seconds(sessionTimeoutMs)} is reached`));
      }, sessionTimeoutMs),
      this.clock.setTimeout(() => this.finish.abort(new Error('the time for a last answer is up')), sessionTimeoutMs + finalTurnTimeoutMs),
    ];
    const onCancel = () => {
      this.cancelled = true;
      this.work.abort(new Cancelled('cancelled'));
      this.finish.abort(new Cancelled('cancelled'));
    };
    if (this.deps.signal?.aborted) onCancel();
    this.deps.signal?.addEventListener('abort', onCancel, { once: true });
    try {
      await this.open();
      return await this.answerWithSelfCorrection();
    } catch (err) {
      return this.failure(err);
    } finally {
      for (const t of timers) t.cancel();
      this.deps.signal?.removeEventListener('abort', onCancel);
    }
  }

  // ---- opening ----------------------------------------------------------------------------

  private async open(): Promise<void> {
    this.throwIfCancelled();
    const findings = scanRequest(this.req);
    this.injection.push(...findings);
    const history = await this.signalHistory();
    this.throwIfCancelled();
    this.messages = [
      { role: 'system', content: systemPrompt(this.deps.toolset.schemas) },
      { role: 'user', content: redactText(incidentPrompt(this.req, history)).text },
    ];
  }

  private async signalHistory(): Promise<HistoryLines> {
    if (!this.deps.history) return [];
    const ref: ResourceRef = { kind: this.req.resource_kind, name: this.req.resource_name, ...(this.req.resource_namespace ? { namespace: this.req.resource_namespace } : {}) };
    try {
      return await this.deps.history(ref);
    } catch (err) {
      return { unavailable: (err as Error).message.slice(0, 300) };
    }
  }

  // ---- attempts ---------------------------------------------------------------------------

  private async answerWithSelfCorrection(): Promise<InvestigationOutcome> {
    const max = this.limits.maxAttempts;
    let lastParsed: ParsedAttempt | undefined;
    for (let attempt = 1; attempt <= max; attempt++) {
      const content = await this.answerAttempt(attempt);
      if (content === undefined) {
        // After a rejected answer, that answer (and why it was rejected) is still worth a human's look.
        const previous = this.attempts.at(-1);
        if (previous) return { status: 'completed', result: this.result(lastParsed, reviewReasonFor(previous.errors as AnswerError[])), injection: this.injection };
        return this.failed('MaxRetriesExceeded', `no final answer within the limits (attempt ${attempt} of ${max})`);
      }
      const parsed = parseAnswer(content);
      let errors: AnswerError[];
      let validation: AnswerValidation | undefined;
      if (parsed.ok) {
        validation = await validateAnswer(parsed.answer, this.deps.toolset, this.activeSignal());
        this.throwIfCancelled();
        errors = validation.errors;
        lastParsed = { answer: parsed.answer, prose: parsed.prose, validation };
      } else {
        errors = parsed.errors;
      }
      const record: ValidationAttempt = {
        attempt,
        workflow_id: parsed.ok ? (parsed.answer.selected_workflow?.workflow_id ?? null) : null,
        is_valid: errors.length === 0,
        errors: errors.map((e) => ({ code: e.code, ...(e.parameter !== undefined ? { parameter: e.parameter } : {}), message: e.message })),
        timestamp: this.clock.now().toISOString(),
      };
      this.attempts.push(record);
      this.observe((o) => o.validationAttempt?.(record));

      if (errors.length === 0) return { status: 'completed', result: this.result(lastParsed), injection: this.injection };
      if (attempt === max || this.budgetExhausted()) {
        return { status: 'completed', result: this.result(lastParsed, reviewReasonFor(errors)), injection: this.injection };
      }
      const schema = validation?.parameterSchema;
      this.messages.push({ role: 'user', content: validationFeedback(attempt, max, errors, schema, validation?.selection?.workflow_id) });
    }
    throw new Error('unreachable: every attempt returns');
  }

  /** Turns until the model answers without tool calls; at a limit, one last turn without tools. */
  private async answerAttempt(attempt: number): Promise<string | undefined> {
    let turns = 0;
    let calls = 0;
    let limit: string | undefined;
    for (;;) {
      limit = this.limitReached(turns, calls);
      if (limit) break;
      let response: ChatResponse;
      try {
        response = await this.chat(attempt, 'auto', this.work.signal);
      } catch (err) {
        if (this.deadlineReached && !this.cancelled) {
          limit = this.limitReached(turns, calls);
          break;
        }
        throw err;
      }
      turns++;
      const toolCalls = response.message.toolCalls ?? [];
      this.messages.push({ role: 'assistant', content: response.message.content ?? '', ...(toolCalls.length ? { toolCalls } : {}) });
      if (toolCalls.length === 0) return response.message.content ?? '';
      // Every call gets its tool message (providers refuse a conversation with an unanswered call).
      for (const call of toolCalls) {
        if (calls >= this.limits.maxToolCallsPerAttempt || this.deadlineReached) {
          const why = this.deadlineReached ? 'the session time is up' : `the limit of ${this.limits.maxToolCallsPerAttempt} tool calls per attempt is reached`;
          this.messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: notRunEnvelope(call.name, `not executed: ${why}`) });
          continue;
        }
        calls++;
        const execution = await this.runTool(call, attempt);
        this.messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: execution.content });
      }
      this.throwIfCancelled();
    }

    this.messages.push({ role: 'user', content: answerNowMessage(limit ?? 'session time limit') });
    let response: ChatResponse;
    try {
      response = await this.chat(attempt, 'none', this.finish.signal);
    } catch (err) {
      if (this.finish.signal.aborted && !this.cancelled) return undefined;
      throw err;
    }
    const toolCalls = response.message.toolCalls ?? [];
    this.messages.push({ role: 'assistant', content: response.message.content ?? '', ...(toolCalls.length ? { toolCalls } : {}) });
    const content = response.message.content ?? '';
    return toolCalls.length > 0 || content.trim() === '' ? undefined : content;
  }

  private limitReached(turns: number, calls: number): string | undefined {
    const l = this.limits;
    if (this.deadlineReached) return `session time limit of ${seconds(l.sessionTimeoutMs)}`;
    if (this.tokensUsed() >= l.maxTotalTokens) return `token budget of ${l.maxTotalTokens} tokens`;
    if (turns >= l.maxTurnsPerAttempt) return `limit of ${l.maxTurnsPerAttempt} LLM turns per attempt`;
    if (calls >= l.maxToolCallsPerAttempt) return `limit of ${l.maxToolCallsPerAttempt} tool calls per attempt`;
    return undefined;
  }

  private budgetExhausted(): boolean {
    return this.deadlineReached || this.tokensUsed() >= this.limits.maxTotalTokens;
  }

  private tokensUsed(): number {
    return this.usage.prompt + this.usage.completion;
  }

  private activeSignal(): AbortSignal {
    return this.deadlineReached ? this.finish.signal : this.work.signal;
  }

  // ---- one LLM call -----------------------------------------------------------------------

  private async chat(attempt: number, toolChoice: ToolChoice, signal: AbortSignal): Promise<ChatResponse> {
    this.throwIfCancelled();
    const request: ChatRequest = {
      messages: [...this.messages],
      tools: this.deps.toolset.schemas,
      toolChoice,
      temperature: this.temperature,
      maxOutputTokens: this.maxOutputTokens,
    };
    const turn = ++this.turnSeq;
    const newMessages = this.messages.slice(this.sentMessages);
    this.sentMessages = this.messages.length;
    const { llm } = this.deps;
    this.observe((o) => o.llmRequest?.({ attempt, turn, request, newMessages, provider: llm.provider, model: this.model }));
    const t0 = this.clock.nowMs();
    let response: ChatResponse;
    try {
      // Raced with the signal as well: a provider that ignores it must not hold the session past its deadline.
      response = await untilAborted(llm.chat(request, { signal }), signal);
    } catch (err) {
      const latencyMs = this.clock.nowMs() - t0;
      this.observe((o) => o.llmResponse?.({ attempt, turn, error: err as Error, promptTokens: 0, completionTokens: 0, tokensEstimated: false, latencyMs }));
      this.throwIfCancelled();
      throw err;
    }
    const latencyMs = this.clock.nowMs() - t0;
    const reported = response.usage;
    const promptTokens = reported ? reported.promptTokens : countPromptTokens(request);
    const completionTokens = reported ? reported.completionTokens : countCompletionTokens(response.message);
    this.usage.prompt += promptTokens;
    this.usage.completion += completionTokens;
    this.usage.estimated ||= !reported;
    this.usage.turns++;
    if (response.model) this.model = response.model;
    this.observe((o) => o.llmResponse?.({ attempt, turn, response, promptTokens, completionTokens, tokensEstimated: !reported, latencyMs }));
    return response;
  }

  // ---- one tool call ----------------------------------------------------------------------

  /** Never throws: a tool that fails, hangs past its time or outlives the session answers `ok: false`. */
  private async runTool(call: ToolCall, attempt: number): Promise<ToolExecution> {
    const turn = this.turnSeq;
    const limitMs = this.limits.toolCallTimeoutMs;
    const stop = new AbortController();
    const signal = AbortSignal.any([this.work.signal, stop.signal]);
    const t0 = this.clock.nowMs();
    let settleEarly!: (e: ToolExecution) => void;
    const early = new Promise<ToolExecution>((resolve) => (settleEarly = resolve));
    const timer = this.clock.setTimeout(() => {
      stop.abort(new Error('tool call timed out'));
      settleEarly(stoppedExecution(call, `the tool call took longer than ${seconds(limitMs)} and was stopped`, this.clock.nowMs() - t0));
    }, limitMs);
    const onSessionEnd = () => settleEarly(stoppedExecution(call, 'the session time is up', this.clock.nowMs() - t0));
    this.work.signal.addEventListener('abort', onSessionEnd, { once: true });
    let execution: ToolExecution;
    try {
      execution = await Promise.race([this.deps.toolset.execute(call, { signal }), early]);
    } catch (err) {
      execution = stoppedExecution(call, `the tool failed: ${(err as Error).message}`, this.clock.nowMs() - t0);
    } finally {
      timer.cancel();
      this.work.signal.removeEventListener('abort', onSessionEnd);
    }
    this.usage.toolCalls++;
    this.injection.push(...(execution.injection ?? []));
    this.evidence.push(evidenceOf(execution));
    this.observe((o) => o.toolCall?.({ attempt, turn, execution }));
    return execution;
  }

  // ---- the result -------------------------------------------------------------------------

  /** The result of a valid answer, or (with `review`) of the last one after the attempts ran out. */
  private result(parsed: ParsedAttempt | undefined, review?: HumanReviewReason): InvestigationResult {
    const req = this.req;
    const answer = parsed?.answer;
    const validation = parsed?.validation;
    const outcome = answer?.investigation_outcome ?? 'inconclusive';
    const rca = answer?.root_cause_analysis;
    const noAnswer = 'The investigation did not produce a valid answer; see validation_attempts_history and evidence.';
    const selection = outcome === 'actionable' ? (validation?.selection ?? null) : null;
    let needsReview: boolean;
    let reason: HumanReviewReason | null;
    if (review) {
      needsReview = true;
      reason = review;
    } else {
      needsReview = Boolean(answer?.needs_human_review) || outcome === 'inconclusive';
      reason = needsReview ? (answer?.human_review_reason ?? defaultReviewReason(outcome, selection !== null, answer?.confidence ?? 0)) : null;
    }
    const detectedLabels = validation?.detectedLabels ?? {};
    const warnings = new Set(validation?.warnings ?? []);
    if (this.injection.length) warnings.add('prompt_injection_suspected');
    for (const label of detectedLabels.failedDetections ?? []) warnings.add(`detection_failed:${label}`);
    const analysis = answer?.analysis?.trim() || parsed?.prose.trim() || rca?.summary || noAnswer;
    return {
      incident_id: req.incident_id,
      investigation_outcome: outcome,
      analysis: clean(analysis),
      root_cause_analysis: {
        summary: clean(rca?.summary ?? noAnswer),
        severity: rca?.severity ?? req.severity,
        contributing_factors: (rca?.contributing_factors ?? []).map(clean),
        affectedResource: validation?.affectedResource ?? null,
      },
      selected_workflow: selection ? { ...selection, rationale: clean(selection.rationale) } : null,
      alternative_workflows: (answer?.alternative_workflows ?? []).map((a) => ({
        workflow_id: a.workflow_id,
        ...(a.execution_bundle ? { execution_bundle: a.execution_bundle } : {}),
        confidence: a.confidence,
        rationale: clean(a.rationale),
      })),
      confidence: answer?.confidence ?? 0,
      needs_human_review: needsReview,
      human_review_reason: reason,
      warnings: [...warnings],
      detected_labels: detectedLabels,
      validation_attempts_history: this.attempts,
      evidence: this.evidence,
      timestamp: this.clock.now().toISOString(),
      provider: this.deps.llm.provider,
      model: this.model,
      usage: this.usageTotals(),
    };
  }

  private usageTotals(): InvestigationUsage {
    const u = this.usage;
    const pricing = this.deps.pricing;
    return {
      prompt_tokens: u.prompt,
      completion_tokens: u.completion,
      tokens_estimated: u.estimated,
      llm_turns: u.turns,
      tool_calls: u.toolCalls,
      latency_ms: Math.max(0, Math.round(this.clock.nowMs() - this.startedMs)),
      ...(pricing ? { estimated_cost_usd: (u.prompt * pricing.promptUsdPerMillion + u.completion * pricing.completionUsdPerMillion) / 1e6 } : {}),
    };
  }

  // ---- failures ---------------------------------------------------------------------------

  private failed(reason: FailureReason, message: string): InvestigationOutcome {
    return { status: 'failed', reason, message, usage: this.usageTotals(), injection: this.injection };
  }

  private failure(err: unknown): InvestigationOutcome {
    if (this.cancelled || err instanceof Cancelled) return this.failed('Cancelled', 'the investigation was cancelled (the investigator is shutting down)');
    if (err instanceof LlmError) return this.failed(err.transient ? 'TransientError' : 'PermanentError', err.message);
    this.log.error({ err, incidentId: this.req.incident_id }, 'investigation failed unexpectedly');
    return this.failed('InternalError', `the investigation failed: ${(err as Error)?.message ?? String(err)}`);
  }

  private throwIfCancelled(): void {
    if (this.cancelled) throw new Cancelled('cancelled');
  }

  private observe(fn: (o: InvestigationObserver) => void): void {
    if (!this.deps.observer) return;
    try {
      fn(this.deps.observer);
    } catch (err) {
      this.log.warn({ err }, 'investigation observer failed');
    }
  }
}

/** §9: the request's free text (alert text, labels, annotations) is scanned like tool output. */
function scanRequest(req: AnalyzeRequest): InjectionFinding[] {
  const findings: InjectionFinding[] = [];
  const scan = (text: string, source: string) => {
    if (text) findings.push(...detectInjection(text, source));
  };
  scan(req.error_message, 'error_message');
  scan(req.description, 'description');
  for (const [k, v] of Object.entries(req.signal_labels)) scan(v, `signal_labels.${k}`);
  for (const [k, v] of Object.entries(req.signal_annotations)) scan(v, `signal_annotations.${k}`);
  return findings;
}

function defaultReviewReason(outcome: string, selected: boolean, confidence: number): HumanReviewReason {
  if (outcome === 'inconclusive') return 'investigation_inconclusive';
  if (!selected) return 'no_matching_workflows';
  return confidence < 0.7 ? 'low_confidence' : 'rca_incomplete';
}

function stoppedExecution(call: ToolCall, why: string, durationMs: number): ToolExecution {
  return {
    tool: call.name,
    arguments: parseArguments(call.arguments),
    ok: false,
    content: notRunEnvelope(call.name, why),
    truncated: false,
    redactions: {},
    injection: [],
    durationMs: Math.max(0, durationMs),
    resultChars: 0,
  };
}

function parseArguments(text: string): Record<string, unknown> | string {
  try {
    const v = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : text;
  } catch {
    return text;
  }
}

function evidenceOf(e: ToolExecution): Evidence {
  let args: Record<string, unknown> = typeof e.arguments === 'string' ? { raw: e.arguments } : e.arguments;
  const json = JSON.stringify(args);
  if (json.length > MAX_EVIDENCE_ARGUMENT_CHARS) args = { raw: `${json.slice(0, MAX_EVIDENCE_ARGUMENT_CHARS)}…` };
  return {
    tool: e.tool,
    arguments: redactValue(args).value,
    ok: e.ok,
    excerpt: e.content.slice(0, EXCERPT_CHARS),
    truncated: e.truncated || e.content.length > EXCERPT_CHARS,
  };
}


function clean(text: string): string {
  return redactText(text).text;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
