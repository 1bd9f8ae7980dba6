package io.gantry.controlplane.api;

import io.gantry.controlplane.provisioning.BrokerMessage;
import io.gantry.controlplane.trace.BrokerCopies;
import io.gantry.trace.query.DeadLetter;
import io.gantry.trace.query.GroupConsumption;
import io.gantry.trace.query.Hop;
import io.gantry.trace.query.Lifecycle;
import io.gantry.trace.query.MessageRecord;
import io.gantry.trace.query.RecordSource;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** What the messages API shows of the trace store's records (and of the broker's copy of a message). */
final class MessageViews {
    static final String BASE64 = "base64";

    private MessageViews() {
    }

    static MessageDtos.MessageSummary summary(MessageRecord m) {
        return new MessageDtos.MessageSummary(m.instanceId(), m.messageId(), m.topic(), m.tag(), m.keys(),
                m.messageGroup(), m.messageType(), m.bodySize(), m.sentAt(), m.bornAt(), m.deliverAt(),
                m.storeStatus(), m.source() == RecordSource.ARCHIVE);
    }

    /**
     * The message with its body: the broker's copy when there is one (its user properties are complete;
     * the trace keeps a bounded number), else the trace's record and the reason the body is missing.
     */
    static MessageDtos.Message message(MessageRecord m, Long storeLatencyMicros, BrokerCopies.Outcome copy) {
        Map<String, String> properties = new HashMap<>(m.properties());
        Integer reconsumeTimes = null;
        MessageDtos.MessageBody body;
        if (copy instanceof BrokerCopies.Found found) {
            BrokerMessage b = found.message();
            properties.putAll(b.userProperties());
            reconsumeTimes = b.reconsumeTimes();
            byte[] bytes = b.body() == null ? new byte[0] : b.body();
            body = new MessageDtos.MessageBody(bytes.length, BASE64, Base64.getEncoder().encodeToString(bytes), null);
        } else if (copy instanceof BrokerCopies.TooLarge tooLarge) {
            body = new MessageDtos.MessageBody(tooLarge.size(), BASE64, null, "TOO_LARGE");
        } else if (copy instanceof BrokerCopies.Unavailable) {
            body = new MessageDtos.MessageBody(m.bodySize(), BASE64, null, "BROKER_UNAVAILABLE");
        } else {
            body = new MessageDtos.MessageBody(m.bodySize(), BASE64, null, "NOT_ON_BROKER");
        }
        MessageDtos.SystemProperties system = new MessageDtos.SystemProperties(m.bornAt(), m.sentAt(), m.deliverAt(),
                m.producerClientId(), m.account(), m.transactionId(), m.bodySize(), reconsumeTimes);
        MessageDtos.StoreInfo store = m.storeStatus() == null ? null
                : new MessageDtos.StoreInfo(m.storeStatus(), m.queueId(), m.queueOffset(), m.storedAt(), storeLatencyMicros);
        return new MessageDtos.Message(m.instanceId(), m.messageId(), m.topic(), m.tag(), m.keys(), m.messageGroup(),
                m.messageType(), properties, system, store, body, m.source() == RecordSource.ARCHIVE);
    }

    static MessageDtos.MessageLifecycle lifecycle(Lifecycle l) {
        return new MessageDtos.MessageLifecycle(l.message().instanceId(), l.message().messageId(), l.message().topic(),
                l.hops().stream().map(MessageViews::hop).toList(),
                l.groups().stream().map(MessageViews::group).toList(),
                l.transaction() == null ? null : l.transaction().name());
    }

    static MessageDtos.MessageHop hop(Hop h) {
        return new MessageDtos.MessageHop(h.type().name(), h.at(), millis(h.sincePrevious()), h.consumerGroup(),
                h.consumerClientId(), h.producerClientId(), h.account(), h.deliveryAttempt(), h.invisibleUntil(),
                h.status(), h.queueId(), h.queueOffset(), micros(h.latency()), h.transactionSource(), h.dlqSource());
    }

    static MessageDtos.ConsumerGroupProgress group(GroupConsumption g) {
        return new MessageDtos.ConsumerGroupProgress(g.group(), g.state().name(), g.deliveries(), g.lastDeliveredAt(),
                g.consumedAt(), g.deadLetteredAt(), g.lastConsumerClientId());
    }

    static MessageDtos.DeadLetter deadLetter(DeadLetter d, String topic) {
        return new MessageDtos.DeadLetter(d.messageId(), topic, d.tag(), d.keys(), d.group(), d.deadLetteredAt(),
                d.deliveryAttempts(), d.dlqSource());
    }

    private static Long millis(Duration d) {
        return d == null ? null : d.toMillis();
    }

    private static Long micros(Duration d) {
        return d == null ? null : d.toNanos() / 1_000;
    }
}
