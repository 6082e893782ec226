/**
 * The demo's live timeline as text: what happened, when (wall clock) and how long after the fault
 * was injected. Pure functions from what the follower saw to lines, so the presentation is tested
 * without a cluster and the follower only decides *what* to say.
 */

/** One thing that happened, as the timeline prints it. */
export interface TimelineEntry {
  /** Real time it was seen (or the timestamp the object itself carries). */
  at: Date;
  /** Who it is about: `RR`, `SP`, `AA`, `RAR`, `WE`, `EA`, `Job`, `Pod`, `Alert`, `demo`, ... */
  subject: string;
  text: string;
  /** Secondary lines (script output, a Job's log) are indented under their stage. */
  detail?: boolean;
}

/** The short names the timeline uses for Kubernaut's kinds. */
export const KIND_ABBREVIATIONS: Record<string, string> = {
  RemediationRequest: 'RR',
  SignalProcessing: 'SP',
  AIAnalysis: 'AA',
  RemediationApprovalRequest: 'RAR',
  WorkflowExecution: 'WE',
  EffectivenessAssessment: 'EA',
};

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `19:04:07.3`: local wall-clock time, tenths of a second. */
export function clockTime(at: Date): string {
  return `${pad2(at.getHours())}:${pad2(at.getMinutes())}:${pad2(at.getSeconds())}.${Math.floor(at.getMilliseconds() / 100)}`;
}

/** `+12.4s` after the injection, `-3.0s` before it; blank when nothing was injected yet. */
export function sinceInjection(at: Date, injectedAt: Date | undefined): string {
  if (!injectedAt) return '';
  const s = (at.getTime() - injectedAt.getTime()) / 1000;
  return `${s < 0 ? '-' : '+'}${Math.abs(s).toFixed(1)}s`;
}

const SUBJECT_WIDTH = 6;
const SINCE_WIDTH = 8;

/** One line: `19:04:07.3   +12.4s  AA     Completed: ...`; detail lines are indented with a bar. */
export function formatEntry(entry: TimelineEntry, injectedAt: Date | undefined): string {
  const time = clockTime(entry.at);
  const since = sinceInjection(entry.at, injectedAt).padStart(SINCE_WIDTH);
  if (entry.detail) return `${time} ${since}  ${''.padEnd(SUBJECT_WIDTH)} │ ${entry.text}`;
  return `${time} ${since}  ${entry.subject.padEnd(SUBJECT_WIDTH)} ${entry.text}`;
}

/** A section heading between the demo's steps. */
export function formatHeading(text: string): string {
  return `\n── ${text} ${'─'.repeat(Math.max(3, 72 - text.length))}`;
}

/** `0.92` → `92%`. */
export function percent(value: number | undefined | null): string {
  return typeof value === 'number' ? `${Math.round(value * 100)}%` : 'n/a';
}

/** Seconds with one decimal: `12.3 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The phase change of one of Kubernaut's objects: `AIAnalysis ai-rr-1 → Completed (WorkflowSelected)`. */
export function phaseText(kind: string, name: string, phase: string, reason?: string): string {
  return `${kind} ${name} → ${phase}${reason ? ` (${reason})` : ''}`;
}

/** Everything the timeline says about an AIAnalysis that completed: root cause, workflow, confidence. */
export function analysisLines(aa: {
  rootCause?: string;
  rootCauseSummary?: string;
  affected?: { kind: string; name: string };
  detectedLabels?: Record<string, unknown>;
  workflowId?: string;
  version?: string;
  confidence?: number;
  rationale?: string;
  approvalRequired?: boolean;
  approvalReason?: string;
  llmLatencyMs?: number;
  llmTurns?: number;
  toolCalls?: number;
}): string[] {
  const lines: string[] = [];
  const cause = aa.rootCauseSummary || aa.rootCause;
  if (cause) lines.push(`root cause: ${cause}`);
  if (aa.affected) lines.push(`affected resource: ${aa.affected.kind}/${aa.affected.name}`);
  const labels = Object.entries(aa.detectedLabels ?? {}).filter(([k, v]) => k !== 'failedDetections' && v !== false && v !== '' && v !== undefined);
  if (labels.length) lines.push(`detected labels: ${labels.map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
  if (aa.workflowId) lines.push(`selected workflow: ${aa.workflowId}${aa.version ? ` v${aa.version}` : ''}, confidence ${percent(aa.confidence)}`);
  if (aa.rationale) lines.push(`why: ${aa.rationale}`);
  if (aa.llmLatencyMs !== undefined) {
    const extra = [aa.llmTurns !== undefined ? `${aa.llmTurns} LLM turns` : '', aa.toolCalls !== undefined ? `${aa.toolCalls} tool calls` : ''].filter(Boolean).join(', ');
    lines.push(`investigation took ${seconds(aa.llmLatencyMs)}${extra ? ` (${extra})` : ''}`);
  }
  if (aa.approvalRequired) lines.push(`approval required: ${aa.approvalReason ?? 'by policy'}`);
  return lines;
}

/** The effectiveness assessment's scores as one line. */
export function effectivenessText(ea: {
  phase?: string;
  healthScore?: number | null;
  alertScore?: number | null;
  metricsScore?: number | null;
  overallScore?: number;
  reason?: string;
}): string {
  const parts = [`health ${score(ea.healthScore)}`, `alert ${ea.alertScore === 1 ? 'resolved' : ea.alertScore === 0 ? 'still firing' : score(ea.alertScore)}`, `metrics ${score(ea.metricsScore)}`];
  if (ea.overallScore !== undefined) parts.unshift(`overall ${score(ea.overallScore)}`);
  return `effectiveness: ${parts.join(', ')}${ea.reason ? ` (${ea.reason})` : ''}`;
}

function score(v: number | null | undefined): string {
  return typeof v === 'number' ? v.toFixed(2) : 'n/a';
}

/** The line refreshed while nothing happens: `… waiting for the alert to fire (12 s)`. */
export function waitingText(what: string, sinceMs: number): string {
  return `… waiting for ${what} (${Math.floor(sinceMs / 1000)} s)`;
}
