package io.gantry.trace.query.internal;

import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.trace.archive.ArchiveStore;
import io.gantry.trace.archive.BloomFilter;
import io.gantry.trace.archive.DeadLetterEntry;
import io.gantry.trace.archive.SegmentFormat;
import io.gantry.trace.archive.SegmentReader;
import io.gantry.trace.archive.SegmentRef;
import io.gantry.trace.query.ArchiveLocation;
import io.gantry.trace.query.DeadLetter;
import io.gantry.trace.query.Lifecycle;
import io.gantry.trace.query.MessageRecord;
import io.gantry.trace.query.Page;
import io.gantry.trace.query.PageRequest;
import io.gantry.trace.query.RecordSource;
import io.gantry.trace.query.TraceQueries;
import io.gantry.trace.query.TraceStoreUnavailableException;
import io.gantry.trace.schema.EventRows;
import io.gantry.trace.schema.SchemaVersionCheck;
import java.io.UncheckedIOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * {@link TraceQueries} over the hot tables and the archive. The PostgreSQL part of every query (hot rows
 * and the archive catalog) runs in one REPEATABLE READ snapshot, so a day that moves to the archive
 * meanwhile is seen on exactly one side; segments are read after it (a segment never changes once
 * ACTIVE).
 */
public final class StoreQueries implements TraceQueries {
    private static final String HOT_EVENTS_OF_MESSAGE =
            "SELECT " + EventRows.MESSAGE_COLUMNS + " FROM trace.messages m WHERE m.instance_id = ? AND m.message_id = ? "
                    + "UNION ALL SELECT " + EventRows.EVENT_COLUMNS + " FROM trace.events e WHERE e.instance_id = ? AND e.message_id = ?";
    private static final String HOT_RECORDS =
            "SELECT " + EventRows.MESSAGE_COLUMNS + " FROM trace.messages m WHERE m.instance_id = ? AND m.message_id = ANY(?) "
                    + "UNION ALL SELECT " + EventRows.EVENT_COLUMNS + " FROM trace.events e WHERE e.instance_id = ? AND e.message_id = ANY(?) AND e.type = 2";
    private static final String SEGMENT_COLUMNS = "instance_id, day, object_key, directory_offset, directory_length, last_sent_at";

    private final DataSource dataSource;
    private final SchemaVersionCheck schema = new SchemaVersionCheck(SchemaVersionCheck.QUERIES_NEED);
    private final ArchiveStore archive;
    private final SegmentReader reader;

    public StoreQueries(DataSource dataSource, ArchiveLocation location) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.archive = location == null ? null : new ArchiveStore(location);
        this.reader = archive == null ? null : new SegmentReader(archive, 512);
    }

    /** A candidate segment, with the newest time any of its entries for the query can have. */
    private record Candidate(SegmentRef ref, Instant newest) {
    }

    /** One item of a list before its record is built. */
    private record Item(Instant at, String messageId, RecordSource source, SegmentRef segment, DeadLetterEntry deadLetter) {
    }

    @Override
    public Optional<MessageRecord> message(String instanceId, String messageId) {
        List<SourcedEvent> events = eventsOf(instanceId, messageId);
        return Optional.ofNullable(Assembly.record(instanceId, messageId, events, null));
    }

    @Override
    public Optional<Lifecycle> lifecycle(String instanceId, String messageId) {
        List<SourcedEvent> events = eventsOf(instanceId, messageId);
        if (events.isEmpty()) {
            return Optional.empty();
        }
        MessageRecord record = Assembly.record(instanceId, messageId, events, null);
        List<String> groups = record.topic() == null ? List.of() : snapshot(c -> topicGroups(c, instanceId, record.topic()));
        return Optional.of(Assembly.lifecycle(instanceId, messageId, events, groups));
    }

    @Override
    public Page<MessageRecord> byKey(String instanceId, String key, PageRequest page) {
        String fingerprint = Cursor.fingerprint("byKey", instanceId, key);
        Cursor cursor = Cursor.decode(page.token(), fingerprint);
        int limit = page.size() + 1;
        Map<String, List<SourcedEvent>> hotEvents = new HashMap<>();
        List<Candidate> candidates = new ArrayList<>();
        List<Item> hot = snapshot(c -> {
            List<Item> items = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT sent_at, message_id FROM trace.message_keys "
                    + "WHERE instance_id = ? AND key = ?" + cursorCondition(cursor, "sent_at", "message_id")
                    + " ORDER BY sent_at DESC, message_id COLLATE \"C\" LIMIT ?")) {
                int i = 1;
                ps.setString(i++, instanceId);
                ps.setString(i++, key);
                i = bindCursor(ps, i, cursor);
                ps.setInt(i, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(new Item(instant(rs, 1), rs.getString(2), RecordSource.HOT, null, null));
                    }
                }
            }
            hotEvents.putAll(hotRecords(c, instanceId, items));
            if (reader != null) {
                candidates.addAll(bloomCandidates(c, instanceId, BloomFilter.keyEntry(key), cursor));
            }
            return items;
        });
        List<Item> archived = scan(candidates, SegmentFormat.Table.KEYS, key,
                bounds(key, cursor, null, null), limit);
        return recordsPage(instanceId, merge(hot, archived, limit), page.size(), hotEvents, fingerprint);
    }

    @Override
    public Page<MessageRecord> byTopic(String instanceId, String topic, Instant from, Instant to, PageRequest page) {
        Instant fromMicros = from == null ? null : from.truncatedTo(ChronoUnit.MICROS);
        Instant toMicros = to == null ? null : to.truncatedTo(ChronoUnit.MICROS);
        String fingerprint = Cursor.fingerprint("byTopic", instanceId, topic, String.valueOf(fromMicros), String.valueOf(toMicros));
        Cursor cursor = Cursor.decode(page.token(), fingerprint);
        int limit = page.size() + 1;
        Map<String, List<SourcedEvent>> hotEvents = new HashMap<>();
        List<Candidate> candidates = new ArrayList<>();
        List<Item> hot = snapshot(c -> {
            List<Item> items = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT sent_at, message_id FROM trace.messages "
                    + "WHERE instance_id = ? AND topic = ?"
                    + (fromMicros == null ? "" : " AND sent_at >= ?") + (toMicros == null ? "" : " AND sent_at < ?")
                    + cursorCondition(cursor, "sent_at", "message_id")
                    + " ORDER BY sent_at DESC, message_id COLLATE \"C\" LIMIT ?")) {
                int i = 1;
                ps.setString(i++, instanceId);
                ps.setString(i++, topic);
                if (fromMicros != null) {
                    ps.setObject(i++, offset(fromMicros));
                }
                if (toMicros != null) {
                    ps.setObject(i++, offset(toMicros));
                }
                i = bindCursor(ps, i, cursor);
                ps.setInt(i, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(new Item(instant(rs, 1), rs.getString(2), RecordSource.HOT, null, null));
                    }
                }
            }
            hotEvents.putAll(hotRecords(c, instanceId, items));
            if (reader != null) {
                try (PreparedStatement ps = c.prepareStatement("SELECT " + SEGMENT_COLUMNS + " FROM trace.archive_segments "
                        + "WHERE instance_id = ? AND state = 'ACTIVE' AND topics @> ARRAY[?]::text[]"
                        + (fromMicros == null ? "" : " AND last_sent_at >= ?") + (toMicros == null ? "" : " AND first_sent_at < ?")
                        + (cursor == null ? "" : " AND first_sent_at <= ?")
                        + " ORDER BY last_sent_at DESC NULLS FIRST")) {
                    int i = 1;
                    ps.setString(i++, instanceId);
                    ps.setString(i++, topic);
                    if (fromMicros != null) {
                        ps.setObject(i++, offset(fromMicros));
                    }
                    if (toMicros != null) {
                        ps.setObject(i++, offset(toMicros));
                    }
                    if (cursor != null) {
                        ps.setObject(i, offset(cursor.at()));
                    }
                    candidates.addAll(candidates(ps, false));
                }
            }
            return items;
        });
        List<Item> archived = scan(candidates, SegmentFormat.Table.TOPICS, topic, bounds(topic, cursor, fromMicros, toMicros), limit);
        return recordsPage(instanceId, merge(hot, archived, limit), page.size(), hotEvents, fingerprint);
    }

    @Override
    public Page<DeadLetter> deadLetters(String instanceId, String group, PageRequest page) {
        String fingerprint = Cursor.fingerprint("deadLetters", instanceId, group);
        Cursor cursor = Cursor.decode(page.token(), fingerprint);
        int limit = page.size() + 1;
        List<Candidate> candidates = new ArrayList<>();
        List<Item> hot = snapshot(c -> {
            List<Item> items = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT e.at, e.message_id, e.topic, e.dlq_source, "
                            + "greatest(e.delivery_attempt, (SELECT max(d.delivery_attempt) FROM trace.events d WHERE d.instance_id = e.instance_id "
                            + "  AND d.message_id = e.message_id AND d.consumer_group = e.consumer_group AND d.type = 3)) AS attempts, "
                            + "m.tag, m.keys FROM trace.events e LEFT JOIN LATERAL (SELECT tag, keys FROM trace.messages s "
                            + "  WHERE s.instance_id = e.instance_id AND s.message_id = e.message_id ORDER BY s.sent_at DESC LIMIT 1) m ON true "
                            + "WHERE e.instance_id = ? AND e.consumer_group = ? AND e.type = 6"
                            + cursorCondition(cursor, "e.at", "e.message_id")
                            // one entry per message: its latest DLQ event for the group
                            + " AND NOT EXISTS (SELECT 1 FROM trace.events x WHERE x.instance_id = e.instance_id AND x.message_id = e.message_id"
                            + "  AND x.type = 6 AND x.consumer_group = e.consumer_group AND (x.at > e.at OR (x.at = e.at AND x.event_id > e.event_id)))"
                            + " ORDER BY e.at DESC, e.message_id COLLATE \"C\" LIMIT ?")) {
                int i = 1;
                ps.setString(i++, instanceId);
                ps.setString(i++, group);
                i = bindCursor(ps, i, cursor);
                ps.setInt(i, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(new Item(instant(rs, 1), rs.getString(2), RecordSource.HOT, null,
                                new DeadLetterEntry(rs.getString(3), rs.getString(4), rs.getInt(5), rs.getString(6), strings(rs.getArray(7)))));
                    }
                }
            }
            if (reader != null) {
                try (PreparedStatement ps = c.prepareStatement("SELECT " + SEGMENT_COLUMNS + " FROM trace.archive_segments "
                        + "WHERE instance_id = ? AND state = 'ACTIVE' AND dead_letter_groups @> ARRAY[?]::text[] ORDER BY day DESC")) {
                    ps.setString(1, instanceId);
                    ps.setString(2, group);
                    candidates.addAll(candidates(ps, true));
                }
            }
            return items;
        });
        List<Item> archived = scan(candidates, SegmentFormat.Table.DEAD_LETTERS, group, bounds(group, cursor, null, null), limit);
        List<Item> merged = merge(hot, archived, Integer.MAX_VALUE);
        List<DeadLetter> items = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Item last = null;
        boolean more = false;
        for (Item item : merged) {
            if (items.size() == page.size()) {
                more = true;
                break;
            }
            last = item;
            if (seen.add(item.messageId())) {
                DeadLetterEntry d = item.deadLetter();
                items.add(new DeadLetter(instanceId, group, item.messageId(), blank(d.topic()), item.at(), blank(d.dlqSource()),
                        d.deliveryAttempts() <= 0 ? null : d.deliveryAttempts(), blank(d.tag()), d.keys(), item.source()));
            }
        }
        return new Page<>(items, more && last != null ? new Cursor(last.at(), last.messageId()).encode(fingerprint) : null);
    }

    @Override
    public void close() {
        if (archive != null) {
            archive.close();
        }
    }

    // ------------------------------------------------------------------------------------------------

    private List<SourcedEvent> eventsOf(String instanceId, String messageId) {
        List<SourcedEvent> events = new ArrayList<>();
        List<Candidate> candidates = new ArrayList<>();
        snapshot(c -> {
            try (PreparedStatement ps = c.prepareStatement(HOT_EVENTS_OF_MESSAGE)) {
                ps.setString(1, instanceId);
                ps.setString(2, messageId);
                ps.setString(3, instanceId);
                ps.setString(4, messageId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        events.add(new SourcedEvent(EventRows.read(rs), RecordSource.HOT));
                    }
                }
            }
            if (reader != null) {
                candidates.addAll(bloomCandidates(c, instanceId, BloomFilter.messageEntry(messageId), null));
            }
            return null;
        });
        for (Candidate candidate : candidates) {
            List<TraceEvent> found = archived(() -> reader.events(candidate.ref(), List.of(messageId))).get(messageId);
            if (found != null) {
                found.forEach(e -> events.add(new SourcedEvent(e, RecordSource.ARCHIVE)));
            }
        }
        return Assembly.distinctInOrder(events);
    }

    private List<Candidate> bloomCandidates(Connection c, String instanceId, String entry, Cursor cursor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + SEGMENT_COLUMNS + " FROM trace.archive_segments "
                + "WHERE instance_id = ? AND state = 'ACTIVE' AND " + BloomFilter.sqlPredicate()
                + (cursor == null ? "" : " AND first_sent_at <= ?") + " ORDER BY last_sent_at DESC NULLS FIRST")) {
            int i = 1;
            ps.setString(i++, instanceId);
            for (long p : BloomFilter.sqlParameters(entry)) {
                ps.setLong(i++, p);
            }
            if (cursor != null) {
                ps.setObject(i, offset(cursor.at()));
            }
            return candidates(ps, false);
        }
    }

    /**
     * @param byDay the newest entry is bounded by the segment's day (dead letters, which are ingested
     *              shortly after they happen; a day of slack for clock skew), not by its last send
     */
    private static List<Candidate> candidates(PreparedStatement ps, boolean byDay) throws SQLException {
        List<Candidate> result = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                LocalDate day = rs.getObject(2, LocalDate.class);
                OffsetDateTime lastSent = rs.getObject(6, OffsetDateTime.class);
                Instant newest = byDay ? day.plusDays(2).atStartOfDay().toInstant(ZoneOffset.UTC)
                        : lastSent == null ? Instant.MAX : lastSent.toInstant();
                result.add(new Candidate(new SegmentRef(rs.getString(1), day, rs.getString(3), rs.getLong(4), rs.getInt(5)), newest));
            }
        }
        return result;
    }

    /** Key range [lower, upper) of a table for a prefix, after the cursor, within [from, to). */
    private static byte[][] bounds(String prefix, Cursor cursor, Instant from, Instant to) {
        byte[] lower = SegmentFormat.prefixStart(prefix);
        byte[] upper = SegmentFormat.prefixEnd(prefix);
        if (to != null) {
            lower = max(lower, SegmentFormat.atOrBefore(prefix, to.minus(Duration.ofNanos(1000))));
        }
        if (cursor != null) {
            byte[] at = SegmentFormat.composite(prefix, cursor.at(), cursor.messageId());
            lower = max(lower, java.util.Arrays.copyOf(at, at.length + 1));
        }
        if (from != null) {
            byte[] past = SegmentFormat.pastAtOrAfter(prefix, from);
            upper = SegmentFormat.compare(past, upper) < 0 ? past : upper;
        }
        return new byte[][] {lower, upper};
    }

    /** Up to {@code limit} items from the candidates, best first; stops once no later segment can rank. */
    private List<Item> scan(List<Candidate> candidates, SegmentFormat.Table table, String prefix, byte[][] bounds, int limit) {
        List<Item> items = new ArrayList<>();
        if (SegmentFormat.compare(bounds[0], bounds[1]) >= 0) {
            return items;
        }
        for (Candidate candidate : candidates) {
            if (items.size() >= limit && candidate.newest().isBefore(items.get(limit - 1).at())) {
                break;
            }
            for (SegmentReader.Entry e : archived(() -> reader.range(candidate.ref(), table, bounds[0], bounds[1], limit))) {
                SegmentFormat.Composite k = e.composite();
                items.add(new Item(k.at(), k.messageId(), RecordSource.ARCHIVE, candidate.ref(),
                        table == SegmentFormat.Table.DEAD_LETTERS ? e.deadLetter() : null));
            }
            items.sort((a, b) -> Cursor.compare(a.at(), a.messageId(), b.at(), b.messageId()));
            if (items.size() > limit) {
                items = new ArrayList<>(items.subList(0, limit));
            }
        }
        return items;
    }

    /** Both lists merged in list order, an item found on both sides once (the hot one), at most {@code limit}. */
    private static List<Item> merge(List<Item> hot, List<Item> archived, int limit) {
        Map<String, Item> unique = new LinkedHashMap<>();
        List<Item> all = new ArrayList<>(hot);
        all.addAll(archived);
        all.sort((a, b) -> Cursor.compare(a.at(), a.messageId(), b.at(), b.messageId()));
        for (Item item : all) {
            unique.putIfAbsent(item.at() + "|" + item.messageId(), item);
        }
        List<Item> merged = new ArrayList<>(unique.values());
        return merged.size() > limit ? merged.subList(0, limit) : merged;
    }

    private Page<MessageRecord> recordsPage(String instanceId, List<Item> merged, int size,
                                            Map<String, List<SourcedEvent>> hotEvents, String fingerprint) {
        List<Item> pageItems = merged.size() > size ? merged.subList(0, size) : merged;
        Map<SegmentRef, List<String>> archivedIds = new LinkedHashMap<>();
        for (Item item : pageItems) {
            if (item.source() == RecordSource.ARCHIVE) {
                archivedIds.computeIfAbsent(item.segment(), s -> new ArrayList<>()).add(item.messageId());
            }
        }
        Map<SegmentRef, Map<String, List<TraceEvent>>> archivedEvents = new HashMap<>();
        archivedIds.forEach((ref, ids) -> archivedEvents.put(ref, archived(() -> reader.events(ref, ids))));
        List<MessageRecord> records = new ArrayList<>();
        for (Item item : pageItems) {
            List<SourcedEvent> events;
            if (item.source() == RecordSource.HOT) {
                events = hotEvents.getOrDefault(item.messageId(), List.of());
            } else {
                events = new ArrayList<>();
                for (TraceEvent e : archivedEvents.get(item.segment()).getOrDefault(item.messageId(), List.of())) {
                    events.add(new SourcedEvent(e, RecordSource.ARCHIVE));
                }
            }
            MessageRecord r = Assembly.record(instanceId, item.messageId(), Assembly.distinctInOrder(events), item.at());
            if (r != null) {
                records.add(r);
            }
        }
        String next = merged.size() > size ? new Cursor(pageItems.get(size - 1).at(), pageItems.get(size - 1).messageId()).encode(fingerprint) : null;
        return new Page<>(records, next);
    }

    private static Map<String, List<SourcedEvent>> hotRecords(Connection c, String instanceId, List<Item> items) throws SQLException {
        Map<String, List<SourcedEvent>> byId = new HashMap<>();
        if (items.isEmpty()) {
            return byId;
        }
        Array ids = c.createArrayOf("text", items.stream().map(Item::messageId).distinct().toArray());
        try (PreparedStatement ps = c.prepareStatement(HOT_RECORDS)) {
            ps.setString(1, instanceId);
            ps.setArray(2, ids);
            ps.setString(3, instanceId);
            ps.setArray(4, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TraceEvent e = EventRows.read(rs);
                    byId.computeIfAbsent(e.getMessageId(), k -> new ArrayList<>()).add(new SourcedEvent(e, RecordSource.HOT));
                }
            }
        }
        return byId;
    }

    private static List<String> topicGroups(Connection c, String instanceId, String topic) throws SQLException {
        List<String> groups = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT consumer_group FROM trace.topic_groups WHERE instance_id = ? AND topic = ? ORDER BY consumer_group")) {
            ps.setString(1, instanceId);
            ps.setString(2, topic);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    groups.add(rs.getString(1));
                }
            }
        }
        return groups;
    }

    private static String cursorCondition(Cursor cursor, String timeColumn, String idColumn) {
        return cursor == null ? "" : " AND (" + timeColumn + " < ? OR (" + timeColumn + " = ? AND " + idColumn + " COLLATE \"C\" > ?))";
    }

    private static int bindCursor(PreparedStatement ps, int i, Cursor cursor) throws SQLException {
        if (cursor == null) {
            return i;
        }
        ps.setObject(i++, offset(cursor.at()));
        ps.setObject(i++, offset(cursor.at()));
        ps.setString(i++, cursor.messageId());
        return i;
    }

    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T snapshot(SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                // for this transaction only: nothing to restore on a pooled connection
                try (Statement st = c.createStatement()) {
                    st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                }
                schema.verify(c);
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new TraceStoreUnavailableException("the trace store could not answer: " + e.getMessage(), e);
        }
    }

    private static <T> T archived(java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (UncheckedIOException e) {
            throw new TraceStoreUnavailableException("the trace archive could not answer: " + e.getMessage(), e);
        }
    }

    private static byte[] max(byte[] a, byte[] b) {
        return SegmentFormat.compare(a, b) >= 0 ? a : b;
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static OffsetDateTime offset(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    private static List<String> strings(Array array) throws SQLException {
        List<String> values = new ArrayList<>();
        if (array != null) {
            for (Object o : (Object[]) array.getArray()) {
                values.add((String) o);
            }
        }
        return values;
    }

    private static String blank(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
