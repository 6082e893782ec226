/** The evaluation's table: per fixture the pass rate and what the investigations cost. */
import type { FixtureReport } from './harness.ts';

export const REFERENCE_FIXTURE = 'statefulset-claim-deleted';
/** Issue 13's aim for the reference incident: prompt + completion tokens per investigation. */
export const REFERENCE_TOKEN_AIM = 30_000;

export interface FixtureSummary {
  id: string;
  passed: number;
  runs: number;
  /** Means over the runs that produced a result. */
  promptTokens?: number;
  completionTokens?: number;
  tokensEstimated?: boolean;
  turns?: number;
  toolCalls?: number;
  latencyMs?: number;
  costUsd?: number;
  failures: string[];
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

export function summarize(report: FixtureReport): FixtureSummary {
  const usages = report.runs.flatMap((r) => (r.result ? [r.result.usage] : []));
  const costs = usages.flatMap((u) => (u.estimated_cost_usd !== undefined ? [u.estimated_cost_usd] : []));
  const failures = report.setupError ? [`set-up: ${report.setupError}`] : report.runs.flatMap((r) => r.failures.map((f) => (report.runs.length > 1 ? `run ${r.run}: ${f}` : f)));
  return {
    id: report.id,
    passed: report.runs.filter((r) => r.passed).length,
    runs: report.setupError ? 0 : report.runs.length,
    promptTokens: mean(usages.map((u) => u.prompt_tokens)),
    completionTokens: mean(usages.map((u) => u.completion_tokens)),
    tokensEstimated: usages.some((u) => u.tokens_estimated),
    turns: mean(usages.map((u) => u.llm_turns)),
    toolCalls: mean(usages.map((u) => u.tool_calls)),
    latencyMs: mean(report.runs.map((r) => r.latencyMs)),
    costUsd: costs.length === usages.length ? mean(costs) : undefined,
    failures,
  };
}

/** A fixture passes when every run passed (and there was at least one). */
export function fixturePassed(s: FixtureSummary): boolean {
  return s.runs > 0 && s.passed === s.runs;
}

const int = (n: number | undefined) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));
const oneDecimal = (n: number | undefined) => (n === undefined ? '–' : (Math.round(n * 10) / 10).toString());

export function formatTable(summaries: FixtureSummary[], header: string): string {
  const rows = [
    ['fixture', 'pass', 'prompt tok', 'compl. tok', 'turns', 'tools', 'latency', 'cost'],
    ...summaries.map((s) => [
      s.id,
      s.runs ? `${s.passed}/${s.runs}` : 'set-up failed',
      int(s.promptTokens) + (s.tokensEstimated ? '*' : ''),
      int(s.completionTokens) + (s.tokensEstimated ? '*' : ''),
      oneDecimal(s.turns),
      oneDecimal(s.toolCalls),
      s.latencyMs === undefined ? '–' : `${(s.latencyMs / 1000).toFixed(1)} s`,
      s.costUsd === undefined ? '–' : `$${s.costUsd.toFixed(4)}`,
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const out = [header, '', line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  if (summaries.some((s) => s.tokensEstimated)) out.push('', '* counted with a tokenizer over what was sent (the provider reported no usage)');
  const reference = summaries.find((s) => s.id === REFERENCE_FIXTURE);
  if (reference?.promptTokens !== undefined) {
    const total = reference.promptTokens + (reference.completionTokens ?? 0);
    out.push('', `reference incident: ${int(total)} tokens per investigation (prompt ${int(reference.promptTokens)} + completion ${int(reference.completionTokens)}); aim < ${int(REFERENCE_TOKEN_AIM)}`);
  }
  const failing = summaries.filter((s) => s.failures.length);
  if (failing.length) {
    out.push('', 'Failures:');
    for (const s of failing) for (const f of s.failures) out.push(`  ${s.id}: ${f}`);
  }
  const passed = summaries.filter(fixturePassed).length;
  out.push('', `${passed} of ${summaries.length} fixtures passed`);
  return out.join('\n');
}
