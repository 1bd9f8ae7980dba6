package io.gantry.trace.retention;

import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.trace.archive.BloomFilter;
import io.gantry.trace.archive.DeadLetterEntry;
import io.gantry.trace.archive.SegmentWriter;
import io.gantry.trace.schema.EventRows;
import io.gantry.trace.store.Partitions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Moves ingest days past the hot window out of PostgreSQL. Per day, in this order, each step idempotent:
 * <ol>
 *   <li>for every instance with rows that day and no catalog row yet: write its segment and upload it
 *       (overwriting a half-done upload of an earlier attempt), then insert its catalog row as PENDING;</li>
 *   <li>in one transaction: mark the day's rows ACTIVE and drop the day's partitions.</li>
 * </ol>
 * A crash anywhere leaves either an object without a catalog row (re-uploaded next pass), PENDING rows
 * with their partitions (the next pass skips their upload and finishes the switch), or a finished day.
 * Queries read the partitions until the switch and the segments after it, never both, never neither.
 *
 * <p>Without an archive store, days past the window are dropped (the trace is then only kept hot).
 * Also creates today's and tomorrow's partitions, so that ingest rarely needs DDL.
 */
public final class Retention {
    private static final Logger LOG = Logger.getLogger(Retention.class.getName());

    /** Seam for crash tests: called after each step; throwing there stops the pass as a crash would. */
    public interface StepListener {
        StepListener NONE = (step, instanceId, day) -> { };

        void after(Step step, String instanceId, LocalDate day);
    }

    public enum Step {
        UPLOADED, CATALOGED, SWITCHED
    }

    /** What a pass did. */
    public record Outcome(List<LocalDate> archivedDays, int segmentsWritten) {
    }

    private final DataSource dataSource;
    private final ArchiveBucket store;
    private final Clock clock;
    private final int hotDays;
    private final Path workDir;
    private final StepListener steps;

    /**
     * @param store   null: no archive, days past the window are dropped
     * @param hotDays ingest days kept in PostgreSQL besides today
     * @param workDir where segment files are assembled before upload
     */
    public Retention(DataSource dataSource, ArchiveBucket store, Clock clock, int hotDays, Path workDir, StepListener steps) {
        if (hotDays < 0) {
            throw new IllegalArgumentException("hot days must be >= 0");
        }
        this.dataSource = dataSource;
        this.store = store;
        this.clock = clock;
        this.hotDays = hotDays;
        this.workDir = workDir;
        this.steps = steps;
    }

    public Outcome runOnce() throws SQLException, IOException {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate firstHot = today.minusDays(hotDays);
        List<LocalDate> archived = new ArrayList<>();
        int segments = 0;
        TreeSet<LocalDate> days;
        try (Connection c = dataSource.getConnection()) {
            Partitions.ensure(c, today);
            Partitions.ensure(c, today.plusDays(1));
            days = Partitions.days(c);
        }
        for (LocalDate day : days.headSet(firstHot, false)) {
            segments += archiveDay(day);
            archived.add(day);
        }
        return new Outcome(archived, segments);
    }

    private int archiveDay(LocalDate day) throws SQLException, IOException {
        int written = 0;
        if (store != null) {
            Set<String> instances;
            Set<String> cataloged = new LinkedHashSet<>();
            try (Connection c = dataSource.getConnection()) {
                instances = instancesOf(c, day);
                try (PreparedStatement ps = c.prepareStatement("SELECT instance_id FROM trace.archive_segments WHERE day = ?")) {
                    ps.setObject(1, day);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            cataloged.add(rs.getString(1));
                        }
                    }
                }
            }
            for (String instance : instances) {
                if (!cataloged.contains(instance)) {
                    exportSegment(instance, day);
                    written++;
                }
            }
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (store != null) {
                    Set<String> instances = instancesOf(c, day);
                    try (PreparedStatement ps = c.prepareStatement(
                            "UPDATE trace.archive_segments SET state = 'ACTIVE' WHERE day = ? AND state = 'PENDING' RETURNING instance_id")) {
                        ps.setObject(1, day);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                instances.remove(rs.getString(1));
                            }
                        }
                    }
                    instances.removeAll(activeInstances(c, day));
                    if (!instances.isEmpty()) {
                        throw new IllegalStateException("ingest day " + day + " still has rows of " + instances + " without a segment");
                    }
                } else {
                    LOG.info("no archive configured: dropping trace of ingest day " + day);
                }
                Partitions.drop(c, day);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        steps.after(Step.SWITCHED, null, day);
        LOG.info("archived trace of ingest day " + day + " (" + written + " new segments)");
        return written;
    }

    private void exportSegment(String instance, LocalDate day) throws SQLException, IOException {
        String objectKey = objectKey(instance, day);
        Path file = Files.createTempFile(workDir, "segment", ".seg");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            String messages = "trace." + Partitions.partitionName("messages", day);
            String keys = "trace." + Partitions.partitionName("message_keys", day);
            String events = "trace." + Partitions.partitionName("events", day);
            long keyCount = count(c, "SELECT count(DISTINCT key) FROM " + keys + " WHERE instance_id = ?", instance);
            long idCount = count(c, "SELECT count(*) FROM (SELECT message_id FROM " + messages + " WHERE instance_id = ? "
                    + "UNION SELECT message_id FROM " + events + " WHERE instance_id = ?) ids", instance, instance);
            BloomFilter bloom = new BloomFilter(keyCount + idCount);
            Set<String> topics = new LinkedHashSet<>();
            Set<String> groups = new LinkedHashSet<>();
            Instant firstSent = null;
            Instant lastSent = null;
            SegmentWriter.Written written;
            try (SegmentWriter writer = new SegmentWriter(file)) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT * FROM (SELECT " + EventRows.MESSAGE_COLUMNS + " FROM " + messages + " m WHERE m.instance_id = ? "
                                + "UNION ALL SELECT " + EventRows.EVENT_COLUMNS + " FROM " + events + " e WHERE e.instance_id = ?) u "
                                + "ORDER BY message_id COLLATE \"C\", at, type, event_id")) {
                    ps.setFetchSize(2000);
                    ps.setString(1, instance);
                    ps.setString(2, instance);
                    try (ResultSet rs = ps.executeQuery()) {
                        String current = null;
                        List<TraceEvent> group = new ArrayList<>();
                        while (rs.next()) {
                            TraceEvent e = EventRows.read(rs);
                            if (!e.getMessageId().equals(current)) {
                                if (current != null) {
                                    writer.addMessage(current, group);
                                }
                                current = e.getMessageId();
                                group = new ArrayList<>();
                                bloom.add(BloomFilter.messageEntry(current));
                            }
                            group.add(e);
                        }
                        if (current != null) {
                            writer.addMessage(current, group);
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT key, sent_at, message_id FROM " + keys
                        + " WHERE instance_id = ? ORDER BY key COLLATE \"C\", sent_at DESC, message_id COLLATE \"C\"")) {
                    ps.setFetchSize(5000);
                    ps.setString(1, instance);
                    try (ResultSet rs = ps.executeQuery()) {
                        String last = null;
                        while (rs.next()) {
                            String key = rs.getString(1);
                            writer.addKey(key, instant(rs, 2), rs.getString(3));
                            if (!key.equals(last)) {
                                bloom.add(BloomFilter.keyEntry(key));
                                last = key;
                            }
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT topic, sent_at, message_id FROM " + messages
                        + " WHERE instance_id = ? ORDER BY topic COLLATE \"C\", sent_at DESC, message_id COLLATE \"C\"")) {
                    ps.setFetchSize(5000);
                    ps.setString(1, instance);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Instant sent = instant(rs, 2);
                            writer.addTopic(rs.getString(1), sent, rs.getString(3));
                            topics.add(rs.getString(1));
                            firstSent = firstSent == null || sent.isBefore(firstSent) ? sent : firstSent;
                            lastSent = lastSent == null || sent.isAfter(lastSent) ? sent : lastSent;
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT e.consumer_group, e.at, e.message_id, e.topic, e.dlq_source, "
                                + "greatest(e.delivery_attempt, (SELECT max(d.delivery_attempt) FROM trace.events d WHERE d.instance_id = e.instance_id "
                                + "  AND d.message_id = e.message_id AND d.consumer_group = e.consumer_group AND d.type = 3)) AS attempts, "
                                + "m.tag, m.keys FROM " + events + " e LEFT JOIN LATERAL (SELECT tag, keys FROM trace.messages s "
                                + "  WHERE s.instance_id = e.instance_id AND s.message_id = e.message_id ORDER BY s.sent_at DESC LIMIT 1) m ON true "
                                + "WHERE e.instance_id = ? AND e.type = 6 AND e.consumer_group IS NOT NULL "
                                + "ORDER BY e.consumer_group COLLATE \"C\", e.at DESC, e.message_id COLLATE \"C\"")) {
                    ps.setFetchSize(2000);
                    ps.setString(1, instance);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Array keyArray = rs.getArray(8);
                            List<String> messageKeys = new ArrayList<>();
                            if (keyArray != null) {
                                for (Object k : (Object[]) keyArray.getArray()) {
                                    messageKeys.add((String) k);
                                }
                            }
                            writer.addDeadLetter(rs.getString(1), instant(rs, 2), rs.getString(3), new DeadLetterEntry(
                                    rs.getString(4), rs.getString(5), rs.getInt(6), rs.getString(7), messageKeys));
                            groups.add(rs.getString(1));
                        }
                    }
                }
                written = writer.finish();
            }
            c.commit();
            store.put(objectKey, file);
            steps.after(Step.UPLOADED, instance, day);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO trace.archive_segments (instance_id, day, state, object_key, size_bytes, message_count, event_count, "
                            + "first_sent_at, last_sent_at, topics, dead_letter_groups, directory_offset, directory_length, bloom, bloom_bits) "
                            + "VALUES (?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (instance_id, day) DO NOTHING")) {
                c.setReadOnly(false);
                ps.setString(1, instance);
                ps.setObject(2, day);
                ps.setString(3, objectKey);
                ps.setLong(4, written.sizeBytes());
                ps.setInt(5, written.messages());
                ps.setInt(6, written.events());
                ps.setObject(7, firstSent == null ? null : OffsetDateTime.ofInstant(firstSent, ZoneOffset.UTC));
                ps.setObject(8, lastSent == null ? null : OffsetDateTime.ofInstant(lastSent, ZoneOffset.UTC));
                ps.setArray(9, c.createArrayOf("text", topics.toArray()));
                ps.setArray(10, c.createArrayOf("text", groups.toArray()));
                ps.setLong(11, written.directoryOffset());
                ps.setInt(12, written.directoryLength());
                ps.setBytes(13, bloom.bytes());
                ps.setLong(14, bloom.bitCount());
                ps.executeUpdate();
                c.commit();
            }
            steps.after(Step.CATALOGED, instance, day);
            LOG.fine("segment " + objectKey + ": " + written);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Where an instance's segment of an ingest day lives in the bucket. */
    public static String objectKey(String instanceId, LocalDate day) {
        return "segments/" + instanceId + "/" + day + ".seg";
    }

    private static Set<String> instancesOf(Connection c, LocalDate day) throws SQLException {
        Set<String> instances = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT instance_id FROM trace." + Partitions.partitionName("messages", day)
                        + " UNION SELECT instance_id FROM trace." + Partitions.partitionName("events", day))) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    instances.add(rs.getString(1));
                }
            }
        }
        return instances;
    }

    private static Set<String> activeInstances(Connection c, LocalDate day) throws SQLException {
        Set<String> instances = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT instance_id FROM trace.archive_segments WHERE day = ? AND state = 'ACTIVE'")) {
            ps.setObject(1, day);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    instances.add(rs.getString(1));
                }
            }
        }
        return instances;
    }

    private static long count(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}
