/**
 * Remediation history is derived from the audit trail, the durable record. This is the contract
 * the Orchestrator and the EffectivenessMonitor write to; DataStorage applies it in the same
 * transaction that stores the events.
 *
 * Every feeding event has `correlationId` = the RemediationRequest name (the `remediationId`).
 *
 * 1. Lifecycle events: `eventCategory: "orchestrator"`, `eventType` starting with
 *    `orchestrator.lifecycle.` (e.g. `.started`, `.transitioned`, `.completed`, `.failed`).
 *    Optional `eventData` members, each copied when present with the right type:
 *      targetResource {kind, name, namespace}  the RR's spec.targetResource ("" namespace = cluster-scoped)
 *      signalName, fingerprint                 the RR's spec.signalName / spec.signalFingerprint
 *      phase, outcome                          the RR's status.overallPhase / status.outcome
 *      workflowId, workflowVersion, actionType the selected workflow
 *      preRemediationSpecHash                  status.preRemediationSpecHash
 *      startedAt, completedAt                  RFC 3339; default: startedAt = the earliest lifecycle
 *                                              event's eventTimestamp, completedAt = the eventTimestamp
 *                                              of the first event whose phase is terminal
 *                                              (Completed, Failed, TimedOut, Skipped, Cancelled)
 *    Events are applied in arrival order; an event older (eventTimestamp) than the newest lifecycle
 *    event already applied only fills fields that are still empty, so a late retry never rolls the
 *    phase back.
 * 2. Effectiveness: `eventType: "effectiveness.assessment.completed"` with `eventData
 *    {overallScore: number 0..1 | null, assessmentReason: string}` (and optionally targetResource,
 *    which fills an empty target).
 *
 * Members of the wrong type are ignored: the audit event itself is always stored.
 */
import type { StoredAuditEvent } from '../audit/event-schema.ts';

export interface HistoryRow {
  remediationId: string;
  targetKind: string | null;
  targetName: string | null;
  targetNamespace: string | null;
  signalName: string | null;
  fingerprint: string | null;
  workflowId: string | null;
  workflowVersion: string | null;
  actionType: string | null;
  startedAt: string | null;
  completedAt: string | null;
  outcome: string | null;
  phase: string | null;
  effectivenessScore: number | null;
  assessmentReason: string | null;
  preRemediationSpecHash: string | null;
  lifecycleUpdatedAt: string | null;
  lastSequence: number;
}

export const TERMINAL_PHASES = new Set(['Completed', 'Failed', 'TimedOut', 'Skipped', 'Cancelled']);
export const LIFECYCLE_EVENT_PREFIX = 'orchestrator.lifecycle.';
export const ASSESSMENT_EVENT_TYPE = 'effectiveness.assessment.completed';

function isLifecycle(e: StoredAuditEvent): boolean {
  return e.eventCategory === 'orchestrator' && e.eventType.startsWith(LIFECYCLE_EVENT_PREFIX);
}

function isAssessment(e: StoredAuditEvent): boolean {
  return e.eventType === ASSESSMENT_EVENT_TYPE;
}

export function feedsHistory(e: StoredAuditEvent): boolean {
  return isLifecycle(e) || isAssessment(e);
}

export function emptyHistoryRow(remediationId: string, sequence: number): HistoryRow {
  return {
    remediationId,
    targetKind: null,
    targetName: null,
    targetNamespace: null,
    signalName: null,
    fingerprint: null,
    workflowId: null,
    workflowVersion: null,
    actionType: null,
    startedAt: null,
    completedAt: null,
    outcome: null,
    phase: null,
    effectivenessScore: null,
    assessmentReason: null,
    preRemediationSpecHash: null,
    lifecycleUpdatedAt: null,
    lastSequence: sequence,
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function isoTime(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

function target(v: unknown): Pick<HistoryRow, 'targetKind' | 'targetName' | 'targetNamespace'> | null {
  if (!v || typeof v !== 'object') return null;
  const t = v as Record<string, unknown>;
  const kind = str(t.kind);
  const name = str(t.name);
  if (!kind || !name) return null;
  return { targetKind: kind, targetName: name, targetNamespace: typeof t.namespace === 'string' ? t.namespace : '' };
}

type Field = Exclude<keyof HistoryRow, 'remediationId' | 'lastSequence' | 'lifecycleUpdatedAt'>;

/** Sets a field: always when `overwrite`, else only while it is empty. */
function put<K extends Field>(row: HistoryRow, key: K, value: HistoryRow[K] | null, overwrite: boolean): void {
  if (value === null) return;
  if (overwrite || row[key] === null) row[key] = value;
}

/** The row after one event (a new object; `row` is not modified). */
export function applyEvent(row: HistoryRow | undefined, e: StoredAuditEvent): HistoryRow {
  const next: HistoryRow = { ...(row ?? emptyHistoryRow(e.correlationId, e.sequence)), lastSequence: e.sequence };
  const d = e.eventData;
  const t = target(d.targetResource);

  if (isAssessment(e)) {
    if (typeof d.overallScore === 'number' || d.overallScore === null) next.effectivenessScore = d.overallScore;
    put(next, 'assessmentReason', str(d.assessmentReason), true);
    if (t && next.targetKind === null) Object.assign(next, t);
    return next;
  }

  const newest = next.lifecycleUpdatedAt === null || e.eventTimestamp >= next.lifecycleUpdatedAt;
  if (newest) next.lifecycleUpdatedAt = e.eventTimestamp;
  if (t && (newest || next.targetKind === null)) Object.assign(next, t);
  put(next, 'signalName', str(d.signalName), newest);
  put(next, 'fingerprint', str(d.fingerprint), newest);
  put(next, 'phase', str(d.phase), newest);
  put(next, 'outcome', str(d.outcome), newest);
  put(next, 'workflowId', str(d.workflowId), newest);
  put(next, 'workflowVersion', str(d.workflowVersion), newest);
  put(next, 'actionType', str(d.actionType), newest);
  put(next, 'preRemediationSpecHash', str(d.preRemediationSpecHash), newest);

  const startedAt = isoTime(d.startedAt);
  if (startedAt) next.startedAt = startedAt;
  else if (next.startedAt === null || e.eventTimestamp < next.startedAt) next.startedAt = e.eventTimestamp;

  const phase = str(d.phase);
  const completedAt = isoTime(d.completedAt) ?? (phase && TERMINAL_PHASES.has(phase) ? e.eventTimestamp : null);
  put(next, 'completedAt', completedAt, isoTime(d.completedAt) !== null);
  return next;
}
