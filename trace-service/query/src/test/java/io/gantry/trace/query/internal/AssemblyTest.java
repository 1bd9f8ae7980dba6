package io.gantry.trace.query.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventType;
import io.gantry.trace.query.ConsumptionState;
import io.gantry.trace.query.Lifecycle;
import io.gantry.trace.query.RecordSource;
import io.gantry.trace.query.TransactionState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AssemblyTest {
    private static SourcedEvent event(String id, TraceEventType type, long at, String group, int attempt, RecordSource source) {
        return new SourcedEvent(TraceEvent.newBuilder().setEventId(id).setType(type).setTimestampMillis(at).setMessageId("m")
                .setTopic("t").setConsumerGroup(group).setDeliveryAttempt(attempt).build(), source);
    }

    @Test
    void aDeliveryStillInFlightIsNotYetAndTheSameEventFromBothSidesCountsOnce() {
        List<SourcedEvent> events = new ArrayList<>(List.of(
                event("e1", TraceEventType.SEND, 1000, "", 0, RecordSource.ARCHIVE),
                event("e2", TraceEventType.DELIVER, 1010, "g", 1, RecordSource.HOT),
                event("e2", TraceEventType.DELIVER, 1010, "g", 1, RecordSource.ARCHIVE)));
        List<SourcedEvent> ordered = Assembly.distinctInOrder(events);
        assertEquals(2, ordered.size());
        assertEquals(RecordSource.HOT, ordered.get(1).source());
        Lifecycle life = Assembly.lifecycle("i", "m", ordered, List.of("g", "other"));
        assertEquals(ConsumptionState.NOT_YET, life.groups().get(0).state());
        assertEquals(1, life.groups().get(0).deliveries());
        assertEquals(ConsumptionState.NOT_YET, life.groups().get(1).state());
        assertEquals(0, life.groups().get(1).deliveries());
        assertNull(life.transaction());
        assertEquals(RecordSource.ARCHIVE, life.message().source());
    }

    @Test
    void transactionOutcomeFollowsTheLastDecision() {
        List<SourcedEvent> events = List.of(
                new SourcedEvent(TraceEvent.newBuilder().setEventId("s").setType(TraceEventType.SEND).setTimestampMillis(1)
                        .setMessageId("m").setTransactionId("tx").build(), RecordSource.HOT),
                event("u", TraceEventType.CHECK_UNKNOWN, 2, "", 0, RecordSource.HOT));
        assertEquals(TransactionState.PENDING, Assembly.lifecycle("i", "m", Assembly.distinctInOrder(events), List.of()).transaction());
        List<SourcedEvent> committed = new ArrayList<>(events);
        committed.add(event("c", TraceEventType.COMMIT, 3, "", 0, RecordSource.HOT));
        assertEquals(TransactionState.COMMITTED, Assembly.lifecycle("i", "m", Assembly.distinctInOrder(committed), List.of()).transaction());
    }
}
