package io.gantry.dataplane.relay;

import apache.rocketmq.v2.AckMessageResponse;
import apache.rocketmq.v2.ChangeInvisibleDurationResponse;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.UpdateOffsetRequest;
import apache.rocketmq.v2.SyncLiteSubscriptionRequest;
import apache.rocketmq.v2.RecallMessageRequest;
import apache.rocketmq.v2.QueryRouteRequest;
import apache.rocketmq.v2.QueryOffsetRequest;
import apache.rocketmq.v2.QueryAssignmentRequest;
import apache.rocketmq.v2.NotifyClientTerminationRequest;
import apache.rocketmq.v2.HeartbeatRequest;
import apache.rocketmq.v2.GetOffsetRequest;
import apache.rocketmq.v2.ForwardMessageToDeadLetterQueueRequest;
import apache.rocketmq.v2.EndTransactionRequest;
import apache.rocketmq.v2.ChangeInvisibleDurationRequest;
import apache.rocketmq.v2.AckMessageRequest;
import apache.rocketmq.v2.EndTransactionResponse;
import apache.rocketmq.v2.ForwardMessageToDeadLetterQueueResponse;
import apache.rocketmq.v2.GetOffsetResponse;
import apache.rocketmq.v2.HeartbeatResponse;
import apache.rocketmq.v2.MessagingServiceGrpc;
import apache.rocketmq.v2.NotifyClientTerminationResponse;
import apache.rocketmq.v2.PullMessageRequest;
import apache.rocketmq.v2.PullMessageResponse;
import apache.rocketmq.v2.QueryAssignmentResponse;
import apache.rocketmq.v2.QueryOffsetResponse;
import apache.rocketmq.v2.QueryRouteResponse;
import apache.rocketmq.v2.RecallMessageResponse;
import apache.rocketmq.v2.ReceiveMessageRequest;
import apache.rocketmq.v2.ReceiveMessageResponse;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.Status;
import apache.rocketmq.v2.SyncLiteSubscriptionResponse;
import apache.rocketmq.v2.TelemetryCommand;
import apache.rocketmq.v2.UpdateOffsetResponse;
import io.gantry.dataplane.mapping.NameMapper;
import io.gantry.dataplane.metrics.GatewayMetrics;
import io.gantry.dataplane.pipeline.Authorization;
import io.gantry.dataplane.pipeline.CallContext;
import io.gantry.dataplane.pipeline.MessageFields;
import io.gantry.dataplane.throttle.ThroughputLimiter;
import io.gantry.isolation.acl.AclAction;
import io.gantry.isolation.acl.AclResourceType;
import apache.rocketmq.v2.Resource;
import java.util.function.BiConsumer;
import java.util.List;

/** The 17 RPCs of {@code apache.rocketmq.v2.MessagingService} (rocketmq-proto 2.1.2), each typed. */
public final class Rpcs {
    private Rpcs() {
    }

    @SuppressWarnings("unchecked")
    private static <Req, Resp> Rpc.Accounting<Req, Resp> none() {
        return (Rpc.Accounting<Req, Resp>) (Rpc.Accounting<?, ?>) Rpc.Accounting.NONE;
    }

    public static final Rpc<QueryRouteRequest, QueryRouteResponse> QUERY_ROUTE = new Rpc<>(MessagingServiceGrpc.getQueryRouteMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> QueryRouteResponse.newBuilder().setStatus(s).build(), QueryRouteResponse::getStatus, none(),
            Rpcs::admitQueryRoute);

    public static final Rpc<HeartbeatRequest, HeartbeatResponse> HEARTBEAT = new Rpc<>(MessagingServiceGrpc.getHeartbeatMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> HeartbeatResponse.newBuilder().setStatus(s).build(), HeartbeatResponse::getStatus, none(),
            Rpcs::admitHeartbeat);

    public static final Rpc<SendMessageRequest, SendMessageResponse> SEND_MESSAGE = new Rpc<>(
            MessagingServiceGrpc.getSendMessageMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> SendMessageResponse.newBuilder().setStatus(s).build(), SendMessageResponse::getStatus,
            Rpcs::countSent,
            Rpcs::admitSend);

    public static final Rpc<QueryAssignmentRequest, QueryAssignmentResponse> QUERY_ASSIGNMENT = new Rpc<>(MessagingServiceGrpc.getQueryAssignmentMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> QueryAssignmentResponse.newBuilder().setStatus(s).build(), QueryAssignmentResponse::getStatus, none(),
            (req, ctx) -> subscribe(ctx, req.getGroup(), req.getTopic()));

    public static final Rpc<ReceiveMessageRequest, ReceiveMessageResponse> RECEIVE_MESSAGE = new Rpc<>(
            MessagingServiceGrpc.getReceiveMessageMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> ReceiveMessageResponse.newBuilder().setStatus(s).build(),
            r -> r.hasStatus() ? r.getStatus() : null,
            (req, resp, ctx, m) -> {
                if (resp.hasMessage()) {
                    delivered(req.getGroup(), resp.getMessage(), ctx, m);
                }
            },
            (req, ctx) -> consume(ctx, req.getGroup(), req.getMessageQueue().getTopic()));

    public static final Rpc<AckMessageRequest, AckMessageResponse> ACK_MESSAGE = new Rpc<>(MessagingServiceGrpc.getAckMessageMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> AckMessageResponse.newBuilder().setStatus(s).build(), AckMessageResponse::getStatus, none(),
            (req, ctx) -> {
                subscribe(ctx, req.getGroup(), req.getTopic());
                MessageFields.checkAck(req, ctx);
            });

    public static final Rpc<ForwardMessageToDeadLetterQueueRequest, ForwardMessageToDeadLetterQueueResponse> FORWARD_MESSAGE_TO_DEAD_LETTER_QUEUE = new Rpc<>(
            MessagingServiceGrpc.getForwardMessageToDeadLetterQueueMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> ForwardMessageToDeadLetterQueueResponse.newBuilder().setStatus(s).build(),
            ForwardMessageToDeadLetterQueueResponse::getStatus, none(),
            (req, ctx) -> subscribe(ctx, req.getGroup(), req.getTopic(), req.getMessageId()));

    public static final Rpc<PullMessageRequest, PullMessageResponse> PULL_MESSAGE = new Rpc<>(
            MessagingServiceGrpc.getPullMessageMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> PullMessageResponse.newBuilder().setStatus(s).build(),
            r -> r.hasStatus() ? r.getStatus() : null,
            (req, resp, ctx, m) -> {
                if (resp.hasMessage()) {
                    delivered(req.getGroup(), resp.getMessage(), ctx, m);
                }
            },
            (req, ctx) -> consume(ctx, req.getGroup(), req.getMessageQueue().getTopic()));

    public static final Rpc<UpdateOffsetRequest, UpdateOffsetResponse> UPDATE_OFFSET = new Rpc<>(MessagingServiceGrpc.getUpdateOffsetMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> UpdateOffsetResponse.newBuilder().setStatus(s).build(), UpdateOffsetResponse::getStatus, none(),
            (req, ctx) -> subscribe(ctx, req.getGroup(), req.getMessageQueue().getTopic()));

    public static final Rpc<GetOffsetRequest, GetOffsetResponse> GET_OFFSET = new Rpc<>(MessagingServiceGrpc.getGetOffsetMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> GetOffsetResponse.newBuilder().setStatus(s).build(), GetOffsetResponse::getStatus, none(),
            (req, ctx) -> subscribe(ctx, req.getGroup(), req.getMessageQueue().getTopic()));

    public static final Rpc<QueryOffsetRequest, QueryOffsetResponse> QUERY_OFFSET = new Rpc<>(MessagingServiceGrpc.getQueryOffsetMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> QueryOffsetResponse.newBuilder().setStatus(s).build(), QueryOffsetResponse::getStatus, none(),
            (req, ctx) -> Authorization.require(ctx, AclResourceType.TOPIC, req.getMessageQueue().getTopic().getName(), AclAction.SUB));

    public static final Rpc<EndTransactionRequest, EndTransactionResponse> END_TRANSACTION = new Rpc<>(MessagingServiceGrpc.getEndTransactionMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> EndTransactionResponse.newBuilder().setStatus(s).build(), EndTransactionResponse::getStatus, none(),
            (req, ctx) -> {
                Authorization.require(ctx, AclResourceType.TOPIC, req.getTopic().getName(), AclAction.PUB);
                MessageFields.checkMessageId(req.getMessageId(), ctx, req.getTopic().getName());
            });

    public static final Rpc<TelemetryCommand, TelemetryCommand> TELEMETRY = new Rpc<>(
            MessagingServiceGrpc.getTelemetryMethod(),
            NameMapper::toUpstream, (c, s) -> ProducerBackoff.apply(NameMapper.toClient(c, s)),
            s -> TelemetryCommand.newBuilder().setStatus(s).build(),
            c -> c.hasStatus() ? c.getStatus() : null, none(),
            Rpcs::admitTelemetry);

    public static final Rpc<NotifyClientTerminationRequest, NotifyClientTerminationResponse> NOTIFY_CLIENT_TERMINATION = new Rpc<>(
            MessagingServiceGrpc.getNotifyClientTerminationMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> NotifyClientTerminationResponse.newBuilder().setStatus(s).build(),
            NotifyClientTerminationResponse::getStatus, none(),
            open());

    public static final Rpc<ChangeInvisibleDurationRequest, ChangeInvisibleDurationResponse> CHANGE_INVISIBLE_DURATION = new Rpc<>(
            MessagingServiceGrpc.getChangeInvisibleDurationMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> ChangeInvisibleDurationResponse.newBuilder().setStatus(s).build(),
            ChangeInvisibleDurationResponse::getStatus, none(),
            (req, ctx) -> subscribe(ctx, req.getGroup(), req.getTopic(), req.getMessageId()));

    public static final Rpc<RecallMessageRequest, RecallMessageResponse> RECALL_MESSAGE = new Rpc<>(MessagingServiceGrpc.getRecallMessageMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> RecallMessageResponse.newBuilder().setStatus(s).build(), RecallMessageResponse::getStatus, none(),
            (req, ctx) -> Authorization.require(ctx, AclResourceType.TOPIC, req.getTopic().getName(), AclAction.PUB));

    public static final Rpc<SyncLiteSubscriptionRequest, SyncLiteSubscriptionResponse> SYNC_LITE_SUBSCRIPTION = new Rpc<>(MessagingServiceGrpc.getSyncLiteSubscriptionMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> SyncLiteSubscriptionResponse.newBuilder().setStatus(s).build(),
            SyncLiteSubscriptionResponse::getStatus, none(),
            (req, ctx) -> subscribe(ctx, req.getGroup(), req.getTopic()));

    /** All of them, in the service descriptor's order. */
    public static final List<Rpc<?, ?>> ALL = List.of(QUERY_ROUTE, HEARTBEAT, SEND_MESSAGE, QUERY_ASSIGNMENT,
            RECEIVE_MESSAGE, ACK_MESSAGE, FORWARD_MESSAGE_TO_DEAD_LETTER_QUEUE, PULL_MESSAGE, UPDATE_OFFSET, GET_OFFSET,
            QUERY_OFFSET, END_TRANSACTION, TELEMETRY, NOTIFY_CLIENT_TERMINATION, CHANGE_INVISIBLE_DURATION,
            RECALL_MESSAGE, SYNC_LITE_SUBSCRIPTION);

    public static Rpc<?, ?> byName(String bareName) {
        for (Rpc<?, ?> rpc : ALL) {
            if (rpc.name().equals(bareName)) {
                return rpc;
            }
        }
        throw new IllegalArgumentException("no RPC " + bareName);
    }


    /** No check: the RPC names nothing an ACL guards (or only the client itself). */
    private static <Req> BiConsumer<Req, CallContext> open() {
        return (req, ctx) -> { };
    }

    /** Consuming needs SUB on the group and on the topic. */
    private static void subscribe(CallContext ctx, Resource group, Resource topic) {
        knownGroup(ctx, group);
        Authorization.require(ctx, AclResourceType.GROUP, group.getName(), AclAction.SUB);
        Authorization.require(ctx, AclResourceType.TOPIC, topic.getName(), AclAction.SUB);
    }

    /** Consuming one message by id: its id is traced, so it must be one the trace store can index. */
    private static void subscribe(CallContext ctx, Resource group, Resource topic, String messageId) {
        subscribe(ctx, group, topic);
        MessageFields.checkMessageId(messageId, ctx, topic.getName());
    }

    private static void admitQueryRoute(QueryRouteRequest req, CallContext ctx) {
        Authorization.requireAny(ctx, AclResourceType.TOPIC, req.getTopic().getName(), AclAction.PUB, AclAction.SUB);
    }

    private static void admitHeartbeat(HeartbeatRequest req, CallContext ctx) {
        if (req.hasGroup() && !req.getGroup().getName().isEmpty()) {
            knownGroup(ctx, req.getGroup());
            Authorization.require(ctx, AclResourceType.GROUP, req.getGroup().getName(), AclAction.SUB);
        }
    }

    private static void admitSend(SendMessageRequest req, CallContext ctx) {
        String checked = null;
        for (int i = 0; i < req.getMessagesCount(); i++) {
            String topic = req.getMessages(i).getTopic().getName();
            if (!topic.equals(checked)) {
                Authorization.require(ctx, AclResourceType.TOPIC, topic, AclAction.PUB);
                checked = topic;
            }
        }
        MessageFields.checkSend(req, ctx);
        ctx.limiter().admitSend(ctx.instance(), ThroughputLimiter.sender(ctx.account().accessKey(), ctx.upstreamClientId()), req);
    }

    /** Receive and pull: rights to consume, and the receive limits not in debt. */
    private static void consume(CallContext ctx, Resource group, Resource topic) {
        subscribe(ctx, group, topic);
        ctx.limiter().admitReceive(ctx.instance(), group.getName());
    }

    /** A message delivered by a receive or pull: counted, and charged to the receive limits. */
    private static void delivered(Resource group, apache.rocketmq.v2.Message message, CallContext ctx, GatewayMetrics m) {
        String topic = message.getTopic().getName();
        int size = message.getBody().size();
        m.received(ctx.instance().id(), topic, group.getName(), size);
        ctx.limiter().received(ctx.instance(), group.getName(), topic, size);
    }

    /**
     * A client's Settings declare what it publishes and consumes, and the proxy acts on them (it sends
     * transaction checks with their half messages to a declared producer, verification commands to a
     * declared consumer): they need the same rights as the calls they announce.
     */
    private static void admitTelemetry(TelemetryCommand command, CallContext ctx) {
        if (!command.hasSettings()) {
            return;
        }
        apache.rocketmq.v2.Settings settings = command.getSettings();
        if (settings.hasPublishing()) {
            for (Resource topic : settings.getPublishing().getTopicsList()) {
                Authorization.require(ctx, AclResourceType.TOPIC, topic.getName(), AclAction.PUB);
            }
        }
        if (settings.hasSubscription()) {
            Resource group = settings.getSubscription().getGroup();
            knownGroup(ctx, group);
            Authorization.require(ctx, AclResourceType.GROUP, group.getName(), AclAction.SUB);
            settings.getSubscription().getSubscriptionsList().forEach(entry ->
                    Authorization.require(ctx, AclResourceType.TOPIC, entry.getTopic().getName(), AclAction.SUB));
        }
    }

    /**
     * Only groups created through the API: the broker would create any other on first use, outside the
     * instance's quota and without its retry policy.
     */
    private static void knownGroup(CallContext ctx, Resource group) {
        if (!ctx.instance().groups().contains(group.getName())) {
            throw new io.gantry.dataplane.pipeline.Refusal(Code.CONSUMER_GROUP_NOT_FOUND, "consumer group '" + group.getName()
                    + "' does not exist in instance " + ctx.instance().id() + ": create it through the API first");
        }
    }

    private static void countSent(SendMessageRequest req, SendMessageResponse resp, CallContext ctx, GatewayMetrics m) {
        boolean perEntry = resp.getEntriesCount() == req.getMessagesCount();
        if (!perEntry && resp.getStatus().getCode() != Code.OK) {
            return;
        }
        for (int i = 0; i < req.getMessagesCount(); i++) {
            Status st = perEntry ? resp.getEntries(i).getStatus() : resp.getStatus();
            if (st.getCode() == Code.OK) {
                m.sent(ctx.instance().id(), req.getMessages(i).getTopic().getName(), req.getMessages(i).getBody().size());
            }
        }
    }
}
