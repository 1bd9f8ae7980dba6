package io.gantry.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.sdktests.support.Await;
import io.gantry.sdktests.support.GantryExtension;
import io.gantry.sdktests.support.GantryStack;
import io.gantry.sdktests.support.Gateway;
import io.gantry.sdktests.support.Sdk;
import io.gantry.sdktests.support.TenantInstance;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Throughput limits as a tenant meets them through the official SDK: pushing past what the instance
 * bought slows the producer down instead of failing it, the neighbour on the same broker keeps its
 * latency, two gateway replicas hold the limit together, and an operator's temporary throttle takes
 * effect on connected clients within seconds. Rates here are asserted loosely (this machine is shared);
 * the precise numbers are the benchmark's (data-plane/sdk-tests README).
 */
@ExtendWith(GantryExtension.class)
class ThrottlingIT {
    /** The test edition's only spec: 500 weighted messages/s sent. */
    private static final int TEST_EDITION_SEND_TPS = 500;
    private static final Duration LOAD = Duration.ofSeconds(10);
    private static final byte[] BODY_1_KIB = new byte[1024];

    static {
        Arrays.fill(BODY_1_KIB, (byte) 'x');
    }

    @Test
    void aTenantPushingPastItsTpsSlowsDownWithoutFailingWhileItsNeighbourStaysFast(GantryStack stack) throws Exception {
        TenantInstance noisy = stack.newTenant().createInstance("test", TEST_EDITION_SEND_TPS)
                .createTopic("orders", "NORMAL").awaitRunning().awaitServed("orders");
        TenantInstance neighbour = stack.newTenant().createInstance("standard", 1000)
                .createTopic("orders", "NORMAL").awaitRunning().awaitServed("orders");
        try (Producer noisyProducer = Sdk.producer(noisy.clientConfiguration(), "orders");
                Producer neighbourProducer = Sdk.producer(neighbour.clientConfiguration(), "orders")) {
            List<Long> quiet = paced(neighbourProducer, 100, 50);

            ExecutorService threads = Executors.newFixedThreadPool(17);
            try {
                Future<long[]> load = threads.submit(() -> closedLoop(noisyProducer, threads, 16, LOAD));
                List<Long> busy = paced(neighbourProducer, 200, 50);
                long[] outcome = load.get();
                long sent = outcome[0];
                long failed = outcome[1];
                double rate = sent / (double) LOAD.toSeconds();
                GantryStack.log(String.format("noisy tenant: %d sent, %d failed in %d s = %.0f msg/s (limit %d);"
                        + " neighbour latency p50/p99 quiet %s/%s ms, during %s/%s ms", sent, failed, LOAD.toSeconds(), rate,
                        TEST_EDITION_SEND_TPS, ms(quiet, 0.5), ms(quiet, 0.99), ms(busy, 0.5), ms(busy, 0.99)));
                assertEquals(0, failed, "the SDK must slow down, not fail");
                assertTrue(rate <= TEST_EDITION_SEND_TPS * 1.2, "admitted " + rate + " msg/s past a limit of " + TEST_EDITION_SEND_TPS);
                assertTrue(rate >= TEST_EDITION_SEND_TPS * 0.5, "admitted only " + rate + " msg/s of " + TEST_EDITION_SEND_TPS);
                assertTrue(throttled(stack.gateway(), noisy.id()) > 0, "the gateway counted no throttled request");
                assertEquals(0, throttled(stack.gateway(), neighbour.id()), "the neighbour was throttled");
                // generous: a shared 2-core machine; the point is "not queued behind the noisy tenant"
                assertTrue(percentile(busy, 0.99) < Duration.ofMillis(500).toNanos(),
                        "neighbour p99 " + ms(busy, 0.99) + " ms while the noisy tenant was throttled");
            } finally {
                threads.shutdownNow();
            }
        }
        Await.until("the instance view to show the throttled requests", Duration.ofSeconds(10), () ->
                noisy.tenant().api().get("/api/v1/instances/" + noisy.id()).jsonPath().getLong("throttled.total") > 0);
    }

    @Test
    void twoGatewayReplicasHoldTheInstanceLimitTogether(GantryStack stack) throws Exception {
        TenantInstance instance = stack.newTenant().createInstance("test", TEST_EDITION_SEND_TPS)
                .createTopic("orders", "NORMAL").awaitRunning().awaitServed("orders");
        Gateway second = stack.startGateway("gw-throttle-2", null);
        try {
            instance.awaitServed(second.tlsEndpoint(), "orders");
            ClientConfiguration viaFirst = instance.clientConfiguration();
            ClientConfiguration viaSecond = Sdk.configuration(second.tlsEndpoint(), instance.account());
            ExecutorService threads = Executors.newFixedThreadPool(18);
            try (Producer a = Sdk.producer(viaFirst, "orders"); Producer b = Sdk.producer(viaSecond, "orders")) {
                Future<long[]> loadA = threads.submit(() -> closedLoop(a, threads, 8, LOAD));
                Future<long[]> loadB = threads.submit(() -> closedLoop(b, threads, 8, LOAD));
                long[] ra = loadA.get();
                long[] rb = loadB.get();
                double rate = (ra[0] + rb[0]) / (double) LOAD.toSeconds();
                GantryStack.log(String.format("two replicas: %d + %d sent (%d + %d failed) in %d s = %.0f msg/s (limit %d)",
                        ra[0], rb[0], ra[1], rb[1], LOAD.toSeconds(), rate, TEST_EDITION_SEND_TPS));
                // one replica's limit times two would be 1000/s
                assertTrue(rate <= TEST_EDITION_SEND_TPS * 1.25, "two replicas admitted " + rate + " msg/s together");
                assertTrue(rate >= TEST_EDITION_SEND_TPS * 0.5, "two replicas admitted only " + rate + " msg/s");
                assertTrue(ra[0] > 0 && rb[0] > 0, "both replicas admitted");
            } finally {
                threads.shutdownNow();
            }
        } finally {
            second.close();
        }
    }

    @Test
    void anOperatorsTemporaryThrottleSlowsConnectedClientsWithinSeconds(GantryStack stack) throws Exception {
        TenantInstance instance = stack.newTenant().createInstance("standard", 1000)
                .createTopic("orders", "NORMAL").awaitRunning().awaitServed("orders");
        try (Producer producer = Sdk.producer(instance.clientConfiguration(), "orders")) {
            producer.send(Sdk.message("orders", "warm-up", null, null));
            int status = stack.as(stack.operatorToken())
                    .body(Map.of("sendTps", 20, "receiveTps", 20, "reason", "ThrottlingIT: noisy neighbour drill",
                            "expiresAt", Instant.now().plus(Duration.ofMinutes(10)).toString()))
                    .put("/api/v1/admin/instances/" + instance.id() + "/throttle").statusCode();
            assertEquals(200, status);
            long set = System.nanoTime();
            ExecutorService threads = Executors.newFixedThreadPool(9);
            try {
                // the same connected producer: within a few seconds, a 2 s window admits about 2 x 20
                Await.until("the temporary throttle to hold the connected producer near 20 msg/s", Duration.ofSeconds(15), () -> {
                    long[] r = closedLoop(producer, threads, 8, Duration.ofSeconds(2));
                    return r[0] <= 2 * 20 * 2;
                });
                GantryStack.log("temporary throttle in force " + Duration.ofNanos(System.nanoTime() - set).toMillis()
                        + " ms after the PUT");
                assertEquals(204, stack.as(stack.operatorToken()).delete("/api/v1/admin/instances/" + instance.id() + "/throttle")
                        .statusCode());
                Await.until("the lifted throttle to let the producer past 20 msg/s", Duration.ofSeconds(15),
                        () -> closedLoop(producer, threads, 8, Duration.ofSeconds(2))[0] > 2 * 20 * 3);
            } finally {
                threads.shutdownNow();
            }
        }
    }

    /** {@code senders} threads sending 1 KiB messages back to back for {@code duration}: {sent, failed}. */
    private static long[] closedLoop(Producer producer, ExecutorService threads, int senders, Duration duration) throws Exception {
        AtomicLong sent = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < senders; t++) {
            running.add(threads.submit(() -> {
                while (!stop.get()) {
                    try {
                        producer.send(Sdk.PROVIDER.newMessageBuilder().setTopic("orders").setBody(BODY_1_KIB).build());
                        sent.incrementAndGet();
                    } catch (Exception e) {
                        if (failed.incrementAndGet() == 1) {
                            GantryStack.log("first failed send of this load: " + Sdk.describe(e));
                        }
                    }
                }
            }));
        }
        Thread.sleep(duration.toMillis()); // the load's duration, not a wait for ordering
        stop.set(true);
        for (Future<?> f : running) {
            f.get();
        }
        return new long[] {sent.get(), failed.get()};
    }

    /** {@code count} sends at {@code perSecond}, each one's latency in nanoseconds. */
    private static List<Long> paced(Producer producer, int count, int perSecond) throws Exception {
        List<Long> latencies = new ArrayList<>();
        long interval = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // pacing an open-loop sender
            }
            long start = System.nanoTime();
            producer.send(Sdk.PROVIDER.newMessageBuilder().setTopic("orders")
                    .setBody(("paced-" + i).getBytes(StandardCharsets.UTF_8)).build());
            latencies.add(System.nanoTime() - start);
            next += interval;
        }
        return latencies;
    }

    private static long percentile(List<Long> values, double p) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static String ms(List<Long> values, double p) {
        return String.format("%.1f", percentile(values, p) / 1e6);
    }

    /** The gateway's Prometheus counter of throttled requests for an instance (all its limits). */
    private static long throttled(Gateway gateway, String instanceId) {
        String metrics = io.restassured.RestAssured.given().baseUri(gateway.metricsUrl()).get().asString();
        long total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("gantry_gateway_throttled_requests_total{instance=\"" + instanceId + "\"")) {
                total += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }
}
