-- The audit trail: one row per event, in one total order (`sequence`, gap-free, assigned by the
-- writer while it holds the chain lock), hash-chained: event_hash = sha256 over previous_event_hash
-- and the canonical serialisation of the row (src/datastorage/audit/hash-chain.ts).
CREATE TABLE audit_events (
  sequence            bigint      PRIMARY KEY,
  event_id            uuid        NOT NULL UNIQUE,
  event_timestamp     timestamptz NOT NULL,
  event_type          text        NOT NULL,
  event_category      text        NOT NULL,
  event_action        text        NOT NULL,
  event_outcome       text        NOT NULL,
  correlation_id      text        NOT NULL,
  actor_type          text        NOT NULL,
  actor_id            text        NOT NULL,
  resource_type       text,
  resource_name       text,
  namespace           text,
  event_data          jsonb       NOT NULL,
  received_at         timestamptz NOT NULL,
  previous_event_hash char(64)    NOT NULL,
  event_hash          char(64)    NOT NULL
);

-- Filters of GET /api/v1/audit/events; each ends with sequence so pages come straight from the index.
CREATE INDEX audit_events_correlation_idx ON audit_events (correlation_id, sequence);
CREATE INDEX audit_events_type_idx ON audit_events (event_type, sequence);
CREATE INDEX audit_events_category_idx ON audit_events (event_category, sequence);
CREATE INDEX audit_events_timestamp_idx ON audit_events (event_timestamp);
