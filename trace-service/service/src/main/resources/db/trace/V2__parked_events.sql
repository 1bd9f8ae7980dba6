-- Trace events the store cannot hold (an id too long for its index, a time past 9999-12-31, anything
-- PostgreSQL refuses for that event alone). They are set aside here in the transaction that stores the
-- rest of their batch and advances the read positions, so one poison event never stops ingest. Counted in
-- gantry_trace_events_parked_total; the operator reads them here (README, "Parked events").
CREATE TABLE trace.parked_events (
    id          bigserial   PRIMARY KEY,
    parked_at   timestamptz NOT NULL DEFAULT now(),
    cluster_id  text,
    -- the first 128 characters only: these columns are for reading, the event itself is in "event"
    instance_id text        NOT NULL,
    message_id  text        NOT NULL,
    event_type  smallint    NOT NULL,
    reason      text        NOT NULL,
    -- the TraceEvent as published (protobuf); NULL when it was over 64 KiB
    event       bytea,
    event_size  integer     NOT NULL
);
CREATE INDEX parked_events_by_time ON trace.parked_events (parked_at);
