/** The remediation_history table: kept up to date from audit events, read by remediation target or fingerprint. */
import type { Db } from '../db/database.ts';
import type { StoredAuditEvent } from '../audit/event-schema.ts';
import { applyEvent, feedsHistory, targetOf, type HistoryRow } from './derive.ts';
import type { RemediationHistoryEntry } from './entry.ts';

const COLUMNS: Array<[keyof HistoryRow, string, string]> = [
  ['remediationId', 'remediation_id', 'text'],
  ['remediationTargetApiVersion', 'remediation_target_api_version', 'text'],
  ['remediationTargetKind', 'remediation_target_kind', 'text'],
  ['remediationTargetName', 'remediation_target_name', 'text'],
  ['remediationTargetNamespace', 'remediation_target_namespace', 'text'],
  ['remediationTargetFromSignal', 'remediation_target_from_signal', 'boolean'],
  ['signalTargetApiVersion', 'signal_target_api_version', 'text'],
  ['signalTargetKind', 'signal_target_kind', 'text'],
  ['signalTargetName', 'signal_target_name', 'text'],
  ['signalTargetNamespace', 'signal_target_namespace', 'text'],
  ['signalType', 'signal_type', 'text'],
  ['signalName', 'signal_name', 'text'],
  ['fingerprint', 'fingerprint', 'text'],
  ['workflowId', 'workflow_id', 'text'],
  ['workflowVersion', 'workflow_version', 'text'],
  ['actionType', 'action_type', 'text'],
  ['startedAt', 'started_at', 'timestamptz'],
  ['completedAt', 'completed_at', 'timestamptz'],
  ['outcome', 'outcome', 'text'],
  ['phase', 'phase', 'text'],
  ['effectivenessScore', 'effectiveness_score', 'double precision'],
  ['assessmentReason', 'assessment_reason', 'text'],
  ['preRemediationSpecHash', 'pre_remediation_spec_hash', 'text'],
  ['postRemediationSpecHash', 'post_remediation_spec_hash', 'text'],
  ['wasExecutionFailure', 'was_execution_failure', 'boolean'],
  ['failureReason', 'failure_reason', 'text'],
  ['blockReason', 'block_reason', 'text'],
  ['lifecycleUpdatedAt', 'lifecycle_updated_at', 'timestamptz'],
  ['lastSequence', 'last_sequence', 'bigint'],
];

const SELECT_LIST = COLUMNS.map(([, col]) => col).join(', ');

function toRow(r: Record<string, any>): HistoryRow {
  const out: Record<string, unknown> = {};
  for (const [key, col] of COLUMNS) {
    const v = r[col];
    out[key] = v instanceof Date ? v.toISOString() : v;
  }
  out.lastSequence = Number(r.last_sequence);
  out.effectivenessScore = r.effectiveness_score === null ? null : Number(r.effectiveness_score);
  return out as unknown as HistoryRow;
}

/**
 * Applies the history-feeding events among `events` (already stored, in sequence order). Runs in
 * the audit insert's transaction, which holds the chain lock, so no other writer races us.
 */
export async function updateRemediationHistory(tx: Db, events: StoredAuditEvent[]): Promise<void> {
  const feeding = events.filter(feedsHistory);
  if (feeding.length === 0) return;
  const ids = [...new Set(feeding.map((e) => e.correlationId))];
  const existing = await tx.query(`SELECT ${SELECT_LIST} FROM remediation_history WHERE remediation_id = ANY($1::text[])`, [ids]);
  const rows = new Map<string, HistoryRow>(existing.rows.map((r) => [r.remediation_id as string, toRow(r)]));
  for (const e of feeding) rows.set(e.correlationId, applyEvent(rows.get(e.correlationId), e));

  const records = [...rows.values()].map((row) => Object.fromEntries(COLUMNS.map(([key, col]) => [col, row[key]])));
  const columns = COLUMNS.map(([, col]) => col);
  await tx.query(
    `INSERT INTO remediation_history (${columns.join(', ')})
     SELECT ${columns.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${COLUMNS.map(([, col, type]) => `${col} ${type}`).join(', ')})
     ON CONFLICT (remediation_id) DO UPDATE SET ${columns
       .filter((c) => c !== 'remediation_id')
       .map((c) => `${c} = EXCLUDED.${c}`)
       .join(', ')}`,
    [JSON.stringify(records)],
  );
}

/** Which remediations: of one remediation target (namespace "" = cluster-scoped), or of one fingerprint. */
export type HistorySelector = { target: { kind: string; name: string; namespace: string } } | { fingerprint: string };

export interface HistoryQuery {
  select: HistorySelector;
  /** Only remediations that started or completed at/after this instant (ISO 8601). */
  since?: string;
  limit: number;
}

function toEntry(row: HistoryRow): RemediationHistoryEntry {
  return {
    remediationId: row.remediationId,
    fingerprint: row.fingerprint,
    signalType: row.signalType,
    signalName: row.signalName,
    signalTarget: targetOf(row, 'signalTarget'),
    remediationTarget: targetOf(row, 'remediationTarget'),
    workflowId: row.workflowId,
    workflowVersion: row.workflowVersion,
    actionType: row.actionType,
    outcome: row.outcome,
    phase: row.phase,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
    preRemediationSpecHash: row.preRemediationSpecHash,
    postRemediationSpecHash: row.postRemediationSpecHash,
    wasExecutionFailure: row.wasExecutionFailure,
    failureReason: row.failureReason,
    blockReason: row.blockReason,
    effectivenessScore: row.effectivenessScore,
    assessmentReason: row.assessmentReason,
  };
}

/** Newest first (by start), at most `limit`. */
export async function listRemediationHistory(db: Db, q: HistoryQuery): Promise<RemediationHistoryEntry[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    let text = sql;
    for (const v of values) {
      params.push(v);
      text = text.replace('?', `$${params.length}`);
    }
    where.push(text);
  };
  if ('target' in q.select) {
    const t = q.select.target;
    add('remediation_target_kind = ? AND remediation_target_name = ? AND remediation_target_namespace = ?', t.kind, t.name, t.namespace);
  } else {
    add('fingerprint = ?', q.select.fingerprint);
  }
  if (q.since !== undefined) add('(started_at >= ? OR completed_at >= ?)', q.since, q.since);
  params.push(q.limit);
  const r = await db.query(
    `SELECT ${SELECT_LIST} FROM remediation_history
     WHERE ${where.join(' AND ')}
     ORDER BY started_at DESC NULLS LAST, remediation_id DESC
     LIMIT $${params.length}`,
    params,
  );
  return r.rows.map((raw) => toEntry(toRow(raw)));
}
