package io.gantry.trace.query;

import java.time.Instant;

/**
 * One consumer group's progress with one message. The groups listed are those that had a hop of the
 * message, plus the groups the trace store has seen consume the message's topic (those without a
 * delivery are NOT_YET).
 *
 * @param deliveries      delivery attempts seen
 * @param lastDeliveredAt the latest delivery (null if none)
 * @param consumedAt      the acknowledgement (null unless CONSUMED)
 * @param deadLetteredAt  the move to the DLQ (null unless DEAD_LETTERED)
 * @param lastConsumerClientId the client that received it last (null if none)
 */
public record GroupConsumption(
        String group,
        ConsumptionState state,
        int deliveries,
        Instant lastDeliveredAt,
        Instant consumedAt,
        Instant deadLetteredAt,
        String lastConsumerClientId) {
}
