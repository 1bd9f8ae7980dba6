package io.gantry.isolation.throttle;

import java.util.function.LongSupplier;

/**
 * A token bucket that may go into debt.
 *
 * <p>Debt exists because the cost of a request is not always known before it is served: a receive
 * learns its size only from the broker's answer, and a single message larger than the bucket must
 * still be sendable once. Both are admitted and then repaid by refill, which holds back the requests
 * that follow, so the long-run rate still holds.
 *
 * <p>Thread-safe. Each call is one clock read and a few arithmetic operations in a short
 * synchronized block, without allocation. A lock-free compare-and-set over one long (GCRA) was
 * measured as well: on a shared 2-core machine, 1–4 threads hammering one bucket got 8–29 million
 * takes per second here against 17–37 million for the CAS, both far above one instance's request
 * rate on a gateway. The lock was kept because the CAS form has to fold the rate into its state,
 * which makes {@link #setRate} racy against concurrent takes.
 */
public final class TokenBucket {
    private static final double NANOS_PER_SECOND = 1_000_000_000d;

    private final LongSupplier nanoClock;
    private double ratePerNano;
    private double ratePerSecond;
    private double capacity;
    private double tokens;
    private long lastRefillNanos;

    /**
     * Starts full.
     *
     * @param ratePerSecond units added per second; zero or less admits nothing
     * @param burstSeconds how many seconds of rate the bucket holds (capacity is at least one unit)
     * @param nanoClock a monotonic clock such as {@code System::nanoTime}
     */
    public TokenBucket(double ratePerSecond, double burstSeconds, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.lastRefillNanos = nanoClock.getAsLong();
        configure(ratePerSecond, burstSeconds);
        this.tokens = capacity;
    }

    /**
     * Takes {@code units} if the bucket holds them. A request costing more than the whole capacity
     * is admitted when the bucket is full and leaves it in debt, so that no request is refused
     * forever. Nothing is admitted when the rate is zero or less.
     */
    public boolean tryTake(long units) {
        requireNonNegative(units);
        long now = nanoClock.getAsLong();
        synchronized (this) {
            if (ratePerNano <= 0) {
                return false;
            }
            refill(now);
            if (tokens >= Math.min(units, capacity)) {
                tokens -= units;
                return true;
            }
            return false;
        }
    }

    /** Takes {@code units} unconditionally (for a cost known only after the request was served). */
    public void charge(long units) {
        requireNonNegative(units);
        long now = nanoClock.getAsLong();
        synchronized (this) {
            refill(now);
            tokens -= units;
        }
    }

    /**
     * Gives back {@code units} taken for a request that was refused after all (by another limit it
     * also had to pass); never beyond the capacity.
     */
    public void refund(long units) {
        requireNonNegative(units);
        long now = nanoClock.getAsLong();
        synchronized (this) {
            refill(now);
            tokens = Math.min(capacity, tokens + units);
        }
    }

    /** Whether a request of unknown cost may start now: the bucket is not empty and not in debt. */
    public boolean available() {
        long now = nanoClock.getAsLong();
        synchronized (this) {
            if (ratePerNano <= 0) {
                return false;
            }
            refill(now);
            return tokens > 0;
        }
    }

    /**
     * Changes the rate from now on, keeping what the bucket holds (or owes) so that a config push
     * neither grants a fresh burst nor forgives debt; tokens above the new capacity are dropped.
     */
    public void setRate(double ratePerSecond, double burstSeconds) {
        long now = nanoClock.getAsLong();
        synchronized (this) {
            refill(now);
            configure(ratePerSecond, burstSeconds);
            tokens = Math.min(tokens, capacity);
        }
    }

    public double rate() {
        synchronized (this) {
            return ratePerSecond;
        }
    }

    public double capacity() {
        synchronized (this) {
            return capacity;
        }
    }

    /** Tokens held now (negative while in debt); for metrics and tests. */
    public double tokens() {
        long now = nanoClock.getAsLong();
        synchronized (this) {
            refill(now);
            return tokens;
        }
    }

    private void configure(double ratePerSecond, double burstSeconds) {
        if (Double.isNaN(ratePerSecond) || Double.isNaN(burstSeconds) || burstSeconds < 0
                || Double.isInfinite(burstSeconds)) {
            throw new IllegalArgumentException("bad rate " + ratePerSecond + " or burst " + burstSeconds);
        }
        this.ratePerSecond = ratePerSecond;
        this.ratePerNano = ratePerSecond / NANOS_PER_SECOND;
        this.capacity = Math.max(ratePerSecond * burstSeconds, 1d);
    }

    /**
     * Caller holds the lock. {@code now} is read before taking the lock, to keep the clock call out
     * of the critical section; a thread that read the clock earlier but got the lock later then sees
     * time stand still, which credits nothing twice.
     */
    private void refill(long now) {
        long elapsed = now - lastRefillNanos;
        if (elapsed <= 0) {
            // Never move the mark backwards, or the same interval would be credited twice.
            return;
        }
        lastRefillNanos = now;
        if (ratePerNano > 0 && tokens < capacity) {
            tokens = Math.min(capacity, tokens + elapsed * ratePerNano);
        }
    }

    private static void requireNonNegative(long units) {
        if (units < 0) {
            throw new IllegalArgumentException("units must not be negative: " + units);
        }
    }
}
