package io.gantry.dataplane.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.api.trace.v1.TraceEvent;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TraceBufferTest {
    static TraceEvent.Builder event(String id) {
        return TraceEvent.newBuilder().setMessageId(id);
    }

    @Test
    void aFullBufferDropsAndCountsInsteadOfWaiting() {
        TraceBuffer buffer = new TraceBuffer(16, 1 << 20);
        for (int i = 0; i < 16; i++) {
            assertTrue(buffer.offer("c", event("m" + i), 100));
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            assertFalse(buffer.offer("c", event("x"), 100));
        }
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "dropping is immediate");
        assertEquals(1000, buffer.takeDropped());
        assertEquals(0, buffer.takeDropped(), "taken once");
        assertEquals(16, buffer.size());
        assertEquals("m0", buffer.poll().event().getMessageId(), "oldest first");
        assertTrue(buffer.offer("c", event("m16"), 100), "room again after a poll");
    }

    @Test
    void theByteBudgetBoundsEventsWithLargeProperties() {
        TraceBuffer buffer = new TraceBuffer(1024, 10_000);
        assertTrue(buffer.offer("c", event("a"), 6_000));
        assertFalse(buffer.offer("c", event("b"), 6_000), "over the budget");
        assertTrue(buffer.offer("c", event("c"), 4_000));
        assertEquals(10_000, buffer.bytes());
        assertEquals(1, buffer.takeDropped());
        assertNotNull(buffer.poll());
        assertEquals(4_000, buffer.bytes(), "a polled event frees its share");
        assertNotNull(buffer.poll());
        assertNull(buffer.poll());
        assertEquals(0, buffer.bytes());
    }

    @Test
    void manyProducersOneConsumerLoseNothingThatWasAccepted() throws Exception {
        TraceBuffer buffer = new TraceBuffer(65_536, Long.MAX_VALUE);
        int producers = 4;
        int each = 50_000;
        AtomicLong accepted = new AtomicLong();
        CountDownLatch done = new CountDownLatch(producers);
        for (int p = 0; p < producers; p++) {
            Thread t = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    if (buffer.offer("c", event("m"), 1)) {
                        accepted.incrementAndGet();
                    }
                }
                done.countDown();
            });
            t.start();
        }
        long polled = 0;
        while (done.getCount() > 0 || buffer.size() > 0) {
            if (buffer.poll() != null) {
                polled++;
            }
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        while (buffer.poll() != null) {
            polled++;
        }
        assertEquals(accepted.get(), polled);
        assertEquals((long) producers * each, accepted.get() + buffer.takeDropped());
    }
}
