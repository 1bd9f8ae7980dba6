package io.gantry.trace.store;

import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventType;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
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
import java.util.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Bulk-loads trace events into today's partitions and advances the read positions of the queues they
 * came from, in one transaction: after a commit the events and the offsets agree, after a failure
 * neither moved (the caller reads the same messages again; duplicates are absorbed by event_id).
 *
 * <p>Events go through temporary staging tables filled with COPY, then {@code INSERT … ON CONFLICT DO
 * NOTHING}. One writer per connection; not thread-safe.
 *
 * <p>A poison event never fails its batch. An event outside the columns' limits ({@link StorableEvents})
 * is parked in {@code trace.parked_events} before the load; and when PostgreSQL still refuses a load for
 * a reason that is not the database being unavailable ({@link #unavailable}), the events are loaded again
 * in halves, each under a savepoint of the same transaction, down to the single event it refuses, which
 * is parked with PostgreSQL's message. The rest of the batch, the parked rows and the read positions
 * commit together, so the reader moves on and never reads the same offsets forever.
 */
public final class EventWriter {
    private static final Logger LOG = Logger.getLogger(EventWriter.class.getName());
    /** Larger events are parked without their bytes. */
    static final int MAX_PARKED_BYTES = 64 * 1024;

    /**
     * What a write did: rows new to the store, events that were already there, events without an
     * instance, message id, event id or type (dropped), and events set aside in {@code trace.parked_events}.
     */
    public record Result(int inserted, int duplicates, int rejected, int parked) {
        public Result(int inserted, int duplicates, int rejected) {
            this(inserted, duplicates, rejected, 0);
        }
    }

    /** An event that cannot be stored, and why. */
    private record Parked(TraceEvent event, String reason) {
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
        int rejected = 0;
        List<TraceEvent> usable = new ArrayList<>(events.size());
        List<Parked> parked = new ArrayList<>();
        for (TraceEvent e : events) {
            if (e.getInstanceId().isEmpty() || e.getMessageId().isEmpty() || e.getEventId().isEmpty()
                    || e.getType() == TraceEventType.TRACE_EVENT_TYPE_UNSPECIFIED || e.getType() == TraceEventType.UNRECOGNIZED) {
                rejected++;
                continue;
            }
            String problem = StorableEvents.problem(e);
            if (problem != null) {
                parked.add(new Parked(e, problem));
            } else {
                usable.add(e);
            }
        }
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            int before = parked.size();
            int inserted = usable.isEmpty() ? 0 : load(connection, usable, day, now, parked, true);
            int refused = parked.size() - before;
            park(connection, parked, positions);
            savePositions(connection, positions);
            connection.commit();
            if (!parked.isEmpty()) {
                LOG.warning(parked.size() + " trace event(s) parked in trace.parked_events, e.g. " + parked.get(0).reason()
                        + " (event " + StorableEvents.head(parked.get(0).event().getEventId(), 128) + ")");
            }
            return new Result(inserted, usable.size() - refused - inserted, rejected, parked.size());
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(connection, e);
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /**
     * Loads the events under a savepoint; when PostgreSQL refuses them for anything but unavailability,
     * loads each half the same way, and parks a single refused event. Answers the rows inserted.
     */
    private int load(Connection connection, List<TraceEvent> events, LocalDate day, Instant now, List<Parked> parked,
            boolean whole) throws SQLException {
        Savepoint savepoint = whole ? null : connection.setSavepoint();
        try {
            int inserted = insert(connection, events, day, now);
            if (savepoint != null) {
                // the next half must not load these staged rows again
                clearStaging(connection);
                connection.releaseSavepoint(savepoint);
            }
            return inserted;
        } catch (SQLException | RuntimeException e) {
            if (e instanceof SQLException sql && unavailable(sql, connection)) {
                throw sql;
            }
            if (savepoint != null) {
                connection.rollback(savepoint);
            } else {
                // the first attempt runs without a savepoint (the common case costs nothing): start over
                connection.rollback();
            }
            if (events.size() == 1) {
                parked.add(new Parked(events.get(0), "refused by PostgreSQL: " + describe(e)));
                return 0;
            }
            int half = events.size() / 2;
            return load(connection, events.subList(0, half), day, now, parked, false)
                    + load(connection, events.subList(half, events.size()), day, now, parked, false);
        }
    }

    private int insert(Connection connection, List<TraceEvent> events, LocalDate day, Instant now) throws SQLException {
        StringBuilder messages = new StringBuilder();
        StringBuilder hops = new StringBuilder();
        Map<List<String>, LocalDate> consumers = new HashMap<>();
        CopyText row = new CopyText();
        for (TraceEvent e : events) {
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
        return inserted;
    }

    private static void clearStaging(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("DELETE FROM stage_messages");
            st.execute("DELETE FROM stage_events");
        }
    }

    /**
     * A failure that says nothing about the events: the connection, the server's resources or its state
     * (SQLSTATE classes 08, 53, 57, 58, XX, 40 and 42, which is our own SQL or a missing grant). The reader
     * retries those with backoff; anything else is the data's fault.
     */
    static boolean unavailable(SQLException e, Connection connection) {
        String state = e.getSQLState();
        if (state == null || state.length() < 2) {
            return true;
        }
        String cls = state.substring(0, 2);
        if (switch (cls) {
            case "08", "53", "57", "58", "XX", "40", "42" -> true;
            default -> false;
        }) {
            return true;
        }
        try {
            return connection.isClosed();
        } catch (SQLException closed) {
            return true;
        }
    }

    private static String describe(Exception e) {
        String state = e instanceof SQLException sql && sql.getSQLState() != null ? sql.getSQLState() + " " : "";
        String message = String.valueOf(e.getMessage()).replace('\n', ' ');
        return state + (message.length() <= 500 ? message : message.substring(0, 500) + "…");
    }

    private static void park(Connection connection, List<Parked> parked, Collection<QueuePosition> positions) throws SQLException {
        if (parked.isEmpty()) {
            return;
        }
        String cluster = positions.isEmpty() ? null : positions.iterator().next().clusterId();
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO trace.parked_events (cluster_id, instance_id, message_id, event_type, reason, event, event_size) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (Parked p : parked) {
                TraceEvent e = p.event();
                int size = e.getSerializedSize();
                ps.setString(1, cluster);
                ps.setString(2, StorableEvents.head(e.getInstanceId(), 128));
                ps.setString(3, StorableEvents.head(e.getMessageId(), 128));
                ps.setShort(4, (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, e.getTypeValue())));
                ps.setString(5, StorableEvents.head(p.reason(), 1000));
                ps.setBytes(6, size <= MAX_PARKED_BYTES ? e.toByteArray() : null);
                ps.setInt(7, size);
                ps.addBatch();
            }
            ps.executeBatch();
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
