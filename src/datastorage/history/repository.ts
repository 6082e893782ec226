/** The remediation_history table: kept up to date from audit events, read by target. */
import type { Db } from '../db/database.ts';
import type { StoredAuditEvent } from '../audit/event-schema.ts';
import { applyEvent, feedsHistory, type HistoryRow } from './derive.ts';

const COLUMNS: Array<[keyof HistoryRow, string, string]> = [
  ['remediationId', 'remediation_id', 'text'],
  ['targetKind', 'target_kind', 'text'],
  ['targetName', 'target_name', 'text'],
  ['targetNamespace', 'target_namespace', 'text'],
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

export interface HistoryQuery {
  kind: string;
  name: string;
  /** "" for cluster-scoped targets. */
  namespace: string;
  limit: number;
}

/** What the API returns for one remediation. */
export type RemediationSummary = Omit<HistoryRow, 'targetKind' | 'targetName' | 'targetNamespace' | 'lifecycleUpdatedAt' | 'lastSequence'>;

export async function listRemediationHistory(db: Db, q: HistoryQuery): Promise<RemediationSummary[]> {
  const r = await db.query(
    `SELECT ${SELECT_LIST} FROM remediation_history
     WHERE target_kind = $1 AND target_name = $2 AND target_namespace = $3
     ORDER BY started_at DESC NULLS LAST, remediation_id DESC
     LIMIT $4`,
    [q.kind, q.name, q.namespace, q.limit],
  );
  return r.rows.map((raw) => {
    const row = toRow(raw);
    return {
      remediationId: row.remediationId,
      signalName: row.signalName,
      fingerprint: row.fingerprint,
      workflowId: row.workflowId,
      workflowVersion: row.workflowVersion,
      actionType: row.actionType,
      startedAt: row.startedAt,
      completedAt: row.completedAt,
      outcome: row.outcome,
      phase: row.phase,
      effectivenessScore: row.effectivenessScore,
      assessmentReason: row.assessmentReason,
      preRemediationSpecHash: row.preRemediationSpecHash,
    };
  });
}
