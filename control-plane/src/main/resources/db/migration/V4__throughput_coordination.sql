-- What each gateway replica reported it was asked to admit, per limit (docs/adr/0002). Short-lived
-- rows: a replica's demand counts while reported_at is recent; an unlogged table, because losing it
-- in a crash only costs one report period.
CREATE UNLOGGED TABLE gateway_demand (
    gateway_id     TEXT             NOT NULL,
    instance_id    TEXT             NOT NULL,
    kind           TEXT             NOT NULL,
    name           TEXT             NOT NULL,
    demand_per_sec DOUBLE PRECISION NOT NULL,
    reported_at    TIMESTAMPTZ      NOT NULL,
    PRIMARY KEY (instance_id, kind, name, gateway_id)
);
CREATE INDEX gateway_demand_gateway ON gateway_demand (gateway_id);

-- Requests the gateways answered TOO_MANY_REQUESTS, per instance and limit (kind INSTANCE_SEND,
-- INSTANCE_RECEIVE, TOPIC_SEND, GROUP_RECEIVE; name is the topic or group, '' for instance limits).
CREATE TABLE throttle_counters (
    instance_id        TEXT        NOT NULL,
    kind               TEXT        NOT NULL,
    name               TEXT        NOT NULL,
    throttled_requests BIGINT      NOT NULL,
    last_throttled_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (instance_id, kind, name)
);
