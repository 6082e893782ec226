/**
 * The SignalProcessing reconciler: Pending -> Enriching -> Classifying -> Categorizing -> Completed
 * (or Failed). Every phase change is its own status write, so `kubectl get sp -w` shows each one,
 * and every piece of state lives in the status: a reconcile after a crash (or on another replica)
 * resumes from the phase written, classifying from the Kubernetes context the status recorded.
 * Each write is conditional on the phase it read (a second reconciler never redoes a step).
 *
 * SignalProcessing writes its own status only; the Orchestrator watches it and moves the RR.
 * A failure that a retry may fix (the API server, a policy sandbox too busy) is counted in
 * `consecutiveFailures` and retried with back-off; one that it cannot (the API server refuses the
 * status, an unusable spec), or too many in a row, ends in Failed with `error`.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { SignalProcessing, SignalProcessingStatus } from '../../api/v1alpha1/index.ts';
import { messageOf, statusCodeOf } from '../../kube/api-errors.ts';
import type { ConditionInput } from '../../kube/conditions.ts';
import type { ReconcileResult, Reconciler } from '../../kube/controller.ts';
import type { ObjectKey } from '../../kube/object-key.ts';
import type { Clock } from '../../platform/clock.ts';
import { componentLogger, type Logger } from '../../platform/log.ts';
import { signalProcessingAuditEvent, type AuditSink, type SignalProcessingAuditType } from './audit.ts';
import { categorizeSignal, classifySignal } from './classification.ts';
import type { ClusterReader } from './cluster-reader.ts';
import { enrich, type EnrichmentResult } from './enrichment.ts';
import type { PolicySnapshot } from './policy-store.ts';
import { parseSpecDuration } from './spec-duration.ts';
import { advancedStatus, CONDITIONS, failedStatus, retryingStatus, truncate, type Phase } from './status-updates.ts';

export { CONDITIONS } from './status-updates.ts';

type Status = SignalProcessingStatus;

/** Reads and status writes of SignalProcessing objects (the KubernautClient, or a fake in tests). */
export interface SignalProcessingStore {
  get(key: ObjectKey): Promise<SignalProcessing | undefined>;
  /** Conditional read-modify-write; `mutate` returning undefined means no write (then undefined). */
  updateStatus(key: ObjectKey, mutate: (current: SignalProcessing) => Status | undefined): Promise<SignalProcessing | undefined>;
}

export interface EventSink {
  event(obj: KubernetesObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface SignalProcessingReconcilerOptions {
  store: SignalProcessingStore;
  reader: ClusterReader;
  policies: { snapshot(): PolicySnapshot };
  audit: AuditSink;
  clock: Clock;
  events?: EventSink;
  log?: Logger;
  /** Told of every SP that ends (for metrics). */
  onFinished?: (outcome: 'completed' | 'degraded' | 'failed', durationMs: number) => void;
  /** Nominal ms when spec.enrichmentConfig.timeout is absent (default 10 s, the CRD default). */
  defaultEnrichmentTimeoutMs?: number;
  /** Retry back-off: base × 2^(n−1), at most max (nominal ms; defaults 1 s and 60 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** After this many consecutive failures the SP is Failed (default 8). */
  maxConsecutiveFailures?: number;
}

/** A problem no retry can fix. */
export class PermanentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentError';
  }
}

/** Phase changes one reconcile may make (all of them, plus a re-read or two). */
const MAX_STEPS = 8;

export class SignalProcessingReconciler implements Reconciler {
  private readonly log: Logger;
  private readonly defaultTimeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly maxFailures: number;

  constructor(private readonly o: SignalProcessingReconcilerOptions) {
    this.log = o.log ?? componentLogger('signalprocessing');
    this.defaultTimeoutMs = o.defaultEnrichmentTimeoutMs ?? 10_000;
    this.retryBaseMs = o.retryBaseMs ?? 1_000;
    this.retryMaxMs = o.retryMaxMs ?? 60_000;
    this.maxFailures = o.maxConsecutiveFailures ?? 8;
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    let sp = await this.o.store.get(key);
    for (let step = 0; sp && step < MAX_STEPS; step++) {
      const phase = sp.status?.phase ?? '';
      if (phase === 'Completed' || phase === 'Failed' || sp.metadata?.deletionTimestamp) return;
      let written: SignalProcessing | undefined;
      try {
        written = await this.advance(key, sp, phase);
      } catch (err) {
        return this.failed(key, sp, phase, err);
      }
      if (written) {
        sp = written;
        continue;
      }
      // No write: another writer moved the phase meanwhile. Continue from what it wrote, or, while
      // our copy does not show it yet, leave it to the event its write will bring.
      sp = await this.o.store.get(key);
      if ((sp?.status?.phase ?? '') === phase) return;
    }
  }

  /** Does the work of `phase` and writes the next phase with its results. */
  private async advance(key: ObjectKey, sp: SignalProcessing, phase: Phase | ''): Promise<SignalProcessing | undefined> {
    const now = this.o.clock.now();
    switch (phase) {
      case '':
        return this.write(key, phase, 'Pending', (s) => ({ ...s, startTime: s.startTime ?? now.toISOString() }), []);
      case 'Pending':
        return this.write(key, phase, 'Enriching', (s) => s, []);
      case 'Enriching':
        return this.enrichAndWrite(key, sp);
      case 'Classifying':
        return this.classifyAndWrite(key, sp);
      case 'Categorizing':
        return this.categorizeAndWrite(key, sp);
      default:
        return undefined;
    }
  }

  private async enrichAndWrite(key: ObjectKey, sp: SignalProcessing): Promise<SignalProcessing | undefined> {
    const started = this.o.clock.nowMs();
    const result = await this.enrichment(sp);
    const { context, findings, targetFound } = result;
    const node = context.node;
    const reason = context.degradedMode ? 'DegradedMode' : targetFound ? 'Enriched' : 'TargetNotFound';
    const chain = (context.ownerChain ?? []).map((o) => `${o.kind} ${o.name}`).join(' -> ');
    const message = [
      chain ? `owner chain ${chain}` : 'no owner chain',
      ...(node ? [`on Node ${node.name} (Ready=${node.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown'}${node.unschedulable ? ', unschedulable' : ''})`] : []),
      ...findings,
    ].join('; ');
    const written = await this.write(key, 'Enriching', 'Classifying', (s) => ({ ...s, kubernetesContext: context }), [{ type: CONDITIONS.enrichment, status: 'True', reason, message }]);
    if (written) {
      this.audit(written, 'enrichment.completed', 'success', {
        targetFound,
        degradedMode: context.degradedMode ?? false,
        ownerChain: context.ownerChain ?? [],
        workload: context.workload ? { apiVersion: context.workload.apiVersion, kind: context.workload.kind, name: context.workload.name } : null,
        node: node ?? null,
        findings,
        durationMs: this.o.clock.nowMs() - started,
      });
      if (context.degradedMode) this.o.events?.event(written, 'Warning', 'DegradedMode', truncate(message));
    }
    return written;
  }

  private async enrichment(sp: SignalProcessing): Promise<EnrichmentResult> {
    const { signal, enrichmentConfig } = sp.spec;
    let timeoutMs = this.defaultTimeoutMs;
    if (enrichmentConfig?.timeout) {
      try {
        timeoutMs = parseSpecDuration(enrichmentConfig.timeout);
      } catch (err) {
        throw new PermanentError(`spec.enrichmentConfig.timeout: ${(err as Error).message}`);
      }
    }
    if (signal.targetType && signal.targetType !== 'kubernetes') {
      // Nothing of the cluster describes an aws/azure/... target: classify from the signal alone.
      return { context: { ownerChain: [], degradedMode: false }, targetFound: false, findings: [`target type ${signal.targetType} is not enriched from the cluster`] };
    }
    return enrich(this.o.reader, signal.targetResource, { clock: this.o.clock, timeoutMs, clusterState: enrichmentConfig?.enableClusterState ?? true });
  }

  private async classifyAndWrite(key: ObjectKey, sp: SignalProcessing): Promise<SignalProcessing | undefined> {
    const policies = this.o.policies.snapshot();
    const c = await classifySignal(sp.spec.signal, sp.status?.kubernetesContext, policies, this.o.clock.now());
    const summary = `environment ${c.environmentClassification.environment} (${c.environmentClassification.source}), severity ${c.severity}, priority ${c.priorityAssignment.priority} (${c.priorityAssignment.policyName}), ${c.signalMode}`;
    const written = await this.write(
      key,
      'Classifying',
      'Categorizing',
      (s) => ({
        ...s,
        environmentClassification: c.environmentClassification,
        severity: c.severity,
        signalMode: c.signalMode,
        signalName: c.signalName,
        sourceSignalName: c.sourceSignalName,
        priorityAssignment: c.priorityAssignment,
        policyHash: c.policyHash,
      }),
      [{ type: CONDITIONS.classification, status: 'True', reason: 'Classified', message: [summary, ...c.notes].join('; ') }],
    );
    if (written) {
      this.audit(written, 'classification.completed', 'success', {
        environment: c.environmentClassification.environment,
        environmentSource: c.environmentClassification.source,
        severity: c.severity,
        rawSeverity: sp.spec.signal.severity,
        priority: c.priorityAssignment.priority,
        priorityPolicy: c.priorityAssignment.policyName,
        prioritySource: c.priorityAssignment.source,
        signalMode: c.signalMode,
        signalName: c.signalName,
        sourceSignalName: c.sourceSignalName,
        policyHash: c.policyHash,
        notes: c.notes,
      });
    }
    return written;
  }

  private async categorizeAndWrite(key: ObjectKey, sp: SignalProcessing): Promise<SignalProcessing | undefined> {
    const s = sp.status ?? {};
    const classified = { environment: s.environmentClassification?.environment ?? 'unknown', severity: s.severity ?? 'unknown', signalMode: s.signalMode ?? 'reactive', priority: s.priorityAssignment?.priority ?? 'P3' };
    const g = await categorizeSignal(sp.spec.signal, s.kubernetesContext, classified, this.o.policies.snapshot());
    const b = g.businessClassification;
    const summary = `business unit ${b.businessUnit ?? '-'}, service owner ${b.serviceOwner ?? '-'}, criticality ${b.criticality ?? '-'}, SLA ${b.slaRequirement ?? '-'}, ${Object.keys(g.customLabels).length} custom label(s)`;
    const degraded = s.kubernetesContext?.degradedMode ?? false;
    const now = this.o.clock.now();
    const written = await this.write(
      key,
      'Categorizing',
      'Completed',
      (cur) => ({
        ...cur,
        businessClassification: g.businessClassification,
        kubernetesContext: { ...cur.kubernetesContext, customLabels: g.customLabels },
        policyHash: g.policyHash,
        completionTime: now.toISOString(),
      }),
      [
        { type: CONDITIONS.categorization, status: 'True', reason: 'Categorized', message: [summary, ...g.notes].join('; ') },
        { type: CONDITIONS.processing, status: 'True', reason: 'Completed', message: 'signal enriched, classified and categorized' },
        degraded
          ? { type: CONDITIONS.ready, status: 'True', reason: 'DegradedMode', message: 'completed with a partial Kubernetes context (see EnrichmentComplete)' }
          : { type: CONDITIONS.ready, status: 'True', reason: 'Completed', message: 'signal processing completed' },
      ],
    );
    if (written) {
      this.audit(written, 'categorization.completed', 'success', { businessClassification: g.businessClassification, customLabels: g.customLabels, notes: g.notes });
      const durationMs = elapsedMs(written.status?.startTime, now);
      this.audit(written, 'phase.completed', 'success', {
        phase: 'Completed',
        environment: written.status?.environmentClassification?.environment,
        severity: written.status?.severity,
        priority: written.status?.priorityAssignment?.priority,
        signalMode: written.status?.signalMode,
        degradedMode: degraded,
        durationMs,
      });
      this.o.onFinished?.(degraded ? 'degraded' : 'completed', durationMs);
    }
    return written;
  }

  /** Writes phase `to` over `from` with what `fill` adds; no write when the status is no longer at `from`. */
  private write(key: ObjectKey, from: Phase | '', to: Phase, fill: (s: Status) => Status, conditions: ConditionInput[]): Promise<SignalProcessing | undefined> {
    return this.o.store.updateStatus(key, (current) => ((current.status?.phase ?? '') === from ? advancedStatus(current, to, fill, conditions, this.o.clock.now()) : undefined));
  }

  /** A step failed: retry with back-off, or Failed when no retry can help. */
  private async failed(key: ObjectKey, sp: SignalProcessing, phase: Phase | '', err: unknown): Promise<ReconcileResult | void> {
    // Deleted under our feet: nothing left to record anything on.
    if (statusCodeOf(err) === 404) return;
    const message = messageOf(err);
    const failures = (sp.status?.consecutiveFailures ?? 0) + 1;
    const permanent = err instanceof PermanentError || statusCodeOf(err) === 422 || statusCodeOf(err) === 400;
    if (permanent || failures >= this.maxFailures) {
      const reason = permanent ? message : `gave up after ${failures} consecutive failures; the last: ${message}`;
      await this.markFailed(key, phase, reason, failures);
      return;
    }
    const delayMs = Math.min(this.retryBaseMs * 2 ** (failures - 1), this.retryMaxMs);
    this.log.warn({ sp: `${key.namespace}/${key.name}`, phase, failures, err: message }, 'signal processing step failed; retrying');
    // If even this write fails the error goes up: the work queue retries with its own back-off.
    const note = `${phase || 'Pending'} failed (attempt ${failures}): ${message}; retrying in ${delayMs / 1000}s`;
    await this.o.store.updateStatus(key, (current) => ((current.status?.phase ?? '') === phase ? retryingStatus(current, failures, note, this.o.clock.now()) : undefined));
    return { requeueAfterMs: delayMs };
  }

  private async markFailed(key: ObjectKey, phase: Phase | '', error: string, failures: number): Promise<void> {
    const now = this.o.clock.now();
    const written = await this.o.store.updateStatus(key, (current) => ((current.status?.phase ?? '') === phase ? failedStatus(current, error, failures, now) : undefined));
    if (!written) return;
    this.log.error({ sp: `${key.namespace}/${key.name}`, phase, err: error }, 'signal processing failed');
    this.audit(written, 'phase.failed', 'failure', { phase: phase || 'Pending', error, consecutiveFailures: failures });
    this.o.events?.event(written, 'Warning', 'Failed', truncate(error));
    this.o.onFinished?.('failed', elapsedMs(written.status?.startTime, now));
  }

  private audit(sp: SignalProcessing, type: SignalProcessingAuditType, outcome: 'success' | 'failure', data: Record<string, unknown>): void {
    this.o.audit.record(signalProcessingAuditEvent(sp, type, outcome, this.o.clock.now(), data));
  }
}

function elapsedMs(startTime: string | undefined, now: Date): number {
  const start = startTime ? Date.parse(startTime) : NaN;
  return Number.isFinite(start) ? Math.max(0, now.getTime() - start) : 0;
}
