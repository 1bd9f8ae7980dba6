package io.gantry.controlplane.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Bodies of the messages API (message trace); their schemas are in api-spec/openapi.yaml, tag messages. */
public final class MessageDtos {
    private MessageDtos() {
    }

    public record MessageSummary(String instanceId, String messageId, String topic, String tag, List<String> keys,
                                 String messageGroup, String messageType, Integer bodySize, Instant sentAt,
                                 Instant bornAt, Instant deliverAt, String storeStatus, boolean archived) {
    }

    /** {@code data} and {@code omittedReason} exclude each other. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MessageBody(Integer size, String encoding, String data, String omittedReason) {
    }

    public record SystemProperties(Instant bornAt, Instant sentAt, Instant deliverAt, String producerClientId,
                                   String account, String transactionId, Integer bodySize, Integer reconsumeTimes) {
    }

    public record StoreInfo(String status, Integer queueId, Long queueOffset, Instant storedAt, Long latencyMicros) {
    }

    public record Message(String instanceId, String messageId, String topic, String tag, List<String> keys,
                          String messageGroup, String messageType, Map<String, String> properties,
                          SystemProperties systemProperties, StoreInfo store, MessageBody body, boolean archived) {
    }

    public record MessageHop(String type, Instant at, Long sincePreviousMillis, String consumerGroup,
                             String consumerClientId, String producerClientId, String account, Integer deliveryAttempt,
                             Instant invisibleUntil, String status, Integer queueId, Long queueOffset,
                             Long latencyMicros, String transactionSource, String deadLetterSource) {
    }

    public record ConsumerGroupProgress(String consumerGroup, String state, int deliveries, Instant lastDeliveredAt,
                                        Instant consumedAt, Instant deadLetteredAt, String lastConsumerClientId) {
    }

    public record MessageLifecycle(String instanceId, String messageId, String topic, List<MessageHop> hops,
                                   List<ConsumerGroupProgress> consumerGroups, String transaction) {
    }

    public record DeadLetter(String messageId, String topic, String tag, List<String> keys, String consumerGroup,
                             Instant deadLetteredAt, Integer deliveries, String source) {
    }
}
