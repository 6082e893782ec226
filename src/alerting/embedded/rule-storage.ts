/**
 * Connects rule groups to the TSDB the way Prometheus does: rule expressions are parsed once and
 * evaluated against the store, and each rule's output (recorded series, ALERTS, ALERTS_FOR_STATE)
 * is written back as if the rule were a scrape target of its own, so a series the rule stops
 * producing gets a stale marker at once instead of lingering for the 5-minute lookback.
 */
import { evaluate, parsePromQL, type Expr } from '../promql/index.ts';
import { toRuleSamples, type QueryFn, type Rule, type Sample } from '../rules/index.ts';
import type { MemorySeriesStore } from '../tsdb/index.ts';

export class RuleStorage {
  private readonly parsed = new Map<string, Expr>();

  constructor(
    private readonly store: MemorySeriesStore,
    private readonly opts: { lookbackDeltaMs?: number } = {},
  ) {}

  /** Parses an expression, once per distinct text (also the loader's validation ParseFn). */
  readonly parse = (expr: string): Expr => {
    let ast = this.parsed.get(expr);
    if (!ast) {
      ast = parsePromQL(expr);
      this.parsed.set(expr, ast);
    }
    return ast;
  };

  /** The QueryFn rule groups evaluate through. */
  readonly query: QueryFn = async (expr, tMs) => toRuleSamples(evaluate(this.parse(expr), tMs, this.store, { lookbackDeltaMs: this.opts.lookbackDeltaMs }));

  /** Stores one rule's samples of an evaluation (a group's `onSamples`). */
  record(groupId: string, rule: Rule, samples: Sample[], tMs: number): void {
    this.store.commitScrape(sourceKey(groupId, rule), samples, tMs);
  }

  /** A group went away: its rules' series end now. */
  drop(groupId: string, rules: readonly Rule[], tMs: number): void {
    for (const rule of rules) this.store.dropTarget(sourceKey(groupId, rule), tMs);
  }
}

function sourceKey(groupId: string, rule: Rule): string {
  return `rule\xff${groupId}\xff${rule.def.index}`;
}
