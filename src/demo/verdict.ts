/**
 * The acceptance checks every demo scenario shares, as pure functions of what the run observed
 * (the alert's timestamps, the final RR and children, the audit trail), plus how a verdict prints
 * and the exit code it gives. The scenario's own checks (validate.sh) are appended by the runner.
 */
import type { Check, ExpectedRemediation } from './scenario.ts';
import { percent, seconds } from './timeline.ts';

type Obj = { metadata?: { name?: string }; spec?: any; status?: any } | undefined;

/** Audit event types that prove each stage of the pipeline acted on the RR (correlationId = RR name). */
export const REQUIRED_AUDIT_EVENTS: ReadonlyArray<{ stage: string; eventType: string }> = [
  { stage: 'alert received', eventType: 'gateway.signal.received' },
  { stage: 'RR created', eventType: 'gateway.crd.created' },
  { stage: 'remediation started', eventType: 'orchestrator.lifecycle.started' },
  { stage: 'signal processed', eventType: 'signalprocessing.phase.completed' },
  { stage: 'investigated', eventType: 'investigator.session.completed' },
  { stage: 'analysed', eventType: 'aianalysis.analysis.completed' },
  { stage: 'workflow started', eventType: 'workflow.execution.started' },
  { stage: 'workflow completed', eventType: 'workflow.execution.completed' },
  { stage: 'effectiveness assessed', eventType: 'effectiveness.assessment.completed' },
  { stage: 'remediation completed', eventType: 'orchestrator.lifecycle.completed' },
];

export interface AlertTiming {
  /** When the alert became active (pending), real ms. */
  activeAtMs?: number;
  /** The first evaluation that had it firing, real ms (from the TSDB's ALERTS samples). */
  firedAtMs?: number;
  /** Where firedAtMs came from, for the detail. */
  source?: string;
}

export interface ChainVerification {
  valid?: boolean;
  checked?: number;
  reason?: string;
  error?: string;
}

export interface RunFacts {
  expected: ExpectedRemediation;
  timeScale: number;
  alert: AlertTiming;
  rrName?: string;
  rr?: Obj;
  aa?: Obj;
  we?: Obj;
  ea?: Obj;
  auditEventTypes?: string[];
  auditError?: string;
  chain?: ChainVerification;
}

const check = (name: string, ok: boolean, detail?: string): Check => ({ name, ok, ...(detail ? { detail } : {}) });

/** The alert waited its `for` window (scaled) between becoming active and firing. */
export function alertCheck(f: RunFacts): Check {
  const name = `${f.expected.signalName} fired only after its for window`;
  const forReal = f.expected.alertForMs / f.timeScale;
  const { activeAtMs, firedAtMs } = f.alert;
  if (activeAtMs === undefined || firedAtMs === undefined) return check(name, false, activeAtMs === undefined ? 'the alert was never seen active' : 'the alert was never seen firing');
  const waited = firedAtMs - activeAtMs;
  const window = `${seconds(f.expected.alertForMs)} nominal${f.timeScale !== 1 ? ` / time scale ${f.timeScale} = ${seconds(forReal)}` : ''}`;
  // Timestamps are milliseconds on both sides: a millisecond of rounding is not an early firing.
  return check(name, waited >= forReal - 1, `active → firing ${seconds(waited)} ≥ ${window}${f.alert.source ? ` (${f.alert.source})` : ''}`);
}

export function rrCheck(f: RunFacts): Check {
  const s = f.rr?.status ?? {};
  const ok = s.overallPhase === 'Completed' && s.outcome === 'Remediated';
  const why = ok ? '' : [s.failurePhase && `failed in ${s.failurePhase}`, s.failureReason, s.message].filter(Boolean).join(': ');
  return check('RemediationRequest Completed with outcome Remediated', ok, `${f.rrName ?? 'no RR'}: ${s.overallPhase ?? 'no phase'} / ${s.outcome ?? 'no outcome'}${why ? ` (${why})` : ''}`);
}

export function analysisChecks(f: RunFacts): Check[] {
  const s = f.aa?.status ?? {};
  const wf = s.selectedWorkflow?.workflowId;
  const checks = [
    check(`AIAnalysis selected ${f.expected.workflowId}`, s.phase === 'Completed' && wf === f.expected.workflowId, `${s.phase ?? 'no AIAnalysis'}: ${wf ?? 'no workflow'}, confidence ${percent(s.selectedWorkflow?.confidence ?? s.confidence)}`),
  ];
  const affected = s.rootCauseAnalysis?.affectedResource;
  const t = f.expected.target;
  checks.push(check(`the analysis names ${t.kind}/${t.name} as the affected resource`, affected?.kind === t.kind && affected?.name === t.name && (!t.namespace || !affected?.namespace || affected.namespace === t.namespace), affected ? `${affected.kind}/${affected.name}` : 'none'));
  const expectedLabels = Object.entries(f.expected.detectedLabels ?? {});
  if (expectedLabels.length) {
    const detected = (s.postRCAContext?.detectedLabels ?? {}) as Record<string, unknown>;
    const wrong = expectedLabels.filter(([k, v]) => detected[k] !== v);
    checks.push(check(`detected labels ${expectedLabels.map(([k, v]) => `${k}=${v}`).join(', ')}`, wrong.length === 0, wrong.length ? `detected: ${JSON.stringify(detected)}` : undefined));
  }
  return checks;
}

export function workflowCheck(f: RunFacts): Check {
  const s = f.we?.status ?? {};
  return check('WorkflowExecution Completed', s.phase === 'Completed', `${s.phase ?? 'no WorkflowExecution'}${s.failureReason ? `: ${s.failureReason}` : ''}${s.duration ? ` in ${s.duration}` : ''}`);
}

export function effectivenessCheck(f: RunFacts): Check {
  const s = f.ea?.status ?? {};
  const c = s.components ?? {};
  // No health score: the target has no pods to score (a Node); only the alert then speaks (as in `npm run eval -- --pipeline`).
  const healthy = c.healthScore === 1 || c.healthScore === undefined || c.healthScore === null;
  const resolved = c.alertScore === 1;
  return check(
    'EffectivenessAssessment Completed: healthy and the alert resolved',
    s.phase === 'Completed' && healthy && resolved,
    `${s.phase ?? 'no EffectivenessAssessment'}: health ${c.healthScore ?? 'n/a'}, alert ${c.alertScore ?? 'n/a'}${s.assessmentReason ? `, ${s.assessmentReason}` : ''}`,
  );
}

export function auditChecks(f: RunFacts): Check[] {
  const name = `the audit trail holds every stage under ${f.rrName ?? 'the RR'}`;
  const trail = f.auditError
    ? check(name, false, f.auditError)
    : (() => {
        const seen = new Set(f.auditEventTypes ?? []);
        const missing = REQUIRED_AUDIT_EVENTS.filter((r) => !seen.has(r.eventType));
        return check(name, missing.length === 0, missing.length ? `missing: ${missing.map((m) => `${m.stage} (${m.eventType})`).join(', ')}` : `${f.auditEventTypes!.length} events, ${REQUIRED_AUDIT_EVENTS.length} stages`);
      })();
  const c = f.chain ?? { error: 'not verified' };
  const chain = check('the audit hash chain verifies', c.valid === true, c.error ?? (c.valid ? `${c.checked ?? '?'} events checked` : `invalid: ${c.reason ?? 'no reason given'}`));
  return [trail, chain];
}

/** Every shared check, in the order the pipeline runs. */
export function sharedChecks(f: RunFacts): Check[] {
  return [alertCheck(f), rrCheck(f), ...analysisChecks(f), workflowCheck(f), effectivenessCheck(f), ...auditChecks(f)];
}

/** `✓ name — detail` / `✗ name — detail`. */
export function formatCheck(c: Check): string {
  return `${c.ok ? '✓' : '✗'} ${c.name}${c.detail ? ` — ${c.detail}` : ''}`;
}

/** 0 when every check holds (and there is at least one), else 1. */
export function verdictExitCode(checks: Check[]): 0 | 1 {
  return checks.length > 0 && checks.every((c) => c.ok) ? 0 : 1;
}
