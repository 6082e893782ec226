-- Remediation history keyed by the REMEDIATION TARGET (crds.md §12): the root owner the AIAnalysis
-- names in rootCauseAnalysis.affectedResource, i.e. what a workflow changes. The signal's resource
-- (the RR's spec.targetResource) is kept in its own columns.
--
-- Rows written before this migration only knew the RR's targetResource, the signal target. It is
-- copied to the signal target, and stays their remediation target as well (the compatibility rule
-- of src/datastorage/history/derive.ts), flagged as taken from the signal so that a later event
-- naming the real remediation target replaces it.
ALTER TABLE remediation_history RENAME COLUMN target_kind TO remediation_target_kind;
ALTER TABLE remediation_history RENAME COLUMN target_name TO remediation_target_name;
ALTER TABLE remediation_history RENAME COLUMN target_namespace TO remediation_target_namespace;
ALTER INDEX remediation_history_target_idx RENAME TO remediation_history_remediation_target_idx;

ALTER TABLE remediation_history
  ADD COLUMN remediation_target_api_version  text,
  -- true while the remediation target is only the signal target standing in for it
  ADD COLUMN remediation_target_from_signal  boolean NOT NULL DEFAULT false,
  ADD COLUMN signal_target_api_version       text,
  ADD COLUMN signal_target_kind              text,
  ADD COLUMN signal_target_name              text,
  ADD COLUMN signal_target_namespace         text,
  ADD COLUMN signal_type                     text,
  ADD COLUMN post_remediation_spec_hash      text,
  -- false: failed before touching the cluster (never counts as an ineffective remediation)
  ADD COLUMN was_execution_failure           boolean,
  ADD COLUMN failure_reason                  text,
  ADD COLUMN block_reason                    text;

UPDATE remediation_history
   SET signal_target_kind = remediation_target_kind,
       signal_target_name = remediation_target_name,
       signal_target_namespace = remediation_target_namespace,
       remediation_target_from_signal = true
 WHERE remediation_target_kind IS NOT NULL;

-- GET /api/v1/remediation-history?fingerprint= (ConsecutiveFailures and backoff look-ups).
CREATE INDEX remediation_history_fingerprint_idx ON remediation_history (fingerprint, started_at DESC);
