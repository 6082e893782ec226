-- Workflow catalog (workflow-schema.md): action types and versioned workflow entries.

CREATE TABLE workflow_action_types (
    action_type   text PRIMARY KEY,
    -- {what, whenToUse, whenNotToUse?, preconditions?} shown to the LLM in discovery step 1
    description   jsonb NOT NULL,
    -- true once registered explicitly; implicit registration by a workflow never overwrites it
    explicit      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE TABLE workflow_catalog (
    catalog_id        uuid PRIMARY KEY,
    -- registration order: breaks ties between equal versions
    seq               bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    workflow_id       text NOT NULL,
    version           text NOT NULL,
    action_type       text NOT NULL REFERENCES workflow_action_types (action_type),
    status            text NOT NULL CHECK (status IN ('active', 'disabled', 'deprecated', 'superseded', 'archived')),
    -- the highest active version of its workflow_id (kept up to date on every change of the id)
    is_latest         boolean NOT NULL DEFAULT false,
    -- the normalised entry (§1) and sha256 of its canonical JSON
    content           jsonb NOT NULL,
    content_hash      text NOT NULL,
    execution_engine  text NOT NULL,
    source            text,
    registered_by     text,
    registered_at     timestamptz NOT NULL,
    status_changed_at timestamptz NOT NULL,
    status_reason     text
);

-- (workflow_id, version) is unique among the rows that count; superseded rows are history.
CREATE UNIQUE INDEX workflow_catalog_id_version ON workflow_catalog (workflow_id, version) WHERE status <> 'superseded';
CREATE INDEX workflow_catalog_by_id ON workflow_catalog (workflow_id);
-- Discovery reads only the discoverable rows.
CREATE INDEX workflow_catalog_discoverable ON workflow_catalog (workflow_id) WHERE status = 'active' AND is_latest;

-- Bumped by every change of the catalog: a DataStorage replica keeps the discoverable entries in
-- memory and reloads them when the generation moved (one tiny query per discovery request).
CREATE TABLE workflow_catalog_state (
    id          int PRIMARY KEY CHECK (id = 1),
    generation  bigint NOT NULL
);
INSERT INTO workflow_catalog_state (id, generation) VALUES (1, 0);
