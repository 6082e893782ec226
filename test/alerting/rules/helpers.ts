import { readFileSync } from 'node:fs';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';
import type { Sample } from '../../../src/alerting/rules/index.ts';

/** A real syntax check (lezer-promql marks errors with error nodes), standing in for the promql module. */
export function lezerParse(expr: string): void {
  const tree = parser.parse(expr);
  let bad: number | undefined;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError && bad === undefined) bad = n.from;
    },
  });
  if (bad !== undefined) throw new Error(`1:${bad + 1}: parse error near ${JSON.stringify(expr.slice(bad, bad + 10))}`);
}

export const REFERENCE_RULE = new URL('../../../deploy/demo/scenarios/statefulset-pvc-failure/manifests/prometheus-rule.yaml', import.meta.url);

export function loadYaml(url: URL): unknown {
  return parseYaml(readFileSync(url, 'utf8'));
}

/** A query function whose answer the test sets; records the calls. */
export function fakeQuery(initial: Sample[] = []) {
  const state = { result: initial, calls: [] as Array<{ expr: string; tMs: number }>, error: undefined as Error | undefined };
  const query = async (expr: string, tMs: number): Promise<Sample[]> => {
    state.calls.push({ expr, tMs });
    if (state.error) throw state.error;
    return state.result.map((s) => ({ labels: { ...s.labels }, value: s.value }));
  };
  return { state, query };
}
