package io.gantry.dataplane.relay;

import apache.rocketmq.v2.AckMessageResponse;
import apache.rocketmq.v2.ChangeInvisibleDurationResponse;
import apache.rocketmq.v2.Code;
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
import io.gantry.dataplane.pipeline.CallContext;
import java.util.List;

/** The 17 RPCs of {@code apache.rocketmq.v2.MessagingService} (rocketmq-proto 2.1.2), each typed. */
public final class Rpcs {
    private Rpcs() {
    }

    @SuppressWarnings("unchecked")
    private static <Req, Resp> Rpc.Accounting<Req, Resp> none() {
        return (Rpc.Accounting<Req, Resp>) (Rpc.Accounting<?, ?>) Rpc.Accounting.NONE;
    }

    public static final Rpc<?, ?> QUERY_ROUTE = new Rpc<>(MessagingServiceGrpc.getQueryRouteMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> QueryRouteResponse.newBuilder().setStatus(s).build(), QueryRouteResponse::getStatus, none());

    public static final Rpc<?, ?> HEARTBEAT = new Rpc<>(MessagingServiceGrpc.getHeartbeatMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> HeartbeatResponse.newBuilder().setStatus(s).build(), HeartbeatResponse::getStatus, none());

    public static final Rpc<SendMessageRequest, SendMessageResponse> SEND_MESSAGE = new Rpc<>(
            MessagingServiceGrpc.getSendMessageMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> SendMessageResponse.newBuilder().setStatus(s).build(), SendMessageResponse::getStatus,
            Rpcs::countSent);

    public static final Rpc<?, ?> QUERY_ASSIGNMENT = new Rpc<>(MessagingServiceGrpc.getQueryAssignmentMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> QueryAssignmentResponse.newBuilder().setStatus(s).build(), QueryAssignmentResponse::getStatus, none());

    public static final Rpc<ReceiveMessageRequest, ReceiveMessageResponse> RECEIVE_MESSAGE = new Rpc<>(
            MessagingServiceGrpc.getReceiveMessageMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> ReceiveMessageResponse.newBuilder().setStatus(s).build(),
            r -> r.hasStatus() ? r.getStatus() : null,
            (req, resp, ctx, m) -> {
                if (resp.hasMessage()) {
                    m.received(ctx.instance().id(), resp.getMessage().getTopic().getName(), req.getGroup().getName(),
                            resp.getMessage().getBody().size());
                }
            });

    public static final Rpc<?, ?> ACK_MESSAGE = new Rpc<>(MessagingServiceGrpc.getAckMessageMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> AckMessageResponse.newBuilder().setStatus(s).build(), AckMessageResponse::getStatus, none());

    public static final Rpc<?, ?> FORWARD_MESSAGE_TO_DEAD_LETTER_QUEUE = new Rpc<>(
            MessagingServiceGrpc.getForwardMessageToDeadLetterQueueMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> ForwardMessageToDeadLetterQueueResponse.newBuilder().setStatus(s).build(),
            ForwardMessageToDeadLetterQueueResponse::getStatus, none());

    public static final Rpc<PullMessageRequest, PullMessageResponse> PULL_MESSAGE = new Rpc<>(
            MessagingServiceGrpc.getPullMessageMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> PullMessageResponse.newBuilder().setStatus(s).build(),
            r -> r.hasStatus() ? r.getStatus() : null,
            (req, resp, ctx, m) -> {
                if (resp.hasMessage()) {
                    m.received(ctx.instance().id(), resp.getMessage().getTopic().getName(), req.getGroup().getName(),
                            resp.getMessage().getBody().size());
                }
            });

    public static final Rpc<?, ?> UPDATE_OFFSET = new Rpc<>(MessagingServiceGrpc.getUpdateOffsetMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> UpdateOffsetResponse.newBuilder().setStatus(s).build(), UpdateOffsetResponse::getStatus, none());

    public static final Rpc<?, ?> GET_OFFSET = new Rpc<>(MessagingServiceGrpc.getGetOffsetMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> GetOffsetResponse.newBuilder().setStatus(s).build(), GetOffsetResponse::getStatus, none());

    public static final Rpc<?, ?> QUERY_OFFSET = new Rpc<>(MessagingServiceGrpc.getQueryOffsetMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> QueryOffsetResponse.newBuilder().setStatus(s).build(), QueryOffsetResponse::getStatus, none());

    public static final Rpc<?, ?> END_TRANSACTION = new Rpc<>(MessagingServiceGrpc.getEndTransactionMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> EndTransactionResponse.newBuilder().setStatus(s).build(), EndTransactionResponse::getStatus, none());

    public static final Rpc<TelemetryCommand, TelemetryCommand> TELEMETRY = new Rpc<>(
            MessagingServiceGrpc.getTelemetryMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> TelemetryCommand.newBuilder().setStatus(s).build(),
            c -> c.hasStatus() ? c.getStatus() : null, none());

    public static final Rpc<?, ?> NOTIFY_CLIENT_TERMINATION = new Rpc<>(
            MessagingServiceGrpc.getNotifyClientTerminationMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> NotifyClientTerminationResponse.newBuilder().setStatus(s).build(),
            NotifyClientTerminationResponse::getStatus, none());

    public static final Rpc<?, ?> CHANGE_INVISIBLE_DURATION = new Rpc<>(
            MessagingServiceGrpc.getChangeInvisibleDurationMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> ChangeInvisibleDurationResponse.newBuilder().setStatus(s).build(),
            ChangeInvisibleDurationResponse::getStatus, none());

    public static final Rpc<?, ?> RECALL_MESSAGE = new Rpc<>(MessagingServiceGrpc.getRecallMessageMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> RecallMessageResponse.newBuilder().setStatus(s).build(), RecallMessageResponse::getStatus, none());

    public static final Rpc<?, ?> SYNC_LITE_SUBSCRIPTION = new Rpc<>(MessagingServiceGrpc.getSyncLiteSubscriptionMethod(),
            NameMapper::toUpstream, NameMapper::toClient,
            s -> SyncLiteSubscriptionResponse.newBuilder().setStatus(s).build(),
            SyncLiteSubscriptionResponse::getStatus, none());

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
