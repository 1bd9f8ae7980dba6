import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small open-loop load driver for the management API: GETs one URL at a steady rate and reports
 * latency percentiles. Latency is measured from the intended send time, so a stalled server shows
 * up as latency instead of a lower rate (no coordinated omission).
 *
 * <pre>java control-plane/bench/GetLatency.java URL TOKEN [rate/s=50] [seconds=30] [warmup-seconds=5]</pre>
 */
public class GetLatency {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java GetLatency.java URL TOKEN [rate/s] [seconds] [warmup-seconds]");
            System.exit(2);
        }
        URI uri = URI.create(args[0]);
        String token = args[1];
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newFixedThreadPool(8)).build();
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10)).GET().build();

        run(http, request, rate, warmup, false);
        run(http, request, rate, seconds, true);
        System.exit(0);
    }

    private static void run(HttpClient http, HttpRequest request, int rate, int seconds, boolean report) throws Exception {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        int total = rate * seconds;
        long periodNanos = 1_000_000_000L / rate;
        long start = System.nanoTime() + 50_000_000L;
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger sent = new AtomicInteger();
        var done = new java.util.concurrent.CountDownLatch(total);
        ticker.scheduleAtFixedRate(() -> {
            int i = sent.getAndIncrement();
            if (i >= total) {
                return;
            }
            long intended = start + i * periodNanos;
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                if (e != null || r.statusCode() != 200) {
                    errors.incrementAndGet();
                } else {
                    latencies.add(System.nanoTime() - intended);
                }
                done.countDown();
            });
        }, start - System.nanoTime(), periodNanos, TimeUnit.NANOSECONDS);
        done.await(seconds + 30L, TimeUnit.SECONDS);
        ticker.shutdownNow();
        if (!report) {
            return;
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("GET %s%n  rate %d/s for %d s: %d ok, %d errors%n", request.uri(), rate, seconds,
                sorted.length, errors.get());
        if (sorted.length > 0) {
            System.out.printf("  latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                    pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), pct(sorted, 99.9), sorted[sorted.length - 1] / 1e6);
        }
    }

    private static double pct(long[] sorted, double p) {
        int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
