package io.gantry.trace.query;

import java.time.Instant;
import java.util.List;

/**
 * A message a consumer group dead-lettered.
 *
 * @param dlqSource        CLIENT (the consumer forwarded it) or BROKER (retries exhausted)
 * @param deliveryAttempts deliveries seen before it was dead-lettered (null if none were seen)
 * @param tag              from the message's SEND, when the trace store has it (else null)
 * @param keys             from the message's SEND, when the trace store has it (else empty)
 */
public record DeadLetter(
        String instanceId,
        String group,
        String messageId,
        String topic,
        Instant deadLetteredAt,
        String dlqSource,
        Integer deliveryAttempts,
        String tag,
        List<String> keys,
        RecordSource source) {

    public DeadLetter {
        keys = keys == null ? List.of() : List.copyOf(keys);
    }
}
