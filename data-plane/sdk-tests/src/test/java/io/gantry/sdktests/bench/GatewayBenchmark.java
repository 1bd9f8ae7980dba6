package io.gantry.sdktests.bench;

import io.gantry.sdktests.support.Account;
import io.gantry.sdktests.support.GantryStack;
import io.gantry.sdktests.support.ProcCpu;
import io.gantry.sdktests.support.Sdk;
import io.gantry.sdktests.support.TenantInstance;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.apis.producer.Producer;

/**
 * Load driver (not a test): in one run on one machine, one async producer with a fixed number of
 * sends in flight, first straight to the RocketMQ proxy, then through the gateway, and compares
 * messages/s, send latency and the gateway's CPU time per message.
 *
 * <pre>
 * mvn -B -q -pl data-plane/sdk-tests test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -cp data-plane/sdk-tests/target/test-classes:$(cat data-plane/sdk-tests/target/test-classpath.txt) \
 *     io.gantry.sdktests.bench.GatewayBenchmark [--seconds=20] [--warmup=10] [--inflight=64] [--size=1024] [--plaintext]
 * </pre>
 *
 * Direct runs use the cluster's admin credentials and the namespaced topic ({@code <ns>%bench}), as
 * the gateway itself does upstream; gateway runs use the instance's endpoint and an account, as a
 * tenant does. TLS from the client (the SDK's default) in both unless {@code --plaintext} adds a
 * plaintext pair (the proxy accepts both on one port; the gateway has a plaintext listener).
 */
public final class GatewayBenchmark {

    private GatewayBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        System.out.println("[bench] " + options);
        try (GantryStack stack = GantryStack.start()) {
            TenantInstance instance = stack.newTenant().createInstance("professional", 50_000)
                    .createTopic("bench", "NORMAL", 8).awaitRunning().awaitServed("bench");
            Account admin = new Account("admin", stack.rocketMq().adminAccessKey(), stack.rocketMq().adminSecretKey());
            String namespaced = instance.namespace() + "%bench";
            long proxyPid = stack.rocketMq().pid();
            long gatewayPid = stack.gateway().pid();

            List<Result> results = new ArrayList<>();
            List<Boolean> tlsModes = options.plaintext ? List.of(true, false) : List.of(true);
            for (boolean tls : tlsModes) {
                String suffix = tls ? " (TLS)" : " (plaintext)";
                ClientConfiguration direct = Sdk.configuration(stack.rocketMq().proxyGrpcEndpoint(), admin, tls, null);
                String gatewayEndpoint = tls ? instance.endpoint() : stack.gateway().plaintextEndpoint();
                ClientConfiguration viaGateway = Sdk.configuration(gatewayEndpoint, instance.account(), tls, null);
                results.add(run("direct" + suffix, direct, namespaced, options, gatewayPid, proxyPid));
                results.add(run("gateway" + suffix, viaGateway, "bench", options, gatewayPid, proxyPid));
            }

            System.out.println();
            System.out.println(String.format(Locale.ROOT, "%-22s %9s %8s %8s %8s %8s %13s %13s %13s %6s",
                    "mode", "msgs/s", "p50 ms", "p99 ms", "p999 ms", "errors", "gw us/msg", "proxy us/msg",
                    "client us/msg", "cores"));
            for (Result r : results) {
                System.out.println(r.row());
            }
            for (int i = 0; i + 1 < results.size(); i += 2) {
                Result d = results.get(i);
                Result g = results.get(i + 1);
                System.out.println(String.format(Locale.ROOT,
                        "%s vs %s: throughput ratio %.2f, p50 +%.2f ms, p99 +%.2f ms, p999 +%.2f ms, gateway CPU %.1f us/msg",
                        g.mode, d.mode, g.rate() / d.rate(), g.percentile(0.50) - d.percentile(0.50),
                        g.percentile(0.99) - d.percentile(0.99), g.percentile(0.999) - d.percentile(0.999),
                        g.gatewayMicrosPerMessage()));
            }
            System.out.println("[bench] processes: gateway pid " + gatewayPid + ", RocketMQ (proxy+broker+namesrv) pid "
                    + proxyPid + ", this client JVM pid " + ProcessHandle.current().pid() + "; "
                    + Runtime.getRuntime().availableProcessors() + " cores");
        }
        // the shared RocketMQ, PostgreSQL and OIDC stop with the JVM (shutdown hooks)
        System.exit(0);
    }

    private static Result run(String mode, ClientConfiguration configuration, String topic, Options options,
            long gatewayPid, long proxyPid) throws Exception {
        byte[] body = new byte[options.size];
        Arrays.fill(body, (byte) 'x');
        try (Producer producer = Sdk.producer(configuration, topic)) {
            System.out.println("[bench] " + mode + ": warm-up " + options.warmup.toSeconds() + " s");
            drive(producer, topic, body, options.inflight, options.warmup, null);
            System.out.println("[bench] " + mode + ": measuring " + options.measure.toSeconds() + " s");
            Duration gatewayBefore = ProcCpu.of(gatewayPid);
            Duration proxyBefore = ProcCpu.of(proxyPid);
            long clientBefore = clientCpuNanos();
            long[] latencies = new long[(int) Math.min(Integer.MAX_VALUE - 8, options.measure.toSeconds() * 100_000L)];
            Stats stats = drive(producer, topic, body, options.inflight, options.measure, latencies);
            Result result = new Result(mode, stats,
                    ProcCpu.of(gatewayPid).minus(gatewayBefore), ProcCpu.of(proxyPid).minus(proxyBefore),
                    Duration.ofNanos(clientCpuNanos() - clientBefore));
            System.out.println("[bench] " + result.row());
            return result;
        }
    }

    /** Sends for {@code duration} with at most {@code inflight} unanswered sends; waits for the stragglers. */
    private static Stats drive(Producer producer, String topic, byte[] body, int inflight, Duration duration,
            long[] latencies) throws InterruptedException {
        Semaphore window = new Semaphore(inflight);
        AtomicInteger recorded = new AtomicInteger();
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong firstError = new AtomicLong();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        while (System.nanoTime() < end) {
            window.acquire();
            Message message = Sdk.PROVIDER.newMessageBuilder().setTopic(topic).setBody(body).build();
            long sentAt = System.nanoTime();
            producer.sendAsync(message).whenComplete((receipt, failure) -> {
                long latency = System.nanoTime() - sentAt;
                if (failure == null) {
                    ok.incrementAndGet();
                    if (latencies != null) {
                        int i = recorded.getAndIncrement();
                        if (i < latencies.length) {
                            latencies[i] = latency;
                        }
                    }
                } else if (errors.incrementAndGet() == 1) {
                    firstError.set(System.nanoTime());
                    System.out.println("[bench] first send failure: " + Sdk.describe(failure));
                }
                window.release();
            });
        }
        window.tryAcquire(inflight, 30, TimeUnit.SECONDS);
        long elapsed = System.nanoTime() - start;
        long[] sample = latencies == null ? new long[0]
                : Arrays.copyOf(latencies, Math.min(recorded.get(), latencies.length));
        Arrays.sort(sample);
        return new Stats(ok.get(), errors.get(), Duration.ofNanos(elapsed), sample);
    }

    private static long clientCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private record Stats(long ok, long errors, Duration elapsed, long[] sortedLatencies) {
    }

    private record Result(String mode, Stats stats, Duration gatewayCpu, Duration proxyCpu, Duration clientCpu) {

        double rate() {
            return stats.ok * 1e9 / stats.elapsed.toNanos();
        }

        double percentile(double p) {
            long[] sorted = stats.sortedLatencies;
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
            return sorted[Math.max(0, index)] / 1e6;
        }

        double gatewayMicrosPerMessage() {
            return stats.ok == 0 ? Double.NaN : gatewayCpu.toNanos() / 1e3 / stats.ok;
        }

        String row() {
            double total = gatewayCpu.plus(proxyCpu).plus(clientCpu).toNanos() / (double) stats.elapsed.toNanos();
            return String.format(Locale.ROOT, "%-22s %9.0f %8.2f %8.2f %8.2f %8d %13.1f %13.1f %13.1f %6.2f",
                    mode, rate(), percentile(0.50), percentile(0.99), percentile(0.999), stats.errors,
                    gatewayMicrosPerMessage(),
                    stats.ok == 0 ? Double.NaN : proxyCpu.toNanos() / 1e3 / stats.ok,
                    stats.ok == 0 ? Double.NaN : clientCpu.toNanos() / 1e3 / stats.ok, total);
        }
    }

    private record Options(Duration measure, Duration warmup, int inflight, int size, boolean plaintext) {

        static Options parse(String[] args) {
            Duration measure = Duration.ofSeconds(20);
            Duration warmup = Duration.ofSeconds(10);
            int inflight = 64;
            int size = 1024;
            boolean plaintext = false;
            for (String arg : args) {
                String[] kv = arg.split("=", 2);
                switch (kv[0]) {
                    case "--seconds" -> measure = Duration.ofSeconds(Long.parseLong(kv[1]));
                    case "--warmup" -> warmup = Duration.ofSeconds(Long.parseLong(kv[1]));
                    case "--inflight" -> inflight = Integer.parseInt(kv[1]);
                    case "--size" -> size = Integer.parseInt(kv[1]);
                    case "--plaintext" -> plaintext = true;
                    default -> throw new IllegalArgumentException("unknown argument " + arg
                            + " (--seconds=N --warmup=N --inflight=N --size=BYTES --plaintext)");
                }
            }
            return new Options(measure, warmup, inflight, size, plaintext);
        }
    }
}
