/**
 * Pipeline mode (`npm run eval -- --pipeline`): each fixture that expects a workflow goes through the
 * whole pipeline instead of straight to the investigator. Its fault is set up, its incident is sent
 * to the Gateway as Alertmanager would send the alert, the RemediationApprovalRequest is approved
 * when one appears (decidedBy `eval`), and the fixture passes when the RemediationRequest ends
 * Completed / Remediated, having run the expected workflow: the AIAnalysis selected it, the
 * WorkflowExecution (a real Job running the bundle's script) Completed and the
 * EffectivenessAssessment Completed with healthScore 1 when there is one to compute.
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { decideApproval } from '../src/remediation/orchestrator/approval-decision.ts';
import type { Fixture } from './fixture.ts';
import { prepareFixture, type PreparedFixture } from './setup.ts';
import type { PipelineServices } from './pipeline-stack.ts';
import type { EvalStack } from './stack.ts';

type Json = Record<string, any>;

/** Namespaces (and Nodes) the Gateway acts on carry this label. */
const MANAGED_LABEL = 'kubernaut.ai/managed';
const TERMINAL_RR_PHASES = new Set(['Completed', 'Failed', 'TimedOut', 'Skipped', 'Cancelled']);

export interface PipelineReport {
  id: string;
  title: string;
  passed: boolean;
  failures: string[];
  /** Where the RR ended and what ran, for the table. */
  remediationRequest?: string;
  phase?: string;
  outcome?: string;
  workflow?: string;
  healthScore?: number | null;
  /** Real milliseconds from the alert to the RR's end. */
  latencyMs?: number;
}

export interface PipelineOptions {
  /** Fixtures set up at once among the non-exclusive ones (default: all). */
  concurrency?: number;
  /** Real milliseconds to wait for each cluster state. */
  setupTimeoutMs: number;
  /** Real milliseconds from the alert to the RR's end. */
  remediationTimeoutMs: number;
  progress?: (fixtureId: string, message: string) => void;
}

/** The fixtures pipeline mode runs: those that expect a workflow. */
export function pipelineFixtures(fixtures: Fixture[]): Fixture[] {
  return fixtures.filter((f) => f.expected.workflow !== 'none');
}

/** The fixture as pipeline mode sets it up: its namespace is in Kubernaut's managed scope. */
function managed(fixture: Fixture): Fixture {
  return { ...fixture, namespaceLabels: { ...fixture.namespaceLabels, [MANAGED_LABEL]: 'true' } };
}

/** The fixture's nodes, in Kubernaut's managed scope (an alert about a Node is acted on only then). */
export function managedNodes<T extends { labels?: Record<string, string> }>(nodes: T[]): T[] {
  return nodes.map((n) => ({ ...n, labels: { ...n.labels, [MANAGED_LABEL]: 'true' } }));
}

export async function runPipelineFixtures(stack: EvalStack, services: PipelineServices, fixtures: Fixture[], opts: PipelineOptions): Promise<PipelineReport[]> {
  const reports = new Map<string, PipelineReport>();
  const parallel = fixtures.filter((f) => !f.exclusive);
  await inBatches(parallel, opts.concurrency ?? parallel.length, async (f) => reports.set(f.id, await runOne(stack, services, f, opts)));
  for (const f of fixtures.filter((x) => x.exclusive)) reports.set(f.id, await runOne(stack, services, f, opts));
  return fixtures.map((f) => reports.get(f.id)!);
}

async function runOne(stack: EvalStack, services: PipelineServices, fixture: Fixture, opts: PipelineOptions): Promise<PipelineReport> {
  const report: PipelineReport = { id: fixture.id, title: fixture.title, passed: false, failures: [] };
  let prepared: PreparedFixture | undefined;
  try {
    prepared = await prepareFixture(managed(fixture), {
      kubeconfig: stack.kubeconfig,
      kubeconfigPath: stack.cluster.kubeconfigPath,
      nodes: stack.cluster.cluster,
      timeoutMs: opts.setupTimeoutMs,
      progress: opts.progress,
    });
    opts.progress?.(fixture.id, 'alerting the Gateway');
    const started = Date.now();
    const { name, namespace } = await sendAlert(services.gatewayUrl, prepared.incident(1) as Json);
    report.remediationRequest = `${namespace}/${name}`;
    const rr = await followRemediation(stack.kubeconfig, namespace, name, opts.remediationTimeoutMs, (m) => opts.progress?.(fixture.id, m));
    report.latencyMs = Date.now() - started;
    await judge(stack.kubeconfig, fixture, namespace, name, rr, report);
  } catch (e) {
    report.failures.push((e as Error).message);
  } finally {
    if (prepared) {
      await prepared.cleanUp().catch((e) => report.failures.push(`clean-up failed: ${(e as Error).message}`));
    }
  }
  report.passed = report.failures.length === 0;
  return report;
}

/** The incident as Alertmanager's webhook would carry it: its labels, summary and description. */
export function alertmanagerWebhook(incident: Json, now = new Date()): Json {
  const labels: Record<string, string> = { ...(incident.signal_labels ?? {}) };
  labels.alertname ??= String(incident.signal_name);
  labels.severity ??= String(incident.severity);
  const annotations: Record<string, string> = { summary: String(incident.error_message ?? '') };
  if (incident.description) annotations.description = String(incident.description);
  const startsAt = incident.firing_time ?? new Date(now.getTime() - 5 * 60_000).toISOString();
  return {
    version: '4',
    status: 'firing',
    receiver: 'kubernaut',
    groupKey: `{}:{alertname="${labels.alertname}"}`,
    groupLabels: { alertname: labels.alertname },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: 'http://127.0.0.1:9090',
    alerts: [{ status: 'firing', labels, annotations, startsAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://127.0.0.1:9090/graph', fingerprint: '' }],
  };
}

async function sendAlert(gatewayUrl: string, incident: Json): Promise<{ name: string; namespace: string }> {
  const res = await fetch(`${gatewayUrl}/api/v1/signals/prometheus`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alertmanagerWebhook(incident)),
    signal: AbortSignal.timeout(60_000),
  });
  const body = (await res.json().catch(() => ({}))) as Json;
  if (body.status !== 'created' && body.status !== 'duplicate') throw new Error(`the Gateway answered ${res.status}: ${JSON.stringify(body).slice(0, 500)}`);
  return { name: body.remediationRequest, namespace: body.namespace };
}

const GROUP = 'kubernaut.ai';
const VERSION = 'v1alpha1';

async function getCustom(kc: KubeConfig, plural: string, namespace: string, name: string): Promise<Json | undefined> {
  try {
    return (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: GROUP, version: VERSION, plural, namespace, name })) as Json;
  } catch (e) {
    if ((e as { code?: number }).code === 404) return undefined;
    throw e;
  }
}

/** Approves the RR's approval request once one appears, until the RR reaches a terminal phase. */
async function followRemediation(kc: KubeConfig, namespace: string, name: string, timeoutMs: number, say: (m: string) => void): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  let approved = false;
  let lastPhase = '';
  let rr: Json | undefined;
  for (;;) {
    rr = await getCustom(kc, 'remediationrequests', namespace, name).catch(() => rr);
    const phase = rr?.status?.overallPhase ?? '';
    if (phase !== lastPhase) {
      say(`RR ${name}: ${phase || 'created'}`);
      lastPhase = phase;
    }
    if (TERMINAL_RR_PHASES.has(phase)) return rr!;
    if (!approved && phase === 'AwaitingApproval') {
      const rar = await getCustom(kc, 'remediationapprovalrequests', namespace, `rar-${name}`).catch(() => undefined);
      if (rar && !rar.status?.decision) {
        await decideApproval(kc, { rr: name, namespace, decision: 'Approved', decidedBy: 'eval', message: 'approved by the evaluation harness' });
        approved = true;
        say(`RR ${name}: approved`);
      }
    }
    if (Date.now() > deadline) throw new Error(`RR ${namespace}/${name} did not end within ${Math.round(timeoutMs / 1000)} s (phase ${phase || 'none'}: ${JSON.stringify(rr?.status ?? {}).slice(0, 600)})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function judge(kc: KubeConfig, fixture: Fixture, namespace: string, name: string, rr: Json, report: PipelineReport): Promise<void> {
  const fail = (m: string) => report.failures.push(m);
  const [aa, we, ea] = await Promise.all([
    getCustom(kc, 'aianalyses', namespace, `ai-${name}`),
    getCustom(kc, 'workflowexecutions', namespace, `we-${name}`),
    getCustom(kc, 'effectivenessassessments', namespace, `ea-${name}`),
  ]);
  report.phase = rr.status?.overallPhase;
  report.outcome = rr.status?.outcome;
  report.workflow = aa?.status?.selectedWorkflow?.workflowId;
  report.healthScore = ea?.status?.components?.healthScore;
  const brief = (o: Json | undefined) => JSON.stringify({ phase: o?.status?.phase, reason: o?.status?.reason, message: o?.status?.message }).slice(0, 400);
  if (report.phase !== 'Completed' || report.outcome !== 'Remediated') fail(`RR ended ${report.phase}/${report.outcome ?? '-'}: ${JSON.stringify({ failurePhase: rr.status?.failurePhase, failureReason: rr.status?.failureReason, message: rr.status?.message }).slice(0, 400)}`);
  if (report.workflow !== fixture.expected.workflow) fail(`AIAnalysis selected ${report.workflow ?? 'nothing'}, expected ${fixture.expected.workflow}: ${brief(aa)}`);
  if (we?.status?.phase !== 'Completed') fail(`WorkflowExecution ${we ? brief(we) : 'missing'}`);
  if (ea?.status?.phase !== 'Completed') fail(`EffectivenessAssessment ${ea ? brief(ea) : 'missing'}`);
  // No score means the target has nothing to score (no pods); one that exists must be full health.
  else if (typeof report.healthScore === 'number' && report.healthScore !== 1) fail(`EffectivenessAssessment healthScore ${report.healthScore}: ${JSON.stringify(ea?.status?.components ?? {}).slice(0, 400)}`);
}

/** A table of the pipeline reports: one row per fixture. */
export function formatPipelineTable(reports: PipelineReport[], header: string): string {
  const rows = [['fixture', 'result', 'RR phase/outcome', 'workflow', 'health', 'seconds']];
  for (const r of reports) {
    rows.push([r.id, r.passed ? 'pass' : 'FAIL', `${r.phase ?? '-'}/${r.outcome ?? '-'}`, r.workflow ?? '-', r.healthScore === undefined || r.healthScore === null ? '-' : String(r.healthScore), r.latencyMs === undefined ? '-' : (r.latencyMs / 1000).toFixed(0)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const lines = rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const failures = reports.flatMap((r) => r.failures.map((f) => `  ${r.id}: ${f}`));
  return [header, '', ...lines, ...(failures.length ? ['', 'Failures:', ...failures] : [])].join('\n');
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function inBatches<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  const workers = Array.from({ length: Math.max(1, Math.min(limit, queue.length)) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  });
  await Promise.all(workers);
}
