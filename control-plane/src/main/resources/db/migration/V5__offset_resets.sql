-- A consumer group's offsets moved to a point in time (or to the start or end of its topics): a
-- provisioned resource like a topic, applied once by the provisioner, which records per queue where
-- the group now starts. Rows go with their instance.
CREATE TABLE offset_resets (
    reset_id            TEXT        PRIMARY KEY,
    instance_id         TEXT        NOT NULL REFERENCES instances (instance_id) ON DELETE CASCADE,
    group_name          TEXT        NOT NULL,
    topic               TEXT,
    target              TEXT        NOT NULL,
    reset_to            TIMESTAMPTZ,
    queues              JSONB       NOT NULL DEFAULT '[]',
    requested_by        TEXT        NOT NULL,
    status              TEXT        NOT NULL,
    conditions          JSONB       NOT NULL DEFAULT '[]',
    generation          BIGINT      NOT NULL,
    observed_generation BIGINT      NOT NULL DEFAULT 0,
    attempts            INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at     TIMESTAMPTZ NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX offset_resets_of_group ON offset_resets (instance_id, group_name, reset_id);
CREATE INDEX offset_resets_pending ON offset_resets (next_attempt_at) WHERE status IN ('CREATING', 'UPDATING', 'DELETING');
