-- One row per remediation (RemediationRequest name), derived from audit events in the same
-- transaction that stores them (src/datastorage/history/derive.ts documents which events feed it),
-- so GET /api/v1/remediation-history is one index scan.
CREATE TABLE remediation_history (
  remediation_id            text PRIMARY KEY,
  target_kind               text,
  target_name               text,
  target_namespace          text,
  signal_name               text,
  fingerprint               text,
  workflow_id               text,
  workflow_version          text,
  action_type               text,
  started_at                timestamptz,
  completed_at              timestamptz,
  outcome                   text,
  phase                     text,
  effectiveness_score       double precision,
  assessment_reason         text,
  pre_remediation_spec_hash text,
  -- eventTimestamp of the newest lifecycle event applied: an older event arriving late only fills gaps.
  lifecycle_updated_at      timestamptz,
  last_sequence             bigint NOT NULL
);

CREATE INDEX remediation_history_target_idx
  ON remediation_history (target_kind, target_name, target_namespace, started_at DESC);
