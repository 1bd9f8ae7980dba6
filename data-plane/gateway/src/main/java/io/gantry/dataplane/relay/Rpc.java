package io.gantry.dataplane.relay;

import apache.rocketmq.v2.Status;
import io.gantry.dataplane.mapping.MappingScope;
import io.gantry.dataplane.metrics.GatewayMetrics;
import io.gantry.dataplane.pipeline.CallContext;
import io.grpc.MethodDescriptor;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * How the gateway handles one RPC of {@code MessagingService}, typed by its request and response: the
 * mapper functions for each direction, how to answer with a RocketMQ status, where the status of a
 * response is, and what to count. The 17 entries are in {@link Rpcs}.
 *
 * @param serverMethod  what the gateway serves: requests lose fields it does not know
 * @param upstreamMethod what the gateway calls: responses lose fields it does not know
 * @param toUpstream    request mapping (may throw {@link io.gantry.dataplane.pipeline.Refusal}; null = drop the message)
 * @param toClient      response mapping (null = drop the message)
 * @param errorResponse a response carrying only a status (the SDK reports it as RocketMQ's error)
 * @param statusOf      the RocketMQ status a response carries, or null if it carries none
 * @param accounting    counts a relayed response against the client's (plain) request
 * @param admission     after {@code toUpstream} mapped it, on the client's plain request: may it go upstream
 *                      (ACL, size, throughput)? throws {@link io.gantry.dataplane.pipeline.Refusal} if not
 */
public record Rpc<Req, Resp>(
        MethodDescriptor<Req, Resp> method,
        MethodDescriptor<Req, Resp> serverMethod,
        MethodDescriptor<Req, Resp> upstreamMethod,
        BiFunction<Req, MappingScope, Req> toUpstream,
        BiFunction<Resp, MappingScope, Resp> toClient,
        Function<Status, Resp> errorResponse,
        Function<Resp, Status> statusOf,
        Accounting<Req, Resp> accounting,
        BiConsumer<Req, CallContext> admission) {

    /**
     * @param method the RPC as rocketmq-proto describes it; the gateway serves it with requests parsed
     *               without unknown fields and calls the proxy with responses parsed so
     */
    public Rpc(MethodDescriptor<Req, Resp> method, BiFunction<Req, MappingScope, Req> toUpstream,
            BiFunction<Resp, MappingScope, Resp> toClient, Function<Status, Resp> errorResponse,
            Function<Resp, Status> statusOf, Accounting<Req, Resp> accounting, BiConsumer<Req, CallContext> admission) {
        this(method,
                method.toBuilder(DiscardingMarshaller.of(method.getRequestMarshaller()), method.getResponseMarshaller()).build(),
                method.toBuilder(method.getRequestMarshaller(), DiscardingMarshaller.of(method.getResponseMarshaller())).build(),
                toUpstream, toClient, errorResponse, statusOf, accounting, admission);
    }

    /** Counts one relayed response. */
    @FunctionalInterface
    public interface Accounting<Req, Resp> {
        Accounting<Object, Object> NONE = (req, resp, ctx, metrics) -> { };

        void count(Req clientRequest, Resp clientResponse, CallContext context, GatewayMetrics metrics);
    }

    public String name() {
        return method.getBareMethodName();
    }

    public boolean clientStreaming() {
        return !method.getType().clientSendsOneMessage();
    }

    public boolean serverStreaming() {
        return !method.getType().serverSendsOneMessage();
    }
}
