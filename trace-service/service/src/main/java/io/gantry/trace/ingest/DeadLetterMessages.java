package io.gantry.trace.ingest;

import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventType;
import io.gantry.trace.config.TraceTargets.DeadLetterTopic;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * Turns a message found in a group's {@code %DLQ%} topic into a DLQ trace event. The broker keeps the
 * original message's properties on the copy: {@code UNIQ_KEY} is the message id the SDK showed (the id
 * the gateway traced), and the original topic is in {@code DLQ_ORIGIN_TOPIC} or {@code RETRY_TOPIC}
 * (namespaced, like every name on the broker).
 */
final class DeadLetterMessages {
    private DeadLetterMessages() {
    }

    static TraceEvent toEvent(MessageExt message, DeadLetterTopic dlq) {
        String messageId = firstNonBlank(message.getProperty(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX),
                message.getProperty(MessageConst.PROPERTY_DLQ_ORIGIN_MESSAGE_ID),
                message.getProperty(MessageConst.PROPERTY_ORIGIN_MESSAGE_ID), message.getMsgId());
        String topic = firstNonBlank(message.getProperty(MessageConst.PROPERTY_DLQ_ORIGIN_TOPIC),
                message.getProperty(MessageConst.PROPERTY_RETRY_TOPIC), "");
        return TraceEvent.newBuilder()
                .setEventId("dlq:" + dlq.instanceId() + ":" + dlq.group() + ":" + messageId)
                .setType(TraceEventType.DLQ)
                .setTimestampMillis(message.getStoreTimestamp() > 0 ? message.getStoreTimestamp() : message.getBornTimestamp())
                .setInstanceId(dlq.instanceId())
                .setTopic(tenantName(topic, dlq.namespace()))
                .setMessageId(messageId)
                .setConsumerGroup(dlq.group())
                .setDlqSource("BROKER")
                .build();
    }

    /** {@code ns%orders} → {@code orders}; retry topics ({@code %RETRY%ns%group}) have no tenant topic. */
    static String tenantName(String brokerName, String namespace) {
        if (brokerName == null || brokerName.startsWith("%")) {
            return "";
        }
        String prefix = namespace + "%";
        return brokerName.startsWith(prefix) ? brokerName.substring(prefix.length()) : brokerName;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return "";
    }
}
