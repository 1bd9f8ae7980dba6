package io.gantry.dataplane.relay;

import apache.rocketmq.v2.MessagingServiceGrpc;
import io.gantry.dataplane.metrics.GatewayMetrics;
import io.gantry.dataplane.pipeline.Ingress;
import io.gantry.dataplane.pipeline.Pipeline;
import io.gantry.dataplane.trace.TraceTap;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code apache.rocketmq.v2.MessagingService} as the gateway serves it on one listener: every one of
 * the 17 RPCs of {@link Rpcs} relayed by a {@link RelayCall}. Fails at start if an RPC of rocketmq-proto's
 * service descriptor has no entry.
 */
public final class MessagingRelay {
    private static final ServiceDescriptor SERVED = served();

    private MessagingRelay() {
    }

    public static ServerServiceDefinition service(Pipeline pipeline, Ingress ingress, GatewayMetrics metrics) {
        return service(pipeline, ingress, metrics, TraceTap.NONE);
    }

    public static ServerServiceDefinition service(Pipeline pipeline, Ingress ingress, GatewayMetrics metrics, TraceTap traceTap) {
        ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(SERVED);
        for (Rpc<?, ?> rpc : Rpcs.ALL) {
            add(builder, rpc, pipeline, ingress, metrics, traceTap);
        }
        return builder.build();
    }

    private static ServiceDescriptor served() {
        ServiceDescriptor original = MessagingServiceGrpc.getServiceDescriptor();
        Set<String> covered = new HashSet<>();
        ServiceDescriptor.Builder b = ServiceDescriptor.newBuilder(original.getName()).setSchemaDescriptor(original.getSchemaDescriptor());
        for (Rpc<?, ?> rpc : Rpcs.ALL) {
            b.addMethod(rpc.serverMethod());
            covered.add(rpc.method().getFullMethodName());
        }
        for (MethodDescriptor<?, ?> m : original.getMethods()) {
            if (!covered.contains(m.getFullMethodName())) {
                throw new IllegalStateException("the gateway does not relay " + m.getFullMethodName());
            }
        }
        return b.build();
    }

    private static <Req, Resp> void add(ServerServiceDefinition.Builder builder, Rpc<Req, Resp> rpc, Pipeline pipeline,
            Ingress ingress, GatewayMetrics metrics, TraceTap traceTap) {
        ServerCallHandler<Req, Resp> handler = (call, headers) ->
                new RelayCall<>(rpc, call, headers, pipeline, ingress, metrics, traceTap).start();
        builder.addMethod(rpc.serverMethod(), handler);
    }
}
