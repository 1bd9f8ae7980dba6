package io.gantry.dataplane.mapping;

import apache.rocketmq.v2.AckMessageRequest;
import apache.rocketmq.v2.AckMessageResponse;
import apache.rocketmq.v2.AckMessageResultEntry;
import apache.rocketmq.v2.Assignment;
import apache.rocketmq.v2.ChangeInvisibleDurationRequest;
import apache.rocketmq.v2.ChangeInvisibleDurationResponse;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.EndTransactionRequest;
import apache.rocketmq.v2.EndTransactionResponse;
import apache.rocketmq.v2.ForwardMessageToDeadLetterQueueRequest;
import apache.rocketmq.v2.ForwardMessageToDeadLetterQueueResponse;
import apache.rocketmq.v2.GetOffsetRequest;
import apache.rocketmq.v2.GetOffsetResponse;
import apache.rocketmq.v2.HeartbeatRequest;
import apache.rocketmq.v2.HeartbeatResponse;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.MessageQueue;
import apache.rocketmq.v2.Metric;
import apache.rocketmq.v2.NotifyClientTerminationRequest;
import apache.rocketmq.v2.NotifyClientTerminationResponse;
import apache.rocketmq.v2.Publishing;
import apache.rocketmq.v2.PullMessageRequest;
import apache.rocketmq.v2.PullMessageResponse;
import apache.rocketmq.v2.QueryAssignmentRequest;
import apache.rocketmq.v2.QueryAssignmentResponse;
import apache.rocketmq.v2.QueryOffsetRequest;
import apache.rocketmq.v2.QueryOffsetResponse;
import apache.rocketmq.v2.QueryRouteRequest;
import apache.rocketmq.v2.QueryRouteResponse;
import apache.rocketmq.v2.RecallMessageRequest;
import apache.rocketmq.v2.RecallMessageResponse;
import apache.rocketmq.v2.ReceiveMessageRequest;
import apache.rocketmq.v2.ReceiveMessageResponse;
import apache.rocketmq.v2.RecoverOrphanedTransactionCommand;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.SendResultEntry;
import apache.rocketmq.v2.Settings;
import apache.rocketmq.v2.Status;
import apache.rocketmq.v2.Subscription;
import apache.rocketmq.v2.SubscriptionEntry;
import apache.rocketmq.v2.SyncLiteSubscriptionRequest;
import apache.rocketmq.v2.SyncLiteSubscriptionResponse;
import apache.rocketmq.v2.SystemProperties;
import apache.rocketmq.v2.TelemetryCommand;
import apache.rocketmq.v2.UpdateOffsetRequest;
import apache.rocketmq.v2.UpdateOffsetResponse;
import apache.rocketmq.v2.VerifyMessageCommand;

/**
 * The one place where names and endpoints are rewritten, for requests and responses of all 17 RPCs of
 * {@code MessagingService} and Telemetry commands in both directions.
 *
 * <p>Towards the proxy ({@code toUpstream}): every {@link Resource} becomes the instance's namespaced
 * name (a {@link io.gantry.dataplane.pipeline.Refusal} if the client sent a {@code resource_namespace}, a
 * {@code %}, a reserved or invalid name), every {@code Endpoints} the upstream proxy's.
 *
 * <p>Towards the client ({@code toClient}): names in both forms the proxy uses become plain again; a
 * name of another namespace never reaches the client (its queue, assignment, subscription entry is left
 * out; a message or command carrying it is dropped: {@code null}); every {@code Endpoints} becomes the
 * gateway's advertised endpoint; the proxy's metric exporter endpoint is switched off (the gateway does
 * not relay OTLP); error texts lose the namespace and client-id prefixes.
 *
 * <p>Stateless and thread-safe; a method returns its argument when nothing changes.
 */
public final class NameMapper {
    private NameMapper() {
    }

    // ---------------------------------------------------------------- requests (client -> proxy)

    public static QueryRouteRequest toUpstream(QueryRouteRequest r, MappingScope s) {
        QueryRouteRequest.Builder b = r.toBuilder().setTopic(topic(r.getTopic(), s));
        if (r.hasEndpoints()) {
            b.setEndpoints(s.upstream());
        }
        return b.build();
    }

    public static HeartbeatRequest toUpstream(HeartbeatRequest r, MappingScope s) {
        return r.hasGroup() ? r.toBuilder().setGroup(group(r.getGroup(), s)).build() : r;
    }

    public static SendMessageRequest toUpstream(SendMessageRequest r, MappingScope s) {
        SendMessageRequest.Builder b = r.toBuilder();
        for (int i = 0; i < b.getMessagesCount(); i++) {
            Message m = r.getMessages(i);
            b.setMessages(i, m.toBuilder().setTopic(topic(m.getTopic(), s)));
        }
        return b.build();
    }

    public static QueryAssignmentRequest toUpstream(QueryAssignmentRequest r, MappingScope s) {
        QueryAssignmentRequest.Builder b = r.toBuilder().setTopic(topic(r.getTopic(), s)).setGroup(group(r.getGroup(), s));
        if (r.hasEndpoints()) {
            b.setEndpoints(s.upstream());
        }
        return b.build();
    }

    public static ReceiveMessageRequest toUpstream(ReceiveMessageRequest r, MappingScope s) {
        ReceiveMessageRequest.Builder b = r.toBuilder().setGroup(group(r.getGroup(), s));
        if (r.hasMessageQueue()) {
            b.setMessageQueue(queueToUpstream(r.getMessageQueue(), s));
        }
        return b.build();
    }

    public static AckMessageRequest toUpstream(AckMessageRequest r, MappingScope s) {
        AckMessageRequest.Builder b = r.toBuilder().setGroup(group(r.getGroup(), s)).setTopic(topic(r.getTopic(), s));
        for (int i = 0; i < b.getEntriesCount(); i++) {
            b.getEntriesBuilder(i).setReceiptHandle(s.open(r.getEntries(i).getReceiptHandle()));
        }
        return b.build();
    }

    public static ForwardMessageToDeadLetterQueueRequest toUpstream(ForwardMessageToDeadLetterQueueRequest r, MappingScope s) {
        return r.toBuilder().setGroup(group(r.getGroup(), s)).setTopic(topic(r.getTopic(), s))
                .setReceiptHandle(s.open(r.getReceiptHandle())).build();
    }

    public static PullMessageRequest toUpstream(PullMessageRequest r, MappingScope s) {
        PullMessageRequest.Builder b = r.toBuilder().setGroup(group(r.getGroup(), s));
        if (r.hasMessageQueue()) {
            b.setMessageQueue(queueToUpstream(r.getMessageQueue(), s));
        }
        return b.build();
    }

    public static UpdateOffsetRequest toUpstream(UpdateOffsetRequest r, MappingScope s) {
        UpdateOffsetRequest.Builder b = r.toBuilder().setGroup(group(r.getGroup(), s));
        if (r.hasMessageQueue()) {
            b.setMessageQueue(queueToUpstream(r.getMessageQueue(), s));
        }
        return b.build();
    }

    public static GetOffsetRequest toUpstream(GetOffsetRequest r, MappingScope s) {
        GetOffsetRequest.Builder b = r.toBuilder().setGroup(group(r.getGroup(), s));
        if (r.hasMessageQueue()) {
            b.setMessageQueue(queueToUpstream(r.getMessageQueue(), s));
        }
        return b.build();
    }

    public static QueryOffsetRequest toUpstream(QueryOffsetRequest r, MappingScope s) {
        return r.hasMessageQueue() ? r.toBuilder().setMessageQueue(queueToUpstream(r.getMessageQueue(), s)).build() : r;
    }

    public static EndTransactionRequest toUpstream(EndTransactionRequest r, MappingScope s) {
        return r.toBuilder().setTopic(topic(r.getTopic(), s)).build();
    }

    /**
     * A client's Telemetry command: its Settings mapped; thread stack traces, verification results and a
     * bare status pass; commands only a server sends are dropped ({@code null}).
     */
    public static TelemetryCommand toUpstream(TelemetryCommand c, MappingScope s) {
        switch (c.getCommandCase()) {
            case SETTINGS:
                return c.toBuilder().setSettings(settingsToUpstream(c.getSettings(), s)).build();
            case THREAD_STACK_TRACE:
            case VERIFY_MESSAGE_RESULT:
            case COMMAND_NOT_SET:
                return c;
            default:
                return null;
        }
    }

    public static NotifyClientTerminationRequest toUpstream(NotifyClientTerminationRequest r, MappingScope s) {
        return r.hasGroup() ? r.toBuilder().setGroup(group(r.getGroup(), s)).build() : r;
    }

    public static ChangeInvisibleDurationRequest toUpstream(ChangeInvisibleDurationRequest r, MappingScope s) {
        return r.toBuilder().setGroup(group(r.getGroup(), s)).setTopic(topic(r.getTopic(), s))
                .setReceiptHandle(s.open(r.getReceiptHandle())).build();
    }

    public static RecallMessageRequest toUpstream(RecallMessageRequest r, MappingScope s) {
        return r.toBuilder().setTopic(topic(r.getTopic(), s)).build();
    }

    public static SyncLiteSubscriptionRequest toUpstream(SyncLiteSubscriptionRequest r, MappingScope s) {
        return r.toBuilder().setTopic(topic(r.getTopic(), s)).setGroup(group(r.getGroup(), s)).build();
    }

    // ---------------------------------------------------------------- responses (proxy -> client)

    public static QueryRouteResponse toClient(QueryRouteResponse r, MappingScope s) {
        QueryRouteResponse.Builder b = r.toBuilder().clearMessageQueues().setStatus(status(r.getStatus(), s));
        for (MessageQueue mq : r.getMessageQueuesList()) {
            MessageQueue mapped = queueToClient(mq, s);
            if (mapped != null) {
                b.addMessageQueues(mapped);
            }
        }
        return b.build();
    }

    public static HeartbeatResponse toClient(HeartbeatResponse r, MappingScope s) {
        return needsStatus(r.getStatus()) ? r.toBuilder().setStatus(status(r.getStatus(), s)).build() : r;
    }

    public static SendMessageResponse toClient(SendMessageResponse r, MappingScope s) {
        boolean any = needsStatus(r.getStatus());
        for (SendResultEntry e : r.getEntriesList()) {
            any |= needsStatus(e.getStatus());
        }
        if (!any) {
            return r;
        }
        SendMessageResponse.Builder b = r.toBuilder().setStatus(status(r.getStatus(), s));
        for (int i = 0; i < b.getEntriesCount(); i++) {
            b.getEntriesBuilder(i).setStatus(status(r.getEntries(i).getStatus(), s));
        }
        return b.build();
    }

    public static QueryAssignmentResponse toClient(QueryAssignmentResponse r, MappingScope s) {
        QueryAssignmentResponse.Builder b = r.toBuilder().clearAssignments().setStatus(status(r.getStatus(), s));
        for (Assignment a : r.getAssignmentsList()) {
            if (!a.hasMessageQueue()) {
                continue;
            }
            MessageQueue mapped = queueToClient(a.getMessageQueue(), s);
            if (mapped != null) {
                b.addAssignments(a.toBuilder().setMessageQueue(mapped));
            }
        }
        return b.build();
    }

    /** null: the message belongs to another namespace and is dropped. */
    public static ReceiveMessageResponse toClient(ReceiveMessageResponse r, MappingScope s) {
        switch (r.getContentCase()) {
            case MESSAGE: {
                Message m = messageToClient(r.getMessage(), s);
                return m == null ? null : m == r.getMessage() ? r : r.toBuilder().setMessage(m).build();
            }
            case STATUS:
                return needsStatus(r.getStatus()) ? r.toBuilder().setStatus(status(r.getStatus(), s)).build() : r;
            default:
                return r;
        }
    }

    public static AckMessageResponse toClient(AckMessageResponse r, MappingScope s) {
        AckMessageResponse.Builder b = r.toBuilder();
        if (needsStatus(r.getStatus())) {
            b.setStatus(status(r.getStatus(), s));
        }
        for (int i = 0; i < b.getEntriesCount(); i++) {
            AckMessageResultEntry e = r.getEntries(i);
            AckMessageResultEntry.Builder eb = b.getEntriesBuilder(i).setReceiptHandle(s.seal(e.getReceiptHandle()));
            if (needsStatus(e.getStatus())) {
                eb.setStatus(status(e.getStatus(), s));
            }
        }
        return b.build();
    }

    public static ForwardMessageToDeadLetterQueueResponse toClient(ForwardMessageToDeadLetterQueueResponse r, MappingScope s) {
        return needsStatus(r.getStatus()) ? r.toBuilder().setStatus(status(r.getStatus(), s)).build() : r;
    }

    /** null: the message belongs to another namespace and is dropped. */
    public static PullMessageResponse toClient(PullMessageResponse r, MappingScope s) {
        switch (r.getContentCase()) {
            case MESSAGE: {
                Message m = messageToClient(r.getMessage(), s);
                return m == null ? null : m == r.getMessage() ? r : r.toBuilder().setMessage(m).build();
            }
            case STATUS:
                return needsStatus(r.getStatus()) ? r.toBuilder().setStatus(status(r.getStatus(), s)).build() : r;
            default:
                return r;
        }
    }

    public static UpdateOffsetResponse toClient(UpdateOffsetResponse r, MappingScope s) {
        return needsStatus(r.getStatus()) ? r.toBuilder().setStatus(status(r.getStatus(), s)).build() : r;
    }

    public static GetOffsetResponse toClient(GetOffsetResponse r, MappingScope s) {
        return needsStatus(r.getStatus()) ? r.toBuilder().setStatus(status(r.getStatus(), s)).build() : r;
    }

    public static QueryOffsetResponse toClient(QueryOffsetResponse r, MappingScope s) {
        return needsStatus(r.getStatus()) ? r.toBuilder().setStatus(status(r.getStatus(), s)).build() : r;
    }

    public static EndTransactionResponse toClient(EndTransactionResponse r, MappingScope s) {
        return needsStatus(r.getStatus()) ? r.toBuilder().setStatus(status(r.getStatus(), s)).build() : r;
    }

    /**
     * A proxy's Telemetry command: the Settings echo and the messages of transaction checks and
     * verifications mapped back; null when it carries another namespace's names (dropped).
     */
    public static TelemetryCommand toClient(TelemetryCommand c, MappingScope s) {
        TelemetryCommand.Builder b = null;
        switch (c.getCommandCase()) {
            case SETTINGS: {
                Settings settings = settingsToClient(c.getSettings(), s);
                if (settings == null) {
                    return null;
                }
                b = c.toBuilder().setSettings(settings);
                break;
            }
            case RECOVER_ORPHANED_TRANSACTION_COMMAND: {
                RecoverOrphanedTransactionCommand cmd = c.getRecoverOrphanedTransactionCommand();
                Message m = messageToClient(cmd.getMessage(), s);
                if (m == null) {
                    return null;
                }
                if (m != cmd.getMessage()) {
                    b = c.toBuilder().setRecoverOrphanedTransactionCommand(cmd.toBuilder().setMessage(m));
                }
                break;
            }
            case VERIFY_MESSAGE_COMMAND: {
                VerifyMessageCommand cmd = c.getVerifyMessageCommand();
                Message m = messageToClient(cmd.getMessage(), s);
                if (m == null) {
                    return null;
                }
                if (m != cmd.getMessage()) {
                    b = c.toBuilder().setVerifyMessageCommand(cmd.toBuilder().setMessage(m));
                }
                break;
            }
            default:
                break;
        }
        if (c.hasStatus() && needsStatus(c.getStatus())) {
            b = (b == null ? c.toBuilder() : b).setStatus(status(c.getStatus(), s));
        }
        return b == null ? c : b.build();
    }

    public static NotifyClientTerminationResponse toClient(NotifyClientTerminationResponse r, MappingScope s) {
        return needsStatus(r.getStatus()) ? r.toBuilder().setStatus(status(r.getStatus(), s)).build() : r;
    }

    public static ChangeInvisibleDurationResponse toClient(ChangeInvisibleDurationResponse r, MappingScope s) {
        ChangeInvisibleDurationResponse.Builder b = r.toBuilder().setReceiptHandle(s.seal(r.getReceiptHandle()));
        if (needsStatus(r.getStatus())) {
            b.setStatus(status(r.getStatus(), s));
        }
        return b.build();
    }

    public static RecallMessageResponse toClient(RecallMessageResponse r, MappingScope s) {
        return needsStatus(r.getStatus()) ? r.toBuilder().setStatus(status(r.getStatus(), s)).build() : r;
    }

    public static SyncLiteSubscriptionResponse toClient(SyncLiteSubscriptionResponse r, MappingScope s) {
        return needsStatus(r.getStatus()) ? r.toBuilder().setStatus(status(r.getStatus(), s)).build() : r;
    }

    // ---------------------------------------------------------------- parts

    static Resource topic(Resource r, MappingScope s) {
        return s.names().toUpstream(r, Code.ILLEGAL_TOPIC, "topic");
    }

    static Resource group(Resource r, MappingScope s) {
        return s.names().toUpstream(r, Code.ILLEGAL_CONSUMER_GROUP, "consumer group");
    }

    static MessageQueue queueToUpstream(MessageQueue mq, MappingScope s) {
        MessageQueue.Builder b = mq.toBuilder().setTopic(topic(mq.getTopic(), s));
        if (mq.hasBroker() && mq.getBroker().hasEndpoints()) {
            b.getBrokerBuilder().setEndpoints(s.upstream());
        }
        return b.build();
    }

    /** null when the queue's topic is not this namespace's. */
    static MessageQueue queueToClient(MessageQueue mq, MappingScope s) {
        Resource topic = s.names().toClient(mq.getTopic());
        if (topic == null) {
            return null;
        }
        MessageQueue.Builder b = mq.toBuilder().setTopic(topic);
        if (mq.hasBroker()) {
            b.getBrokerBuilder().setEndpoints(s.advertised());
        }
        return b.build();
    }

    /** null when the message's topic is not this namespace's; the argument itself when nothing changes. */
    static Message messageToClient(Message m, MappingScope s) {
        Resource topic = s.names().toClient(m.getTopic());
        if (topic == null) {
            return null;
        }
        Message.Builder b = null;
        if (!topic.equals(m.getTopic())) {
            b = m.toBuilder().setTopic(topic);
        }
        if (m.hasSystemProperties() && m.getSystemProperties().hasReceiptHandle()) {
            b = (b == null ? m.toBuilder() : b);
            b.getSystemPropertiesBuilder().setReceiptHandle(s.seal(m.getSystemProperties().getReceiptHandle()));
        }
        if (m.hasSystemProperties() && m.getSystemProperties().hasDeadLetterQueue()) {
            SystemProperties sp = m.getSystemProperties();
            String origin = sp.getDeadLetterQueue().getTopic();
            String plain = s.names().toClientName(origin);
            if (plain == null) {
                b = (b == null ? m.toBuilder() : b);
                b.getSystemPropertiesBuilder().clearDeadLetterQueue();
            } else if (!plain.equals(origin)) {
                b = (b == null ? m.toBuilder() : b);
                b.getSystemPropertiesBuilder().getDeadLetterQueueBuilder().setTopic(plain);
            }
        }
        return b == null ? m : b.build();
    }

    static Settings settingsToUpstream(Settings st, MappingScope s) {
        Settings.Builder b = st.toBuilder();
        if (st.hasAccessPoint()) {
            b.setAccessPoint(s.upstream());
        }
        if (st.hasPublishing()) {
            Publishing.Builder p = b.getPublishingBuilder();
            for (int i = 0; i < p.getTopicsCount(); i++) {
                p.setTopics(i, topic(st.getPublishing().getTopics(i), s));
            }
        }
        if (st.hasSubscription()) {
            Subscription sub = st.getSubscription();
            Subscription.Builder sb = b.getSubscriptionBuilder();
            if (sub.hasGroup()) {
                sb.setGroup(group(sub.getGroup(), s));
            }
            for (int i = 0; i < sb.getSubscriptionsCount(); i++) {
                SubscriptionEntry e = sub.getSubscriptions(i);
                sb.setSubscriptions(i, e.toBuilder().setTopic(topic(e.getTopic(), s)));
            }
        }
        return b.build();
    }

    /** null when the subscription's group is another namespace's (the whole echo is dropped). */
    static Settings settingsToClient(Settings st, MappingScope s) {
        Settings.Builder b = st.toBuilder();
        if (st.hasAccessPoint()) {
            b.setAccessPoint(s.advertised());
        }
        if (st.hasMetric()) {
            // the proxy's metric collector is not reachable through the gateway: never hand it out
            b.setMetric(Metric.newBuilder().setOn(false));
        }
        if (st.hasPublishing()) {
            Publishing.Builder p = b.getPublishingBuilder().clearTopics();
            for (Resource t : st.getPublishing().getTopicsList()) {
                Resource mapped = s.names().toClient(t);
                if (mapped != null) {
                    p.addTopics(mapped);
                }
            }
        }
        if (st.hasSubscription()) {
            Subscription sub = st.getSubscription();
            Subscription.Builder sb = b.getSubscriptionBuilder().clearSubscriptions();
            if (sub.hasGroup()) {
                Resource g = s.names().toClient(sub.getGroup());
                if (g == null) {
                    return null;
                }
                sb.setGroup(g);
            }
            for (SubscriptionEntry e : sub.getSubscriptionsList()) {
                Resource t = s.names().toClient(e.getTopic());
                if (t != null) {
                    sb.addSubscriptions(e.toBuilder().setTopic(t));
                }
            }
        }
        return b.build();
    }

    private static boolean needsStatus(Status st) {
        return st.getCode() != Code.OK && !st.getMessage().isEmpty();
    }

    /**
     * An error status of the proxy with the gateway's own text for its code ({@link ProxyStatusTexts}): the
     * proxy's text is logged at FINE, never passed on.
     */
    static Status status(Status st, MappingScope s) {
        if (!needsStatus(st)) {
            return st;
        }
        java.util.logging.Logger.getLogger(NameMapper.class.getName()).fine(() -> "instance " + s.instanceId()
                + ": the proxy answered " + st.getCode() + " '" + st.getMessage() + "'");
        return st.toBuilder().setMessage(ProxyStatusTexts.of(st.getCode())).build();
    }
}
