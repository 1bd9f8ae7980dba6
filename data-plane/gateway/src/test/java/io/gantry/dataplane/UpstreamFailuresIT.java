package io.gantry.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.HeartbeatRequest;
import apache.rocketmq.v2.HeartbeatResponse;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.MessagingServiceGrpc;
import apache.rocketmq.v2.QueryRouteRequest;
import apache.rocketmq.v2.QueryRouteResponse;
import apache.rocketmq.v2.ReceiveMessageRequest;
import apache.rocketmq.v2.ReceiveMessageResponse;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.Settings;
import apache.rocketmq.v2.TelemetryCommand;
import com.google.protobuf.ByteString;
import io.gantry.dataplane.support.Snapshots;
import io.gantry.dataplane.support.TestClient;
import io.gantry.isolation.credentials.RequestSignature;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relay against a misbehaving upstream (a fake MessagingService on loopback): errors and timeouts
 * become RocketMQ codes, cancellations travel upstream, a slow client slows the upstream instead of
 * being buffered, headers are filtered, and nothing is left running.
 */
class UpstreamFailuresIT {
    static final String NS = "rmq-aaaaaaaaaaaa";
    static final Metadata.Key<String> CLIENT_ID = Metadata.Key.of("x-mq-client-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> REMOTE = Metadata.Key.of("rpc-remote-address", Metadata.ASCII_STRING_MARSHALLER);
    static final Context.Key<Metadata> HEADERS = Context.key("headers");

    static Server upstream;
    static Gateway gateway;
    static final AtomicReference<Metadata> lastHeaders = new AtomicReference<>();
    static final AtomicReference<QueryRouteRequest> lastRoute = new AtomicReference<>();
    static final AtomicInteger sentWhileReady = new AtomicInteger();
    static final CountDownLatch upstreamSawCancel = new CountDownLatch(1);
    static final CountDownLatch receiveCancelled = new CountDownLatch(1);

    @BeforeAll
    static void start() throws Exception {
        MessagingServiceGrpc.MessagingServiceImplBase fake = new MessagingServiceGrpc.MessagingServiceImplBase() {
            @Override
            public void queryRoute(QueryRouteRequest request, StreamObserver<QueryRouteResponse> o) {
                lastHeaders.set(HEADERS.get());
                lastRoute.set(request);
                if (request.getTopic().getName().endsWith("%hang")) {
                    Context.current().addListener(ctx -> upstreamSawCancel.countDown(), Runnable::run);
                    return; // never answers
                }
                o.onNext(QueryRouteResponse.newBuilder().setStatus(apache.rocketmq.v2.Status.newBuilder().setCode(Code.OK)).build());
                o.onCompleted();
            }

            @Override
            public void notifyClientTermination(apache.rocketmq.v2.NotifyClientTerminationRequest request,
                    StreamObserver<apache.rocketmq.v2.NotifyClientTerminationResponse> o) {
                o.onNext(apache.rocketmq.v2.NotifyClientTerminationResponse.newBuilder()
                        .setStatus(apache.rocketmq.v2.Status.newBuilder().setCode(Code.OK)).build());
                o.onCompleted();
            }

            @Override
            public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> o) {
                o.onError(Status.UNAVAILABLE.withDescription("broker restarting").asRuntimeException());
            }

            @Override
            public void sendMessage(SendMessageRequest request, StreamObserver<SendMessageResponse> o) {
                o.onError(Status.RESOURCE_EXHAUSTED.withDescription("flow control").asRuntimeException());
            }

            @Override
            public void receiveMessage(ReceiveMessageRequest request, StreamObserver<ReceiveMessageResponse> o) {
                ServerCallStreamObserver<ReceiveMessageResponse> so = (ServerCallStreamObserver<ReceiveMessageResponse>) o;
                ReceiveMessageResponse big = ReceiveMessageResponse.newBuilder().setMessage(Message.newBuilder()
                        .setTopic(Resource.newBuilder().setResourceNamespace(NS).setName("orders"))
                        .setBody(ByteString.copyFrom(new byte[64 * 1024]))).build();
                so.setOnCancelHandler(receiveCancelled::countDown);
                so.setOnReadyHandler(() -> {
                    while (so.isReady() && !so.isCancelled() && sentWhileReady.get() < 5000) {
                        so.onNext(big);
                        sentWhileReady.incrementAndGet();
                    }
                });
            }

            @Override
            public StreamObserver<TelemetryCommand> telemetry(StreamObserver<TelemetryCommand> o) {
                return new StreamObserver<>() {
                    @Override
                    public void onNext(TelemetryCommand value) {
                        if (value.hasSettings()) {
                            o.onNext(value);
                        } else {
                            o.onError(Status.UNAVAILABLE.withDescription("proxy going away").asRuntimeException());
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        // the gateway cancels this stream when its client leaves: the fake has nothing to answer
                        // then, and what matters (how the client's stream ended) is asserted on the client's side
                    }

                    @Override
                    public void onCompleted() {
                        o.onCompleted();
                    }
                };
            }
        };
        ServerInterceptor capture = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                return io.grpc.Contexts.interceptCall(Context.current().withValue(HEADERS, headers), call, headers, next);
            }
        };
        upstream = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(fake, capture)).build().start();
        gateway = Gateway.start(GatewayConfig.forTests());
        gateway.apply(Snapshots.snapshot(1, Snapshots.cluster("fake", "127.0.0.1:" + upstream.getPort(), "gantry-ak", "gantry-sk"),
                Snapshots.instance(NS, "fake").addConsumerGroups(Snapshots.group("workers"))
                        .addAccounts(Snapshots.account("app", "AK", "SK", true)).build()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static QueryRouteResponse route(TestClient c, String topic) {
        return c.blocking().queryRoute(QueryRouteRequest.newBuilder().setTopic(Resource.newBuilder().setName(topic)).build());
    }

    @Test
    void upstreamSeesOnlyAllowedHeadersTheGatewaysSignatureAndAPrefixedClientId() throws Exception {
        try (TestClient c = TestClient.tls(gateway.tlsPort(), "AK", "SK", h -> h.put(REMOTE, "6.6.6.6:6"))) {
            assertEquals(Code.OK, route(c, "orders").getStatus().getCode());
            Metadata seen = lastHeaders.get();
            assertEquals(NS + "!" + c.clientId, seen.get(CLIENT_ID));
            assertEquals("gantry-ak", RequestSignature.parse(seen.get(AUTHORIZATION)).orElseThrow().accessKey());
            assertFalse("6.6.6.6:6".equals(seen.get(REMOTE)), "a client-chosen remote address reached the proxy");
            assertNull(seen.get(Metadata.Key.of("x-mq-namespace", Metadata.ASCII_STRING_MARSHALLER)));
            assertEquals(NS + "%orders", lastRoute.get().getTopic().getName());
        }
    }

    @Test
    void upstreamErrorsBecomeRocketMqCodes() throws Exception {
        try (TestClient c = TestClient.tls(gateway.tlsPort(), "AK", "SK")) {
            HeartbeatResponse hb = c.blocking().heartbeat(HeartbeatRequest.getDefaultInstance());
            assertEquals(Code.INTERNAL_SERVER_ERROR, hb.getStatus().getCode());
            assertTrue(hb.getStatus().getMessage().contains("unreachable"), hb.getStatus().getMessage());
            SendMessageResponse send = c.blocking().sendMessage(SendMessageRequest.newBuilder()
                    .addMessages(Message.newBuilder().setTopic(Resource.newBuilder().setName("orders"))
                    .setSystemProperties(apache.rocketmq.v2.SystemProperties.newBuilder().setMessageId("01A1B2C3D4E5F6000000000001")).setBody(ByteString.copyFromUtf8("x"))).build());
            assertEquals(Code.TOO_MANY_REQUESTS, send.getStatus().getCode());
        }
    }

    @Test
    void deadlinesAreInheritedAndReachTheUpstream() throws Exception {
        try (TestClient c = TestClient.tls(gateway.tlsPort(), "AK", "SK")) {
            long t0 = System.nanoTime();
            try {
                QueryRouteResponse answer = c.blocking().withDeadlineAfter(500, TimeUnit.MILLISECONDS)
                        .queryRoute(QueryRouteRequest.newBuilder().setTopic(Resource.newBuilder().setName("hang")).build());
                fail("no answer expected, got " + answer.getStatus());
            } catch (StatusRuntimeException e) {
                assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
            }
            assertTrue(upstreamSawCancel.await(5, TimeUnit.SECONDS), "the upstream call outlived the client's deadline");
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3));
            await(() -> gateway.metrics().upstreamInFlight() == 0, "upstream call still open");
        }
    }

    @Test
    void aSlowConsumerSlowsTheUpstreamAndCancellingEndsIt() throws Exception {
        try (TestClient c = TestClient.tls(gateway.tlsPort(), "AK", "SK")) {
            AtomicInteger received = new AtomicInteger();
            CompletableFuture<Void> started = new CompletableFuture<>();
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            AtomicReference<ClientCallStreamObserver<ReceiveMessageRequest>> call = new AtomicReference<>();
            c.async().receiveMessage(ReceiveMessageRequest.newBuilder().setGroup(Resource.newBuilder().setName("workers")).build(),
                    new ClientResponseObserver<ReceiveMessageRequest, ReceiveMessageResponse>() {
                        @Override
                        public void beforeStart(ClientCallStreamObserver<ReceiveMessageRequest> requestStream) {
                            call.set(requestStream);
                            requestStream.disableAutoRequestWithInitial(1);
                        }

                        @Override
                        public void onNext(ReceiveMessageResponse value) {
                            received.incrementAndGet();
                            started.complete(null);
                        }

                        @Override
                        public void onError(Throwable t) {
                            started.completeExceptionally(t);
                            ended.complete(t);
                        }

                        @Override
                        public void onCompleted() {
                            IllegalStateException early = new IllegalStateException("the receive stream completed");
                            started.completeExceptionally(early);
                            ended.complete(early);
                        }
                    });
            started.get(5, TimeUnit.SECONDS);
            // the upstream fills the windows (client<-gateway, gateway<-upstream) and then must stop
            int previous = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (sentWhileReady.get() != previous && System.nanoTime() < deadline) {
                previous = sentWhileReady.get();
                Thread.sleep(200);
            }
            int sent = sentWhileReady.get();
            System.out.println("slow consumer: upstream could send " + sent + " x 64 KiB before backpressure stopped it");
            assertTrue(sent < 200, "the gateway buffered " + sent + " messages of 64 KiB for a client that read one");
            assertEquals(1, received.get());
            assertFalse(ended.isDone(), () -> "the receive stream ended while held back: " + ended.join());
            call.get().cancel("done", null);
            assertTrue(receiveCancelled.await(5, TimeUnit.SECONDS), "cancellation did not reach the upstream");
            await(() -> gateway.metrics().upstreamInFlight() == 0, "upstream call still open");
        }
    }

    @Test
    void aTelemetryStreamWhoseUpstreamDiesEndsWithUnavailable() throws Exception {
        try (TestClient c = TestClient.tls(gateway.tlsPort(), "AK", "SK")) {
            CompletableFuture<TelemetryCommand> echo = new CompletableFuture<>();
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            StreamObserver<TelemetryCommand> out = c.async().telemetry(new StreamObserver<>() {
                @Override
                public void onNext(TelemetryCommand value) {
                    echo.complete(value);
                }

                @Override
                public void onError(Throwable t) {
                    ended.complete(t);
                }

                @Override
                public void onCompleted() {
                    ended.complete(null);
                }
            });
            out.onNext(TelemetryCommand.newBuilder().setSettings(Settings.getDefaultInstance()).build());
            assertTrue(echo.get(5, TimeUnit.SECONDS).hasSettings());
            out.onNext(TelemetryCommand.newBuilder().setStatus(apache.rocketmq.v2.Status.getDefaultInstance()).build());
            Throwable t = ended.get(5, TimeUnit.SECONDS);
            assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(t).getCode());
            await(() -> gateway.metrics().upstreamInFlight() == 0, "upstream call still open");
        }
    }

    @Test
    void aTelemetryStreamReopenedAfterTheClientTerminatedIsEndedAtOnce() throws Exception {
        // the SDK 5.2.0 race: a Telemetry renewal scheduled before close() runs after it (ClientTerminations)
        try (TestClient c = TestClient.tls(gateway.tlsPort(), "AK", "SK")) {
            assertEquals(Code.OK, c.blocking().notifyClientTermination(apache.rocketmq.v2.NotifyClientTerminationRequest
                    .getDefaultInstance()).getStatus().getCode());
            long before = gateway.metrics().calls(NS, "Telemetry", "TERMINATED_CLIENT");
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            c.async().telemetry(new StreamObserver<>() {
                @Override
                public void onNext(TelemetryCommand value) {
                }

                @Override
                public void onError(Throwable t) {
                    ended.complete(t);
                }

                @Override
                public void onCompleted() {
                    ended.complete(null);
                }
            });
            assertNull(ended.get(5, TimeUnit.SECONDS), "completed, not failed");
            assertEquals(before + 1, gateway.metrics().calls(NS, "Telemetry", "TERMINATED_CLIENT"));
        }
        // another client id is not affected
        try (TestClient other = TestClient.tls(gateway.tlsPort(), "AK", "SK")) {
            CompletableFuture<TelemetryCommand> echo = new CompletableFuture<>();
            StreamObserver<TelemetryCommand> out = other.async().telemetry(new StreamObserver<>() {
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
                }
            });
            out.onNext(TelemetryCommand.newBuilder().setSettings(Settings.getDefaultInstance()).build());
            assertTrue(echo.get(5, TimeUnit.SECONDS).hasSettings());
            out.onCompleted();
        }
    }

    @Test
    void anUnreachableClusterIsAnsweredAndNothingLeaks() throws Exception {
        try (Gateway lonely = Gateway.start(GatewayConfig.forTests())) {
            int closedPort;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                closedPort = s.getLocalPort();
            }
            lonely.apply(Snapshots.snapshot(1, Snapshots.cluster("gone", "127.0.0.1:" + closedPort, "a", "s"),
                    Snapshots.instance(NS, "gone").addConsumerGroups(Snapshots.group("workers"))
                            .addAccounts(Snapshots.account("app", "AK", "SK", true)).build()));
            java.util.Set<String> threadsBefore = threadNames();
            try (TestClient c = TestClient.tls(lonely.tlsPort(), "AK", "SK")) {
                for (int i = 0; i < 50; i++) {
                    QueryRouteResponse r = route(c, "orders");
                    assertEquals(Code.INTERNAL_SERVER_ERROR, r.getStatus().getCode());
                    assertTrue(r.getStatus().getMessage().contains("unreachable"), r.getStatus().getMessage());
                }
                // garbage in: an unsigned stream and a bad name, many times
                try (TestClient anon = TestClient.tls(lonely.tlsPort(), null, null)) {
                    for (int i = 0; i < 50; i++) {
                        assertEquals(Code.UNAUTHORIZED, route(anon, "orders").getStatus().getCode());
                        assertEquals(Code.ILLEGAL_TOPIC, route(c, "a%b").getStatus().getCode());
                    }
                }
            }
            java.util.Set<String> added = threadNames();
            added.removeAll(threadsBefore);
            // the test's own clients use grpc's shared client pools; the gateway may add none
            added.removeIf(n -> n.startsWith("grpc-default-executor") || n.startsWith("grpc-nio-worker")
                    || n.startsWith("grpc-shared-destroyer") || n.startsWith("grpc-default-worker-ELG"));
            assertTrue(added.isEmpty(), "threads started by the gateway during the calls: " + added);
            assertEquals(0, lonely.metrics().upstreamInFlight());
        }
    }

    static java.util.Set<String> threadNames() {
        java.util.Set<String> names = new java.util.HashSet<>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
        return names;
    }

    static void await(BooleanSupplier condition, String message) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(message);
            }
            Thread.sleep(10);
        }
    }
}
