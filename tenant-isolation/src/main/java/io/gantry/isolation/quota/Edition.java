package io.gantry.isolation.quota;

import java.util.List;
import java.util.Optional;

/**
 * What a tenant buys: the TPS specs it may choose and the limits that come with the edition.
 *
 * <p>TPS is the instance's combined send + receive message rate; a spec's price is per hour.
 */
public record Edition(
        String code,
        String displayName,
        String description,
        List<TpsSpec> tpsSpecs,
        int maxTopics,
        int maxConsumerGroups,
        int maxAccounts,
        int maxRetentionHours,
        int defaultRetentionHours,
        int maxMessageSizeKiB,
        int maxQueuesPerTopic,
        ClientLimits clientLimits) {

    /**
     * Client state an instance may keep on each gateway and, through it, on the shared proxies (which
     * hold settings, channels and long polls per client id).
     *
     * @param telemetryStreams open Telemetry streams (one per SDK client and gateway)
     * @param receives         open ReceiveMessage / PullMessage calls (long polls)
     * @param clientIds        distinct client ids that made a call in the last two minutes
     */
    public record ClientLimits(int telemetryStreams, int receives, int clientIds) {
    }

    /** A purchasable throughput level and what it costs. */
    public record TpsSpec(int tps, String hourlyPrice) {
    }

    public Optional<TpsSpec> spec(int tps) {
        return tpsSpecs.stream().filter(s -> s.tps() == tps).findFirst();
    }

    public TpsSpec smallestSpec() {
        return tpsSpecs.get(0);
    }
}
