package io.gantry.dataplane.throttle;

import io.gantry.api.config.v1.LimitKind;
import io.gantry.isolation.throttle.LimitCounter;
import io.gantry.isolation.throttle.TokenBucket;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * One limit of one instance on this replica: the instance-wide rate from the config, the share of it the
 * coordinator granted this replica, the token bucket that enforces the share, and what was asked of it.
 */
final class Limit {
    final String instanceId;
    final LimitKind kind;
    final String name;
    final TokenBucket bucket;
    final LimitCounter counter = new LimitCounter();
    /** For the Prometheus counter: never drained. */
    final LongAdder throttledTotal = new LongAdder();
    private volatile double configuredRate;
    private volatile double burstSeconds;
    private volatile double grantedRate = Double.NaN;
    private volatile long grantValidUntilNanos;

    Limit(String instanceId, LimitKind kind, String name, double configuredRate, double burstSeconds, LongSupplier nanoClock) {
        this.instanceId = instanceId;
        this.kind = kind;
        this.name = name;
        this.configuredRate = configuredRate;
        this.burstSeconds = burstSeconds;
        this.bucket = new TokenBucket(configuredRate, burstSeconds, nanoClock);
    }

    double configuredRate() {
        return configuredRate;
    }

    void configure(double rate, double burst) {
        this.configuredRate = rate;
        this.burstSeconds = burst;
    }

    void grant(double rate, long validUntilNanos) {
        this.grantedRate = rate;
        this.grantValidUntilNanos = validUntilNanos;
    }

    /**
     * The rate this replica enforces: its grant while valid (never above the configured rate, which may
     * have dropped since), else an equal share among the replicas the coordinator last reported live.
     */
    double localRate(long nowNanos, int liveGateways) {
        double granted = grantedRate;
        if (!Double.isNaN(granted) && nowNanos - grantValidUntilNanos < 0) {
            return Math.min(granted, configuredRate);
        }
        return configuredRate / Math.max(1, liveGateways);
    }

    void enforce(double rate) {
        if (bucket.rate() != rate) {
            bucket.setRate(rate, burstSeconds);
        }
    }

    void throttled() {
        counter.throttled();
        throttledTotal.increment();
    }
}
