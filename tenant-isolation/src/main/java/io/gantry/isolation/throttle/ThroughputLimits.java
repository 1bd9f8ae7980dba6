package io.gantry.isolation.throttle;

/**
 * The message rates one instance may use, in weighted units per second (see {@link MessageWeights}).
 */
public record ThroughputLimits(int sendTps, int receiveTps) {
    /**
     * How long a full bucket lets a client run above its rate: short enough that a burst cannot
     * starve neighbours on the shared broker, long enough to absorb the batching of SDK clients.
     */
    public static final double DEFAULT_BURST_SECONDS = 0.2;

    public ThroughputLimits {
        if (sendTps <= 0 || receiveTps <= 0) {
            throw new IllegalArgumentException("limits must be positive: send " + sendTps + ", receive " + receiveTps);
        }
    }

    /**
     * Limits for a bought TPS spec. Receives get twice the spec so that a message consumed by two
     * consumer groups (the common fan-out case) fits in what was bought.
     */
    public static ThroughputLimits forSpec(int tpsSpec) {
        return new ThroughputLimits(tpsSpec, Math.multiplyExact(2, tpsSpec));
    }

    /** The stricter of both limits, field by field (for an operator's throttle over a bought spec). */
    public ThroughputLimits lowerOf(ThroughputLimits other) {
        return new ThroughputLimits(Math.min(sendTps, other.sendTps), Math.min(receiveTps, other.receiveTps));
    }
}
