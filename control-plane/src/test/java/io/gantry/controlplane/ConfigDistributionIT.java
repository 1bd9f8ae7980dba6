package io.gantry.controlplane;

import static io.gantry.controlplane.Fixtures.adminToken;
import static io.gantry.controlplane.Fixtures.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.api.config.v1.Account;
import io.gantry.api.config.v1.ConfigEvent;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.api.config.v1.GatewayConfigServiceGrpc;
import io.gantry.api.config.v1.Instance;
import io.gantry.api.config.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Gateways learn accounts, instances, topics and groups from the config stream within 2 seconds. */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
class ConfigDistributionIT {
    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", ControlPlaneTestResources.configPort()).usePlaintext().build();
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private GatewayConfigServiceGrpc.GatewayConfigServiceStub stub(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return GatewayConfigServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /**
     * An open watch: the snapshots it received, and how its stream ended if it did (a watch must stay open
     * for the whole test, so an end fails the next wait with its cause instead of a bare timeout).
     */
    private record Watch(LinkedBlockingQueue<ConfigSnapshot> snapshots, CompletableFuture<Throwable> ended) {
    }

    private Watch watch() {
        Watch w = new Watch(new LinkedBlockingQueue<>(), new CompletableFuture<>());
        stub(ControlPlaneTestResources.GATEWAY_TOKEN).watch(WatchRequest.newBuilder().setGatewayId("test").build(),
                new StreamObserver<>() {
                    public void onNext(ConfigEvent e) {
                        w.snapshots().add(e.getSnapshot());
                    }

                    public void onError(Throwable t) {
                        w.ended().complete(t);
                    }

                    public void onCompleted() {
                        w.ended().complete(new IllegalStateException("the server completed the watch"));
                    }
                });
        return w;
    }

    /** Waits up to {@code within} for a snapshot satisfying the probe. */
    private static ConfigSnapshot awaitSnapshot(Watch w, Duration within,
                                                java.util.function.Predicate<ConfigSnapshot> probe) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            ConfigSnapshot s = w.snapshots().poll(Math.max(1, Math.min(100_000_000L, deadline - System.nanoTime())), TimeUnit.NANOSECONDS);
            if (s != null && probe.test(s)) {
                return s;
            }
            if (s == null && w.ended().isDone() && w.snapshots().isEmpty()) {
                throw new AssertionError("the watch stream ended before a snapshot matched", w.ended().join());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no snapshot matched within " + within.toMillis() + " ms");
            }
        }
    }

    private static Optional<Account> account(ConfigSnapshot s, String instanceId, String username) {
        return s.getInstancesList().stream().filter(i -> i.getInstanceId().equals(instanceId))
                .flatMap(i -> i.getAccountsList().stream()).filter(a -> a.getUsername().equals(username)).findFirst();
    }

    @Test
    void newAccountsTopicsAndDisabledAccountsReachAWatcherWithinTwoSeconds() throws Exception {
        String tenant = Fixtures.newTenant();
        String token = adminToken(tenant);
        String id = Fixtures.createInstance(tenant, "test");
        Fixtures.awaitStatus(token, "/api/v1/instances/" + id, "RUNNING");
        Watch snapshots = watch();
        ConfigSnapshot first = awaitSnapshot(snapshots, Duration.ofSeconds(5),
                s -> s.getInstancesList().stream().anyMatch(i -> i.getInstanceId().equals(id)));
        Instance placed = first.getInstancesList().stream().filter(i -> i.getInstanceId().equals(id)).findFirst().orElseThrow();
        assertEquals(id, placed.getNamespace());
        assertEquals(Fixtures.CLUSTER_ID, placed.getClusterId());
        assertEquals(32, first.getReceiptHandleKey().size(), "gateways get the key that seals receipt handles");
        assertTrue(first.getClustersList().stream().anyMatch(c -> c.getClusterId().equals(Fixtures.CLUSTER_ID)
                && !c.getSecretKey().isEmpty()));

        String secret = as(token).body(Map.of()).post("/api/v1/instances/" + id + "/accounts/app")
                .then().statusCode(201).extract().path("secretKey");
        ConfigSnapshot withAccount = awaitSnapshot(snapshots, Duration.ofSeconds(2), s -> account(s, id, "app").isPresent());
        Account a = account(withAccount, id, "app").orElseThrow();
        assertEquals(secret, a.getSecretKey());
        assertTrue(a.getEnabled());

        as(token).body(Map.of("enabled", false)).patch("/api/v1/instances/" + id + "/accounts/app").then().statusCode(200);
        awaitSnapshot(snapshots, Duration.ofSeconds(2), s -> account(s, id, "app").map(x -> !x.getEnabled()).orElse(false));

        as(token).body(Map.of("messageType", "FIFO")).post("/api/v1/instances/" + id + "/topics/orders").then().statusCode(202);
        awaitSnapshot(snapshots, Duration.ofSeconds(2), s -> s.getInstancesList().stream()
                .filter(i -> i.getInstanceId().equals(id)).flatMap(i -> i.getTopicsList().stream())
                .anyMatch(t -> t.getName().equals("orders")));

        as(token).delete("/api/v1/instances/" + id + "/accounts/app").then().statusCode(204);
        awaitSnapshot(snapshots, Duration.ofSeconds(2), s -> account(s, id, "app").isEmpty());
    }

    @Test
    void aWatcherWithoutTheGatewayTokenIsRefused() {
        Iterator<ConfigEvent> events = GatewayConfigServiceGrpc.newBlockingStub(channel)
                .watch(WatchRequest.newBuilder().setGatewayId("intruder").build());
        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, events::next);
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        Iterator<ConfigEvent> wrong = GatewayConfigServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer("nope")))
                .watch(WatchRequest.newBuilder().setGatewayId("intruder").build());
        assertEquals(Status.Code.UNAUTHENTICATED,
                org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, wrong::next).getStatus().getCode());
    }

    private static Metadata bearer(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return headers;
    }
}
