package io.gantry.dataplane.throttle;

import apache.rocketmq.v2.Code;
import io.gantry.api.config.v1.LimitKind;
import io.gantry.dataplane.pipeline.Refusal;
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

    /** The refusal of a request over this limit of instance {@code instanceId}. */
    Refusal tooMany(String instanceId) {
        String what = switch (kind) {
            case LIMIT_KIND_INSTANCE_SEND -> "send limit of instance " + instanceId;
            case LIMIT_KIND_INSTANCE_RECEIVE -> "receive limit of instance " + instanceId;
            case LIMIT_KIND_TOPIC_SEND -> "send limit of topic '" + name + "' of instance " + instanceId;
            case LIMIT_KIND_GROUP_RECEIVE -> "receive limit of consumer group '" + name + "' of instance " + instanceId;
            default -> "limit of instance " + instanceId;
        };
        return new Refusal(Code.TOO_MANY_REQUESTS, "over the " + what + " (" + (long) configuredRate
                + " weighted messages/s); retry later");
    }

    void throttled() {
        counter.throttled();
        throttledTotal.increment();
    }
}
