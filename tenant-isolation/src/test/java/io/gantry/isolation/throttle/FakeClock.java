package io.gantry.isolation.throttle;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A nano clock the test moves by hand. */
final class FakeClock implements LongSupplier {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long getAsLong() {
        return nanos.get();
    }

    void advanceMillis(long millis) {
        nanos.addAndGet(millis * 1_000_000L);
    }

    void advanceNanos(long n) {
        nanos.addAndGet(n);
    }

    void set(long n) {
        nanos.set(n);
    }
}
