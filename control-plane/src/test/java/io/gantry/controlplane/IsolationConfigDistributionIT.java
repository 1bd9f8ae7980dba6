package io.gantry.controlplane;

import static io.gantry.controlplane.Fixtures.adminToken;
import static io.gantry.controlplane.Fixtures.as;
import static io.gantry.controlplane.Fixtures.operatorToken;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gantry.api.config.v1.Account;
import io.gantry.api.config.v1.AccountType;
import io.gantry.api.config.v1.AclAction;
import io.gantry.api.config.v1.AclDecision;
import io.gantry.api.config.v1.AclPattern;
import io.gantry.api.config.v1.AclResourceType;
import io.gantry.api.config.v1.AclRule;
import io.gantry.api.config.v1.ConfigEvent;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.api.config.v1.GatewayConfigServiceGrpc;
import io.gantry.api.config.v1.Instance;
import io.gantry.api.config.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What gateways need to enforce isolation reaches a watching gateway within 2 seconds of the API
 * call: throughput limits with weights and burst, an operator's throttle, topic and group caps, the
 * IP allowlist, account types and ACL rules.
 */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
class IsolationConfigDistributionIT {
    private static final Duration WITHIN = Duration.ofSeconds(2);

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", ControlPlaneTestResources.configPort()).usePlaintext().build();
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /**
     * An open watch: the snapshots it received, and how its stream ended if it did (a watch must stay open
     * for the whole test, so an end fails the next wait with its cause instead of a bare timeout).
     */
    private record Watch(LinkedBlockingQueue<ConfigSnapshot> snapshots, CompletableFuture<Throwable> ended) {
    }

    private Watch watch() {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + ControlPlaneTestResources.GATEWAY_TOKEN);
        Watch w = new Watch(new LinkedBlockingQueue<>(), new CompletableFuture<>());
        GatewayConfigServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .watch(WatchRequest.newBuilder().setGatewayId("isolation-test").build(), new StreamObserver<>() {
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

    /** The instance as the first snapshot within {@code within} shows it that satisfies the probe. */
    private static Instance await(Watch w, String instanceId, Duration within,
                                  String what, Predicate<Instance> probe) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            ConfigSnapshot s = w.snapshots().poll(Math.max(1, Math.min(100_000_000L, deadline - System.nanoTime())), TimeUnit.NANOSECONDS);
            if (s != null) {
                Optional<Instance> i = s.getInstancesList().stream().filter(x -> x.getInstanceId().equals(instanceId)).findFirst();
                if (i.isPresent() && probe.test(i.get())) {
                    return i.get();
                }
            } else if (w.ended().isDone() && w.snapshots().isEmpty()) {
                throw new AssertionError("the watch stream ended before a snapshot showed " + what, w.ended().join());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no snapshot within " + within.toMillis() + " ms showed " + what);
            }
        }
    }

    private static Optional<Account> account(Instance i, String username) {
        return i.getAccountsList().stream().filter(a -> a.getUsername().equals(username)).findFirst();
    }

    @Test
    void isolationSettingsReachAGatewayWithinTwoSeconds() throws Exception {
        String tenant = Fixtures.newTenant();
        String token = adminToken(tenant);
        String id = Fixtures.createInstance(tenant, "test");
        String base = "/api/v1/instances/" + id;
        as(token).body(Map.of()).post(base + "/accounts/legacy").then().statusCode(201);
        Fixtures.awaitStatus(token, base, "RUNNING");
        Watch snapshots = watch();

        Instance first = await(snapshots, id, Duration.ofSeconds(5), "the instance", i -> true);
        assertEquals(500, first.getThroughput().getSendTps());
        assertEquals(1000, first.getThroughput().getReceiveTps());
        assertEquals(Map.of("NORMAL", 1, "FIFO", 2, "DELAY", 2, "TRANSACTION", 3),
                first.getThroughput().getMessageTypeWeightsMap());
        assertEquals(0.2, first.getThroughput().getBurstSeconds(), 1e-9);
        assertEquals(false, first.getThroughput().hasTemporaryThrottle());
        assertEquals(AccountType.ACCOUNT_TYPE_ADMIN, account(first, "legacy").orElseThrow().getType(),
                "an account made without a type keeps every permission");

        as(token).body(Map.of("ipAllowlist", List.of("10.0.0.0/8", "2001:db8::/32"))).patch(base).then().statusCode(200);
        await(snapshots, id, WITHIN, "the allowlist",
                i -> i.getIpAllowlistList().equals(List.of("10.0.0.0/8", "2001:db8::/32")));

        as(token).body(Map.of("accountType", "NORMAL")).post(base + "/accounts/app").then().statusCode(201);
        await(snapshots, id, WITHIN, "the NORMAL account",
                i -> account(i, "app").map(a -> a.getType() == AccountType.ACCOUNT_TYPE_NORMAL).orElse(false));
        String ruleId = as(token).body(Map.of("resourceType", "TOPIC", "resourceName", "orders", "pattern", "LITERAL",
                        "actions", List.of("PUB"), "decision", "DENY", "sourceCidrs", List.of("192.168.1.0/24")))
                .post(base + "/accounts/app/acls").then().statusCode(201).extract().path("ruleId");
        Instance withRule = await(snapshots, id, WITHIN, "the ACL rule",
                i -> account(i, "app").map(a -> a.getAclRulesCount() == 1).orElse(false));
        assertEquals(AclRule.newBuilder().setResourceType(AclResourceType.ACL_RESOURCE_TYPE_TOPIC)
                        .setResourceName("orders").setPattern(AclPattern.ACL_PATTERN_LITERAL)
                        .addActions(AclAction.ACL_ACTION_PUB).setDecision(AclDecision.ACL_DECISION_DENY)
                        .addSourceCidrs("192.168.1.0/24").build(),
                account(withRule, "app").orElseThrow().getAclRules(0));
        as(token).delete(base + "/accounts/app/acls/" + ruleId).then().statusCode(204);
        await(snapshots, id, WITHIN, "the rule removed",
                i -> account(i, "app").map(a -> a.getAclRulesCount() == 0).orElse(false));
        as(token).body(Map.of("accountType", "ADMIN")).patch(base + "/accounts/app").then().statusCode(200);
        await(snapshots, id, WITHIN, "the account made ADMIN",
                i -> account(i, "app").map(a -> a.getType() == AccountType.ACCOUNT_TYPE_ADMIN).orElse(false));

        as(token).body(Map.of("messageType", "FIFO", "maxSendTps", 120)).post(base + "/topics/orders").then().statusCode(202);
        await(snapshots, id, WITHIN, "the topic cap", i -> i.getTopicsList().stream()
                .anyMatch(t -> t.getName().equals("orders") && t.getMaxSendTps() == 120));
        as(token).body(Map.of("maxSendTps", 80)).patch(base + "/topics/orders").then().statusCode(200);
        await(snapshots, id, WITHIN, "the changed topic cap", i -> i.getTopicsList().stream()
                .anyMatch(t -> t.getName().equals("orders") && t.getMaxSendTps() == 80));
        as(token).body(Map.of("maxReceiveTps", 300)).post(base + "/consumer-groups/billing").then().statusCode(202);
        await(snapshots, id, WITHIN, "the group cap", i -> i.getConsumerGroupsList().stream()
                .anyMatch(g -> g.getName().equals("billing") && g.getMaxReceiveTps() == 300));
        as(token).body(Map.of("maxReceiveTps", 0)).patch(base + "/consumer-groups/billing").then().statusCode(200);
        await(snapshots, id, WITHIN, "the group cap removed", i -> i.getConsumerGroupsList().stream()
                .anyMatch(g -> g.getName().equals("billing") && g.getMaxReceiveTps() == 0));

        Instant expiresAt = Instant.now().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MILLIS);
        as(operatorToken()).body(Map.of("sendTps", 100, "receiveTps", 150, "reason", "noisy", "expiresAt", expiresAt.toString()))
                .put("/api/v1/admin/instances/" + id + "/throttle").then().statusCode(200);
        Instance throttled = await(snapshots, id, WITHIN, "the throttle", i -> i.getThroughput().hasTemporaryThrottle());
        assertEquals(100, throttled.getThroughput().getTemporaryThrottle().getSendTps());
        assertEquals(150, throttled.getThroughput().getTemporaryThrottle().getReceiveTps());
        assertEquals("noisy", throttled.getThroughput().getTemporaryThrottle().getReason());
        assertEquals(expiresAt.toEpochMilli(), throttled.getThroughput().getTemporaryThrottle().getExpiresAtMillis());
        assertEquals(500, throttled.getThroughput().getSendTps(), "the bought limit stays; gateways apply the lower");
        as(operatorToken()).delete("/api/v1/admin/instances/" + id + "/throttle").then().statusCode(204);
        await(snapshots, id, WITHIN, "the throttle lifted", i -> !i.getThroughput().hasTemporaryThrottle());
    }
}
