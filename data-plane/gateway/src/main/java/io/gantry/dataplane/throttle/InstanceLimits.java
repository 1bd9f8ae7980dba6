package io.gantry.dataplane.throttle;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The limits of one instance on this replica; {@code null} fields mean "no such limit". Replaced field
 * by field (never rebuilt) when the config changes, so buckets keep their tokens across snapshots.
 */
public final class InstanceLimits {
    final String instanceId;
    volatile Limit send;
    volatile Limit receive;
    final Map<String, Limit> topicSend = new ConcurrentHashMap<>();
    final Map<String, Limit> groupReceive = new ConcurrentHashMap<>();
    final SendReservations reservations = new SendReservations();

    InstanceLimits(String instanceId) {
        this.instanceId = instanceId;
    }
}
