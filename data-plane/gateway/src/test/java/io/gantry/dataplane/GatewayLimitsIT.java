package io.gantry.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import apache.rocketmq.v2.AckMessageEntry;
import apache.rocketmq.v2.AckMessageRequest;
import apache.rocketmq.v2.AckMessageResponse;
import apache.rocketmq.v2.ClientType;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.FilterExpression;
import apache.rocketmq.v2.HeartbeatRequest;
import apache.rocketmq.v2.HeartbeatResponse;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.MessageQueue;
import apache.rocketmq.v2.MessagingServiceGrpc;
import apache.rocketmq.v2.QueryRouteRequest;
import apache.rocketmq.v2.QueryRouteResponse;
import apache.rocketmq.v2.ReceiveMessageRequest;
import apache.rocketmq.v2.ReceiveMessageResponse;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.Settings;
import apache.rocketmq.v2.Subscription;
import apache.rocketmq.v2.TelemetryCommand;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.Durations;
import io.gantry.api.config.v1.AccountType;
import io.gantry.api.config.v1.ClientLimits;
import io.gantry.api.config.v1.Instance;
import io.gantry.dataplane.support.RawRpc;
import io.gantry.dataplane.support.Snapshots;
import io.gantry.dataplane.support.TelemetrySession;
import io.gantry.dataplane.support.TestClient;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, holes 4, 5 and 9 (gateway parts): what a caller can make the gateway and the shared proxies
 * hold. Against a fake proxy on loopback (long polls and Telemetry streams that stay open as long as the
 * client wants), with raw grpc-java clients signed like the SDK.
 */
class GatewayLimitsIT {
    /** Instances, each with its own account so that one test's clients do not count in another's limits. */
    static final String TELEMETRY = "rmq-telemetry0001";
    static final String RECEIVES = "rmq-receives00001";
    static final String CLIENT_IDS = "rmq-clientids0001";
    static final String OTHER = "rmq-other00000001";
    static final String PLAIN = "rmq-plain00000001";
    /** Texts of the fake proxy that must never reach a client. */
    static final String PROXY_SECRET_TEXT = "broker-a@10.0.0.7:10911 topic " + PLAIN + "%missing: java.lang.IllegalStateException";
    static final String UPSTREAM_FAILURE_TEXT = "io exception: connect to 10.1.2.3:10911 refused";

    static Server upstream;
    /** Default connection limits. */
    static Gateway gateway;
    /** Tight connection limits: 3 connections per address, 2 calls per connection. */
    static Gateway tight;
    /** Connections without calls closed after 1 s (apart: it would free places in the tests of {@code tight}). */
    static Gateway idling;
    /** Long polls open on the fake proxy, by namespace. */
    static final java.util.concurrent.ConcurrentHashMap<String, AtomicInteger> receivesOpen = new java.util.concurrent.ConcurrentHashMap<>();
    static final AtomicInteger acksSeen = new AtomicInteger();
    static final java.util.concurrent.ConcurrentHashMap<String, java.util.Queue<StreamObserver<ReceiveMessageResponse>>> parkedReceives =
            new java.util.concurrent.ConcurrentHashMap<>();
    static final AtomicInteger telemetryOpen = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        MessagingServiceGrpc.MessagingServiceImplBase fake = new MessagingServiceGrpc.MessagingServiceImplBase() {
            @Override
            public void queryRoute(QueryRouteRequest request, StreamObserver<QueryRouteResponse> o) {
                o.onNext(QueryRouteResponse.newBuilder().setStatus(apache.rocketmq.v2.Status.newBuilder()
                        .setCode(Code.TOPIC_NOT_FOUND).setMessage(PROXY_SECRET_TEXT)).build());
                o.onCompleted();
            }

            @Override
            public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> o) {
                o.onNext(HeartbeatResponse.newBuilder().setStatus(apache.rocketmq.v2.Status.newBuilder().setCode(Code.OK)).build());
                o.onCompleted();
            }

            @Override
            public void sendMessage(SendMessageRequest request, StreamObserver<SendMessageResponse> o) {
                o.onError(Status.UNAVAILABLE.withDescription(UPSTREAM_FAILURE_TEXT).asRuntimeException());
            }

            @Override
            public void ackMessage(AckMessageRequest request, StreamObserver<AckMessageResponse> o) {
                acksSeen.incrementAndGet();
                o.onNext(AckMessageResponse.newBuilder().setStatus(apache.rocketmq.v2.Status.newBuilder().setCode(Code.OK)).build());
                o.onCompleted();
            }

            @Override
            public void receiveMessage(ReceiveMessageRequest request, StreamObserver<ReceiveMessageResponse> o) {
                // a long poll that finds nothing: open until the client goes away
                String ns = request.getGroup().getName().substring(0, request.getGroup().getName().indexOf('%'));
                AtomicInteger open = receivesOpen(ns);
                open.incrementAndGet();
                ((ServerCallStreamObserver<ReceiveMessageResponse>) o).setOnCancelHandler(open::decrementAndGet);
                parkedReceives.computeIfAbsent(ns, n -> new java.util.concurrent.ConcurrentLinkedQueue<>()).add(o);
            }

            @Override
            public StreamObserver<TelemetryCommand> telemetry(StreamObserver<TelemetryCommand> o) {
                telemetryOpen.incrementAndGet();
                ((ServerCallStreamObserver<TelemetryCommand>) o).setOnCancelHandler(telemetryOpen::decrementAndGet);
                return new StreamObserver<>() {
                    @Override
                    public void onNext(TelemetryCommand value) {
                        if (value.hasSettings()) {
                            o.onNext(value);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        telemetryOpen.decrementAndGet();
                        o.onCompleted();
                    }
                };
            }
        };
        upstream = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(fake).build().start();
        io.gantry.api.config.v1.ConfigSnapshot snapshot = Snapshots.snapshot(1,
                Snapshots.cluster("fake", "127.0.0.1:" + upstream.getPort(), "gantry-ak", "gantry-sk"),
                instance(TELEMETRY, ClientLimits.newBuilder().setTelemetryStreams(3).build()),
                instance(RECEIVES, ClientLimits.newBuilder().setReceives(2).build()),
                instance(CLIENT_IDS, ClientLimits.newBuilder().setClientIds(4).build()),
                instance(OTHER, ClientLimits.getDefaultInstance()),
                instance(PLAIN, ClientLimits.getDefaultInstance()));
        gateway = Gateway.start(GatewayConfig.forTests());
        gateway.apply(snapshot);
        tight = Gateway.start(GatewayConfig.forTests().withConnections(ConnectionLimits.DEFAULTS.withMaxConnectionsPerAddress(3)
                .withMaxCallsPerConnection(2)));
        tight.apply(snapshot);
        idling = Gateway.start(GatewayConfig.forTests().withConnections(ConnectionLimits.DEFAULTS.withMaxConnectionIdle(Duration.ofSeconds(1))));
        idling.apply(snapshot);
    }

    static AtomicInteger receivesOpen(String namespace) {
        return receivesOpen.computeIfAbsent(namespace, n -> new AtomicInteger());
    }

    static Instance instance(String id, ClientLimits limits) {
        return Snapshots.instance(id, "fake").addConsumerGroups(Snapshots.group("workers")).addTopics(Snapshots.topic("orders"))
                .setClientLimits(limits)
                .addAccounts(Snapshots.account("app", "AK-" + id, "SK-" + id, true).toBuilder().setType(AccountType.ACCOUNT_TYPE_ADMIN))
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        for (Gateway g : new Gateway[] {gateway, tight, idling}) {
            if (g != null) {
                g.close();
            }
        }
        if (upstream != null) {
            upstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static TestClient client(Gateway g, String instance) {
        return TestClient.tls(g.tlsPort(), "AK-" + instance, "SK-" + instance);
    }

    static TelemetryCommand consumerSettings() {
        return TelemetryCommand.newBuilder().setSettings(Settings.newBuilder().setClientType(ClientType.SIMPLE_CONSUMER)
                .setRequestTimeout(Durations.fromSeconds(3))
                .setSubscription(Subscription.newBuilder().setGroup(Resource.newBuilder().setName("workers")))).build();
    }

    static ReceiveMessageRequest receive() {
        return ReceiveMessageRequest.newBuilder().setGroup(Resource.newBuilder().setName("workers"))
                .setMessageQueue(MessageQueue.newBuilder().setTopic(Resource.newBuilder().setName("orders")))
                .setFilterExpression(FilterExpression.newBuilder().setExpression("*")).setBatchSize(1)
                .setAutoRenew(true).setLongPollingTimeout(Durations.fromSeconds(20)).build();
    }

    /** A receive left open; cancel the returned call to end it. */
    static ClientCall<ReceiveMessageRequest, ReceiveMessageResponse> openReceive(TestClient c,
            CompletableFuture<String> firstCode) {
        ClientCall<ReceiveMessageRequest, ReceiveMessageResponse> call = c.channel().newCall(MessagingServiceGrpc.getReceiveMessageMethod(),
                CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS));
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(ReceiveMessageResponse message) {
                firstCode.complete(message.hasStatus() ? message.getStatus().getCode().name() + " " + message.getStatus().getMessage() : "message");
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                firstCode.complete("closed " + status.getCode());
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage(receive());
        call.halfClose();
        return call;
    }

    static void await(BooleanSupplier condition, long millis, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + millis + " ms: " + what);
            }
            Thread.sleep(20);
        }
    }

    // ------------------------------------------------------------------ hole 5: per-instance caps

    @Test
    void telemetryStreamsBeyondTheInstanceLimitAreRefusedAndOthersInstancesAreNotAffected() throws Exception {
        List<TelemetrySession> open = new ArrayList<>();
        try (TestClient c = client(gateway, TELEMETRY); TestClient other = client(gateway, OTHER)) {
            for (int i = 0; i < 3; i++) {
                TelemetrySession t = new TelemetrySession(c);
                open.add(t);
                assertEquals("OK", t.ask(consumerSettings(), 10_000).code(), "stream " + (i + 1) + " of 3");
            }
            TelemetrySession fourth = new TelemetrySession(c);
            open.add(fourth);
            TelemetryCommand refused = fourth.next(10_000);
            assertNotNull(refused, "no answer to a fourth Telemetry stream");
            assertEquals(Code.TOO_MANY_REQUESTS, refused.getStatus().getCode(), refused.toString());
            assertTrue(refused.getStatus().getMessage().contains(TELEMETRY) && refused.getStatus().getMessage().contains("3 Telemetry streams"),
                    refused.getStatus().getMessage());
            await(fourth::ended, 5_000, "the refused stream ends");

            try (TelemetrySession elsewhere = new TelemetrySession(other)) {
                assertEquals("OK", elsewhere.ask(consumerSettings(), 10_000).code(), "another instance's stream");
            }

            open.get(0).close();
            await(() -> gateway.clients().telemetryStreams(TELEMETRY) < 3, 5_000, "a closed stream is released");
            try (TelemetrySession again = new TelemetrySession(c)) {
                assertEquals("OK", again.ask(consumerSettings(), 10_000).code(), "a stream after one was closed");
            }
        } finally {
            open.forEach(TelemetrySession::close);
        }
    }

    @Test
    void longPollReceivesBeyondTheInstanceLimitAreRefused() throws Exception {
        try (TestClient c = client(gateway, RECEIVES)) {
            List<ClientCall<ReceiveMessageRequest, ReceiveMessageResponse>> calls = new ArrayList<>();
            AtomicInteger open = receivesOpen(RECEIVES);
            for (int i = 0; i < 2; i++) {
                calls.add(openReceive(c, new CompletableFuture<>()));
            }
            await(() -> open.get() == 2, 5_000, "two long polls reach the proxy");
            CompletableFuture<String> third = new CompletableFuture<>();
            calls.add(openReceive(c, third));
            String answer = third.get(10, TimeUnit.SECONDS);
            assertTrue(answer.startsWith("TOO_MANY_REQUESTS") && answer.contains(RECEIVES) && answer.contains("2 receive"), answer);
            assertEquals(2, open.get(), "the refused receive reached the proxy");

            calls.get(0).cancel("done", null);
            await(() -> open.get() == 1, 5_000, "the cancelled receive ends at the proxy");
            CompletableFuture<String> fourth = new CompletableFuture<>();
            calls.add(openReceive(c, fourth));
            await(() -> open.get() == 2, 5_000, "a receive after one ended reaches the proxy");
            assertFalse(fourth.isDone(), "a receive after one ended: " + fourth.getNow(""));
            calls.forEach(call -> call.cancel("done", null));
        }
    }

    @Test
    void newClientIdsBeyondTheInstanceLimitAreRefusedKnownOnesGoOn() throws Exception {
        List<TestClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                TestClient c = client(gateway, CLIENT_IDS);
                clients.add(c);
                assertEquals(Code.OK, c.blocking().heartbeat(HeartbeatRequest.getDefaultInstance()).getStatus().getCode(), "client " + (i + 1));
            }
            TestClient fifth = client(gateway, CLIENT_IDS);
            clients.add(fifth);
            apache.rocketmq.v2.Status refused = fifth.blocking().heartbeat(HeartbeatRequest.getDefaultInstance()).getStatus();
            assertEquals(Code.TOO_MANY_REQUESTS, refused.getCode(), refused.getMessage());
            assertTrue(refused.getMessage().contains(CLIENT_IDS) && refused.getMessage().contains("4 client ids"), refused.getMessage());
            assertEquals(Code.OK, clients.get(0).blocking().heartbeat(HeartbeatRequest.getDefaultInstance()).getStatus().getCode(),
                    "a client id already counted");
            try (TestClient other = client(gateway, OTHER)) {
                assertEquals(Code.OK, other.blocking().heartbeat(HeartbeatRequest.getDefaultInstance()).getStatus().getCode(),
                        "another instance");
            }
        } finally {
            for (TestClient c : clients) {
                c.close();
            }
        }
    }

    // ------------------------------------------------------------------ hole 4: what a connection may hold

    @Test
    void aRefusedStreamIsAnsweredFromItsHeadersBeforeAnythingIsSentAndEnds() throws Exception {
        // grpc-java flushes a unary call's headers only with its message, a stream's at once: Telemetry shows
        // on the wire what RefusedCallsAreNotReadTest shows for every RPC
        try (TestClient unsigned = TestClient.tls(gateway.tlsPort(), null, null)) {
            TelemetrySession t = new TelemetrySession(unsigned);
            TelemetryCommand answer = t.next(10_000);
            assertNotNull(answer, "no answer to an unsigned Telemetry stream that sent nothing");
            assertEquals(Code.UNAUTHORIZED, answer.getStatus().getCode(), answer.toString());
            await(t::ended, 5_000, "the refused stream ends");
        }
    }

    @Test
    void anOversizedRequestOfAnRpcWithoutBodiesIsRefusedAndNeverForwarded() throws Exception {
        try (TestClient c = client(gateway, PLAIN)) {
            int before = acksSeen.get();
            AckMessageRequest huge = AckMessageRequest.newBuilder().setGroup(Resource.newBuilder().setName("workers"))
                    .setTopic(Resource.newBuilder().setName("orders"))
                    .addEntries(AckMessageEntry.newBuilder().setMessageId("01").setReceiptHandle("x".repeat(3 * 1024 * 1024))).build();
            RawRpc.Answer answer = RawRpc.unary(c.channel(), MessagingServiceGrpc.getAckMessageMethod(), huge);
            assertEquals("gRPC RESOURCE_EXHAUSTED", answer.code(), answer.text());
            assertEquals(before, acksSeen.get(), "the oversized ack reached the proxy");
            // the stream was reset, not the connection
            assertEquals(Code.OK, c.blocking().heartbeat(HeartbeatRequest.getDefaultInstance()).getStatus().getCode());
            // a send still carries megabytes (the fake proxy then fails: that is the answer expected here)
            SendMessageResponse send = c.blocking().sendMessage(SendMessageRequest.newBuilder().addMessages(Message.newBuilder()
                    .setTopic(Resource.newBuilder().setName("orders"))
                    .setSystemProperties(apache.rocketmq.v2.SystemProperties.newBuilder().setMessageId("01A1B2C3D4E5F6000000000001")).setBody(ByteString.copyFrom(new byte[3 * 1024 * 1024]))).build());
            assertEquals(Code.INTERNAL_SERVER_ERROR, send.getStatus().getCode(), send.getStatus().getMessage());
        }
    }

    @Test
    void connectionsPerAddressAreCapped() throws Exception {
        List<TestClient> clients = new ArrayList<>();
        try {
            await(() -> heartbeat(clients, tight) == Code.OK && clients.size() == 1, 10_000, "a first connection");
            for (int i = 1; i < 3; i++) {
                assertEquals(Code.OK, heartbeat(clients, tight), "connection " + (i + 1) + " of 3");
            }
            TestClient fourth = client(tight, OTHER);
            clients.add(fourth);
            RawRpc.Answer refused = RawRpc.unary(fourth.channel(), MessagingServiceGrpc.getHeartbeatMethod(), HeartbeatRequest.getDefaultInstance());
            assertEquals("gRPC UNAVAILABLE", refused.code(), refused.text());

            clients.remove(0).close();
            await(() -> {
                TestClient again = client(tight, OTHER);
                clients.add(again);
                return RawRpc.unary(again.channel(), MessagingServiceGrpc.getHeartbeatMethod(), HeartbeatRequest.getDefaultInstance())
                        .code().equals(Code.OK.name());
            }, 10_000, "a connection after one was closed");
        } finally {
            for (TestClient c : clients) {
                c.close();
            }
        }
    }

    /** Opens one more client on {@code g} and answers its heartbeat's code (null when the call failed). */
    private static Code heartbeat(List<TestClient> clients, Gateway g) {
        TestClient c = client(g, OTHER);
        clients.add(c);
        try {
            return c.blocking().heartbeat(HeartbeatRequest.getDefaultInstance()).getStatus().getCode();
        } catch (io.grpc.StatusRuntimeException e) {
            return null;
        }
    }

    @Test
    void callsPerConnectionAreCappedAndTheClientQueuesTheRest() throws Exception {
        try (TestClient c = client(tight, OTHER); TestClient second = client(tight, OTHER)) {
            AtomicInteger open = receivesOpen(OTHER);
            int before = open.get();
            List<ClientCall<ReceiveMessageRequest, ReceiveMessageResponse>> calls = new ArrayList<>();
            calls.add(openReceive(c, new CompletableFuture<>()));
            calls.add(openReceive(c, new CompletableFuture<>()));
            await(() -> open.get() == before + 2, 5_000, "two long polls on one connection");
            // not cancelled while queued: grpc-java's client may then still open its stream later, a zombie in a slot
            com.google.common.util.concurrent.ListenableFuture<HeartbeatResponse> third = MessagingServiceGrpc.newFutureStub(c.channel())
                    .withDeadlineAfter(30, TimeUnit.SECONDS).heartbeat(HeartbeatRequest.getDefaultInstance());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() < until) {
                assertFalse(third.isDone(), "a third call on a connection with 2 open was served");
                Thread.sleep(20);
            }
            assertEquals(Code.OK, second.blocking().heartbeat(HeartbeatRequest.getDefaultInstance()).getStatus().getCode(),
                    "another connection");
            // the proxy ends one long poll (a client's own cancel frees the slot too, but grpc-java then sends
            // the queued call only with the connection's next flush)
            StreamObserver<ReceiveMessageResponse> parked = parkedReceives.get(OTHER).poll();
            parked.onNext(ReceiveMessageResponse.newBuilder().setStatus(apache.rocketmq.v2.Status.newBuilder()
                    .setCode(Code.MESSAGE_NOT_FOUND)).build());
            parked.onCompleted();
            assertEquals(Code.OK, third.get(10, TimeUnit.SECONDS).getStatus().getCode(), "the queued call once a call ended");
            calls.forEach(call -> call.cancel("done", null));
        }
    }

    @Test
    void aConnectionWithoutCallsIsClosedAfterTheIdleTime() throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", idling.tlsPort())
                .sslContext(GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build())
                .overrideAuthority("localhost").build();
        try {
            // unsigned: the answer does not matter, the connection does
            RawRpc.unary(channel, MessagingServiceGrpc.getHeartbeatMethod(), HeartbeatRequest.getDefaultInstance());
            assertEquals(ConnectivityState.READY, channel.getState(false));
            await(() -> channel.getState(false) == ConnectivityState.IDLE, 10_000, "the gateway closes an idle connection");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------------ hole 9: the proxy's texts

    @Test
    void theProxysErrorTextsNeverReachTheClientItsCodesDo() throws Exception {
        try (TestClient c = client(gateway, PLAIN)) {
            QueryRouteResponse route = c.blocking().queryRoute(QueryRouteRequest.newBuilder()
                    .setTopic(Resource.newBuilder().setName("missing")).build());
            assertEquals(Code.TOPIC_NOT_FOUND, route.getStatus().getCode());
            String text = route.getStatus().getMessage();
            assertFalse(text.contains("10.0.0.7") || text.contains("broker-a") || text.contains("java.lang"), text);
            assertEquals("the topic does not exist on the RocketMQ cluster", text);

            SendMessageResponse send = c.blocking().sendMessage(SendMessageRequest.newBuilder().addMessages(Message.newBuilder()
                    .setTopic(Resource.newBuilder().setName("orders"))
                    .setSystemProperties(apache.rocketmq.v2.SystemProperties.newBuilder().setMessageId("01A1B2C3D4E5F6000000000002")).setBody(ByteString.copyFromUtf8("x"))).build());
            assertEquals(Code.INTERNAL_SERVER_ERROR, send.getStatus().getCode());
            assertFalse(send.getStatus().getMessage().contains("10.1.2.3"), send.getStatus().getMessage());
        }
    }
}
