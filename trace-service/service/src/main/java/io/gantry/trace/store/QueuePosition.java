package io.gantry.trace.store;

/** A RocketMQ queue read by the trace service, and the offset of the next message to read from it. */
public record QueuePosition(String clusterId, String topic, String brokerName, int queueId, long nextOffset) {
}
