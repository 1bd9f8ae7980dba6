package io.gantry.controlplane.provisioning;

/** A subscription group as a broker holds it. */
public record BrokerGroup(String name, int retryMaxTimes, boolean orderly, Long fixedRetryIntervalMillis) {
}
