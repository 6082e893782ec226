/**
 * The EffectivenessAssessment phase machine (crds.md §6). Each reconcile looks at the EA, moves it
 * at most one phase on, writes the status once and returns when to look again; it never sleeps.
 * All state is on the status (timestamps, hashes, component scores), so a restarted controller
 * carries on where the last one stopped.
 *
 *   (Pending) ─▶ WaitingForPropagation ─▶ Stabilizing ─▶ Assessing ─▶ Completed
 *        └───────── no hash delay ─────────▲      └ spec drift ─▶ Completed spec_drift
 *   (Pending) ─▶ Completed no_execution (no workflow start) | Failed (unusable config)
 *   any ─ validity deadline ─▶ Completed partial | metrics_timed_out | expired
 */
import type { AuditSink } from '../../datastorage/client/audit-sink.ts';
import type { EffectivenessAssessment } from '../../api/v1alpha1/index.ts';
import type { ReconcileResult, Reconciler } from '../../kube/controller.ts';
import type { EventRecorder } from '../../kube/event-recorder.ts';
import { messageOf } from '../../kube/api-errors.ts';
import type { ObjectKey } from '../../kube/object-key.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { isCustomResource } from '../orchestrator/targets.ts';
import { assessAlert, assessHealth, assessMetrics, currentSpecHash, type ComponentResult } from './assess.ts';
import { ASSESSMENT_COMPLETED, ASSESSMENT_FAILED, assessmentAuditEvent } from './audit.ts';
import type { ClusterReader } from './cluster-reader.ts';
import { hasPods } from './health.ts';
import type { EffectivenessMetrics } from './metrics.ts';
import { assessed, endingAtDeadline, endingOnDrift, endingWhenSettled, notApplicable, stateOf, type Component, type Components, type Ending } from './scoring.ts';
import { SourceError, type AlertSource, type MetricSource } from './sources.ts';
import { completed, componentSummary, failed, inProgress, specIntegrity, type Details, type Phase, type Status } from './status.ts';
import { timelineOf, windowsOf, type AssessmentWindows, type Timeline } from './timeline.ts';

/** Nominal requeue intervals while a phase waits on something other than a timestamp. */
export const REQUEUE_STABILIZING_MS = 30_000;
export const REQUEUE_ASSESSING_MS = 15_000;
/** Metrics before the remediation are averaged over this much time (nominal). */
export const METRICS_BEFORE_WINDOW_MS = 10 * 60_000;
/** The rate() range of the metric queries (nominal; Prometheus needs two samples in it). */
export const METRICS_RATE_WINDOW_MS = 5 * 60_000;

export interface EffectivenessStore {
  get(key: ObjectKey): EffectivenessAssessment | undefined;
  updateStatus(key: ObjectKey, mutate: (current: EffectivenessAssessment) => Status | undefined): Promise<EffectivenessAssessment | undefined>;
}

export interface EffectivenessReconcilerDeps {
  store: EffectivenessStore;
  reader: ClusterReader;
  alerts?: AlertSource;
  prometheus?: MetricSource;
  audit: AuditSink;
  clock: Clock;
  events: Pick<EventRecorder, 'event'>;
  log: Logger;
  metrics: EffectivenessMetrics;
}

const TERMINAL: ReadonlySet<string> = new Set(['Completed', 'Failed']);

const toMs = (iso: string | Date | undefined): number | undefined => {
  if (iso === undefined || iso === '') return undefined;
  const v = iso instanceof Date ? iso.getTime() : Date.parse(iso);
  return Number.isNaN(v) ? undefined : v;
};

export class EffectivenessReconciler implements Reconciler {
  constructor(private readonly d: EffectivenessReconcilerDeps) {}

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    const ea = this.d.store.get(key);
    if (!ea || TERMINAL.has(ea.status?.phase ?? '')) return;
    const phase = ea.status?.phase;
    if (!phase || phase === 'Pending') return this.begin(key, ea);
    const windows = windowsOf(ea, { gitOpsManaged: false, customResource: false });
    if ('error' in windows) return this.fail(key, ea, 'InvalidConfig', windows.error);
    const t = this.timelineFromStatus(ea, windows);
    const now = this.d.clock.nowMs();
    if (now >= t.validityDeadline) return this.finish(key, ea, endingAtDeadline(ea.status?.components), 'validity deadline passed');
    if (phase === 'WaitingForPropagation') return this.waitForPropagation(key, ea, t, now);
    if (phase === 'Stabilizing') return this.stabilize(key, ea, t, now);
    return this.assess(key, ea, t, windows, now);
  }

  /** The first look: windows, the execution check, the timeline, what is not applicable. */
  private async begin(key: ObjectKey, ea: EffectivenessAssessment): Promise<ReconcileResult | void> {
    const target = ea.spec.remediationTarget;
    const gitOpsManaged = ea.spec.config?.hashComputeDelay === undefined ? await this.gitOpsManaged(ea) : false;
    const windows = windowsOf(ea, { gitOpsManaged, customResource: isCustomResource(target) });
    if ('error' in windows) return this.fail(key, ea, 'InvalidConfig', windows.error);

    const executions = await this.d.reader.workflowExecutions(ea);
    if (!executions.some((we) => !!we.status?.startTime)) {
      const why = executions.length ? 'its WorkflowExecution never started' : 'it has no WorkflowExecution';
      return this.finish(key, ea, { reason: 'no_execution' }, `no workflow start recorded for ${ea.spec.correlationID}: ${why}`);
    }

    const now = this.d.clock.nowMs();
    const createdAt = toMs(ea.metadata?.creationTimestamp) ?? now;
    const t = timelineOf(createdAt, windows, (ms) => this.d.clock.scaled(ms));
    let components: Components = { ...ea.status?.components };
    const details: Details = {};
    if (!hasPods(target.kind)) {
      components = notApplicable(components, 'health');
      details.health = `${target.kind} has no pods`;
    }
    if (!this.d.alerts || !ea.spec.signalName) {
      components = notApplicable(components, 'alert');
      details.alert = this.d.alerts ? 'the signal has no alert name' : 'no Alertmanager configured';
    }
    if (!this.d.prometheus) {
      components = notApplicable(components, 'metrics');
      details.metrics = 'no Prometheus configured';
    }

    const waiting = now < t.anchor;
    if (!waiting) components = await this.withPostHash(components, ea);
    const next: Status = {
      ...ea.status,
      validityDeadline: iso(t.validityDeadline),
      prometheusCheckAfter: iso(t.stabilizedAt),
      alertManagerCheckAfter: iso(t.alertCheckAfter),
      components,
    };
    const phase: Phase = waiting ? 'WaitingForPropagation' : 'Stabilizing';
    const message = waiting ? `waiting ${goSeconds(windows.hashComputeDelayMs)} for the remediation to propagate` : `stabilizing until ${iso(t.stabilizedAt)}`;
    await this.write(key, ea, inProgress(specIntegrity(next, this.d.clock.now()), phase, `${message}; ${componentSummary(components, details)}`, this.d.clock.now()));
    return { requeueAfterMs: this.until(waiting ? t.anchor : Math.min(t.stabilizedAt, now + this.d.clock.scaled(REQUEUE_STABILIZING_MS)), now) };
  }

  private async waitForPropagation(key: ObjectKey, ea: EffectivenessAssessment, t: Timeline, now: number): Promise<ReconcileResult | void> {
    if (now < t.anchor) return { requeueAfterMs: this.until(t.anchor, now) };
    const components = await this.withPostHash({ ...ea.status?.components }, ea);
    const st: Status = { ...ea.status, components };
    await this.write(key, ea, inProgress(specIntegrity(st, this.d.clock.now()), 'Stabilizing', `stabilizing until ${iso(t.stabilizedAt)}; ${componentSummary(components, {})}`, this.d.clock.now()));
    return { requeueAfterMs: this.until(Math.min(t.stabilizedAt, now + this.d.clock.scaled(REQUEUE_STABILIZING_MS)), now) };
  }

  private async stabilize(key: ObjectKey, ea: EffectivenessAssessment, t: Timeline, now: number): Promise<ReconcileResult | void> {
    const components = await this.withCurrentHash({ ...ea.status?.components }, ea);
    if (drifted(components)) return this.finish(key, { ...ea, status: { ...ea.status, components } }, endingOnDrift(), 'the target\'s spec changed after the remediation');
    if (now < t.stabilizedAt) {
      if (components.currentSpecHash !== ea.status?.components?.currentSpecHash) await this.write(key, ea, specIntegrity({ ...ea.status, components }, this.d.clock.now()));
      return { requeueAfterMs: this.until(Math.min(t.stabilizedAt, now + this.d.clock.scaled(REQUEUE_STABILIZING_MS)), now) };
    }
    const st: Status = { ...ea.status, components };
    await this.write(key, ea, inProgress(specIntegrity(st, this.d.clock.now()), 'Assessing', `assessing; ${componentSummary(components, {})}`, this.d.clock.now()));
    // Our own write brings the EA back at once; this is only the safety net.
    return { requeueAfterMs: REQUEUE_ASSESSING_MS };
  }

  private async assess(key: ObjectKey, ea: EffectivenessAssessment, t: Timeline, w: AssessmentWindows, now: number): Promise<ReconcileResult | void> {
    let components = await this.withCurrentHash({ ...ea.status?.components }, ea);
    if (drifted(components)) return this.finish(key, { ...ea, status: { ...ea.status, components } }, endingOnDrift(), 'the target\'s spec changed after the remediation');

    const details: Details = {};
    const run = async (name: Component, source: string, due: number, f: () => Promise<ComponentResult>) => {
      if (stateOf(components, name) !== 'pending') return;
      if (now < due) return void (details[name] = `due at ${iso(due)}`);
      try {
        const r = await f();
        details[name] = r.detail;
        if (r.kind === 'assessed') {
          components = assessed(components, name, r.score);
          this.d.metrics.componentScore.observe({ component: name }, r.score);
        } else components = notApplicable(components, name);
      } catch (err) {
        // The component stays pending and is asked again; the deadline ends the waiting.
        this.d.metrics.sourceErrors.inc({ source });
        details[name] = err instanceof SourceError ? err.message : `cannot read the cluster: ${messageOf(err)}`;
        this.d.log.warn({ ea: `${key.namespace}/${key.name}`, component: name, err: details[name] }, 'assessment source failed; retrying');
      }
    };
    const since = toMs(ea.spec.remediationCreatedAt) ?? toMs(ea.metadata?.creationTimestamp) ?? t.createdAt;
    await run('health', 'cluster', t.stabilizedAt, () => assessHealth(this.d.reader, ea.spec.remediationTarget, since));
    await run('alert', 'alertmanager', t.alertCheckAfter, () => assessAlert(this.d.alerts, this.d.reader, ea));
    await run('metrics', 'prometheus', t.stabilizedAt, () => assessMetrics(this.d.prometheus, ea, this.metricWindows(since, t, now)));

    const summary = componentSummary(components, details);
    const ending = endingWhenSettled(components);
    if (ending) return this.finish(key, { ...ea, status: { ...ea.status, components } }, ending, summary);
    const st: Status = { ...ea.status, components };
    await this.write(key, ea, inProgress(specIntegrity(st, this.d.clock.now()), 'Assessing', `assessing; ${summary}`, this.d.clock.now()));
    const alertWait = stateOf(components, 'alert') === 'pending' && now < t.alertCheckAfter ? t.alertCheckAfter : Infinity;
    return { requeueAfterMs: this.until(Math.min(alertWait, now + this.d.clock.scaled(REQUEUE_ASSESSING_MS), t.validityDeadline), now) };
  }

  /** Before: the 10 minutes up to the remediation; after: from the anchor (propagated) until now. */
  private metricWindows(since: number, t: Timeline, now: number) {
    const scaled = (ms: number) => this.d.clock.scaled(ms);
    const rateSeconds = Math.max(1, Math.round(scaled(METRICS_RATE_WINDOW_MS) / 1000));
    return { beforeStart: since - scaled(METRICS_BEFORE_WINDOW_MS), beforeEnd: since, afterStart: Math.min(t.anchor, now), afterEnd: now, rateWindow: `${rateSeconds}s` };
  }

  /** Ends the assessment: the terminal status, then audit, Event and metrics. */
  private async finish(key: ObjectKey, ea: EffectivenessAssessment, ending: Ending, why: string): Promise<void> {
    const now = this.d.clock.now();
    const words =
      ending.reason === 'spec_drift'
        ? `spec drift: ${why}; score forced to 0`
        : `${ending.reason}${ending.score !== undefined ? `, score ${ending.score}` : ', no score'}: ${why}${ending.reason === 'no_execution' ? '' : `; ${componentSummary(ea.status?.components, {})}`}`;
    const base = specIntegrity({ ...ea.status }, now);
    const updated = await this.write(key, ea, completed(base, ending, words, now));
    if (!updated) return;
    this.d.audit.record(assessmentAuditEvent(updated, ASSESSMENT_COMPLETED));
    const warn = ending.reason === 'spec_drift' || ending.reason === 'expired';
    this.d.events.event(updated, warn ? 'Warning' : 'Normal', ending.reason === 'spec_drift' ? 'SpecDrift' : ending.reason === 'expired' ? 'AssessmentExpired' : 'AssessmentCompleted', words);
    this.d.metrics.assessments.inc({ reason: ending.reason });
    if (ending.score !== undefined) this.d.metrics.overallScore.observe(ending.score);
    this.observeDuration(updated, ending.reason);
    this.d.log.info({ ea: `${key.namespace}/${key.name}`, reason: ending.reason, score: ending.score ?? null }, 'assessment completed');
  }

  private async fail(key: ObjectKey, ea: EffectivenessAssessment, reason: string, message: string): Promise<void> {
    const updated = await this.write(key, ea, failed({ ...ea.status }, reason, message, this.d.clock.now()));
    if (!updated) return;
    this.d.audit.record(assessmentAuditEvent(updated, ASSESSMENT_FAILED));
    this.d.events.event(updated, 'Warning', 'AssessmentFailed', message);
    this.d.metrics.assessments.inc({ reason: 'failed' });
    this.observeDuration(updated, 'failed');
  }

  private observeDuration(ea: EffectivenessAssessment, reason: string): void {
    const created = toMs(ea.metadata?.creationTimestamp);
    if (created !== undefined) this.d.metrics.duration.observe({ reason }, Math.max(0, this.d.clock.nominal(this.d.clock.nowMs() - created)) / 1000);
  }

  /**
   * One status write, refused when another writer (or an earlier attempt of ours) already ended
   * the assessment: a terminal status is never rewritten. Undefined = nothing written.
   */
  private async write(key: ObjectKey, ea: EffectivenessAssessment, next: Status): Promise<EffectivenessAssessment | undefined> {
    const expectedPhase = ea.status?.phase;
    return this.d.store.updateStatus(key, (current) => {
      if (TERMINAL.has(current.status?.phase ?? '')) return undefined;
      if ((current.status?.phase ?? undefined) !== (expectedPhase ?? undefined)) {
        throw new Error(`the EA moved to ${current.status?.phase} meanwhile; reconciling again`);
      }
      return next;
    });
  }

  private async withPostHash(components: Components, ea: EffectivenessAssessment): Promise<Components> {
    const hash = await currentSpecHash(this.d.reader, ea.spec.remediationTarget);
    return hash ? { ...components, hashComputed: true, postRemediationSpecHash: hash, currentSpecHash: hash } : { ...components, hashComputed: false };
  }

  private async withCurrentHash(components: Components, ea: EffectivenessAssessment): Promise<Components> {
    if (!components.hashComputed || !components.postRemediationSpecHash) return components;
    const hash = await currentSpecHash(this.d.reader, ea.spec.remediationTarget);
    // A target that disappeared has no spec to drift; health reports it as missing.
    return hash ? { ...components, currentSpecHash: hash } : components;
  }

  /** GitOps management as the investigation detected it on the RR's AIAnalysis (false when unknown). */
  private async gitOpsManaged(ea: EffectivenessAssessment): Promise<boolean> {
    try {
      const aas = await this.d.reader.aiAnalyses(ea);
      return aas.some((aa) => aa.status?.postRCAContext?.detectedLabels?.gitOpsManaged === true);
    } catch (err) {
      this.d.log.warn({ ea: ea.metadata?.name, err: messageOf(err) }, 'cannot read the AIAnalysis; assuming the target is not GitOps-managed');
      return false;
    }
  }

  /** The timeline as the first reconcile wrote it (restart-safe); the anchor follows from stabilizedAt. */
  private timelineFromStatus(ea: EffectivenessAssessment, w: AssessmentWindows): Timeline {
    const st = ea.status ?? {};
    const createdAt = toMs(ea.metadata?.creationTimestamp) ?? this.d.clock.nowMs();
    const fresh = timelineOf(createdAt, w, (ms) => this.d.clock.scaled(ms));
    const stabilizedAt = toMs(st.prometheusCheckAfter) ?? fresh.stabilizedAt;
    return {
      createdAt,
      anchor: stabilizedAt - this.d.clock.scaled(w.stabilizationWindowMs),
      stabilizedAt,
      alertCheckAfter: toMs(st.alertManagerCheckAfter) ?? fresh.alertCheckAfter,
      validityDeadline: toMs(st.validityDeadline) ?? fresh.validityDeadline,
    };
  }

  /** Nominal ms from now until a real timestamp (at least 1 ms so the queue never spins). */
  private until(realMs: number, now: number): number {
    return Math.max(1, Math.ceil(this.d.clock.nominal(realMs - now)));
  }
}

function drifted(c: Components): boolean {
  return !!c.hashComputed && !!c.postRemediationSpecHash && !!c.currentSpecHash && c.currentSpecHash !== c.postRemediationSpecHash;
}

const iso = (ms: number) => new Date(ms).toISOString();
const goSeconds = (ms: number) => `${ms / 1000}s`;
