-- Physical RocketMQ clusters that instances are placed on; managed by platform operators.
CREATE TABLE clusters (
    cluster_id          TEXT PRIMARY KEY,
    region_id           TEXT        NOT NULL,
    name_server_address TEXT        NOT NULL,
    proxy_endpoint      TEXT        NOT NULL,
    admin_access_key    TEXT        NOT NULL,
    admin_secret_enc    TEXT        NOT NULL,
    capacity_tps        INTEGER     NOT NULL,
    capacity_topics     INTEGER     NOT NULL,
    state               TEXT        NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX clusters_region ON clusters (region_id, state);

-- A tenant's logical RocketMQ cluster.
CREATE TABLE instances (
    instance_id         TEXT PRIMARY KEY,
    tenant_id           TEXT        NOT NULL,
    name                TEXT        NOT NULL,
    region_id           TEXT        NOT NULL,
    edition             TEXT        NOT NULL,
    tps_spec            INTEGER     NOT NULL,
    retention_hours     INTEGER     NOT NULL,
    remark              TEXT,
    tags                JSONB       NOT NULL DEFAULT '{}',
    status              TEXT        NOT NULL,
    conditions          JSONB       NOT NULL DEFAULT '[]',
    generation          BIGINT      NOT NULL,
    observed_generation BIGINT      NOT NULL DEFAULT 0,
    attempts            INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at     TIMESTAMPTZ NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX instances_tenant ON instances (tenant_id, instance_id);
CREATE INDEX instances_pending ON instances (next_attempt_at) WHERE status IN ('CREATING', 'UPDATING', 'DELETING');

-- Where an instance's logical cluster lives: which physical cluster and which RocketMQ namespace.
-- Anything on a broker named "<namespace>%..." traces back to its instance and tenant through this row.
CREATE TABLE namespaces (
    namespace   TEXT PRIMARY KEY,
    instance_id TEXT        NOT NULL UNIQUE REFERENCES instances (instance_id),
    tenant_id   TEXT        NOT NULL,
    cluster_id  TEXT        NOT NULL REFERENCES clusters (cluster_id),
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX namespaces_cluster ON namespaces (cluster_id);

CREATE TABLE topics (
    instance_id         TEXT        NOT NULL REFERENCES instances (instance_id),
    name                TEXT        NOT NULL,
    message_type        TEXT        NOT NULL,
    queue_count         INTEGER     NOT NULL,
    remark              TEXT,
    status              TEXT        NOT NULL,
    conditions          JSONB       NOT NULL DEFAULT '[]',
    generation          BIGINT      NOT NULL,
    observed_generation BIGINT      NOT NULL DEFAULT 0,
    attempts            INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at     TIMESTAMPTZ NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (instance_id, name)
);
CREATE INDEX topics_pending ON topics (next_attempt_at) WHERE status IN ('CREATING', 'UPDATING', 'DELETING');

CREATE TABLE consumer_groups (
    instance_id             TEXT        NOT NULL REFERENCES instances (instance_id),
    name                    TEXT        NOT NULL,
    delivery_order          TEXT        NOT NULL,
    retry_policy            TEXT        NOT NULL,
    max_retries             INTEGER     NOT NULL,
    fixed_interval_seconds  INTEGER,
    remark                  TEXT,
    status                  TEXT        NOT NULL,
    conditions              JSONB       NOT NULL DEFAULT '[]',
    generation              BIGINT      NOT NULL,
    observed_generation     BIGINT      NOT NULL DEFAULT 0,
    attempts                INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at         TIMESTAMPTZ NOT NULL,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (instance_id, name)
);
CREATE INDEX consumer_groups_pending ON consumer_groups (next_attempt_at) WHERE status IN ('CREATING', 'UPDATING', 'DELETING');

-- Credentials the SDK signs requests with. The secret is kept (encrypted) because verifying
-- RocketMQ's HMAC signature needs it; it is shown to the tenant only when created or rotated.
CREATE TABLE accounts (
    instance_id TEXT        NOT NULL REFERENCES instances (instance_id),
    username    TEXT        NOT NULL,
    access_key  TEXT        NOT NULL UNIQUE,
    secret_enc  TEXT        NOT NULL,
    enabled     BOOLEAN     NOT NULL,
    remark      TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (instance_id, username)
);

CREATE TABLE operations (
    operation_id  TEXT PRIMARY KEY,
    tenant_id     TEXT        NOT NULL,
    instance_id   TEXT        NOT NULL,
    resource_type TEXT        NOT NULL,
    resource_name TEXT        NOT NULL,
    action        TEXT        NOT NULL,
    generation    BIGINT      NOT NULL,
    status        TEXT        NOT NULL,
    message       TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    done_at       TIMESTAMPTZ
);
CREATE INDEX operations_open ON operations (instance_id, resource_type, resource_name) WHERE status IN ('PENDING', 'RUNNING');

CREATE TABLE audit_events (
    event_id      BIGSERIAL PRIMARY KEY,
    occurred_at   TIMESTAMPTZ NOT NULL,
    actor         TEXT        NOT NULL,
    tenant_id     TEXT,
    action        TEXT        NOT NULL,
    resource_type TEXT        NOT NULL,
    resource_id   TEXT        NOT NULL,
    before_state  JSONB,
    after_state   JSONB
);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, event_id);
