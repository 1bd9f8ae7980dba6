package io.gantry.trace.query.internal;

import io.gantry.api.trace.v1.MessageType;
import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventType;
import io.gantry.trace.query.ConsumptionState;
import io.gantry.trace.query.GroupConsumption;
import io.gantry.trace.query.Hop;
import io.gantry.trace.query.HopType;
import io.gantry.trace.query.Lifecycle;
import io.gantry.trace.query.MessageRecord;
import io.gantry.trace.query.RecordSource;
import io.gantry.trace.query.TransactionState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Builds message records and lifecycles from the events of one message (pure; no I/O). */
public final class Assembly {
    private static final Comparator<SourcedEvent> TIME_ORDER = Comparator
            .comparingLong((SourcedEvent s) -> s.event().getTimestampMillis())
            .thenComparingInt(s -> s.event().getTypeValue())
            .thenComparingInt(s -> s.event().getDeliveryAttempt())
            .thenComparing(s -> s.event().getEventId());

    private Assembly() {
    }

    /** Each event once (by event id, the hot copy preferred), in time order. */
    public static List<SourcedEvent> distinctInOrder(Collection<SourcedEvent> events) {
        Map<String, SourcedEvent> byId = new LinkedHashMap<>();
        for (SourcedEvent e : events) {
            byId.merge(e.event().getEventId(), e, (a, b) -> a.source() == RecordSource.HOT ? a : b);
        }
        List<SourcedEvent> ordered = new ArrayList<>(byId.values());
        ordered.sort(TIME_ORDER);
        return ordered;
    }

    /**
     * The message as of the send at {@code sentAt} (null: the latest send), with the broker's answer to
     * it; null when there are no events.
     */
    public static MessageRecord record(String instanceId, String messageId, List<SourcedEvent> ordered, Instant sentAt) {
        if (ordered.isEmpty()) {
            return null;
        }
        SourcedEvent send = null;
        for (SourcedEvent e : ordered) {
            if (e.event().getType() == TraceEventType.SEND
                    && (sentAt == null || e.event().getTimestampMillis() == sentAt.toEpochMilli())) {
                send = e;
            }
        }
        SourcedEvent store = null;
        for (SourcedEvent e : ordered) {
            if (e.event().getType() == TraceEventType.STORE
                    && (send == null || e.event().getTimestampMillis() >= send.event().getTimestampMillis())) {
                if (store == null || !"OK".equalsIgnoreCase(store.event().getStatus())) {
                    store = e;
                }
            }
        }
        String topic = send != null ? send.event().getTopic() : firstTopic(ordered);
        RecordSource source = send != null ? send.source() : ordered.get(0).source();
        if (send == null) {
            return new MessageRecord(instanceId, messageId, topic, null, List.of(), null, null, null, null, null, null, null,
                    null, null, store == null ? null : blankToNull(store.event().getStatus()),
                    store == null ? null : instant(store.event().getTimestampMillis()),
                    store == null ? null : store.event().getQueueId(), store == null ? null : store.event().getQueueOffset(),
                    Map.of(), source);
        }
        TraceEvent s = send.event();
        return new MessageRecord(instanceId, messageId, topic, blankToNull(s.getTag()), s.getKeysList(),
                blankToNull(s.getMessageGroup()), messageType(s.getMessageType()), s.getBodySize(),
                instant(s.getTimestampMillis()), instant(s.getBornTimestampMillis()), instant(s.getDeliveryTimestampMillis()),
                blankToNull(s.getProducerClientId()), blankToNull(s.getTransactionId()), blankToNull(s.getAccount()),
                store == null ? null : blankToNull(store.event().getStatus()),
                store == null ? null : instant(store.event().getTimestampMillis()),
                store == null ? null : store.event().getQueueId(), store == null ? null : store.event().getQueueOffset(),
                s.getPropertiesMap(), source);
    }

    /**
     * @param topicGroups groups known to consume the message's topic (listed as NOT_YET when they have
     *                    no hop of it)
     */
    public static Lifecycle lifecycle(String instanceId, String messageId, List<SourcedEvent> ordered, Collection<String> topicGroups) {
        MessageRecord message = record(instanceId, messageId, ordered, null);
        List<Hop> hops = new ArrayList<>();
        Instant previous = null;
        TreeMap<String, GroupTally> groups = new TreeMap<>();
        for (String g : new TreeSet<>(topicGroups)) {
            groups.put(g, new GroupTally());
        }
        TransactionState transaction = message.transactionId() != null || "TRANSACTION".equals(message.messageType())
                ? TransactionState.PENDING : null;
        for (SourcedEvent se : ordered) {
            TraceEvent e = se.event();
            HopType type = hopType(e.getType());
            if (type == null) {
                continue;
            }
            Instant at = instant(e.getTimestampMillis());
            hops.add(new Hop(e.getEventId(), type, at, previous == null ? null : Duration.between(previous, at),
                    blankToNull(e.getTopic()), blankToNull(e.getConsumerGroup()), blankToNull(e.getConsumerClientId()),
                    blankToNull(e.getProducerClientId()), e.getDeliveryAttempt() == 0 ? null : e.getDeliveryAttempt(),
                    instant(e.getInvisibleUntilMillis()), blankToNull(e.getStatus()),
                    type == HopType.STORE ? e.getQueueId() : null, type == HopType.STORE ? e.getQueueOffset() : null,
                    e.getLatencyMicros() == 0 ? null : Duration.ofNanos(e.getLatencyMicros() * 1000),
                    blankToNull(e.getTransactionSource()), blankToNull(e.getDlqSource()), blankToNull(e.getAccount()), se.source()));
            previous = at;
            if (!e.getConsumerGroup().isEmpty()) {
                groups.computeIfAbsent(e.getConsumerGroup(), g -> new GroupTally()).add(type, e, at);
            }
            switch (type) {
                case COMMIT -> transaction = TransactionState.COMMITTED;
                case ROLLBACK -> transaction = TransactionState.ROLLED_BACK;
                case CHECK_UNKNOWN -> {
                    if (transaction == null) {
                        transaction = TransactionState.PENDING;
                    }
                }
                default -> { }
            }
        }
        List<GroupConsumption> states = new ArrayList<>();
        groups.forEach((name, t) -> states.add(t.state(name)));
        return new Lifecycle(message, hops, states, transaction);
    }

    private static final class GroupTally {
        int deliveries;
        int maxAttempt;
        boolean nacked;
        Instant lastDelivered;
        Instant consumed;
        Instant deadLettered;
        String lastClient;

        void add(HopType type, TraceEvent e, Instant at) {
            switch (type) {
                case DELIVER -> {
                    deliveries++;
                    maxAttempt = Math.max(maxAttempt, e.getDeliveryAttempt());
                    lastDelivered = at;
                    if (!e.getConsumerClientId().isEmpty()) {
                        lastClient = e.getConsumerClientId();
                    }
                }
                case ACK -> consumed = consumed == null ? at : consumed;
                case NACK -> nacked = true;
                case DLQ -> deadLettered = deadLettered == null ? at : deadLettered;
                default -> { }
            }
        }

        GroupConsumption state(String group) {
            ConsumptionState state;
            if (deadLettered != null) {
                state = ConsumptionState.DEAD_LETTERED;
            } else if (consumed != null) {
                state = ConsumptionState.CONSUMED;
            } else if (nacked || deliveries > 1 || maxAttempt > 1) {
                state = ConsumptionState.RETRYING;
            } else {
                state = ConsumptionState.NOT_YET;
            }
            return new GroupConsumption(group, state, deliveries, lastDelivered,
                    state == ConsumptionState.CONSUMED ? consumed : null, deadLettered, lastClient);
        }
    }

    static HopType hopType(TraceEventType type) {
        return switch (type) {
            case SEND -> HopType.SEND;
            case STORE -> HopType.STORE;
            case DELIVER -> HopType.DELIVER;
            case ACK -> HopType.ACK;
            case NACK -> HopType.NACK;
            case DLQ -> HopType.DLQ;
            case COMMIT -> HopType.COMMIT;
            case ROLLBACK -> HopType.ROLLBACK;
            case CHECK_UNKNOWN -> HopType.CHECK_UNKNOWN;
            default -> null;
        };
    }

    private static String messageType(MessageType type) {
        return switch (type) {
            case NORMAL -> "NORMAL";
            case FIFO -> "FIFO";
            case DELAY -> "DELAY";
            case TRANSACTION -> "TRANSACTION";
            default -> null;
        };
    }

    private static String firstTopic(List<SourcedEvent> events) {
        for (SourcedEvent e : events) {
            if (!e.event().getTopic().isEmpty()) {
                return e.event().getTopic();
            }
        }
        return null;
    }

    static Instant instant(long millis) {
        return millis <= 0 ? null : Instant.ofEpochMilli(millis);
    }

    static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
