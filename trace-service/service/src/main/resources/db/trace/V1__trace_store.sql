-- The trace store. Everything lives in schema "trace" with its own Flyway history table, so it can share
-- the control plane's database without touching its migrations.
--
-- Hot tables are partitioned by the day the trace service ingested the row (UTC), not by event time:
-- ingest only ever writes to today's partition, so a partition past the hot window is complete and can
-- be archived and dropped without racing late events. Each partition is exported to one S3 segment per
-- instance (archive_segments), then dropped.

-- One row per SEND event: the message as the producer sent it.
CREATE TABLE trace.messages (
    ingest_day         date        NOT NULL,
    instance_id        text        NOT NULL,
    event_id           text        NOT NULL,
    message_id         text        NOT NULL,
    sent_at            timestamptz NOT NULL,
    topic              text        NOT NULL,
    tag                text,
    keys               text[]      NOT NULL DEFAULT '{}',
    message_group      text,
    message_type       smallint,
    body_size          integer,
    born_at            timestamptz,
    deliver_at         timestamptz,
    producer_client_id text,
    transaction_id     text,
    account            text,
    properties         jsonb,
    -- duplicates of an event (redelivery of the trace topic) are absorbed here; a duplicate ingested on
    -- another day is absorbed by the queries, which merge events by event_id
    PRIMARY KEY (instance_id, event_id, ingest_day)
) PARTITION BY RANGE (ingest_day);
CREATE INDEX messages_by_id ON trace.messages (instance_id, message_id);
CREATE INDEX messages_by_topic ON trace.messages (instance_id, topic, sent_at DESC, message_id COLLATE "C");

-- One row per key of each message row (written with it, so it needs no key of its own).
CREATE TABLE trace.message_keys (
    ingest_day  date        NOT NULL,
    instance_id text        NOT NULL,
    key         text        NOT NULL,
    sent_at     timestamptz NOT NULL,
    message_id  text        NOT NULL
) PARTITION BY RANGE (ingest_day);
CREATE INDEX message_keys_by_key ON trace.message_keys (instance_id, key, sent_at DESC, message_id COLLATE "C");

-- Every other event (STORE, DELIVER, ACK, NACK, DLQ, COMMIT, ROLLBACK, CHECK_UNKNOWN): the hops.
CREATE TABLE trace.events (
    ingest_day         date        NOT NULL,
    instance_id        text        NOT NULL,
    event_id           text        NOT NULL,
    message_id         text        NOT NULL,
    type               smallint    NOT NULL,
    at                 timestamptz NOT NULL,
    topic              text,
    status             text,
    queue_id           integer,
    queue_offset       bigint,
    latency_micros     bigint,
    consumer_group     text,
    consumer_client_id text,
    delivery_attempt   integer,
    invisible_until    timestamptz,
    transaction_id     text,
    transaction_source text,
    dlq_source         text,
    account            text,
    PRIMARY KEY (instance_id, event_id, ingest_day)
) PARTITION BY RANGE (ingest_day);
CREATE INDEX events_by_message ON trace.events (instance_id, message_id);
-- dead letters of a group, newest first (type 6 = DLQ)
CREATE INDEX events_dead_letters ON trace.events (instance_id, consumer_group, at DESC, message_id COLLATE "C") WHERE type = 6;

-- Which groups consume which topics (learnt from deliveries): a lifecycle lists such a group as NOT_YET
-- for a message it has not received. Small, kept forever.
CREATE TABLE trace.topic_groups (
    instance_id    text NOT NULL,
    topic          text NOT NULL,
    consumer_group text NOT NULL,
    last_seen      date NOT NULL,
    PRIMARY KEY (instance_id, topic, consumer_group)
);

-- Where each RocketMQ queue the service reads (the trace topic, the %DLQ% topics) has been read up to.
-- Written in the same transaction as the events read from it: exactly the rows before next_offset are in.
CREATE TABLE trace.queue_offsets (
    cluster_id  text        NOT NULL,
    topic       text        NOT NULL,
    broker_name text        NOT NULL,
    queue_id    integer     NOT NULL,
    next_offset bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cluster_id, topic, broker_name, queue_id)
);

-- One S3 segment per instance and archived ingest day. PENDING: uploaded, its partition not dropped
-- yet (queries ignore it); ACTIVE: the partition is gone and queries read the segment. The switch and
-- the drop happen in one transaction.
CREATE TABLE trace.archive_segments (
    instance_id      text        NOT NULL,
    day              date        NOT NULL,
    state            text        NOT NULL CHECK (state IN ('PENDING', 'ACTIVE')),
    object_key       text        NOT NULL,
    size_bytes       bigint      NOT NULL,
    message_count    integer     NOT NULL,
    event_count      integer     NOT NULL,
    first_sent_at    timestamptz,
    last_sent_at     timestamptz,
    topics           text[]      NOT NULL,
    dead_letter_groups text[]    NOT NULL,
    directory_offset bigint      NOT NULL,
    directory_length integer     NOT NULL,
    -- Bloom filter over "m:<message id>" and "k:<key>"; stored uncompressed out of line so that a
    -- lookup reads only the bytes it tests (substring of an EXTERNAL value fetches just those chunks)
    bloom            bytea       NOT NULL,
    bloom_bits       bigint      NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instance_id, day)
);
ALTER TABLE trace.archive_segments ALTER COLUMN bloom SET STORAGE EXTERNAL;
