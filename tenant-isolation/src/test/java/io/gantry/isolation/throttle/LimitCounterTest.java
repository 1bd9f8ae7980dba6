package io.gantry.isolation.throttle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class LimitCounterTest {
    @Test
    void drainReturnsThePeriodAndStartsAnother() {
        LimitCounter counter = new LimitCounter();
        counter.demanded(5);
        counter.demanded(3);
        counter.admitted(5);
        counter.throttled();
        assertEquals(new LimitCounter.Snapshot(8, 5, 1), counter.drain());
        assertEquals(new LimitCounter.Snapshot(0, 0, 0), counter.drain());
        counter.admitted(2);
        assertEquals(new LimitCounter.Snapshot(0, 2, 0), counter.drain());
    }

    @Test
    void drainingWhileRecordingLosesNothing() throws Exception {
        LimitCounter counter = new LimitCounter();
        int threads = 4;
        int each = 200_000;
        AtomicBoolean done = new AtomicBoolean();
        long[] drained = new long[3];
        Thread drainer = new Thread(() -> {
            while (!done.get()) {
                add(drained, counter.drain());
            }
        });
        drainer.start();
        Thread[] recorders = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            recorders[t] = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    counter.demanded(2);
                    counter.admitted(1);
                    counter.throttled();
                }
            });
            recorders[t].start();
        }
        for (Thread r : recorders) {
            r.join();
        }
        done.set(true);
        drainer.join();
        add(drained, counter.drain());
        long total = (long) threads * each;
        assertEquals(2 * total, drained[0]);
        assertEquals(total, drained[1]);
        assertEquals(total, drained[2]);
    }

    private static void add(long[] sums, LimitCounter.Snapshot s) {
        sums[0] += s.demanded();
        sums[1] += s.admitted();
        sums[2] += s.throttledRequests();
    }
}
