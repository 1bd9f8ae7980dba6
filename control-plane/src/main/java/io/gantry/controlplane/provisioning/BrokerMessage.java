package io.gantry.controlplane.provisioning;

import java.util.Map;

/**
 * A message as a broker holds it, read through the admin API.
 *
 * @param topic           the namespaced topic it is stored under
 * @param userProperties  the producer's own properties (RocketMQ's system properties left out)
 * @param body            the body, decompressed
 */
public record BrokerMessage(String topic, Map<String, String> userProperties, byte[] body, long storeTimestamp,
                            int queueId, long queueOffset, int reconsumeTimes) {
}
