package io.gantry.trace;

import static io.gantry.trace.Events.consumer;
import static io.gantry.trace.Events.deliver;
import static io.gantry.trace.Events.send;
import static io.gantry.trace.Events.store;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventType;
import io.gantry.localstack.PostgresServer;
import io.gantry.localstack.S3ProxyServer;
import io.gantry.localstack.SharedComponents;
import io.gantry.trace.query.ArchiveLocation;
import io.gantry.trace.query.ConsumptionState;
import io.gantry.trace.query.DeadLetter;
import io.gantry.trace.query.GroupConsumption;
import io.gantry.trace.query.Hop;
import io.gantry.trace.query.HopType;
import io.gantry.trace.query.InvalidPageTokenException;
import io.gantry.trace.query.Lifecycle;
import io.gantry.trace.query.MessageRecord;
import io.gantry.trace.query.Page;
import io.gantry.trace.query.PageRequest;
import io.gantry.trace.query.RecordSource;
import io.gantry.trace.query.TraceQueries;
import io.gantry.trace.retention.ArchiveBucket;
import io.gantry.trace.retention.Retention;
import io.gantry.trace.store.EventWriter;
import io.gantry.trace.store.Partitions;
import io.gantry.trace.store.TraceSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The trace store against real PostgreSQL and a real S3 (s3proxy): what ingest writes, what queries
 * answer, and the move to the archive, with a clock the tests turn. Each test has a database of its own.
 */
class TraceStoreIT {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    private static S3ProxyServer s3;

    @BeforeAll
    static void startS3() {
        s3 = S3ProxyServer.start();
    }

    @AfterAll
    static void stopS3() {
        if (s3 != null) {
            s3.close();
        }
    }

    /** A migrated database, a writer and queries over it (with the archive). */
    private static final class Store implements AutoCloseable {
        final DataSource dataSource;
        final MutableClock clock = new MutableClock(T0);
        final EventWriter writer = new EventWriter(clock);
        final ArchiveLocation location;
        final ArchiveBucket archive;
        final TraceQueries queries;
        final Path workDir;

        Store() throws Exception {
            PostgresServer pg = SharedComponents.postgres();
            String db = "trace_store_it_" + DATABASES.incrementAndGet() + "_" + ProcessHandle.current().pid();
            pg.createDatabase(db);
            dataSource = pg.dataSource(db);
            TraceSchema.migrate(dataSource);
            location = new ArchiveLocation(s3.endpoint(), s3.accessKey(), s3.secretKey(), db.replace('_', '-'), null);
            archive = new ArchiveBucket(location);
            archive.ensureExists();
            queries = TraceQueries.create(dataSource, location);
            workDir = Files.createTempDirectory("trace-store-it");
        }

        EventWriter.Result write(List<TraceEvent> events) throws SQLException {
            try (Connection c = dataSource.getConnection()) {
                return writer.write(c, events, List.of());
            }
        }

        Retention retention(Retention.StepListener steps) {
            return new Retention(dataSource, archive, clock, 3, workDir, steps);
        }

        long count(String sql) throws SQLException {
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }

        @Override
        public void close() {
            queries.close();
            archive.close();
        }
    }

    @Test
    void lifecycleListsEveryHopInOrderWithEachGroupsState() throws Exception {
        try (Store store = new Store()) {
            String i = "rmq-lifecycle0001";
            String m = "01AABBCCDDEEFF0000000001";
            List<TraceEvent> events = new ArrayList<>(List.of(
                    send(i, "orders", m, T0, "order-1", "customer-9"),
                    store(i, "orders", m, T0.plusMillis(2), 77),
                    deliver(i, "orders", m, T0.plusMillis(10), "billing", 1),
                    consumer(TraceEventType.ACK, i, "orders", m, T0.plusMillis(20), "billing"),
                    deliver(i, "orders", m, T0.plusMillis(15), "shipping", 1),
                    consumer(TraceEventType.NACK, i, "orders", m, T0.plusMillis(16), "shipping"),
                    deliver(i, "orders", m, T0.plusMillis(1016), "shipping", 2),
                    consumer(TraceEventType.NACK, i, "orders", m, T0.plusMillis(1017), "shipping"),
                    deliver(i, "orders", m, T0.plusMillis(2017), "shipping", 3),
                    consumer(TraceEventType.DLQ, i, "orders", m, T0.plusMillis(3000), "shipping"),
                    deliver(i, "orders", m, T0.plusMillis(11), "audit", 1),
                    consumer(TraceEventType.NACK, i, "orders", m, T0.plusMillis(12), "audit"),
                    deliver(i, "orders", m, T0.plusMillis(1012), "audit", 2),
                    // another message of the topic: the store learns that "analytics" consumes "orders"
                    deliver(i, "orders", "01AABBCCDDEEFF0000000002", T0, "analytics", 1)));
            Collections.shuffle(events, new Random(7));
            store.write(events.subList(0, 7));
            store.write(events.subList(7, events.size()));

            Lifecycle life = store.queries.lifecycle(i, m).orElseThrow();
            List<HopType> types = life.hops().stream().map(Hop::type).toList();
            assertEquals(List.of(HopType.SEND, HopType.STORE, HopType.DELIVER, HopType.DELIVER, HopType.NACK, HopType.DELIVER,
                    HopType.NACK, HopType.ACK, HopType.DELIVER, HopType.DELIVER, HopType.NACK, HopType.DELIVER, HopType.DLQ), types);
            assertNull(life.hops().get(0).sincePrevious());
            for (int k = 1; k < life.hops().size(); k++) {
                Hop prev = life.hops().get(k - 1);
                Hop hop = life.hops().get(k);
                assertEquals(Duration.between(prev.at(), hop.at()), hop.sincePrevious());
                assertEquals(RecordSource.HOT, hop.source());
            }
            assertEquals(Duration.ofMillis(2), life.hops().get(1).sincePrevious());
            assertEquals(Duration.ofNanos(1_500_000), life.hops().get(1).latency());

            Map<String, GroupConsumption> groups = life.groups().stream().collect(Collectors.toMap(GroupConsumption::group, Function.identity()));
            assertEquals(ConsumptionState.CONSUMED, groups.get("billing").state());
            assertEquals(T0.plusMillis(20), groups.get("billing").consumedAt());
            assertEquals(ConsumptionState.DEAD_LETTERED, groups.get("shipping").state());
            assertEquals(3, groups.get("shipping").deliveries());
            assertEquals("consumer-shipping", groups.get("shipping").lastConsumerClientId());
            assertEquals(ConsumptionState.RETRYING, groups.get("audit").state());
            assertEquals(ConsumptionState.NOT_YET, groups.get("analytics").state());
            assertEquals(0, groups.get("analytics").deliveries());

            MessageRecord r = life.message();
            assertEquals("orders", r.topic());
            assertEquals("tagA", r.tag());
            assertEquals(List.of("order-1", "customer-9"), r.keys());
            assertEquals(Map.of("color", "blue", "quote\"d", "tab\there"), r.properties());
            assertEquals("NORMAL", r.messageType());
            assertEquals("OK", r.storeStatus());
            assertEquals(77L, r.queueOffset());
            assertEquals(T0, r.sentAt());
            assertEquals(RecordSource.HOT, r.source());

            assertTrue(store.queries.lifecycle("rmq-someoneelse01", m).isEmpty(), "another instance sees nothing of it");
            assertTrue(store.queries.message("rmq-someoneelse01", m).isEmpty());
            assertEquals(List.of(), store.queries.byKey("rmq-someoneelse01", "order-1", PageRequest.first(10)).items());
        }
    }

    @Test
    void duplicateEventsDoNotDuplicateHops() throws Exception {
        try (Store store = new Store()) {
            String i = "rmq-duplicates001";
            String m = "01AABBCCDDEEFF0000000010";
            List<TraceEvent> batch = List.of(send(i, "t", m, T0, "k"), store(i, "t", m, T0.plusMillis(1), 1),
                    deliver(i, "t", m, T0.plusMillis(5), "g", 1), consumer(TraceEventType.DLQ, i, "t", m, T0.plusMillis(6), "g"));
            assertEquals(4, store.write(batch).inserted());
            EventWriter.Result again = store.write(batch);
            assertEquals(0, again.inserted());
            assertEquals(4, again.duplicates());
            // a redelivery of the trace topic after midnight lands in another day's partition
            store.clock.advance(Duration.ofDays(1));
            store.write(batch);
            List<TraceEvent> twiceInOneBatch = new ArrayList<>(batch);
            twiceInOneBatch.addAll(batch);
            store.write(twiceInOneBatch);

            assertEquals(4, store.queries.lifecycle(i, m).orElseThrow().hops().size());
            assertEquals(1, store.queries.byKey(i, "k", PageRequest.first(10)).items().size());
            assertEquals(1, store.queries.byTopic(i, "t", null, null, PageRequest.first(10)).items().size());
            assertEquals(1, store.queries.deadLetters(i, "g", PageRequest.first(10)).items().size());
        }
    }

    @Test
    void listsPageNewestFirstWithoutGapsOrRepeats() throws Exception {
        try (Store store = new Store()) {
            String i = "rmq-paging000001";
            List<TraceEvent> events = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (int n = 0; n < 25; n++) {
                String m = String.format("01PAGING%016d", n);
                Instant at = T0.plusSeconds(n / 2); // pairs share a timestamp: ties broken by message id
                events.add(send(i, n % 2 == 0 ? "even" : "odd", m, at, "order-7"));
                expected.add(m);
                if (n < 12) {
                    events.add(consumer(TraceEventType.DLQ, i, "even", m, at.plusMillis(500), "g1"));
                }
            }
            store.write(events);
            expected.sort((a, b) -> {
                int byTime = Integer.compare(Integer.parseInt(b.substring(8)) / 2, Integer.parseInt(a.substring(8)) / 2);
                return byTime != 0 ? byTime : a.compareTo(b);
            });

            List<String> seen = collect(t -> store.queries.byKey(i, "order-7", PageRequest.after(10, t)), MessageRecord::messageId);
            assertEquals(expected, seen);

            Instant from = T0.plusSeconds(2);
            Instant to = T0.plusSeconds(8);
            List<String> window = collect(t -> store.queries.byTopic(i, "even", from, to, PageRequest.after(2, t)), MessageRecord::messageId);
            List<String> expectedWindow = expected.stream().filter(m -> Integer.parseInt(m.substring(8)) % 2 == 0)
                    .filter(m -> Integer.parseInt(m.substring(8)) / 2 >= 2 && Integer.parseInt(m.substring(8)) / 2 < 8).toList();
            assertEquals(expectedWindow, window);

            List<String> dead = collect(t -> store.queries.deadLetters(i, "g1", PageRequest.after(5, t)), DeadLetter::messageId);
            assertEquals(12, dead.size());
            assertEquals(12, dead.stream().distinct().count());

            String token = store.queries.byKey(i, "order-7", PageRequest.first(5)).nextPageToken();
            assertNotNull(token);
            assertThrows(InvalidPageTokenException.class, () -> store.queries.byTopic(i, "even", null, null, PageRequest.after(5, token)));
            assertThrows(InvalidPageTokenException.class, () -> store.queries.byKey(i, "order-8", PageRequest.after(5, token)));
            assertThrows(InvalidPageTokenException.class, () -> store.queries.byKey(i, "order-7", PageRequest.after(5, "garbage!")));
        }
    }

    @Test
    void daysPastTheHotWindowMoveToS3AndAreStillFound() throws Exception {
        try (Store store = new Store()) {
            String a = "rmq-archivea0001";
            String b = "rmq-archiveb0001";
            Instant old = T0.minus(Duration.ofDays(5));
            store.clock.set(old);
            List<TraceEvent> events = new ArrayList<>();
            for (int n = 0; n < 300; n++) {
                String m = archived(n);
                events.add(send(a, "orders", m, old.plusMillis(n), "key-" + (n % 10)));
                events.add(store(a, "orders", m, old.plusMillis(n + 1), n));
            }
            events.add(send(b, "orders", "01ARCHIVEB000000000000001", old, "key-1"));
            String spanning = "01SPANNING000000000000007";
            events.add(send(a, "orders", spanning, old.plusSeconds(1), "spanning"));
            events.add(consumer(TraceEventType.DLQ, a, "orders", archived(3), old.plusSeconds(2), "g"));
            store.write(events);
            // the rest of one message's life is ingested the next day
            store.clock.advance(Duration.ofDays(1));
            store.write(List.of(deliver(a, "orders", spanning, old.plus(Duration.ofDays(1)), "g", 1),
                    consumer(TraceEventType.ACK, a, "orders", spanning, old.plus(Duration.ofDays(1)).plusMillis(3), "g")));
            // and a message within the window
            store.clock.set(T0);
            store.write(List.of(send(a, "orders", "01ARCHIVEHOT0000000000001", T0, "key-1")));

            Retention.Outcome outcome = store.retention(Retention.StepListener.NONE).runOnce();
            LocalDate oldDay = LocalDate.ofInstant(old, ZoneOffset.UTC);
            assertEquals(List.of(oldDay, oldDay.plusDays(1)), outcome.archivedDays());
            assertEquals(3, outcome.segmentsWritten());
            try (Connection c = store.dataSource.getConnection()) {
                assertFalse(Partitions.days(c).contains(oldDay));
                assertTrue(Partitions.days(c).contains(LocalDate.ofInstant(T0, ZoneOffset.UTC)));
            }
            assertEquals(3, store.count("SELECT count(*) FROM trace.archive_segments WHERE state = 'ACTIVE'"));

            MessageRecord r = store.queries.message(a, archived(42)).orElseThrow();
            assertEquals(RecordSource.ARCHIVE, r.source());
            assertEquals(List.of("key-2"), r.keys());
            assertEquals(42L, r.queueOffset());
            assertEquals(Map.of("color", "blue", "quote\"d", "tab\there"), r.properties());
            assertTrue(store.queries.message(a, "01NOSUCHMESSAGE0000000000").isEmpty());
            assertTrue(store.queries.message(b, archived(42)).isEmpty(), "another instance's segment is not searched");

            Lifecycle life = store.queries.lifecycle(a, spanning).orElseThrow();
            assertEquals(List.of(HopType.SEND, HopType.DELIVER, HopType.ACK), life.hops().stream().map(Hop::type).toList());
            assertEquals(ConsumptionState.CONSUMED, life.groups().get(0).state());
            assertEquals(Duration.ofDays(1).minusSeconds(1), life.hops().get(1).sincePrevious());

            List<MessageRecord> byKey = collectRecords(t -> store.queries.byKey(a, "key-1", PageRequest.after(7, t)));
            assertEquals(31, byKey.size(), "30 archived and 1 hot");
            assertEquals(RecordSource.HOT, byKey.get(0).source());
            assertTrue(byKey.subList(1, 31).stream().allMatch(x -> x.source() == RecordSource.ARCHIVE));
            assertEquals(31, byKey.stream().map(MessageRecord::messageId).distinct().count());
            assertTrue(byKey.stream().allMatch(x -> x.keys().contains("key-1")));

            List<MessageRecord> byTopic = collectRecords(t -> store.queries.byTopic(a, "orders", old, old.plusMillis(100), PageRequest.after(30, t)));
            assertEquals(100, byTopic.size());
            assertEquals(archived(99), byTopic.get(0).messageId());
            assertEquals(archived(0), byTopic.get(99).messageId());

            List<DeadLetter> dead = store.queries.deadLetters(a, "g", PageRequest.first(10)).items();
            assertEquals(1, dead.size());
            assertEquals(RecordSource.ARCHIVE, dead.get(0).source());
            assertEquals(List.of("key-3"), dead.get(0).keys());
        }
    }

    @Test
    void aCrashBetweenArchiveStepsIsRepairedByTheNextPass() throws Exception {
        try (Store store = new Store()) {
            String a = "rmq-crashaaaa001";
            String b = "rmq-crashbbbb001";
            Instant old = T0.minus(Duration.ofDays(4));
            store.clock.set(old);
            store.write(List.of(send(a, "t", "01CRASHA00000000000000001", old, "k"), send(b, "t", "01CRASHB00000000000000001", old, "k")));
            store.clock.set(T0);
            class Crash extends RuntimeException {
            }
            // 1: dies right after the first upload: an object without a catalog row
            assertThrows(Crash.class, () -> store.retention((step, instance, day) -> {
                if (step == Retention.Step.UPLOADED) {
                    throw new Crash();
                }
            }).runOnce());
            assertEquals(0, store.count("SELECT count(*) FROM trace.archive_segments"));
            assertEquals(RecordSource.HOT, store.queries.message(a, "01CRASHA00000000000000001").orElseThrow().source());

            // 2: dies after both catalog rows, before the switch: PENDING rows, partitions still there
            AtomicInteger cataloged = new AtomicInteger();
            assertThrows(Crash.class, () -> store.retention((step, instance, day) -> {
                if (step == Retention.Step.CATALOGED && cataloged.incrementAndGet() == 2) {
                    throw new Crash();
                }
            }).runOnce());
            assertEquals(2, store.count("SELECT count(*) FROM trace.archive_segments WHERE state = 'PENDING'"));
            List<MessageRecord> meanwhile = store.queries.byKey(a, "k", PageRequest.first(10)).items();
            assertEquals(1, meanwhile.size());
            assertEquals(RecordSource.HOT, meanwhile.get(0).source(), "PENDING segments are not read");

            // 3: the next pass finishes
            Retention.Outcome outcome = store.retention(Retention.StepListener.NONE).runOnce();
            assertEquals(0, outcome.segmentsWritten(), "nothing uploaded twice once cataloged");
            assertEquals(2, store.count("SELECT count(*) FROM trace.archive_segments WHERE state = 'ACTIVE'"));
            try (Connection c = store.dataSource.getConnection()) {
                assertFalse(Partitions.days(c).contains(LocalDate.ofInstant(old, ZoneOffset.UTC)));
            }
            for (String[] im : new String[][] {{a, "01CRASHA00000000000000001"}, {b, "01CRASHB00000000000000001"}}) {
                List<MessageRecord> found = store.queries.byKey(im[0], "k", PageRequest.first(10)).items();
                assertEquals(1, found.size());
                assertEquals(im[1], found.get(0).messageId());
                assertEquals(RecordSource.ARCHIVE, found.get(0).source());
                assertEquals(1, store.queries.lifecycle(im[0], im[1]).orElseThrow().hops().size());
            }
        }
    }

    private static String archived(int n) {
        return String.format("01ARCHIVE%015d", n);
    }

    private static <T> List<String> collect(Function<String, Page<T>> page, Function<T, String> id) {
        List<String> all = new ArrayList<>();
        String token = null;
        do {
            Page<T> p = page.apply(token);
            p.items().forEach(x -> all.add(id.apply(x)));
            token = p.nextPageToken();
        } while (token != null && all.size() < 10_000);
        return all;
    }

    private static List<MessageRecord> collectRecords(Function<String, Page<MessageRecord>> page) {
        List<MessageRecord> all = new ArrayList<>();
        String token = null;
        do {
            Page<MessageRecord> p = page.apply(token);
            all.addAll(p.items());
            token = p.nextPageToken();
        } while (token != null && all.size() < 10_000);
        return all;
    }
}
