package io.gantry.isolation.throttle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private final FakeClock clock = new FakeClock();

    @Test
    void startsFullWithRateTimesBurst() {
        TokenBucket bucket = new TokenBucket(100, 0.2, clock);
        assertEquals(20, bucket.capacity(), 1e-9);
        for (int i = 0; i < 20; i++) {
            assertTrue(bucket.tryTake(1), "take " + i);
        }
        assertFalse(bucket.tryTake(1));
        assertFalse(bucket.available());
    }

    @Test
    void capacityIsAtLeastOneUnit() {
        TokenBucket bucket = new TokenBucket(2, 0.2, clock);
        assertEquals(1, bucket.capacity(), 1e-9);
        assertTrue(bucket.tryTake(1));
        assertFalse(bucket.tryTake(1));
        clock.advanceMillis(499);
        assertFalse(bucket.tryTake(1));
        clock.advanceMillis(1);
        assertTrue(bucket.tryTake(1));
    }

    @Test
    void refillsAtTheRateUpToCapacity() {
        TokenBucket bucket = new TokenBucket(100, 0.2, clock);
        assertTrue(bucket.tryTake(20));
        clock.advanceMillis(10);
        assertTrue(bucket.tryTake(1));
        assertFalse(bucket.tryTake(1));
        clock.advanceMillis(60_000);
        assertEquals(20, bucket.tokens(), 1e-9);
    }

    @Test
    void holdsTheRateOverTime() {
        TokenBucket bucket = new TokenBucket(1000, 0.2, clock);
        long admitted = 0;
        for (int ms = 0; ms < 10_000; ms++) {
            while (bucket.tryTake(3)) {
                admitted += 3;
            }
            clock.advanceMillis(1);
        }
        // 10 s at 1000/s plus the initial burst of 200, give or take one request.
        assertTrue(admitted <= 10_000 + 200 + 3 && admitted >= 10_000 + 200 - 6, "admitted " + admitted);
    }

    @Test
    void aRequestLargerThanTheBucketIsAdmittedWhenFullAndLeavesDebt() {
        TokenBucket bucket = new TokenBucket(100, 0.2, clock);
        assertTrue(bucket.tryTake(100));
        assertEquals(-80, bucket.tokens(), 1e-9);
        assertFalse(bucket.available());
        // The debt of 80 is repaid before anything else gets through: 0.8 s to get back to zero,
        // 10 ms more for one unit.
        clock.advanceMillis(800);
        assertFalse(bucket.tryTake(1));
        clock.advanceMillis(10);
        assertTrue(bucket.tryTake(1));
    }

    @Test
    void aRequestLargerThanTheBucketWaitsUntilTheBucketIsFull() {
        TokenBucket bucket = new TokenBucket(100, 0.2, clock);
        assertTrue(bucket.tryTake(1));
        assertFalse(bucket.tryTake(100));
        clock.advanceMillis(10);
        assertTrue(bucket.tryTake(100));
    }

    @Test
    void chargeGoesIntoDebtAndRefillRepaysIt() {
        TokenBucket bucket = new TokenBucket(100, 0.2, clock);
        bucket.charge(50);
        assertEquals(-30, bucket.tokens(), 1e-9);
        assertFalse(bucket.available());
        assertFalse(bucket.tryTake(1));
        clock.advanceMillis(300);
        assertFalse(bucket.available());
        clock.advanceNanos(1);
        assertTrue(bucket.available());
    }

    @Test
    void setRateKeepsTheTokensWithoutAFreshBurst() {
        TokenBucket bucket = new TokenBucket(100, 0.2, clock);
        assertTrue(bucket.tryTake(20));
        bucket.setRate(1000, 0.2);
        assertEquals(1000, bucket.rate(), 0);
        assertEquals(200, bucket.capacity(), 1e-9);
        assertEquals(0, bucket.tokens(), 1e-9);
        assertFalse(bucket.tryTake(1));
        clock.advanceMillis(1);
        assertTrue(bucket.tryTake(1));
        assertFalse(bucket.tryTake(1));
    }

    @Test
    void setRateCreditsTheElapsedTimeAtTheOldRate() {
        TokenBucket bucket = new TokenBucket(100, 0.2, clock);
        assertTrue(bucket.tryTake(20));
        clock.advanceMillis(100);
        bucket.setRate(10_000, 1);
        assertEquals(10, bucket.tokens(), 1e-9);
    }

    @Test
    void setRateCapsTokensToTheNewCapacityAndKeepsDebt() {
        TokenBucket bucket = new TokenBucket(100, 0.2, clock);
        bucket.setRate(10, 0.2);
        assertEquals(2, bucket.tokens(), 1e-9);

        bucket.charge(12);
        bucket.setRate(1000, 0.2);
        assertEquals(-10, bucket.tokens(), 1e-9);
        clock.advanceMillis(10);
        assertFalse(bucket.available());
        clock.advanceMillis(1);
        assertTrue(bucket.tryTake(1));
    }

    @Test
    void zeroRateAdmitsNothing() {
        TokenBucket bucket = new TokenBucket(0, 0.2, clock);
        assertFalse(bucket.tryTake(1));
        assertFalse(bucket.tryTake(0));
        assertFalse(bucket.available());
        clock.advanceMillis(10_000);
        assertFalse(bucket.tryTake(1));

        TokenBucket stopped = new TokenBucket(100, 0.2, clock);
        stopped.setRate(-1, 0.2);
        assertFalse(stopped.tryTake(1));
        stopped.setRate(100, 0.2);
        assertTrue(stopped.tryTake(1), "the tokens held before the stop are kept");
    }

    @Test
    void aClockThatStepsBackAddsNothing() {
        TokenBucket bucket = new TokenBucket(100, 0.2, clock);
        assertTrue(bucket.tryTake(20));
        clock.advanceMillis(-1000);
        assertFalse(bucket.tryTake(1));
        clock.advanceMillis(1000);
        assertFalse(bucket.tryTake(1), "the interval before the step is not credited twice");
        clock.advanceMillis(10);
        assertTrue(bucket.tryTake(1));
    }

    @Test
    void refusesNegativeUnitsAndNonsenseRates() {
        TokenBucket bucket = new TokenBucket(100, 0.2, clock);
        assertThrows(IllegalArgumentException.class, () -> bucket.tryTake(-1));
        assertThrows(IllegalArgumentException.class, () -> bucket.charge(-1));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(Double.NaN, 0.2, clock));
        assertThrows(IllegalArgumentException.class, () -> bucket.setRate(10, -1));
    }

    @Test
    void concurrentTakersNeverExceedCapacityPlusRateTimesElapsedOnAFakeClock() throws Exception {
        AtomicLong nanos = new AtomicLong();
        LongSupplier clock = nanos::get;
        double rate = 50_000;
        TokenBucket bucket = new TokenBucket(rate, 0.2, clock);
        long admitted = runTakers(bucket, 8, 200_000, () -> nanos.addAndGet(3_000));
        double bound = bucket.capacity() + rate * nanos.get() / 1e9;
        assertTrue(admitted <= bound + 1e-6, "admitted " + admitted + " > bound " + bound);
        assertTrue(admitted >= bound - 8, "admitted " + admitted + " far below bound " + bound + ": updates lost?");
    }

    @Test
    void concurrentTakersNeverExceedCapacityPlusRateTimesElapsedOnTheRealClock() throws Exception {
        double rate = 100_000;
        long start = System.nanoTime();
        TokenBucket bucket = new TokenBucket(rate, 0.2, System::nanoTime);
        long admitted = runTakers(bucket, 4, 200_000, () -> { });
        long elapsed = System.nanoTime() - start;
        double bound = bucket.capacity() + rate * elapsed / 1e9;
        assertTrue(admitted <= bound, "admitted " + admitted + " > bound " + bound);
        assertTrue(admitted >= bucket.capacity());
    }

    private static long runTakers(TokenBucket bucket, int threads, int attemptsEach, Runnable tick) throws Exception {
        LongAdder admitted = new LongAdder();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < attemptsEach; i++) {
                        if (i % 16 == 0) {
                            tick.run();
                        }
                        if (bucket.tryTake(1)) {
                            admitted.increment();
                        }
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            thread.start();
            all.add(thread);
        }
        start.countDown();
        for (Thread thread : all) {
            thread.join();
        }
        assertTrue(failures.isEmpty(), failures.toString());
        return admitted.sum();
    }
}
