package io.gantry.isolation.throttle;

import java.util.concurrent.atomic.LongAdder;

/**
 * What happened to one limit on one gateway replica since the last report: units clients asked for
 * (admitted or not), units admitted, and requests refused.
 *
 * <p>Demand includes refused units on purpose: the share a replica gets is computed from it, and a
 * replica that only reported what it admitted could never grow its share.
 *
 * <p>Thread-safe; recording never blocks. A {@link #drain} is not a snapshot across the three
 * counters, but no recorded value is lost: anything recorded during a drain lands in that report or
 * the next.
 */
public final class LimitCounter {
    /** Totals of one report period. */
    public record Snapshot(long demanded, long admitted, long throttledRequests) {
    }

    private final LongAdder demanded = new LongAdder();
    private final LongAdder admitted = new LongAdder();
    private final LongAdder throttled = new LongAdder();

    public void demanded(long units) {
        demanded.add(units);
    }

    public void admitted(long units) {
        admitted.add(units);
    }

    public void throttled() {
        throttled.increment();
    }

    /** Returns the totals since the last drain and starts a new period. */
    public Snapshot drain() {
        return new Snapshot(take(demanded), take(admitted), take(throttled));
    }

    private static long take(LongAdder adder) {
        // sum() then subtracting it, rather than sumThenReset(), so that an add racing with the
        // drain is carried into the next period instead of being possibly overwritten.
        long sum = adder.sum();
        adder.add(-sum);
        return sum;
    }
}
