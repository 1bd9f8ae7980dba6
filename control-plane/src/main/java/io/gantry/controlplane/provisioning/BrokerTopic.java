package io.gantry.controlplane.provisioning;

/** A topic as a broker holds it: namespaced name, queues and RocketMQ's message.type attribute. */
public record BrokerTopic(String name, int writeQueues, int readQueues, String messageType) {
}
