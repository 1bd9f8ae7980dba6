package io.gantry.sdktests.bench;

import io.gantry.sdktests.support.GantryStack;
import io.gantry.sdktests.support.Gateway;
import io.gantry.sdktests.support.Sdk;
import io.gantry.sdktests.support.TenantInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.producer.Producer;

/**
 * Load driver (not a test) for throttling precision: an instance limited to N weighted messages/s is
 * offered 2N/s (open loop, 1 KiB NORMAL messages, async sends on a fixed schedule) for {@code --seconds}
 * through the official SDK, first through one gateway, then split over two replicas; prints the admitted
 * rate per 10 s window (by the send's completion time) and its deviation from N.
 *
 * <pre>
 * java -cp data-plane/sdk-tests/target/test-classes:$(cat data-plane/sdk-tests/target/test-classpath.txt) \
 *     io.gantry.sdktests.bench.ThrottlePrecisionBenchmark [--seconds=30]
 * </pre>
 * (build the classpath file as for {@link GatewayBenchmark}).
 */
public final class ThrottlePrecisionBenchmark {
    private static final int LIMIT = 500;
    private static final long WINDOW_NANOS = Duration.ofSeconds(10).toNanos();

    private ThrottlePrecisionBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = 30;
        for (String a : args) {
            if (a.startsWith("--seconds=")) {
                seconds = Integer.parseInt(a.substring("--seconds=".length()));
            }
        }
        byte[] body = new byte[1024];
        try (GantryStack stack = GantryStack.start()) {
            TenantInstance one = stack.newTenant().createInstance("test", LIMIT)
                    .createTopic("orders", "NORMAL").awaitRunning().awaitServed("orders");
            try (Producer p = Sdk.producer(one.clientConfiguration(), "orders")) {
                report("one gateway", offer(List.of(p), 2 * LIMIT, seconds, body), seconds);
            }
            TenantInstance two = stack.newTenant().createInstance("test", LIMIT)
                    .createTopic("orders", "NORMAL").awaitRunning().awaitServed("orders");
            Gateway second = stack.startGateway("gw-bench-2", null);
            two.awaitServed(second.tlsEndpoint(), "orders");
            ClientConfiguration viaSecond = Sdk.configuration(second.tlsEndpoint(), two.account());
            try (Producer a = Sdk.producer(two.clientConfiguration(), "orders"); Producer b = Sdk.producer(viaSecond, "orders")) {
                report("two gateways", offer(List.of(a, b), 2 * LIMIT, seconds, body), seconds);
            } finally {
                second.close();
            }
        }
    }

    /** Completion times (nanos since start) of the admitted sends; offered is split over the producers. */
    private static Result offer(List<Producer> producers, int perSecond, int seconds, byte[] body) throws Exception {
        ConcurrentLinkedQueue<Long> admitted = new ConcurrentLinkedQueue<>();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long interval = 1_000_000_000L / perSecond;
        long total = (long) perSecond * seconds;
        for (long i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            Producer p = producers.get((int) (i % producers.size()));
            p.sendAsync(Sdk.PROVIDER.newMessageBuilder().setTopic("orders").setBody(body).build())
                    .whenComplete((receipt, error) -> {
                        if (error == null) {
                            admitted.add(System.nanoTime() - start);
                        } else {
                            failed.incrementAndGet();
                        }
                    });
        }
        Thread.sleep(3000); // let the last retries finish before counting
        return new Result(new ArrayList<>(admitted), failed.get(), total);
    }

    private record Result(List<Long> admittedAt, long failed, long offered) {
    }

    private static void report(String what, Result r, int seconds) {
        int windows = seconds / 10;
        long[] counts = new long[windows];
        for (long t : r.admittedAt()) {
            int w = (int) (t / WINDOW_NANOS);
            if (w < windows) {
                counts[w]++;
            }
        }
        StringBuilder line = new StringBuilder("[bench] " + what + ": limit " + LIMIT + "/s, offered " + r.offered() + " ("
                + (r.offered() / seconds) + "/s), admitted " + r.admittedAt().size() + ", failed " + r.failed() + "; per 10 s window:");
        for (long c : counts) {
            double rate = c / 10.0;
            line.append(String.format(" %.1f/s (%+.1f%%)", rate, 100.0 * (rate - LIMIT) / LIMIT));
        }
        System.out.println(line);
        long[] perSecond = new long[seconds];
        for (long t : r.admittedAt()) {
            int sec = (int) (t / 1_000_000_000L);
            if (sec < seconds) {
                perSecond[sec]++;
            }
        }
        System.out.println("[bench] " + what + ": per second " + Arrays.toString(perSecond));
    }
}
