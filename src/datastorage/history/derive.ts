/**
 * Remediation history is derived from the audit trail, the durable record. This is the contract
 * (crds.md §12) the Orchestrator and the EffectivenessMonitor write to; DataStorage applies it in
 * the same transaction that stores the events. One row per remediation, keyed for queries by its
 * REMEDIATION TARGET (the root owner a workflow changes), with the signal's resource kept apart.
 *
 * Every feeding event has `correlationId` = the RemediationRequest name (the `remediationId`).
 * A target is `{apiVersion?, kind, name, namespace}`; namespace "" (or absent) = cluster-scoped.
 *
 * 1. Lifecycle events: `eventCategory: "orchestrator"`, `eventType` starting with
 *    `orchestrator.lifecycle.` (e.g. `.started`, `.transitioned`, `.completed`, `.failed`).
 *    Optional `eventData` members, each copied when present with the right type:
 *      remediationTarget                       AIAnalysis rootCauseAnalysis.affectedResource
 *      signalTarget (or targetResource)        the RR's spec.targetResource
 *      signalType, signalName, fingerprint     the RR's spec.signalType / signalName / signalFingerprint
 *      phase, outcome                          the RR's status.overallPhase / status.outcome
 *      workflowId, workflowVersion, actionType the selected workflow
 *      preRemediationSpecHash                  status.preRemediationSpecHash
 *      wasExecutionFailure                     boolean (WE failureDetails.wasExecutionFailure)
 *      failureReason, blockReason              strings; an explicit null clears them
 *      startedAt, completedAt                  RFC 3339; default: startedAt = the earliest lifecycle
 *                                              event's eventTimestamp, completedAt = the eventTimestamp
 *                                              of the first event whose phase is terminal
 *                                              (Completed, Failed, TimedOut, Skipped, Cancelled)
 *    Events are applied in arrival order; an event older (eventTimestamp) than the newest lifecycle
 *    event already applied only fills members that are still empty, so a late retry never rolls the
 *    phase back.
 * 2. Effectiveness: `eventType: "effectiveness.assessment.completed"` (category `effectiveness`)
 *    with `eventData {remediationTarget, overallScore: number 0..1 | null, components,
 *    assessmentReason, postRemediationSpecHash}`. The score is the EffectivenessMonitor's: stored as
 *    sent, never recomputed (`components` stays in the audit event only). A remediationTarget here
 *    fills one the lifecycle events have not named.
 *
 * Compatibility: `targetResource`, the only target of earlier senders, is the signal target; while
 * no event has named a `remediationTarget`, the signal target also stands in as the remediation
 * target (and is replaced as soon as one is named).
 * Members of the wrong type are ignored: the audit event itself is always stored.
 */
import type { StoredAuditEvent } from '../audit/event-schema.ts';
import type { TargetRef } from './entry.ts';

/** One remediation_history row (columns in camelCase), the state events are folded into. */
export interface HistoryRow {
  remediationId: string;
  remediationTargetApiVersion: string | null;
  remediationTargetKind: string | null;
  remediationTargetName: string | null;
  remediationTargetNamespace: string | null;
  /** The remediation target is only the signal target standing in (no event named one yet). */
  remediationTargetFromSignal: boolean;
  signalTargetApiVersion: string | null;
  signalTargetKind: string | null;
  signalTargetName: string | null;
  signalTargetNamespace: string | null;
  signalType: string | null;
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
  postRemediationSpecHash: string | null;
  wasExecutionFailure: boolean | null;
  failureReason: string | null;
  blockReason: string | null;
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
    remediationTargetApiVersion: null,
    remediationTargetKind: null,
    remediationTargetName: null,
    remediationTargetNamespace: null,
    remediationTargetFromSignal: false,
    signalTargetApiVersion: null,
    signalTargetKind: null,
    signalTargetName: null,
    signalTargetNamespace: null,
    signalType: null,
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
    postRemediationSpecHash: null,
    wasExecutionFailure: null,
    failureReason: null,
    blockReason: null,
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

function targetRef(v: unknown): TargetRef | null {
  if (!v || typeof v !== 'object') return null;
  const t = v as Record<string, unknown>;
  const kind = str(t.kind);
  const name = str(t.name);
  if (!kind || !name) return null;
  const apiVersion = str(t.apiVersion);
  return { ...(apiVersion ? { apiVersion } : {}), kind, name, namespace: typeof t.namespace === 'string' ? t.namespace : '' };
}

type TargetRole = 'remediationTarget' | 'signalTarget';

export function targetOf(row: HistoryRow, role: TargetRole): TargetRef | null {
  const kind = row[`${role}Kind`];
  const name = row[`${role}Name`];
  if (kind === null || name === null) return null;
  const apiVersion = row[`${role}ApiVersion`];
  return { ...(apiVersion ? { apiVersion } : {}), kind, name, namespace: row[`${role}Namespace`] ?? '' };
}

function setTarget(row: HistoryRow, role: TargetRole, t: TargetRef): void {
  row[`${role}ApiVersion`] = t.apiVersion ?? null;
  row[`${role}Kind`] = t.kind;
  row[`${role}Name`] = t.name;
  row[`${role}Namespace`] = t.namespace;
}

/** Both targets of an event: `signalTarget` wins over the older `targetResource`. */
function eventTargets(d: Record<string, unknown>): { remediation: TargetRef | null; signal: TargetRef | null } {
  return { remediation: targetRef(d.remediationTarget), signal: targetRef(d.signalTarget) ?? targetRef(d.targetResource) };
}

/**
 * Sets the targets an event names. A named remediation target replaces a stand-in always, a named
 * one only when `overwrite`; the signal target then stands in while none is named.
 */
function applyTargets(row: HistoryRow, d: Record<string, unknown>, overwrite: boolean): void {
  const { remediation, signal } = eventTargets(d);
  const named = row.remediationTargetKind !== null && !row.remediationTargetFromSignal;
  if (remediation && (overwrite || !named)) {
    setTarget(row, 'remediationTarget', remediation);
    row.remediationTargetFromSignal = false;
  }
  if (signal && (overwrite || row.signalTargetKind === null)) setTarget(row, 'signalTarget', signal);
  const standIn = targetOf(row, 'signalTarget');
  if (standIn && (row.remediationTargetKind === null || row.remediationTargetFromSignal)) {
    setTarget(row, 'remediationTarget', standIn);
    row.remediationTargetFromSignal = true;
  }
}

type Field = Exclude<keyof HistoryRow, 'remediationId' | 'lastSequence' | 'lifecycleUpdatedAt'>;

/** Sets a field: always when `overwrite`, else only while it is empty. */
function put<K extends Field>(row: HistoryRow, key: K, value: HistoryRow[K] | null, overwrite: boolean): void {
  if (value === null) return;
  if (overwrite || row[key] === null) row[key] = value;
}

/** A reason that an explicit null clears (the newest event says there is none any more). */
function putClearable(row: HistoryRow, key: 'failureReason' | 'blockReason', d: Record<string, unknown>, newest: boolean): void {
  if (d[key] === null && newest) row[key] = null;
  else put(row, key, str(d[key]), newest);
}

/** The row after one event (a new object; `row` is not modified). */
export function applyEvent(row: HistoryRow | undefined, e: StoredAuditEvent): HistoryRow {
  const next: HistoryRow = { ...(row ?? emptyHistoryRow(e.correlationId, e.sequence)), lastSequence: e.sequence };
  const d = e.eventData;

  if (isAssessment(e)) {
    if ((typeof d.overallScore === 'number' && Number.isFinite(d.overallScore)) || d.overallScore === null) next.effectivenessScore = d.overallScore;
    put(next, 'assessmentReason', str(d.assessmentReason), true);
    put(next, 'postRemediationSpecHash', str(d.postRemediationSpecHash), true);
    applyTargets(next, d, false);
    return next;
  }

  const newest = next.lifecycleUpdatedAt === null || e.eventTimestamp >= next.lifecycleUpdatedAt;
  if (newest) next.lifecycleUpdatedAt = e.eventTimestamp;
  applyTargets(next, d, newest);
  for (const key of ['signalType', 'signalName', 'fingerprint', 'phase', 'outcome', 'workflowId', 'workflowVersion', 'actionType', 'preRemediationSpecHash'] as const) {
    put(next, key, str(d[key]), newest);
  }
  if (typeof d.wasExecutionFailure === 'boolean') put(next, 'wasExecutionFailure', d.wasExecutionFailure, newest);
  putClearable(next, 'failureReason', d, newest);
  putClearable(next, 'blockReason', d, newest);

  const startedAt = isoTime(d.startedAt);
  if (startedAt) next.startedAt = startedAt;
  else if (next.startedAt === null || e.eventTimestamp < next.startedAt) next.startedAt = e.eventTimestamp;

  const phase = str(d.phase);
  const completedAt = isoTime(d.completedAt) ?? (phase && TERMINAL_PHASES.has(phase) ? e.eventTimestamp : null);
  put(next, 'completedAt', completedAt, isoTime(d.completedAt) !== null);
  return next;
}
