package io.gantry.trace;

import static io.gantry.trace.Events.consumer;
import static io.gantry.trace.Events.deliver;
import static io.gantry.trace.Events.send;
import static io.gantry.trace.Events.store;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.api.config.v1.Cluster;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.api.config.v1.ConsumerGroup;
import io.gantry.api.config.v1.Instance;
import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventBatch;
import io.gantry.api.trace.v1.TraceEventType;
import io.gantry.localstack.PostgresServer;
import io.gantry.localstack.RocketMqCluster;
import io.gantry.localstack.SharedComponents;
import io.gantry.trace.ingest.ClusterReader;
import io.gantry.trace.query.ConsumptionState;
import io.gantry.trace.query.DeadLetter;
import io.gantry.trace.query.GroupConsumption;
import io.gantry.trace.query.Hop;
import io.gantry.trace.query.HopType;
import io.gantry.trace.query.Lifecycle;
import io.gantry.trace.query.PageRequest;
import io.gantry.trace.query.TraceQueries;
import io.gantry.trace.retention.Retention;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.rebalance.AllocateMessageQueueAveragely;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ingest from a real RocketMQ cluster: TraceEventBatch messages published to the trace topic with
 * Gantry's admin credentials (as a gateway does), and a real dead letter moved to %DLQ% by the broker.
 */
class TraceIngestIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static RocketMqCluster mq;
    private static DefaultMQAdminExt admin;
    private static DefaultMQProducer producer;

    @BeforeAll
    static void cluster() throws Exception {
        mq = SharedComponents.rocketMq();
        admin = new DefaultMQAdminExt(hook());
        admin.setNamesrvAddr(mq.nameServerAddress());
        admin.setInstanceName("trace-ingest-it-admin");
        admin.start();
        admin.createAndUpdateTopicConfig(mq.brokerAddress(), new TopicConfig(ClusterReader.TRACE_TOPIC, 4, 4));
        producer = new DefaultMQProducer("GANTRY_TRACE_IT_PRODUCER", hook());
        producer.setNamesrvAddr(mq.nameServerAddress());
        producer.setInstanceName("trace-ingest-it-producer");
        producer.start();
    }

    @AfterAll
    static void close() {
        if (producer != null) {
            producer.shutdown();
        }
        if (admin != null) {
            admin.shutdown();
        }
    }

    private static AclClientRPCHook hook() {
        return new AclClientRPCHook(new SessionCredentials(mq.adminAccessKey(), mq.adminSecretKey()));
    }

    private static String newDatabase() {
        PostgresServer pg = SharedComponents.postgres();
        String db = "trace_ingest_it_" + DATABASES.incrementAndGet() + "_" + ProcessHandle.current().pid();
        pg.createDatabase(db);
        return db;
    }

    private static TraceService startService(String db) throws Exception {
        PostgresServer pg = SharedComponents.postgres();
        TraceServiceConfig config = new TraceServiceConfig(pg.jdbcUrl(db), pg.user(), pg.password(), null, null, "", "trace-it",
                null, 3, Duration.ofHours(1), "127.0.0.1", 0, Path.of(System.getProperty("java.io.tmpdir")));
        return TraceService.start(config, Clock.systemUTC(),
                new ClusterReader.Settings(5000, Duration.ofMillis(50), Duration.ofMillis(300), Duration.ofSeconds(2)),
                Retention.StepListener.NONE);
    }

    private static ConfigSnapshot snapshot(String instanceId, String... groups) {
        Instance.Builder instance = Instance.newBuilder().setInstanceId(instanceId).setNamespace(instanceId).setClusterId("c1");
        for (String g : groups) {
            instance.addConsumerGroups(ConsumerGroup.newBuilder().setName(g).setMaxRetryTimes(1));
        }
        return ConfigSnapshot.newBuilder().setVersion(1)
                .addClusters(Cluster.newBuilder().setClusterId("c1").setNameServerAddress(mq.nameServerAddress())
                        .setProxyEndpoint(mq.proxyGrpcEndpoint()).setAccessKey(mq.adminAccessKey()).setSecretKey(mq.adminSecretKey()))
                .addInstances(instance).build();
    }

    private static SendResult publish(List<TraceEvent> events) throws Exception {
        Message m = new Message(ClusterReader.TRACE_TOPIC,
                TraceEventBatch.newBuilder().setGatewayId("gw-it").addAllEvents(events).build().toByteArray());
        SendResult r = producer.send(m);
        assertEquals(SendStatus.SEND_OK, r.getSendStatus());
        return r;
    }

    /** True once the service's saved read position of {@code sent}'s queue lies beyond it. */
    private static boolean committedPast(DataSource ds, SendResult sent) {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT next_offset FROM trace.queue_offsets"
                     + " WHERE topic = ? AND broker_name = ? AND queue_id = ?")) {
            ps.setString(1, ClusterReader.TRACE_TOPIC);
            ps.setString(2, sent.getMessageQueue().getBrokerName());
            ps.setInt(3, sent.getMessageQueue().getQueueId());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) > sent.getQueueOffset();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T await(String what, Supplier<Optional<T>> probe) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + DEADLINE.toSeconds() + " s: " + what);
            }
            Thread.sleep(100);
        }
    }

    private static List<TraceEvent> life(String instance, String messageId, Instant t) {
        return List.of(send(instance, "orders", messageId, t, "k-" + messageId), store(instance, "orders", messageId, t.plusMillis(3), 1),
                deliver(instance, "orders", messageId, t.plusMillis(9), "g", 1),
                consumer(TraceEventType.ACK, instance, "orders", messageId, t.plusMillis(12), "g"));
    }

    @Test
    void eventsPublishedToTheTraceTopicBecomeLifecyclesOnceEach() throws Exception {
        String db = newDatabase();
        String instance = "rmq-ingest0000001";
        try (TraceService service = startService(db);
             TraceQueries queries = TraceQueries.create(service.dataSource(), null)) {
            service.apply(snapshot(instance));
            Instant t = Instant.now();
            List<TraceEvent> batch = life(instance, "01INGEST000000000000000001", t);
            publish(batch);
            Lifecycle life = await("4 hops", () -> queries.lifecycle(instance, "01INGEST000000000000000001").filter(l -> l.hops().size() == 4));
            assertEquals(List.of(HopType.SEND, HopType.STORE, HopType.DELIVER, HopType.ACK), life.hops().stream().map(Hop::type).toList());

            // the same batch again (a gateway's retry), then a marker
            SendResult copy = publish(batch);
            publish(life(instance, "01INGEST000000000000000002", t.plusSeconds(1)));
            await("marker", () -> queries.lifecycle(instance, "01INGEST000000000000000002").filter(l -> l.hops().size() == 4));
            // the copy and the marker may sit in different queues, so the marker says nothing about the copy:
            // wait until the reader has committed its read position past the copy
            await("the reader past the copy at " + copy.getMessageQueue() + " offset " + copy.getQueueOffset(),
                    () -> Optional.of(copy).filter(c -> committedPast(service.dataSource(), c)));
            assertEquals(4, queries.lifecycle(instance, "01INGEST000000000000000001").orElseThrow().hops().size());
            assertEquals(1, queries.byKey(instance, "k-01INGEST000000000000000001", PageRequest.first(10)).items().size());
            assertTrue(service.metrics().cluster("c1").eventsDuplicate.sum() >= 4, "the retried batch's events counted as duplicates");
        }
    }

    @Test
    void nothingPublishedWhileTheServiceIsDownIsLost() throws Exception {
        String db = newDatabase();
        String instance = "rmq-outage0000001";
        List<String> ids = new ArrayList<>();
        try (TraceService service = startService(db)) {
            service.apply(snapshot(instance));
            publish(life(instance, "01OUTAGE000000000000000000", Instant.now()));
            try (TraceQueries queries = TraceQueries.create(service.dataSource(), null)) {
                await("first message", () -> queries.lifecycle(instance, "01OUTAGE000000000000000000").filter(l -> l.hops().size() == 4));
            }
        }
        // the service is down: the gateways keep publishing
        Instant t = Instant.now();
        for (int n = 1; n <= 40; n++) {
            String id = String.format("01OUTAGE%018d", n);
            ids.add(id);
            publish(life(instance, id, t.plusMillis(n)));
        }
        try (TraceService service = startService(db);
             TraceQueries queries = TraceQueries.create(service.dataSource(), null)) {
            service.apply(snapshot(instance));
            for (String id : ids) {
                Lifecycle life = await("lifecycle of " + id, () -> queries.lifecycle(instance, id).filter(l -> l.hops().size() == 4));
                assertEquals(ConsumptionState.CONSUMED, life.groups().get(0).state());
            }
            assertEquals(41, queries.byTopic(instance, "orders", null, null, PageRequest.first(100)).items().size());
        }
    }

    @Test
    void aMessageTheBrokerDeadLettersIsMarked() throws Exception {
        String db = newDatabase();
        String instance = "rmq-deadletter001";
        String topic = instance + "%orders";
        String group = instance + "%payments";
        admin.createAndUpdateTopicConfig(mq.brokerAddress(), new TopicConfig(topic, 1, 1));
        SubscriptionGroupConfig groupConfig = new SubscriptionGroupConfig();
        groupConfig.setGroupName(group);
        groupConfig.setRetryMaxTimes(1);
        admin.createAndUpdateSubscriptionGroupConfig(mq.brokerAddress(), groupConfig);

        SendResult sent = producer.send(new Message(topic, "TagA", "failing-order", "poison".getBytes()));
        assertEquals(SendStatus.SEND_OK, sent.getSendStatus());
        String messageId = sent.getMsgId();

        AtomicInteger attempts = new AtomicInteger();
        DefaultMQPushConsumer failing = new DefaultMQPushConsumer(group, hook(), new AllocateMessageQueueAveragely());
        failing.setNamesrvAddr(mq.nameServerAddress());
        failing.setInstanceName("trace-ingest-it-failing");
        failing.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        failing.subscribe(topic, "*");
        failing.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            attempts.incrementAndGet();
            context.setDelayLevelWhenNextConsume(-1); // give up at once: the broker moves it to %DLQ%
            return ConsumeConcurrentlyStatus.RECONSUME_LATER;
        });
        failing.start();
        try (TraceService service = startService(db);
             TraceQueries queries = TraceQueries.create(service.dataSource(), null)) {
            service.apply(snapshot(instance, "payments"));
            // the gateway saw the send; the dead letter it never sees
            publish(List.of(send(instance, "orders", messageId, Instant.now(), "failing-order")));
            DeadLetter dead = await("dead letter", () -> queries.deadLetters(instance, "payments", PageRequest.first(10)).items()
                    .stream().filter(d -> d.messageId().equals(messageId)).findFirst());
            assertEquals("BROKER", dead.dlqSource());
            assertEquals("orders", dead.topic());
            assertEquals(List.of("failing-order"), dead.keys());
            Lifecycle life = await("DLQ hop", () -> queries.lifecycle(instance, messageId).filter(l -> l.hops().size() == 2));
            assertEquals(List.of(HopType.SEND, HopType.DLQ), life.hops().stream().map(Hop::type).toList());
            GroupConsumption payments = life.groups().stream().filter(g -> g.group().equals("payments")).findFirst().orElseThrow();
            assertEquals(ConsumptionState.DEAD_LETTERED, payments.state());
            assertTrue(attempts.get() >= 1);
            assertTrue(service.metrics().cluster("c1").deadLettersFound.sum() >= 1);
        } finally {
            failing.shutdown();
        }
    }
}
