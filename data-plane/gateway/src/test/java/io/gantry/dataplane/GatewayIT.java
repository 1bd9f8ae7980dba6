package io.gantry.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import apache.rocketmq.v2.AckMessageEntry;
import apache.rocketmq.v2.AckMessageRequest;
import apache.rocketmq.v2.AckMessageResponse;
import apache.rocketmq.v2.Address;
import apache.rocketmq.v2.AddressScheme;
import apache.rocketmq.v2.ClientType;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Encoding;
import apache.rocketmq.v2.Endpoints;
import apache.rocketmq.v2.FilterExpression;
import apache.rocketmq.v2.FilterType;
import apache.rocketmq.v2.HeartbeatRequest;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.MessageQueue;
import apache.rocketmq.v2.MessageType;
import apache.rocketmq.v2.Permission;
import apache.rocketmq.v2.Publishing;
import apache.rocketmq.v2.QueryRouteRequest;
import apache.rocketmq.v2.QueryRouteResponse;
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
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.dataplane.support.FakeConfigService;
import io.gantry.dataplane.support.Snapshots;
import io.gantry.dataplane.support.TestClient;
import io.gantry.isolation.naming.InstanceIds;
import io.gantry.isolation.naming.Namespaces;
import io.gantry.localstack.RocketMqCluster;
import io.gantry.localstack.SharedComponents;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway in-process against a real RocketMQ cluster (local-stack), its config fed by a real gRPC
 * GatewayConfigService played by the test, and a client made of grpc-java stubs signing like the SDK.
 */
class GatewayIT {
    static final String TOKEN = "gateway-token-" + UUID.randomUUID();
    static final String NS1 = InstanceIds.newId();
    static final String NS2 = InstanceIds.newId();
    static final String AK1 = "ak1-" + NS1;
    static final String SK1 = "sk1-" + UUID.randomUUID();
    static final String AK2 = "ak2-" + NS2;
    static final String SK2 = "sk2-" + UUID.randomUUID();
    static final String AK_DISABLED = "akd-" + NS1;
    static final String AK_TOGGLED = "akt-" + NS1;
    static final String TOPIC = "orders";
    static final String GROUP = "workers";
    /** Never written to: a receive on it long-polls until cancelled. */
    static final String IDLE_TOPIC = "idle";

    static RocketMqCluster rocketMq;
    static FakeConfigService control;
    static Gateway gateway;
    static long version = 1;

    @BeforeAll
    static void startAll() throws Exception {
        rocketMq = SharedComponents.rocketMq();
        DefaultMQAdminExt admin = new DefaultMQAdminExt(new AclClientRPCHook(
                new SessionCredentials(rocketMq.adminAccessKey(), rocketMq.adminSecretKey())), 5000);
        admin.setNamesrvAddr(rocketMq.nameServerAddress());
        admin.setInstanceName("gateway-it-" + System.nanoTime());
        admin.start();
        try {
            TopicConfig idle = new TopicConfig(Namespaces.wrap(NS1, IDLE_TOPIC), 1, 1);
            idle.setAttributes(Map.of("+message.type", "NORMAL"));
            admin.createAndUpdateTopicConfig(rocketMq.brokerAddress(), idle);
            for (String ns : List.of(NS1, NS2)) {
                TopicConfig topic = new TopicConfig(Namespaces.wrap(ns, TOPIC), 2, 2);
                topic.setAttributes(Map.of("+message.type", "NORMAL"));
                admin.createAndUpdateTopicConfig(rocketMq.brokerAddress(), topic);
                SubscriptionGroupConfig group = new SubscriptionGroupConfig();
                group.setGroupName(Namespaces.wrap(ns, GROUP));
                group.setRetryMaxTimes(3);
                admin.createAndUpdateSubscriptionGroupConfig(rocketMq.brokerAddress(), group);
            }
        } finally {
            admin.shutdown();
        }
        control = new FakeConfigService(TOKEN, snapshot(version, true)).start(0);
        gateway = Gateway.start(GatewayConfig.forTests().withPlaintextPort(0).withConfigEndpoint(control.endpoint(), TOKEN));
        assertTrue(gateway.config().awaitVersion(version, 10, TimeUnit.SECONDS), "first snapshot not applied");
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (control != null) {
            control.close();
        }
    }

    static ConfigSnapshot snapshot(long v, boolean toggledEnabled) {
        return Snapshots.snapshot(v,
                Snapshots.cluster("local", rocketMq.proxyGrpcEndpoint(), rocketMq.adminAccessKey(), rocketMq.adminSecretKey()),
                Snapshots.instance(NS1, "local").addTopics(Snapshots.topic(TOPIC)).addConsumerGroups(Snapshots.group(GROUP))
                        .addAccounts(Snapshots.account("app", AK1, SK1, true))
                        .addAccounts(Snapshots.account("off", AK_DISABLED, "skd", false))
                        .addAccounts(Snapshots.account("toggled", AK_TOGGLED, "skt", toggledEnabled)).build(),
                Snapshots.instance(NS2, "local").addTopics(Snapshots.topic(TOPIC)).addConsumerGroups(Snapshots.group(GROUP))
                        .addAccounts(Snapshots.account("app", AK2, SK2, true)).build());
    }

    static Resource res(String name) {
        return Resource.newBuilder().setName(name).build();
    }

    static Endpoints gatewayEndpoints(int port) {
        return Endpoints.newBuilder().setScheme(AddressScheme.IPv4)
                .addAddresses(Address.newBuilder().setHost("127.0.0.1").setPort(port)).build();
    }

    static QueryRouteResponse route(TestClient client, String topic) {
        return client.blocking().queryRoute(QueryRouteRequest.newBuilder().setTopic(res(topic))
                .setEndpoints(gatewayEndpoints(gateway.tlsPort())).build());
    }

    static SendMessageResponse send(TestClient client, String topic, String body) {
        Message m = Message.newBuilder().setTopic(res(topic)).setBody(ByteString.copyFromUtf8(body))
                .setSystemProperties(SystemProperties.newBuilder().setMessageId(UUID.randomUUID().toString().replace("-", ""))
                        .setMessageType(MessageType.NORMAL).setBodyEncoding(Encoding.IDENTITY).setTag("t")
                        .setBornHost("127.0.0.1").setBornTimestamp(Timestamps.fromMillis(System.currentTimeMillis())))
                .build();
        return client.blocking().sendMessage(SendMessageRequest.newBuilder().addMessages(m).build());
    }

    /** Opens Telemetry and announces a simple consumer; returns the settings the proxy echoed. */
    static TelemetryCommand announceConsumer(TestClient client, List<StreamObserver<TelemetryCommand>> keep) throws Exception {
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
                .setAccessPoint(gatewayEndpoints(gateway.tlsPort()))
                .setRequestTimeout(Durations.fromSeconds(3))
                .setUserAgent(UA.newBuilder().setLanguage(apache.rocketmq.v2.Language.JAVA).setVersion("5.2.0"))
                .setSubscription(Subscription.newBuilder().setGroup(res(GROUP))
                        .addSubscriptions(SubscriptionEntry.newBuilder().setTopic(res(TOPIC))
                                .setExpression(FilterExpression.newBuilder().setType(FilterType.TAG).setExpression("*")))
                        .setLongPollingTimeout(Durations.fromSeconds(5))))
                .build());
        return echo.get(10, TimeUnit.SECONDS);
    }

    static List<Message> receive(TestClient client, MessageQueue mq, int pollSeconds) {
        List<Message> out = new ArrayList<>();
        Iterator<ReceiveMessageResponse> it = client.blocking().withDeadlineAfter(pollSeconds + 10L, TimeUnit.SECONDS)
                .receiveMessage(ReceiveMessageRequest.newBuilder().setGroup(res(GROUP)).setMessageQueue(mq)
                        .setFilterExpression(FilterExpression.newBuilder().setType(FilterType.TAG).setExpression("*"))
                        .setBatchSize(16).setInvisibleDuration(Durations.fromSeconds(30)).setAutoRenew(false)
                        .setLongPollingTimeout(Durations.fromSeconds(pollSeconds)).build());
        while (it.hasNext()) {
            ReceiveMessageResponse r = it.next();
            if (r.hasMessage()) {
                out.add(r.getMessage());
            }
        }
        return out;
    }

    @Test
    void queryRouteAnswersPlainNamesAndTheGatewaysEndpoint() throws Exception {
        try (TestClient tls = TestClient.tls(gateway.tlsPort(), AK1, SK1);
             TestClient plain = TestClient.plaintext(gateway.plaintextPort(), AK1, SK1)) {
            QueryRouteResponse r = route(tls, TOPIC);
            assertEquals(Code.OK, r.getStatus().getCode(), r.getStatus().getMessage());
            assertFalse(r.getMessageQueuesList().isEmpty());
            for (MessageQueue mq : r.getMessageQueuesList()) {
                assertEquals(res(TOPIC), mq.getTopic());
                assertEquals(gatewayEndpoints(gateway.tlsPort()), mq.getBroker().getEndpoints());
            }
            QueryRouteResponse viaPlaintext = route(plain, TOPIC);
            assertEquals(Code.OK, viaPlaintext.getStatus().getCode());
            for (MessageQueue mq : viaPlaintext.getMessageQueuesList()) {
                assertEquals(gatewayEndpoints(gateway.plaintextPort()), mq.getBroker().getEndpoints());
            }
            // a topic the instance does not have: the proxy's answer, with the tenant's own name in it
            QueryRouteResponse missing = route(tls, "nope");
            assertEquals(Code.TOPIC_NOT_FOUND, missing.getStatus().getCode());
            assertFalse(missing.getStatus().getMessage().contains(NS1), missing.getStatus().getMessage());
        }
    }

    @Test
    void sendReceiveAckThroughTheGatewayAndInstancesStayApart() throws Exception {
        List<StreamObserver<TelemetryCommand>> streams = new ArrayList<>();
        try (TestClient producer = TestClient.tls(gateway.tlsPort(), AK1, SK1);
             TestClient consumer = TestClient.tls(gateway.tlsPort(), AK1, SK1);
             TestClient otherProducer = TestClient.tls(gateway.tlsPort(), AK2, SK2)) {
            TelemetryCommand echo = announceConsumer(consumer, streams);
            assertTrue(echo.hasSettings(), echo.toString());
            assertEquals(res(GROUP), echo.getSettings().getSubscription().getGroup());
            assertEquals(gatewayEndpoints(gateway.tlsPort()), echo.getSettings().getAccessPoint());
            for (SubscriptionEntry e : echo.getSettings().getSubscription().getSubscriptionsList()) {
                assertEquals(res(TOPIC), e.getTopic());
            }

            String body = "hello-" + UUID.randomUUID();
            SendMessageResponse sent = send(producer, TOPIC, body);
            assertEquals(Code.OK, sent.getStatus().getCode(), sent.getStatus().getMessage());
            String otherBody = "other-" + UUID.randomUUID();
            assertEquals(Code.OK, send(otherProducer, TOPIC, otherBody).getStatus().getCode());

            MessageQueue mq = route(consumer, TOPIC).getMessageQueuesList().stream()
                    .filter(q -> q.getPermission() == Permission.READ || q.getPermission() == Permission.READ_WRITE)
                    .findFirst().orElseThrow();
            List<Message> got = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (got.stream().noneMatch(m -> m.getBody().toStringUtf8().equals(body)) && System.nanoTime() < deadline) {
                got.addAll(receive(consumer, mq, 3));
            }
            Message mine = got.stream().filter(m -> m.getBody().toStringUtf8().equals(body)).findFirst()
                    .orElseThrow(() -> new AssertionError("message not received; got " + got.size()));
            assertEquals(res(TOPIC), mine.getTopic(), "topic mapped back to the plain name");
            assertTrue(got.stream().noneMatch(m -> m.getBody().toStringUtf8().equals(otherBody)),
                    "a message of the other instance reached this one");

            AckMessageResponse ack = consumer.blocking().ackMessage(AckMessageRequest.newBuilder()
                    .setGroup(res(GROUP)).setTopic(res(TOPIC))
                    .addEntries(AckMessageEntry.newBuilder().setMessageId(mine.getSystemProperties().getMessageId())
                            .setReceiptHandle(mine.getSystemProperties().getReceiptHandle()))
                    .build());
            assertEquals(Code.OK, ack.getStatus().getCode(), ack.getStatus().getMessage());

            assertTrue(gateway.metrics().messages(NS1, TOPIC, "", true) >= 1);
            assertTrue(gateway.metrics().messages(NS1, TOPIC, GROUP, false) >= 1);
            assertTrue(gateway.metrics().calls(NS1, "SendMessage", "OK") >= 1);
            String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.metricsPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(text.contains("gantry_gateway_messages_sent_total{instance=\"" + NS1 + "\",topic=\"orders\"}"), text);
            assertTrue(text.contains("gantry_gateway_calls_total{instance=\"" + NS1 + "\",rpc=\"AckMessage\",code=\"OK\"}"), text);
            assertEquals(0, gateway.metrics().foreignDroppedCount());
        } finally {
            streams.forEach(StreamObserver::onCompleted);
        }
    }

    @Test
    void unsignedForgedUnknownMalformedAndDisabledCallersAreRefused() throws Exception {
        assertRefused(TestClient.tls(gateway.tlsPort(), null, null), Code.UNAUTHORIZED, "no credentials");
        assertRefused(TestClient.tls(gateway.tlsPort(), AK1, "wrong-secret"), Code.UNAUTHORIZED, "signature mismatch");
        assertRefused(TestClient.tls(gateway.tlsPort(), "nobody", "x"), Code.UNAUTHORIZED, "unknown access key");
        assertRefused(TestClient.tls(gateway.tlsPort(), AK_DISABLED, "skd"), Code.FORBIDDEN, "disabled");
        assertRefused(TestClient.tls(gateway.tlsPort(), AK1, SK1,
                h -> h.put(TestClient.AUTHORIZATION, "MQv2-HMAC-SHA1 Credential=" + AK1)), Code.UNAUTHORIZED, "malformed");
        assertRefused(TestClient.tls(gateway.tlsPort(), AK1, SK1, h -> {
            h.put(TestClient.DATE_TIME, "20200101T000000Z");
            h.put(TestClient.AUTHORIZATION, io.gantry.isolation.credentials.RequestSignature.authorization(AK1, SK1, "20200101T000000Z"));
        }), Code.UNAUTHORIZED, "too far");
        // a stream: the refusal arrives as the stream's status message
        try (TestClient c = TestClient.tls(gateway.tlsPort(), AK1, "wrong-secret")) {
            Iterator<ReceiveMessageResponse> it = c.blocking().receiveMessage(ReceiveMessageRequest.newBuilder()
                    .setGroup(res(GROUP)).build());
            ReceiveMessageResponse first = it.next();
            assertEquals(Code.UNAUTHORIZED, first.getStatus().getCode());
            assertFalse(it.hasNext());
        }
    }

    private static void assertRefused(TestClient client, Code code, String text) throws Exception {
        try (client) {
            QueryRouteResponse r = route(client, TOPIC);
            assertEquals(code, r.getStatus().getCode(), r.getStatus().getMessage());
            assertTrue(r.getStatus().getMessage().contains(text), r.getStatus().getMessage());
            assertTrue(r.getMessageQueuesList().isEmpty());
        }
    }

    @Test
    void namesThatReachOutsideTheInstanceAreRefused() throws Exception {
        try (TestClient c = TestClient.tls(gateway.tlsPort(), AK1, SK1)) {
            for (String name : List.of(Namespaces.wrap(NS2, TOPIC), "%RETRY%" + NS2 + "%" + GROUP, "%DLQ%" + GROUP, "rmq_sys_x")) {
                QueryRouteResponse r = route(c, name);
                assertEquals(Code.ILLEGAL_TOPIC, r.getStatus().getCode(), name + ": " + r.getStatus().getMessage());
                SendMessageResponse s = send(c, name, "x");
                assertEquals(Code.ILLEGAL_TOPIC, s.getStatus().getCode(), name);
            }
            QueryRouteResponse withNamespace = c.blocking().queryRoute(QueryRouteRequest.newBuilder()
                    .setTopic(Resource.newBuilder().setResourceNamespace(NS2).setName(TOPIC)).build());
            assertEquals(Code.ILLEGAL_TOPIC, withNamespace.getStatus().getCode());
            assertTrue(withNamespace.getStatus().getMessage().contains("resource_namespace"));
            var hb = c.blocking().heartbeat(HeartbeatRequest.newBuilder().setGroup(res(NS2 + "%" + GROUP))
                    .setClientType(ClientType.SIMPLE_CONSUMER).build());
            assertEquals(Code.ILLEGAL_CONSUMER_GROUP, hb.getStatus().getCode());
        }
    }

    @Test
    void configChangesArriveWithinTwoSecondsAndTheGatewayOutlivesTheControlPlane() throws Exception {
        try (TestClient c = TestClient.tls(gateway.tlsPort(), AK_TOGGLED, "skt")) {
            assertEquals(Code.OK, route(c, TOPIC).getStatus().getCode());
            long v = ++version;
            long t0 = System.nanoTime();
            control.publish(snapshot(v, false));
            assertTrue(gateway.config().awaitVersion(v, 2, TimeUnit.SECONDS), "disabled account not pushed within 2 s");
            assertEquals(Code.FORBIDDEN, route(c, TOPIC).getStatus().getCode());
            System.out.printf("config change applied after %.1f ms%n", (System.nanoTime() - t0) / 1e6);

            int port = control.port();
            int watches = control.watchCount();
            control.close();
            // the control plane is gone: the last snapshot keeps serving
            try (TestClient app = TestClient.tls(gateway.tlsPort(), AK1, SK1)) {
                assertEquals(Code.OK, route(app, TOPIC).getStatus().getCode());
            }
            v = ++version;
            control = new FakeConfigService(TOKEN, snapshot(v, true)).start(port);
            assertTrue(gateway.config().awaitVersion(v, 20, TimeUnit.SECONDS), "watch did not reconnect");
            assertTrue(control.watchCount() >= 1 && watches >= 1);
            assertEquals(Code.OK, route(c, TOPIC).getStatus().getCode());
            assertEquals(v - 1, control.requests().get(0).getKnownVersion(), "re-watch tells the version it holds");
        }
    }

    @Test
    void aCancelledReceiveIsCancelledUpstreamAndCounted() throws Exception {
        List<StreamObserver<TelemetryCommand>> streams = new ArrayList<>();
        try (TestClient consumer = TestClient.tls(gateway.tlsPort(), AK1, SK1)) {
            announceConsumer(consumer, streams);
            MessageQueue mq = route(consumer, IDLE_TOPIC).getMessageQueues(0);
            long before = gateway.metrics().calls(NS1, "ReceiveMessage", "CANCELLED");
            long inFlight = gateway.metrics().upstreamInFlight("ReceiveMessage");
            Context.CancellableContext ctx = Context.current().withCancellation();
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            List<ReceiveMessageResponse> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
            ctx.run(() -> consumer.async().withDeadlineAfter(30, TimeUnit.SECONDS).receiveMessage(ReceiveMessageRequest.newBuilder().setGroup(res(GROUP))
                    .setMessageQueue(mq).setBatchSize(1).setInvisibleDuration(Durations.fromSeconds(30))
                    .setFilterExpression(FilterExpression.newBuilder().setType(FilterType.TAG).setExpression("*"))
                    .setLongPollingTimeout(Durations.fromSeconds(20)).build(), new StreamObserver<>() {
                        @Override
                        public void onNext(ReceiveMessageResponse value) {
                            answers.add(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            ended.complete(t);
                        }

                        @Override
                        public void onCompleted() {
                            ended.complete(null);
                        }
                    }));
            awaitTrue(() -> gateway.metrics().upstreamInFlight("ReceiveMessage") > inFlight || !answers.isEmpty(),
                    "the receive never went upstream");
            assertTrue(answers.isEmpty(), "the proxy answered the idle receive: " + answers);
            ctx.cancel(null);
            assertNotNull(ended.get(5, TimeUnit.SECONDS));
            awaitTrue(() -> gateway.metrics().calls(NS1, "ReceiveMessage", "CANCELLED") > before,
                    "the gateway did not see the cancellation");
            awaitTrue(() -> gateway.metrics().upstreamInFlight("ReceiveMessage") == inFlight, "the upstream call was not cancelled");
        } finally {
            streams.forEach(StreamObserver::onCompleted);
        }
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, String message) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(message);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void healthAndMetricsAnswer() throws Exception {
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.metricsPort() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        String metrics = new String(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.metricsPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body(), StandardCharsets.UTF_8);
        assertTrue(metrics.contains("# TYPE gantry_gateway_calls_total counter"), metrics);
        assertTrue(metrics.contains("gantry_gateway_config_version "), metrics);
    }
}
