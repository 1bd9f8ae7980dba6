package io.gantry.dataplane.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import apache.rocketmq.v2.AckMessageEntry;
import apache.rocketmq.v2.AckMessageRequest;
import apache.rocketmq.v2.AckMessageResponse;
import apache.rocketmq.v2.Address;
import apache.rocketmq.v2.AddressScheme;
import apache.rocketmq.v2.ChangeInvisibleDurationRequest;
import apache.rocketmq.v2.ChangeInvisibleDurationResponse;
import apache.rocketmq.v2.ClientType;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Encoding;
import apache.rocketmq.v2.Endpoints;
import apache.rocketmq.v2.FilterExpression;
import apache.rocketmq.v2.FilterType;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.MessageQueue;
import apache.rocketmq.v2.Permission;
import apache.rocketmq.v2.QueryRouteRequest;
import apache.rocketmq.v2.ReceiveMessageRequest;
import apache.rocketmq.v2.ReceiveMessageResponse;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.Settings;
import apache.rocketmq.v2.Subscription;
import apache.rocketmq.v2.SubscriptionEntry;
import apache.rocketmq.v2.SystemProperties;
import apache.rocketmq.v2.TelemetryCommand;
import apache.rocketmq.v2.UA;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventBatch;
import io.gantry.api.trace.v1.TraceEventType;
import io.gantry.dataplane.Gateway;
import io.gantry.dataplane.GatewayConfig;
import io.gantry.dataplane.support.Snapshots;
import io.gantry.dataplane.support.TestClient;
import io.gantry.isolation.naming.InstanceIds;
import io.gantry.isolation.naming.Namespaces;
import io.gantry.localstack.RocketMqCluster;
import io.gantry.localstack.SharedComponents;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Trace capture end to end: a gateway with tracing on in front of a real RocketMQ, a client made of
 * grpc-java stubs, and the trace topic read back from the broker with RocketMQ's own (remoting) consumer.
 */
class TraceCaptureIT {
    static final String NS = InstanceIds.newId();
    static final String AK = "ak-" + NS;
    static final String SK = "sk-" + UUID.randomUUID();
    static final String TOPIC = "orders";
    static final String GROUP = "workers";

    static RocketMqCluster rocketMq;
    static DefaultMQAdminExt admin;
    static Gateway gateway;

    @BeforeAll
    static void startAll() throws Exception {
        rocketMq = SharedComponents.rocketMq();
        admin = new DefaultMQAdminExt(new AclClientRPCHook(
                new SessionCredentials(rocketMq.adminAccessKey(), rocketMq.adminSecretKey())), 5000);
        admin.setNamesrvAddr(rocketMq.nameServerAddress());
        admin.setInstanceName("trace-it-" + System.nanoTime());
        admin.start();
        TopicConfig topic = new TopicConfig(Namespaces.wrap(NS, TOPIC), 2, 2);
        topic.setAttributes(Map.of("+message.type", "NORMAL"));
        admin.createAndUpdateTopicConfig(rocketMq.brokerAddress(), topic);
        SubscriptionGroupConfig group = new SubscriptionGroupConfig();
        group.setGroupName(Namespaces.wrap(NS, GROUP));
        group.setRetryMaxTimes(3);
        admin.createAndUpdateSubscriptionGroupConfig(rocketMq.brokerAddress(), group);

        gateway = Gateway.start(GatewayConfig.forTests().withTrace(TraceSettings.DEFAULTS));
        ConfigSnapshot snapshot = Snapshots.snapshot(1,
                Snapshots.cluster("local", rocketMq.proxyGrpcEndpoint(), rocketMq.adminAccessKey(), rocketMq.adminSecretKey()),
                Snapshots.instance(NS, "local").addTopics(Snapshots.topic(TOPIC)).addConsumerGroups(Snapshots.group(GROUP))
                        .addAccounts(Snapshots.account("app", AK, SK, true)).build());
        assertTrue(gateway.apply(snapshot));
    }

    @AfterAll
    static void stopAll() {
        if (gateway != null) {
            gateway.close();
        }
        if (admin != null) {
            try {
                createTraceTopic();
            } catch (Exception e) {
                System.err.println("could not restore the trace topic: " + e);
            }
            admin.shutdown();
        }
    }

    /** What the control plane does when a cluster is registered. */
    static void createTraceTopic() throws Exception {
        TopicConfig trace = new TopicConfig(TraceTopicSender.TOPIC, 8, 8);
        trace.setAttributes(Map.of("+message.type", "NORMAL"));
        admin.createAndUpdateTopicConfig(rocketMq.brokerAddress(), trace);
    }

    @Test
    void aMessagesSendStoreDeliverAckAndNackReachTheTraceTopicWithTheTenantsNames() throws Exception {
        createTraceTopic();
        List<StreamObserver<TelemetryCommand>> streams = new ArrayList<>();
        try (TestClient producer = TestClient.tls(gateway.tlsPort(), AK, SK);
             TestClient consumer = TestClient.tls(gateway.tlsPort(), AK, SK)) {
            // the proxy may still hold the topic as missing from an earlier run of the other test: wait until a batch goes through
            long published = gateway.metrics().traceEvents(TracePublisher.PUBLISHED);
            awaitWhileSending(producer, () -> gateway.metrics().traceEvents(TracePublisher.PUBLISHED) > published,
                    "no trace batch was published");

            announceConsumer(consumer, streams);
            String acked = send(producer, "to-ack");
            String nacked = send(producer, "to-nack");
            MessageQueue mq = route(consumer).stream()
                    .filter(q -> q.getPermission() == Permission.READ || q.getPermission() == Permission.READ_WRITE)
                    .findFirst().orElseThrow();
            Map<String, Message> got = new java.util.HashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(got.containsKey(acked) && got.containsKey(nacked)) && System.nanoTime() < deadline) {
                for (MessageQueue q : route(consumer)) {
                    if (q.getPermission() == Permission.READ || q.getPermission() == Permission.READ_WRITE) {
                        receive(consumer, q).forEach(m -> got.put(m.getSystemProperties().getMessageId(), m));
                    }
                }
            }
            assertTrue(got.containsKey(acked) && got.containsKey(nacked), "not received: " + got.keySet());
            AckMessageResponse ack = consumer.blocking().ackMessage(AckMessageRequest.newBuilder()
                    .setGroup(res(GROUP)).setTopic(res(TOPIC))
                    .addEntries(AckMessageEntry.newBuilder().setMessageId(acked)
                            .setReceiptHandle(got.get(acked).getSystemProperties().getReceiptHandle()))
                    .build());
            assertEquals(Code.OK, ack.getStatus().getCode(), ack.getStatus().getMessage());
            ChangeInvisibleDurationResponse nack = consumer.blocking().changeInvisibleDuration(ChangeInvisibleDurationRequest.newBuilder()
                    .setGroup(res(GROUP)).setTopic(res(TOPIC)).setMessageId(nacked)
                    .setReceiptHandle(got.get(nacked).getSystemProperties().getReceiptHandle())
                    .setInvisibleDuration(Duration.newBuilder().setSeconds(60)).build());
            assertEquals(Code.OK, nack.getStatus().getCode(), nack.getStatus().getMessage());

            Map<String, List<TraceEvent>> byMessage = awaitTraceEvents(Set.of(acked, nacked),
                    events -> types(events, acked).containsAll(Set.of(TraceEventType.SEND, TraceEventType.STORE,
                            TraceEventType.DELIVER, TraceEventType.ACK))
                            && types(events, nacked).containsAll(Set.of(TraceEventType.SEND, TraceEventType.STORE,
                            TraceEventType.DELIVER, TraceEventType.NACK)));
            List<TraceEvent> life = byMessage.get(acked);
            for (TraceEvent e : life) {
                assertEquals(NS, e.getInstanceId());
                assertEquals(TOPIC, e.getTopic(), "the tenant's own topic name: " + e);
                assertEquals("app", e.getAccount());
                assertTrue(e.getEventId().startsWith("test-gateway:"), e.getEventId());
            }
            TraceEvent sendEvent = only(life, TraceEventType.SEND);
            assertEquals(producer.clientId, sendEvent.getProducerClientId(), "the producer's own client id");
            assertEquals("t", sendEvent.getTag());
            assertEquals(List.of("key-" + acked), sendEvent.getKeysList());
            assertEquals("to-ack".length(), sendEvent.getBodySize());
            assertEquals(io.gantry.api.trace.v1.MessageType.NORMAL, sendEvent.getMessageType());
            TraceEvent store = only(life, TraceEventType.STORE);
            assertEquals("OK", store.getStatus());
            assertTrue(store.getLatencyMicros() > 0);
            TraceEvent deliver = only(life, TraceEventType.DELIVER);
            assertEquals(GROUP, deliver.getConsumerGroup());
            assertEquals(consumer.clientId, deliver.getConsumerClientId());
            assertEquals(1, deliver.getDeliveryAttempt());
            assertTrue(deliver.getInvisibleUntilMillis() > deliver.getTimestampMillis());
            TraceEvent ackEvent = only(life, TraceEventType.ACK);
            assertEquals(GROUP, ackEvent.getConsumerGroup());
            assertTrue(ackEvent.getTimestampMillis() >= deliver.getTimestampMillis());
            TraceEvent nackEvent = only(byMessage.get(nacked), TraceEventType.NACK);
            assertTrue(nackEvent.getInvisibleUntilMillis() >= nackEvent.getTimestampMillis() + 59_000);
            Set<String> ids = new HashSet<>();
            byMessage.values().forEach(l -> l.forEach(e -> assertTrue(ids.add(e.getEventId()), "duplicate id " + e.getEventId())));
            String metrics = gateway.metrics().render();
            assertTrue(metrics.contains("gantry_gateway_trace_events_total{outcome=\"published\"}"), metrics);
        } finally {
            streams.forEach(StreamObserver::onCompleted);
        }
    }

    @Test
    void aClientsSendSucceedsWhileTheTraceTopicRefusesEveryBatch() throws Exception {
        admin.deleteTopicInBroker(Set.of(rocketMq.brokerAddress()), TraceTopicSender.TOPIC);
        admin.deleteTopicInNameServer(Set.of(rocketMq.nameServerAddress()), TraceTopicSender.TOPIC);
        try (TestClient producer = TestClient.tls(gateway.tlsPort(), AK, SK)) {
            long refused = gateway.metrics().traceEvents(TracePublisher.DROPPED_REFUSED);
            List<Long> sendMillis = new ArrayList<>();
            awaitWhileSending(producer, () -> gateway.metrics().traceEvents(TracePublisher.DROPPED_REFUSED) > refused,
                    "refused batches were not counted", sendMillis);
            assertTrue(gateway.metrics().calls(NS, "SendMessage", "OK") >= sendMillis.size());
            System.out.println("sends while the trace topic refused batches: " + sendMillis.size() + ", ms each: " + sendMillis);
        } finally {
            createTraceTopic();
        }
    }

    // ------------------------------------------------------------------ helpers

    static void awaitWhileSending(TestClient producer, BooleanSupplier done, String message) throws Exception {
        awaitWhileSending(producer, done, message, new ArrayList<>());
    }

    /** Sends (each must succeed) until {@code done}, at most 60 s. */
    static void awaitWhileSending(TestClient producer, BooleanSupplier done, String message, List<Long> sendMillis)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(message + " within 60 s");
            }
            long t0 = System.nanoTime();
            send(producer, "probe");
            sendMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            Thread.sleep(100);
        }
    }

    static Set<TraceEventType> types(Map<String, List<TraceEvent>> events, String messageId) {
        return events.getOrDefault(messageId, List.of()).stream().map(TraceEvent::getType).collect(Collectors.toSet());
    }

    static TraceEvent only(List<TraceEvent> events, TraceEventType type) {
        List<TraceEvent> of = events.stream().filter(e -> e.getType() == type).toList();
        assertEquals(1, of.size(), type + " events: " + of);
        return of.get(0);
    }

    /** Reads the whole trace topic from the broker until {@code complete} holds for the events of these messages (60 s). */
    static Map<String, List<TraceEvent>> awaitTraceEvents(Set<String> messageIds,
            java.util.function.Predicate<Map<String, List<TraceEvent>>> complete) throws Exception {
        DefaultLitePullConsumer reader = new DefaultLitePullConsumer("trace-reader-" + System.nanoTime(),
                new AclClientRPCHook(new SessionCredentials(rocketMq.adminAccessKey(), rocketMq.adminSecretKey())));
        reader.setNamesrvAddr(rocketMq.nameServerAddress());
        reader.setInstanceName("trace-reader-" + System.nanoTime());
        reader.setAutoCommit(false);
        reader.setPollTimeoutMillis(1000);
        reader.start();
        try {
            var queues = reader.fetchMessageQueues(TraceTopicSender.TOPIC);
            reader.assign(queues);
            for (var q : queues) {
                reader.seekToBegin(q);
            }
            Map<String, List<TraceEvent>> found = new java.util.HashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!complete.test(found)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("trace events incomplete after 60 s: " + found);
                }
                for (MessageExt m : reader.poll(1000)) {
                    for (TraceEvent e : TraceEventBatch.parseFrom(m.getBody()).getEventsList()) {
                        if (messageIds.contains(e.getMessageId())) {
                            found.computeIfAbsent(e.getMessageId(), k -> new ArrayList<>()).add(e);
                        }
                    }
                }
            }
            return found;
        } finally {
            reader.shutdown();
        }
    }

    static Resource res(String name) {
        return Resource.newBuilder().setName(name).build();
    }

    static Endpoints gatewayEndpoints() {
        return Endpoints.newBuilder().setScheme(AddressScheme.IPv4)
                .addAddresses(Address.newBuilder().setHost("127.0.0.1").setPort(gateway.tlsPort())).build();
    }

    static List<MessageQueue> route(TestClient client) {
        return client.blocking().queryRoute(QueryRouteRequest.newBuilder().setTopic(res(TOPIC))
                .setEndpoints(gatewayEndpoints()).build()).getMessageQueuesList();
    }

    /** Sends one message (must succeed); answers its id. */
    static String send(TestClient client, String body) {
        String id = "01" + UUID.randomUUID().toString().replace("-", "").toUpperCase();
        long now = System.currentTimeMillis();
        Message m = Message.newBuilder().setTopic(res(TOPIC)).setBody(ByteString.copyFromUtf8(body))
                .setSystemProperties(SystemProperties.newBuilder().setMessageId(id).addKeys("key-" + id)
                        .setMessageType(apache.rocketmq.v2.MessageType.NORMAL).setBodyEncoding(Encoding.IDENTITY).setTag("t")
                        .setBornHost("127.0.0.1")
                        .setBornTimestamp(Timestamp.newBuilder().setSeconds(now / 1000).setNanos((int) (now % 1000) * 1_000_000)))
                .build();
        SendMessageResponse r = client.blocking().sendMessage(SendMessageRequest.newBuilder().addMessages(m).build());
        assertEquals(Code.OK, r.getStatus().getCode(), r.getStatus().getMessage());
        return id;
    }

    static void announceConsumer(TestClient client, List<StreamObserver<TelemetryCommand>> keep) throws Exception {
        CompletableFuture<TelemetryCommand> echo = new CompletableFuture<>();
        StreamObserver<TelemetryCommand> requests = client.async().telemetry(new StreamObserver<>() {
            @Override
            public void onNext(TelemetryCommand value) {
                echo.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                echo.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                echo.completeExceptionally(new IllegalStateException("telemetry completed"));
            }
        });
        keep.add(requests);
        requests.onNext(TelemetryCommand.newBuilder().setSettings(Settings.newBuilder()
                .setClientType(ClientType.SIMPLE_CONSUMER)
                .setAccessPoint(gatewayEndpoints())
                .setRequestTimeout(Duration.newBuilder().setSeconds(3))
                .setUserAgent(UA.newBuilder().setLanguage(apache.rocketmq.v2.Language.JAVA).setVersion("5.2.0"))
                .setSubscription(Subscription.newBuilder().setGroup(res(GROUP))
                        .addSubscriptions(SubscriptionEntry.newBuilder().setTopic(res(TOPIC))
                                .setExpression(FilterExpression.newBuilder().setType(FilterType.TAG).setExpression("*")))
                        .setLongPollingTimeout(Duration.newBuilder().setSeconds(5))))
                .build());
        echo.get(10, TimeUnit.SECONDS);
    }

    static List<Message> receive(TestClient client, MessageQueue mq) {
        List<Message> out = new ArrayList<>();
        Iterator<ReceiveMessageResponse> it = client.blocking().withDeadlineAfter(15, TimeUnit.SECONDS)
                .receiveMessage(ReceiveMessageRequest.newBuilder().setGroup(res(GROUP)).setMessageQueue(mq)
                        .setFilterExpression(FilterExpression.newBuilder().setType(FilterType.TAG).setExpression("*"))
                        .setBatchSize(16).setInvisibleDuration(Duration.newBuilder().setSeconds(30)).setAutoRenew(false)
                        .setLongPollingTimeout(Duration.newBuilder().setSeconds(2)).build());
        while (it.hasNext()) {
            ReceiveMessageResponse r = it.next();
            if (r.hasMessage()) {
                out.add(r.getMessage());
            }
        }
        return out;
    }
}
