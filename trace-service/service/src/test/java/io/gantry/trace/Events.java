package io.gantry.trace;

import io.gantry.api.trace.v1.MessageType;
import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Trace events as a gateway would publish them, for tests. */
final class Events {
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private Events() {
    }

    static String eventId() {
        return "gw-test:1:" + SEQUENCE.incrementAndGet();
    }

    static TraceEvent send(String instance, String topic, String messageId, Instant at, String... keys) {
        return TraceEvent.newBuilder().setEventId(eventId()).setType(TraceEventType.SEND).setTimestampMillis(at.toEpochMilli())
                .setInstanceId(instance).setTopic(topic).setMessageId(messageId).setTag("tagA").addAllKeys(List.of(keys))
                .setMessageType(MessageType.NORMAL).setBodySize(42).setBornTimestampMillis(at.toEpochMilli() - 1)
                .setProducerClientId("producer-1").putAllProperties(Map.of("color", "blue", "quote\"d", "tab\there"))
                .setAccount("app").build();
    }

    static TraceEvent store(String instance, String topic, String messageId, Instant at, long offset) {
        return TraceEvent.newBuilder().setEventId(eventId()).setType(TraceEventType.STORE).setTimestampMillis(at.toEpochMilli())
                .setInstanceId(instance).setTopic(topic).setMessageId(messageId).setStatus("OK").setQueueId(1).setQueueOffset(offset)
                .setLatencyMicros(1500).build();
    }

    static TraceEvent deliver(String instance, String topic, String messageId, Instant at, String group, int attempt) {
        return TraceEvent.newBuilder().setEventId(eventId()).setType(TraceEventType.DELIVER).setTimestampMillis(at.toEpochMilli())
                .setInstanceId(instance).setTopic(topic).setMessageId(messageId).setConsumerGroup(group)
                .setConsumerClientId("consumer-" + group).setDeliveryAttempt(attempt)
                .setInvisibleUntilMillis(at.plusSeconds(30).toEpochMilli()).build();
    }

    static TraceEvent consumer(TraceEventType type, String instance, String topic, String messageId, Instant at, String group) {
        TraceEvent.Builder b = TraceEvent.newBuilder().setEventId(eventId()).setType(type).setTimestampMillis(at.toEpochMilli())
                .setInstanceId(instance).setTopic(topic).setMessageId(messageId).setConsumerGroup(group)
                .setConsumerClientId("consumer-" + group);
        if (type == TraceEventType.DLQ) {
            b.setDlqSource("CLIENT");
        }
        return b.build();
    }
}
