package io.gantry.dataplane.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventBatch;
import io.gantry.api.trace.v1.TraceEventType;
import io.gantry.dataplane.metrics.GatewayMetrics;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Batching, ids, retries and counting; the sender is a recorder of what would be published. */
class TracePublisherTest {
    final GatewayMetrics metrics = new GatewayMetrics();
    final List<TracePublisher.Batch> sent = new CopyOnWriteArrayList<>();

    static TraceEvent.Builder event(int i) {
        return TraceEvent.newBuilder().setType(TraceEventType.SEND).setMessageId("m" + i).setInstanceId("i");
    }

    static TraceEventBatch parse(TracePublisher.Batch b) {
        try {
            return TraceEventBatch.parseFrom(b.body());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(5);
        }
    }

    TracePublisher publisher(TraceBuffer buffer, TracePublisher.BatchSender sender, long[] backoff) {
        return new TracePublisher("gw-1", buffer, sender, metrics,
                new TracePublisher.Limits(1_000, 1024 * 1024, 100, 10, backoff, 8));
    }

    TracePublisher.BatchSender accepting() {
        return b -> {
            sent.add(b);
            return CompletableFuture.completedFuture(null);
        };
    }

    @Test
    void batchesHoldAtMostAThousandEventsPerClusterWithUniqueIds() throws Exception {
        TraceBuffer buffer = new TraceBuffer(65_536, Long.MAX_VALUE);
        for (int i = 0; i < 2_500; i++) {
            buffer.offer("a", event(i), 256);
        }
        for (int i = 0; i < 10; i++) {
            buffer.offer("b", event(i), 256);
        }
        TracePublisher p = publisher(buffer, accepting(), new long[0]);
        p.start();
        await(() -> metrics.traceEvents(TracePublisher.PUBLISHED) == 2_510, "all published");
        p.close(1_000);
        Set<String> ids = new HashSet<>();
        Set<String> messageIds = new HashSet<>();
        int a = 0;
        for (TracePublisher.Batch b : sent) {
            TraceEventBatch batch = parse(b);
            assertEquals("gw-1", batch.getGatewayId());
            assertEquals(b.events(), batch.getEventsCount());
            assertTrue(batch.getEventsCount() <= 1_000, "at most 1,000 events: " + batch.getEventsCount());
            for (TraceEvent e : batch.getEventsList()) {
                assertTrue(e.getEventId().matches("gw-1:\\d{13}:\\d+"), e.getEventId());
                assertTrue(ids.add(e.getEventId()), "unique: " + e.getEventId());
            }
            assertTrue(b.messageId().matches("01[0-9A-F]{32}"), b.messageId());
            assertTrue(messageIds.add(b.messageId()));
            if (b.clusterId().equals("a")) {
                a += batch.getEventsCount();
            } else {
                assertEquals("b", b.clusterId());
                assertTrue(batch.getEventsList().stream().allMatch(e -> Integer.parseInt(e.getMessageId().substring(1)) < 10));
            }
        }
        assertEquals(2_500, a, "grouped by cluster");
        assertEquals(2_510, ids.size());
    }

    @Test
    void aBatchStaysUnderOneMebibyte() throws Exception {
        TraceBuffer buffer = new TraceBuffer(65_536, Long.MAX_VALUE);
        String big = "v".repeat(250);
        for (int i = 0; i < 900; i++) {
            TraceEvent.Builder e = event(i);
            for (int k = 0; k < 10; k++) {
                e.putProperties("key-" + k + "-" + big, big);
            }
            buffer.offer("a", e, 256);
        }
        TracePublisher p = publisher(buffer, accepting(), new long[0]);
        p.start();
        await(() -> metrics.traceEvents(TracePublisher.PUBLISHED) == 900, "all published");
        p.close(1_000);
        assertTrue(sent.size() >= 5, "~5 KiB per event: several batches for 900 events, got " + sent.size());
        for (TracePublisher.Batch b : sent) {
            assertTrue(b.body().size() <= 1024 * 1024, "batch of " + b.body().size() + " bytes");
        }
    }

    @Test
    void aLoneEventIsPublishedWithinAFewHundredMilliseconds() throws Exception {
        TraceBuffer buffer = new TraceBuffer(1024, Long.MAX_VALUE);
        TracePublisher p = publisher(buffer, accepting(), new long[0]);
        p.start();
        try {
            long t0 = System.nanoTime();
            buffer.offer("a", event(1), 256);
            await(() -> !sent.isEmpty(), "the lone event published");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 90, "waited for company for ~100 ms, not " + ms);
            assertEquals(1, sent.get(0).events());
        } finally {
            p.close(1_000);
        }
    }

    @Test
    void aFailingSendIsRetriedWithTheSameBytesThenDroppedAndCounted() throws Exception {
        TraceBuffer buffer = new TraceBuffer(1024, Long.MAX_VALUE);
        AtomicInteger attempts = new AtomicInteger();
        List<TracePublisher.Batch> tried = new ArrayList<>();
        TracePublisher p = publisher(buffer, b -> {
            synchronized (tried) {
                tried.add(b);
            }
            attempts.incrementAndGet();
            return CompletableFuture.failedFuture(new IllegalStateException("TOPIC_NOT_FOUND"));
        }, new long[] {10, 20});
        p.start();
        try {
            for (int i = 0; i < 3; i++) {
                buffer.offer("a", event(i), 256);
            }
            await(() -> metrics.traceEvents(TracePublisher.DROPPED_REFUSED) == 3, "dropped after retries");
            assertEquals(3, attempts.get(), "one attempt and two retries");
            synchronized (tried) {
                assertTrue(tried.stream().allMatch(b -> b.body().equals(tried.get(0).body())
                        && b.messageId().equals(tried.get(0).messageId())), "a retry sends the same batch");
            }
            assertEquals(0, metrics.traceEvents(TracePublisher.PUBLISHED));
            assertEquals(0, p.inFlight());
        } finally {
            p.close(1_000);
        }
    }

    @Test
    void aRetryThatSucceedsIsPublished() throws Exception {
        TraceBuffer buffer = new TraceBuffer(1024, Long.MAX_VALUE);
        AtomicInteger attempts = new AtomicInteger();
        TracePublisher p = publisher(buffer, b -> attempts.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(new IllegalStateException("UNAVAILABLE"))
                : CompletableFuture.completedFuture(null), new long[] {10, 20});
        p.start();
        try {
            buffer.offer("a", event(1), 256);
            await(() -> metrics.traceEvents(TracePublisher.PUBLISHED) == 1, "published on the retry");
            assertEquals(0, metrics.traceEvents(TracePublisher.DROPPED_REFUSED));
        } finally {
            p.close(1_000);
        }
    }

    @Test
    void aClusterThatNeverAnswersHoldsABoundedNumberOfBatches() throws Exception {
        TraceBuffer buffer = new TraceBuffer(65_536, Long.MAX_VALUE);
        List<CompletableFuture<Void>> hanging = new CopyOnWriteArrayList<>();
        TracePublisher p = publisher(buffer, b -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            hanging.add(f);
            return f;
        }, new long[0]);
        p.start();
        for (int i = 0; i < 20_000; i++) {
            buffer.offer("a", event(i), 256);
        }
        // beyond 8 batches in flight the cluster's events wait in the (bounded) buffer
        await(() -> hanging.size() == 8 && buffer.size() == 12_000, "8 batches in flight, the rest buffered");
        long t0 = System.nanoTime();
        p.close(200);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "close keeps to its deadline");
        assertEquals(8_000, metrics.traceEvents(TracePublisher.DROPPED_REFUSED), "unfinished at close: counted");
        assertEquals(12_000, metrics.traceEvents(TracePublisher.DROPPED_BUFFER_FULL), "still buffered at close: counted");
        hanging.forEach(f -> f.complete(null));
        assertEquals(0, metrics.traceEvents(TracePublisher.PUBLISHED), "a late answer is not counted twice");
    }

    @Test
    void bufferDropsReachTheMetric() throws Exception {
        TraceBuffer buffer = new TraceBuffer(16, Long.MAX_VALUE);
        for (int i = 0; i < 20; i++) {
            buffer.offer("a", event(i), 256);
        }
        TracePublisher p = publisher(buffer, accepting(), new long[0]);
        p.start();
        await(() -> metrics.traceEvents(TracePublisher.DROPPED_BUFFER_FULL) == 4 && metrics.traceEvents(TracePublisher.PUBLISHED) == 16,
                "4 dropped, 16 published");
        p.close(1_000);
        assertTrue(metrics.render().contains("gantry_gateway_trace_events_total{outcome=\"dropped_buffer_full\"} 4"), metrics.render());
    }

    @Test
    void closePublishesWhatIsStillBuffered() {
        TraceBuffer buffer = new TraceBuffer(1024, Long.MAX_VALUE);
        TracePublisher p = publisher(buffer, accepting(), new long[0]);
        // never started: only close() drains
        for (int i = 0; i < 5; i++) {
            buffer.offer("a", event(i), 256);
        }
        p.close(1_000);
        assertEquals(5, metrics.traceEvents(TracePublisher.PUBLISHED));
    }
}
