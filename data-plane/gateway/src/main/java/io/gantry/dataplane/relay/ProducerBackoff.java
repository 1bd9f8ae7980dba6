package io.gantry.dataplane.relay;

import apache.rocketmq.v2.ExponentialBackoff;
import apache.rocketmq.v2.RetryPolicy;
import apache.rocketmq.v2.TelemetryCommand;
import com.google.protobuf.Duration;

/**
 * The backoff the gateway hands producers in their Settings echo, instead of the proxy's (10 ms initial:
 * retries after 20 and 40 ms). The SDKs use it only for sends refused with TOO_MANY_REQUESTS, and give
 * up after their attempts (3 by default): a throttled send has that long to get through. 50 ms initial,
 * doubling (retries after 100 ms, then 200 ms more), lets a producer with up to a third of a second of
 * its limit in flight be slowed without losing a send (see
 * {@link io.gantry.dataplane.throttle.ThroughputLimiter}), while a waiting sender loses little: the
 * bucket refills meanwhile and its next sends pass at once.
 */
final class ProducerBackoff {
    static final RetryPolicy POLICY = RetryPolicy.newBuilder()
            .setMaxAttempts(3)
            .setExponentialBackoff(ExponentialBackoff.newBuilder()
                    .setInitial(Duration.newBuilder().setNanos(50_000_000))
                    .setMax(Duration.newBuilder().setSeconds(1))
                    .setMultiplier(2))
            .build();

    private ProducerBackoff() {
    }

    /** A producer's Settings echo with the gateway's backoff; anything else unchanged (null stays null). */
    static TelemetryCommand apply(TelemetryCommand command) {
        if (command == null || !command.hasSettings() || !command.getSettings().hasPublishing()
                || !command.getSettings().hasBackoffPolicy()
                || command.getSettings().getBackoffPolicy().getStrategyCase() != RetryPolicy.StrategyCase.EXPONENTIAL_BACKOFF) {
            return command;
        }
        return command.toBuilder().setSettings(command.getSettings().toBuilder().setBackoffPolicy(POLICY)).build();
    }
}
