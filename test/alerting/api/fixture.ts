/**
 * A real embedded stack for API tests: a MemorySeriesStore, RuleGroups loaded from a
 * PrometheusRule and evaluated by the real PromQL engine, a Dispatcher, all on a ManualClock.
 */
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createAlertingApi, type AlertingApiBackend } from '../../../src/alerting/api/index.ts';
import { Dispatcher } from '../../../src/alerting/dispatch/index.ts';
import { RuleStorage } from '../../../src/alerting/embedded/rule-storage.ts';
import { parsePromQL } from '../../../src/alerting/promql/index.ts';
import { loadPrometheusRule, RuleGroup, type RuleProblem } from '../../../src/alerting/rules/index.ts';
import { MemorySeriesStore, type TargetStatus } from '../../../src/alerting/tsdb/index.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

export const T0 = Date.parse('2026-11-26T12:00:00Z');

export const KSM = { job: 'kube-state-metrics', namespace: 'demo-statefulset', statefulset: 'kv-store' };

export function prometheusRule(rules: unknown[], extraGroups: unknown[] = []) {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'kv-store-rules', namespace: 'demo-statefulset' },
    spec: { groups: [{ name: 'statefulset', interval: '30s', rules }, ...extraGroups] },
  };
}

export const REPLICAS_MISMATCH = {
  alert: 'KubernautStatefulSetReplicasMismatch',
  expr: 'kube_statefulset_status_replicas_ready < kube_statefulset_status_replicas',
  for: '3m',
  labels: { severity: 'critical' },
  annotations: { summary: 'StatefulSet {{ $labels.statefulset }} has {{ $value }} ready replicas' },
};

export interface Stack {
  clock: ManualClock;
  store: MemorySeriesStore;
  groups: RuleGroup[];
  problems: RuleProblem[];
  targets: TargetStatus[];
  dispatcher: Dispatcher;
  backend: AlertingApiBackend;
  app: FastifyInstance;
  /** Appends the two kube-state-metrics series at the clock's current time. */
  scrape(ready: number, desired: number): void;
  /** Advances the clock by ms, then evaluates every group. */
  evaluateAfter(ms: number): Promise<void>;
}

export function startStack(rule: unknown = prometheusRule([REPLICAS_MISMATCH]), opts: { dispatcher?: boolean } = {}): Stack {
  const clock = new ManualClock(T0);
  const store = new MemorySeriesStore({ retentionMs: 3_600_000 });
  const loaded = loadPrometheusRule(rule, parsePromQL);
  const { query } = new RuleStorage(store);
  const groups = loaded.groups.map((def) => new RuleGroup(def, { clock, query }));
  const targets: TargetStatus[] = [];
  const dispatcher = new Dispatcher({
    clock,
    config: {
      route: { receiver: 'gateway', groupBy: ['alertname'], groupWaitMs: 3_600_000 },
      receivers: [{ name: 'gateway', url: 'http://127.0.0.1:9/never-called' }],
    },
  });
  const backend: AlertingApiBackend = {
    clock,
    storage: store,
    ruleGroups: () => groups,
    ruleProblems: () => loaded.problems,
    targets: () => targets,
    ...(opts.dispatcher === false ? {} : { dispatcher }),
  };
  return {
    clock,
    store,
    groups,
    problems: loaded.problems,
    targets,
    dispatcher,
    backend,
    app: createAlertingApi(backend),
    scrape(ready, desired) {
      store.append({ __name__: 'kube_statefulset_status_replicas_ready', ...KSM }, clock.nowMs(), ready);
      store.append({ __name__: 'kube_statefulset_status_replicas', ...KSM }, clock.nowMs(), desired);
    },
    async evaluateAfter(ms) {
      clock.advanceNow(ms);
      for (const g of groups) await g.evaluate(clock.nowMs());
    },
  };
}

/** GET (or form POST) through Fastify's inject; returns status, content type and parsed JSON. */
export async function call(app: FastifyInstance, url: string, form?: Record<string, string>) {
  const res = form
    ? await app.inject({ method: 'POST', url, payload: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    : await app.inject({ method: 'GET', url });
  const type = String(res.headers['content-type'] ?? '');
  return { status: res.statusCode, type, body: type.includes('json') ? JSON.parse(res.body) : res.body };
}

export function q(path: string, params: Record<string, string | string[]>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) sp.append(k, x);
  return `${path}?${sp.toString()}`;
}

export function assertPromError(res: { status: number; body: any }, status: number, errorType: string, pattern: RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.status, 'error');
  assert.equal(res.body.errorType, errorType);
  assert.match(res.body.error, pattern);
}
