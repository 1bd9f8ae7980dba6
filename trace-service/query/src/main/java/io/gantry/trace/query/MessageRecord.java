package io.gantry.trace.query;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the trace store knows about one message, from its SEND and STORE events. Names are the
 * tenant's own (no namespace). Fields the events did not carry are null: a message whose SEND the
 * gateway did not see (for example one found only in a dead-letter queue) has just its id, topic and
 * whatever later events told.
 *
 * @param messageType   NORMAL, FIFO, DELAY or TRANSACTION (null if unknown)
 * @param sentAt        when the gateway saw the SEND (the gateway's clock)
 * @param bornAt        the producer's born timestamp
 * @param deliverAt     DELAY messages: when they become visible
 * @param storeStatus   the broker's answer to the send ("OK" or its error code); null before STORE
 * @param storedAt      when the broker answered
 * @param queueId       queue the broker stored it in (null before STORE)
 * @param queueOffset   offset in that queue (null before STORE)
 * @param properties    the producer's user properties (bounded by the gateway)
 * @param source        HOT when the SEND/STORE came from PostgreSQL, ARCHIVE when from an S3 segment
 */
public record MessageRecord(
        String instanceId,
        String messageId,
        String topic,
        String tag,
        List<String> keys,
        String messageGroup,
        String messageType,
        Integer bodySize,
        Instant sentAt,
        Instant bornAt,
        Instant deliverAt,
        String producerClientId,
        String transactionId,
        String account,
        String storeStatus,
        Instant storedAt,
        Integer queueId,
        Long queueOffset,
        Map<String, String> properties,
        RecordSource source) {

    public MessageRecord {
        keys = keys == null ? List.of() : List.copyOf(keys);
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }
}
