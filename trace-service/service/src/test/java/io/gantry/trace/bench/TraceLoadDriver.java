package io.gantry.trace.bench;

import io.gantry.api.config.v1.Cluster;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.api.trace.v1.MessageType;
import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventBatch;
import io.gantry.api.trace.v1.TraceEventType;
import io.gantry.localstack.PostgresServer;
import io.gantry.localstack.RocketMqCluster;
import io.gantry.localstack.S3ProxyServer;
import io.gantry.localstack.SharedComponents;
import io.gantry.trace.TraceService;
import io.gantry.trace.TraceServiceConfig;
import io.gantry.trace.ingest.ClusterReader;
import io.gantry.trace.query.ArchiveLocation;
import io.gantry.trace.query.PageRequest;
import io.gantry.trace.query.TraceQueries;
import io.gantry.trace.retention.ArchiveBucket;
import io.gantry.trace.retention.Retention;
import io.gantry.trace.store.EventWriter;
import io.gantry.trace.store.TraceSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * Not a test: the numbers of the README. (1) bulk-load rate of {@link EventWriter} into PostgreSQL;
 * (2) the whole ingest path, trace topic → PostgreSQL, from a backlog published beforehand; (3) lookup
 * latency by id, lifecycle and key with the store loaded; (4) the same after those days moved to S3.
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat target/test.cp) io.gantry.trace.bench.TraceLoadDriver [messages] [topicEvents] [lookups]
 * </pre>
 */
public final class TraceLoadDriver {
    private static final String INSTANCE = "rmq-loaddriver001";

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int topicEvents = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int lookups = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        PostgresServer pg = SharedComponents.postgres();
        String db = "trace_bench_" + ProcessHandle.current().pid();
        pg.createDatabase(db);
        DataSource ds = reusingOneConnection(pg.dataSource(db));
        TraceSchema.migrate(ds);
        Random random = new Random(1);

        // (1) EventWriter straight into PostgreSQL, 5 events per message, batches of 5000
        Instant old = Instant.now().minus(Duration.ofDays(5));
        Clock oldClock = Clock.fixed(old, ZoneOffset.UTC);
        EventWriter writer = new EventWriter(oldClock);
        long events = 0;
        long start = System.nanoTime();
        try (Connection c = ds.getConnection()) {
            List<TraceEvent> batch = new ArrayList<>();
            for (int m = 0; m < messages; m++) {
                lifeOf(m, old.plusMillis(m), batch::add);
                if (batch.size() >= 5000) {
                    writer.write(c, batch, List.of());
                    events += batch.size();
                    batch.clear();
                }
            }
            writer.write(c, batch, List.of());
            events += batch.size();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("(1) EventWriter: %,d events (%,d messages) in %.1f s = %,.0f events/s%n", events, messages, seconds, events / seconds);
        System.out.printf("    database size %s%n", query(ds, "SELECT pg_size_pretty(pg_database_size(current_database()))"));

        // (3) lookups on the hot store
        try (TraceQueries queries = TraceQueries.create(ds, null)) {
            latency("(3) hot message by id", lookups, () -> queries.message(INSTANCE, id(random.nextInt(messages))).orElseThrow());
            latency("(3) hot lifecycle", lookups, () -> queries.lifecycle(INSTANCE, id(random.nextInt(messages))).orElseThrow());
            latency("(3) hot byKey (page 20)", lookups, () -> queries.byKey(INSTANCE, "key-" + random.nextInt(messages / 10), PageRequest.first(20)));
        }

        // (4) the same days archived to S3
        try (S3ProxyServer s3 = S3ProxyServer.start()) {
            ArchiveLocation location = new ArchiveLocation(s3.endpoint(), s3.accessKey(), s3.secretKey(), "trace-bench", null);
            try (ArchiveBucket store = new ArchiveBucket(location)) {
                store.ensureExists();
                Path work = Files.createTempDirectory("trace-bench");
                start = System.nanoTime();
                Retention.Outcome outcome = new Retention(pg.dataSource(db), store, Clock.systemUTC(), 3, work, Retention.StepListener.NONE).runOnce();
                seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("(4) archived %s in %.1f s (%,.0f events/s); segments %s bytes%n", outcome.archivedDays(), seconds,
                        events / seconds, query(ds, "SELECT sum(size_bytes) FROM trace.archive_segments"));
            }
            try (TraceQueries queries = TraceQueries.create(ds, location)) {
                latency("(4) archived message by id", lookups, () -> queries.message(INSTANCE, id(random.nextInt(messages))).orElseThrow());
                latency("(4) archived lifecycle", lookups, () -> queries.lifecycle(INSTANCE, id(random.nextInt(messages))).orElseThrow());
                latency("(4) archived byKey (page 20)", lookups, () -> queries.byKey(INSTANCE, "key-" + random.nextInt(messages / 10), PageRequest.first(20)));
            }
        }

        // (2) the whole path: a backlog on the trace topic, then a trace service that catches up
        if (topicEvents > 0) {
            RocketMqCluster mq = SharedComponents.rocketMq();
            AclClientRPCHook hook = new AclClientRPCHook(new SessionCredentials(mq.adminAccessKey(), mq.adminSecretKey()));
            DefaultMQAdminExt admin = new DefaultMQAdminExt(hook);
            admin.setNamesrvAddr(mq.nameServerAddress());
            admin.start();
            admin.createAndUpdateTopicConfig(mq.brokerAddress(), new TopicConfig(ClusterReader.TRACE_TOPIC, 4, 4));
            admin.shutdown();
            DefaultMQProducer producer = new DefaultMQProducer("GANTRY_TRACE_BENCH", hook);
            producer.setNamesrvAddr(mq.nameServerAddress());
            producer.start();
            List<TraceEvent> batch = new ArrayList<>();
            int published = 0;
            Instant now = Instant.now();
            for (int m = 0; published < topicEvents; m++) {
                lifeOf(messages + m, now.plusMillis(m), batch::add);
                if (batch.size() >= 100) {
                    producer.send(new Message(ClusterReader.TRACE_TOPIC, TraceEventBatch.newBuilder().addAllEvents(batch).build().toByteArray()));
                    published += batch.size();
                    batch.clear();
                }
            }
            producer.shutdown();
            String db2 = db + "_topic";
            pg.createDatabase(db2);
            TraceServiceConfig config = new TraceServiceConfig(pg.jdbcUrl(db2), pg.user(), pg.password(), null, null, "", "bench",
                    null, 3, Duration.ofHours(1), "127.0.0.1", -1, Path.of(System.getProperty("java.io.tmpdir")));
            start = System.nanoTime();
            try (TraceService service = TraceService.start(config)) {
                service.apply(ConfigSnapshot.newBuilder().setVersion(1).addClusters(Cluster.newBuilder().setClusterId("bench")
                        .setNameServerAddress(mq.nameServerAddress()).setAccessKey(mq.adminAccessKey()).setSecretKey(mq.adminSecretKey())).build());
                IngestWait: while (true) {
                    long stored = service.metrics().cluster("bench").eventsStored.sum();
                    if (stored >= published) {
                        break IngestWait;
                    }
                    Thread.sleep(200);
                }
                seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("(2) trace topic -> PostgreSQL: %,d events (batches of 100) caught up in %.1f s = %,.0f events/s%n",
                        published, seconds, published / seconds);
            }
        }
        System.exit(0);
    }

    /** SEND, STORE, DELIVER, ACK, and for every tenth message a NACK and a second DELIVER. */
    private static void lifeOf(int m, Instant t, Consumer<TraceEvent> out) {
        String id = id(m);
        String base = "bench:" + m + ":";
        out.accept(TraceEvent.newBuilder().setEventId(base + 1).setType(TraceEventType.SEND).setTimestampMillis(t.toEpochMilli())
                .setInstanceId(INSTANCE).setTopic("topic-" + (m % 20)).setMessageId(id).setTag("tag").addKeys("key-" + (m / 10))
                .setMessageType(MessageType.NORMAL).setBodySize(1024).setBornTimestampMillis(t.toEpochMilli())
                .setProducerClientId("producer@host").putProperties("trace", "on").build());
        out.accept(TraceEvent.newBuilder().setEventId(base + 2).setType(TraceEventType.STORE).setTimestampMillis(t.toEpochMilli() + 2)
                .setInstanceId(INSTANCE).setTopic("topic-" + (m % 20)).setMessageId(id).setStatus("OK").setQueueId(m % 8).setQueueOffset(m).build());
        out.accept(deliver(m, t.plusMillis(10), base + 3, 1));
        if (m % 10 == 0) {
            out.accept(TraceEvent.newBuilder().setEventId(base + 5).setType(TraceEventType.NACK).setTimestampMillis(t.toEpochMilli() + 11)
                    .setInstanceId(INSTANCE).setTopic("topic-" + (m % 20)).setMessageId(id).setConsumerGroup("group-a").build());
            out.accept(deliver(m, t.plusMillis(1011), base + 6, 2));
        }
        out.accept(TraceEvent.newBuilder().setEventId(base + 4).setType(TraceEventType.ACK).setTimestampMillis(t.toEpochMilli() + 2000)
                .setInstanceId(INSTANCE).setTopic("topic-" + (m % 20)).setMessageId(id).setConsumerGroup("group-a").build());
    }

    private static TraceEvent deliver(int m, Instant t, String eventId, int attempt) {
        return TraceEvent.newBuilder().setEventId(eventId).setType(TraceEventType.DELIVER).setTimestampMillis(t.toEpochMilli())
                .setInstanceId(INSTANCE).setTopic("topic-" + (m % 20)).setMessageId(id(m)).setConsumerGroup("group-a")
                .setConsumerClientId("consumer@host").setDeliveryAttempt(attempt).build();
    }

    static String id(int m) {
        return String.format("01B0C0D0E0F0%012X", m * 2654435761L & 0xFFFFFFFFFFFFL);
    }

    private static void latency(String what, int n, Runnable call) {
        for (int i = 0; i < Math.min(100, n); i++) {
            call.run();
        }
        long[] micros = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            call.run();
            micros[i] = (System.nanoTime() - t) / 1000;
        }
        Arrays.sort(micros);
        System.out.printf("%s: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d calls)%n", what, micros[n / 2] / 1000.0,
                micros[(int) (n * 0.99)] / 1000.0, micros[n - 1] / 1000.0, n);
    }

    /** Like a pool of one: the control plane queries through a pool, so connecting is not part of a lookup. */
    private static DataSource reusingOneConnection(DataSource target) throws Exception {
        Connection real = target.getConnection();
        Connection shared = (Connection) java.lang.reflect.Proxy.newProxyInstance(TraceLoadDriver.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return (DataSource) java.lang.reflect.Proxy.newProxyInstance(TraceLoadDriver.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        return shared;
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static String query(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
