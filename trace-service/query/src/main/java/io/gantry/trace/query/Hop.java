package io.gantry.trace.query;

import java.time.Duration;
import java.time.Instant;

/**
 * One event in a message's life. Fields that do not apply to the hop's type are null.
 *
 * @param sincePrevious time since the previous hop of the lifecycle (null for the first hop)
 * @param latency       STORE: from the send to the broker's answer; DELIVER: from the receive
 *                      request to this message
 * @param status        STORE: the broker's answer ("OK" or its code)
 * @param dlqSource     DLQ: CLIENT (the consumer forwarded it) or BROKER (retries exhausted, found in
 *                      the group's %DLQ% topic)
 * @param transactionSource COMMIT / ROLLBACK: CLIENT or SERVER_CHECK
 */
public record Hop(
        String eventId,
        HopType type,
        Instant at,
        Duration sincePrevious,
        String topic,
        String consumerGroup,
        String consumerClientId,
        String producerClientId,
        Integer deliveryAttempt,
        Instant invisibleUntil,
        String status,
        Integer queueId,
        Long queueOffset,
        Duration latency,
        String transactionSource,
        String dlqSource,
        String account,
        RecordSource source) {
}
