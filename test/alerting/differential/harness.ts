/**
 * Differential testing of the embedded rule engine against real Prometheus through
 * `promtool test rules`: our engine runs a case first (same rules, same input series, same
 * evaluation time line as promtool), then its results are written as a promtool test file whose
 * `exp_alerts` / `exp_samples` are OUR answers. promtool passes iff Prometheus computes the same.
 *
 * How promtool (2.42) runs a test group, which this mirrors:
 * - input samples at i * interval from t = 0 (the unix epoch);
 * - every group is evaluated at 0, evaluation_interval, ... up to the largest eval_time of the
 *   group's tests; a rule's output (recorded series, ALERTS, ALERTS_FOR_STATE) is appended to the
 *   storage and series a rule stops producing get a staleness marker;
 * - an alert test at eval_time T compares the FIRING alerts (labels incl. alertname, rendered
 *   annotations) after the evaluation at the last step <= T, order-insensitively;
 * - a promql_expr_test is an instant query at eval_time after all evaluations; labels and values
 *   are compared EXACTLY (reflect.DeepEqual on float64), so values are written in shortest
 *   round-trip form and any difference, even one ulp, fails.
 *
 * One deliberate difference: Prometheus 2.x selects samples in [t - range, t] (and [t - 5m, t] for
 * instant selectors), Prometheus 3 and our engine in (t - range, t]. A case whose samples sit
 * exactly on a window's left edge would disagree for that reason alone, so cases that use ranges
 * or long gaps shift their samples off the evaluation grid with `samplePhase` (the samples are then
 * written out one by one for promtool, at the finer interval).
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseDuration } from '../../../src/platform/clock.ts';
import { evaluate, parsePromQL } from '../../../src/alerting/promql/index.ts';
import { RuleStorage } from '../../../src/alerting/embedded/rule-storage.ts';
import { RuleGroup, loadPrometheusRule, toRuleSamples, type Sample } from '../../../src/alerting/rules/index.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { expandSeriesValues, loadInputSeries, storeForTimeline, type InputSeries, type NotationValue } from '../../helpers/promql-series-notation.ts';

/** A rule exactly as written in a Prometheus rule file (and a PrometheusRule's spec.groups). */
export interface RuleSpec {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface DifferentialCase {
  /** promtool's evaluation_interval and our group interval; default 1m */
  evaluationInterval?: string;
  /** spacing of the input samples; default the evaluation interval */
  inputInterval?: string;
  /** every input sample is `samplePhase` later than the notation says (see the module comment) */
  samplePhase?: string;
  groups: Array<{ name: string; rules: RuleSpec[] }>;
  inputSeries: InputSeries[];
  /** eval times at which every alerting rule's firing alerts are compared */
  alertsAt: string[];
  /** instant queries compared after all evaluations */
  queries?: Array<{ expr: string; at: string }>;
}

export interface FiringAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface OurResult {
  alerts: Array<{ at: string; alertname: string; firing: FiringAlert[] }>;
  queries: Array<{ expr: string; at: string; samples: Sample[] }>;
}

const ms = (d: string) => parseDuration(d);

/** Runs the case through our PromQL engine and rule groups, driven by a manual clock from t = 0. */
export async function runOurEngine(c: DifferentialCase): Promise<OurResult> {
  const evalMs = ms(c.evaluationInterval ?? '1m');
  const checkpoints = [...new Set([...c.alertsAt, ...(c.queries ?? []).map((q) => q.at)].map(ms))].sort((a, b) => a - b);
  const store = storeForTimeline();
  loadInputSeries(store, c.inputSeries, {
    intervalMs: ms(c.inputInterval ?? c.evaluationInterval ?? '1m'),
    startMs: ms(c.samplePhase ?? '0s'),
    // promtool loads input only up to its last eval time: a negative offset must not see beyond it
    untilMs: checkpoints[checkpoints.length - 1] ?? 0,
  });

  const loaded = loadPrometheusRule(
    { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'differential', namespace: 'test' }, spec: { groups: c.groups } },
    parsePromQL,
    { defaultIntervalMs: evalMs },
  );
  if (loaded.problems.length > 0) throw new Error(`our loader refused the rules: ${JSON.stringify(loaded.problems)}`);

  // Wired to the TSDB exactly as in the product (rule output written back, stale markers included).
  const storage = new RuleStorage(store);
  const clock = new ManualClock(0);
  const groups = loaded.groups.map((def) => new RuleGroup(def, { clock, query: storage.query, onSamples: (samples, tMs, rule) => storage.record(def.id, rule, samples, tMs) }));
  const alertingNames = [...new Set(groups.flatMap((g) => g.alertingRules().map((r) => r.name)))];

  const alertsAt = new Set(c.alertsAt.map(ms));
  const result: OurResult = { alerts: [], queries: [] };
  for (const g of groups) g.start();
  try {
    for (const t of checkpoints) {
      await clock.advance(t - clock.nowMs());
      const lastStep = Math.floor(t / evalMs) * evalMs;
      for (const g of groups) {
        if (g.lastEvaluation?.getTime() !== lastStep) throw new Error(`group ${g.id} did not finish its evaluation at ${lastStep} ms`);
        for (const r of g.rules) if (r.health === 'err') throw new Error(`our rule ${r.name} failed at ${lastStep} ms: ${r.lastError}`);
      }
      if (!alertsAt.has(t)) continue;
      for (const alertname of alertingNames) {
        const firing = groups
          .flatMap((g) => g.alertingRules())
          .filter((r) => r.name === alertname)
          .flatMap((r) => r.activeAlerts())
          .filter((a) => a.state === 'firing')
          .map((a) => ({ labels: { ...a.labels }, annotations: { ...a.annotations } }));
        for (const at of c.alertsAt.filter((x) => ms(x) === t)) result.alerts.push({ at, alertname, firing });
      }
    }
  } finally {
    for (const g of groups) await g.stop();
  }
  for (const q of c.queries ?? []) result.queries.push({ ...q, samples: toRuleSamples(evaluate(parsePromQL(q.expr), ms(q.at), store)) });
  return result;
}

/** Labels in the notation promtool's exp_samples parse (`name{a="b"}`); Go unquotes JSON escapes. */
export function formatSeries(labels: Record<string, string>): string {
  const { __name__: name, ...rest } = labels;
  const body = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`)
    .join(', ');
  return `${name ?? ''}{${body}}`;
}

function formatNotationValue(v: NotationValue): string {
  if (v === undefined) return '_';
  if (v === 'stale') return 'stale';
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The input series as promtool should load them, shifted by the phase when there is one. */
function promtoolInput(c: DifferentialCase): { interval: string; series: InputSeries[] } {
  const intervalMs = ms(c.inputInterval ?? c.evaluationInterval ?? '1m');
  const phaseMs = ms(c.samplePhase ?? '0s');
  if (phaseMs === 0) return { interval: `${intervalMs}ms`, series: c.inputSeries };
  const step = gcd(intervalMs, phaseMs);
  const series = c.inputSeries.map((s) => {
    const slots: NotationValue[] = [];
    expandSeriesValues(s.values).forEach((v, i) => (slots[(phaseMs + i * intervalMs) / step] = v));
    const items: string[] = [];
    for (let i = 0; i < slots.length; ) {
      if (slots[i] !== undefined) {
        items.push(formatNotationValue(slots[i++]));
        continue;
      }
      let n = 0;
      for (; i < slots.length && slots[i] === undefined; i++) n++;
      items.push(n === 1 ? '_' : `_x${n}`);
    }
    return { series: s.series, values: items.join(' ') };
  });
  return { interval: `${step}ms`, series };
}

/** The rule file and the promtool test file asserting our results. */
export function promtoolFiles(c: DifferentialCase, ours: OurResult): { rules: string; test: string } {
  const input = promtoolInput(c);
  const test = {
    rule_files: ['rules.yaml'],
    evaluation_interval: `${ms(c.evaluationInterval ?? '1m')}ms`,
    tests: [
      {
        interval: input.interval,
        input_series: input.series,
        alert_rule_test: ours.alerts.map((a) => ({
          eval_time: a.at,
          alertname: a.alertname,
          exp_alerts: a.firing.map((f) => ({ exp_labels: f.labels, exp_annotations: f.annotations })),
        })),
        promql_expr_test: ours.queries.map((q) => ({
          expr: q.expr,
          eval_time: q.at,
          exp_samples: q.samples.map((s) => ({ labels: formatSeries(s.labels), value: s.value })),
        })),
      },
    ],
  };
  return { rules: stringify({ groups: c.groups }), test: stringify(test) };
}

export interface PromtoolVerdict {
  ok: boolean;
  /** promtool's stdout and stderr (its diff on failure) */
  output: string;
}

/** Runs `promtool test rules` on a test file in `dir`. */
export function runPromtool(dir: string, file = 'test.yaml'): Promise<PromtoolVerdict> {
  return new Promise((resolve, reject) => {
    execFile('promtool', ['test', 'rules', file], { cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (!err) return resolve({ ok: true, output });
      if (typeof err.code === 'number') return resolve({ ok: false, output });
      reject(err);
    });
  });
}

/** Writes the files into a fresh temp dir, runs promtool, removes the dir. */
export async function checkWithPromtool(files: { rules: string; test: string }): Promise<PromtoolVerdict> {
  const dir = mkdtempSync(join(tmpdir(), 'kubernaut-differential-'));
  try {
    writeFileSync(join(dir, 'rules.yaml'), files.rules);
    writeFileSync(join(dir, 'test.yaml'), files.test);
    return await runPromtool(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Why the differential tests cannot run here, or undefined when promtool is on the PATH. */
export function promtoolMissing(): string | undefined {
  const r = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'promtool is not installed (Debian package "prometheus")';
}

/** promtool's major version (2 for Debian bookworm's 2.42). */
export function promtoolMajorVersion(): number {
  const r = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  const m = /version (\d+)\./.exec(`${r.stdout}${r.stderr}`);
  return m ? Number(m[1]) : NaN;
}

/** Firing alerts at an eval time, for the cases' own sanity checks (e.g. "fires at 8m"). */
export function firingAt(ours: OurResult, at: string, alertname?: string): FiringAlert[] {
  return ours.alerts.filter((a) => a.at === at && (alertname === undefined || a.alertname === alertname)).flatMap((a) => a.firing);
}

/** A readable failure message: promtool's diff, then the test file with our expectations. */
export function disagreement(verdict: PromtoolVerdict, files: { rules: string; test: string }): string {
  return `real Prometheus (promtool) disagrees with the embedded engine:\n${verdict.output}\n--- rules.yaml\n${files.rules}--- test.yaml (our results)\n${files.test}`;
}

/** Runs the case on our engine, then asserts promtool (real Prometheus) agrees with every result. */
export async function assertPromtoolAgrees(c: DifferentialCase): Promise<OurResult> {
  const ours = await runOurEngine(c);
  const files = promtoolFiles(c, ours);
  const verdict = await checkWithPromtool(files);
  assert.ok(verdict.ok, disagreement(verdict, files));
  return ours;
}

/** The values of one label across alerts, sorted. */
export const labelValues = (alerts: Array<{ labels: Record<string, string> }>, name: string): string[] => alerts.map((a) => a.labels[name]).sort();
