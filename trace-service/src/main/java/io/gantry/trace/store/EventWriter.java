package io.gantry.trace.store;

import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventType;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Bulk-loads trace events into today's partitions and advances the read positions of the queues they
 * came from, in one transaction: after a commit the events and the offsets agree, after a failure
 * neither moved (the caller reads the same messages again; duplicates are absorbed by event_id).
 *
 * <p>Events go through temporary staging tables filled with COPY, then {@code INSERT … ON CONFLICT DO
 * NOTHING}. One writer per connection; not thread-safe.
 */
public final class EventWriter {
    /** What a write did: rows new to the store, and events that were already there or unusable. */
    public record Result(int inserted, int duplicates, int rejected) {
    }

    private final Clock clock;
    private LocalDate ensuredDay;
    private Connection stagedOn;

    public EventWriter(Clock clock) {
        this.clock = clock;
    }

    public Result write(Connection connection, List<TraceEvent> events, Collection<QueuePosition> positions) throws SQLException {
        Instant now = clock.instant();
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (!day.equals(ensuredDay) || stagedOn != connection) {
            Partitions.ensure(connection, day);
            ensuredDay = day;
        }
        if (stagedOn != connection) {
            createStaging(connection);
            stagedOn = connection;
        }
        StringBuilder messages = new StringBuilder();
        StringBuilder hops = new StringBuilder();
        Map<List<String>, LocalDate> consumers = new HashMap<>();
        CopyText row = new CopyText();
        int rejected = 0;
        int usable = 0;
        for (TraceEvent e : events) {
            if (e.getInstanceId().isEmpty() || e.getMessageId().isEmpty() || e.getEventId().isEmpty()
                    || e.getType() == TraceEventType.TRACE_EVENT_TYPE_UNSPECIFIED || e.getType() == TraceEventType.UNRECOGNIZED) {
                rejected++;
                continue;
            }
            usable++;
            Instant at = e.getTimestampMillis() > 0 ? Instant.ofEpochMilli(e.getTimestampMillis()) : now;
            if (e.getType() == TraceEventType.SEND) {
                messages.append(row.text(day.toString()).text(e.getInstanceId()).text(e.getEventId()).text(e.getMessageId())
                        .time(at).text(e.getTopic()).optional(e.getTag()).array(distinct(e.getKeysList()))
                        .optional(e.getMessageGroup()).optionalNumber(e.getMessageTypeValue()).number(e.getBodySize())
                        .optionalMillis(e.getBornTimestampMillis()).optionalMillis(e.getDeliveryTimestampMillis())
                        .optional(e.getProducerClientId()).optional(e.getTransactionId()).optional(e.getAccount())
                        .json(e.getPropertiesMap()).end());
            } else {
                hops.append(row.text(day.toString()).text(e.getInstanceId()).text(e.getEventId()).text(e.getMessageId())
                        .number(e.getTypeValue()).time(at).optional(e.getTopic()).optional(e.getStatus())
                        .text(e.getType() == TraceEventType.STORE ? Integer.toString(e.getQueueId()) : null)
                        .text(e.getType() == TraceEventType.STORE ? Long.toString(e.getQueueOffset()) : null)
                        .optionalNumber(e.getLatencyMicros()).optional(e.getConsumerGroup()).optional(e.getConsumerClientId())
                        .optionalNumber(e.getDeliveryAttempt()).optionalMillis(e.getInvisibleUntilMillis())
                        .optional(e.getTransactionId()).optional(e.getTransactionSource()).optional(e.getDlqSource())
                        .optional(e.getAccount()).end());
                if ((e.getType() == TraceEventType.DELIVER || e.getType() == TraceEventType.DLQ)
                        && !e.getConsumerGroup().isEmpty() && !e.getTopic().isEmpty()) {
                    consumers.put(List.of(e.getInstanceId(), e.getTopic(), e.getConsumerGroup()), day);
                }
            }
        }
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            int inserted = 0;
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            try (Statement st = connection.createStatement()) {
                if (!messages.isEmpty()) {
                    copyIn(copy, "COPY stage_messages FROM STDIN", messages);
                    try (ResultSet rs = st.executeQuery(
                            "WITH ins AS (INSERT INTO trace.messages SELECT * FROM stage_messages ON CONFLICT DO NOTHING "
                                    + "RETURNING ingest_day, instance_id, keys, sent_at, message_id), "
                                    + "k AS (INSERT INTO trace.message_keys (ingest_day, instance_id, key, sent_at, message_id) "
                                    + "SELECT ingest_day, instance_id, key, sent_at, message_id FROM ins, unnest(keys) AS key) "
                                    + "SELECT count(*) FROM ins")) {
                        rs.next();
                        inserted += rs.getInt(1);
                    }
                }
                if (!hops.isEmpty()) {
                    copyIn(copy, "COPY stage_events FROM STDIN", hops);
                    inserted += st.executeUpdate("INSERT INTO trace.events SELECT * FROM stage_events ON CONFLICT DO NOTHING");
                }
            }
            if (!consumers.isEmpty()) {
                try (PreparedStatement ps = connection.prepareStatement(
                        "INSERT INTO trace.topic_groups (instance_id, topic, consumer_group, last_seen) VALUES (?, ?, ?, ?) "
                                + "ON CONFLICT (instance_id, topic, consumer_group) DO UPDATE SET last_seen = excluded.last_seen "
                                + "WHERE trace.topic_groups.last_seen < excluded.last_seen")) {
                    for (List<String> c : consumers.keySet()) {
                        ps.setString(1, CopyText.clean(c.get(0)));
                        ps.setString(2, CopyText.clean(c.get(1)));
                        ps.setString(3, CopyText.clean(c.get(2)));
                        ps.setObject(4, day);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            savePositions(connection, positions);
            connection.commit();
            return new Result(inserted, usable - inserted, rejected);
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(connection, e);
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Read positions saved for a cluster (queue → next offset). */
    public static Map<QueueKey, Long> positions(Connection connection, String clusterId) throws SQLException {
        Map<QueueKey, Long> result = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT topic, broker_name, queue_id, next_offset FROM trace.queue_offsets WHERE cluster_id = ?")) {
            ps.setString(1, clusterId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.put(new QueueKey(rs.getString(1), rs.getString(2), rs.getInt(3)), rs.getLong(4));
                }
            }
        }
        return result;
    }

    /** A queue of a topic on a broker. */
    public record QueueKey(String topic, String brokerName, int queueId) {
    }

    private static void savePositions(Connection connection, Collection<QueuePosition> positions) throws SQLException {
        if (positions.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO trace.queue_offsets (cluster_id, topic, broker_name, queue_id, next_offset, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, now()) ON CONFLICT (cluster_id, topic, broker_name, queue_id) "
                        + "DO UPDATE SET next_offset = excluded.next_offset, updated_at = now()")) {
            for (QueuePosition p : positions) {
                ps.setString(1, p.clusterId());
                ps.setString(2, p.topic());
                ps.setString(3, p.brokerName());
                ps.setInt(4, p.queueId());
                ps.setLong(5, p.nextOffset());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void copyIn(CopyManager copy, String sql, CharSequence rows) throws SQLException {
        try {
            copy.copyIn(sql, new StringReader(rows.toString()));
        } catch (java.io.IOException e) {
            // only a failing connection: the reader is in memory
            throw new SQLException("COPY failed: " + e.getMessage(), "08006", e);
        }
    }

    private static void createStaging(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(true);
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TEMP TABLE IF NOT EXISTS stage_messages (LIKE trace.messages) ON COMMIT DELETE ROWS");
            st.execute("CREATE TEMP TABLE IF NOT EXISTS stage_events (LIKE trace.events) ON COMMIT DELETE ROWS");
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private static List<String> distinct(List<String> keys) {
        Set<String> unique = new LinkedHashSet<>();
        for (String key : keys) {
            if (!key.isBlank()) {
                unique.add(key);
            }
        }
        return new ArrayList<>(unique);
    }

    private static void rollbackQuietly(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
