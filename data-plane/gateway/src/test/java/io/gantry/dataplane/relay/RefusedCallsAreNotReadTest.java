package io.gantry.dataplane.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import apache.rocketmq.v2.Code;
import io.gantry.dataplane.config.ConfigStore;
import io.gantry.dataplane.metrics.GatewayMetrics;
import io.gantry.dataplane.pipeline.Authentication;
import io.gantry.dataplane.pipeline.Authorization;
import io.gantry.dataplane.pipeline.Ingress;
import io.gantry.dataplane.pipeline.InstanceResolution;
import io.gantry.dataplane.pipeline.Pipeline;
import io.gantry.dataplane.support.Snapshots;
import io.gantry.dataplane.throttle.ThroughputLimiter;
import io.gantry.isolation.credentials.RequestSignature;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, hole 4: a call the gateway refuses from its headers is answered without asking grpc-java for
 * its request, so the request's body is never read or buffered (grpc-java reads a message only once
 * {@code request(n)} asked for it). Every RPC, through the served service definition.
 */
class RefusedCallsAreNotReadTest {

    static Pipeline pipeline() {
        ConfigStore store = new ConfigStore();
        store.apply(Snapshots.snapshot(1, Snapshots.cluster("c", "127.0.0.1:1", "ak", "sk"),
                Snapshots.instance("rmq-aaaaaaaaaaaa", "c").addAccounts(Snapshots.account("app", "AK", "SK", true)).build()));
        return new Pipeline(store, new Authentication(Clock.systemUTC(), RequestSignature.DEFAULT_MAX_SKEW),
                new InstanceResolution(null), new Authorization(), new ThroughputLimiter(System::nanoTime));
    }

    /** What the relay did with a call: how many messages it asked for, what it answered, how it ended. */
    static final class RecordingCall<Q, R> extends ServerCall<Q, R> {
        final MethodDescriptor<Q, R> method;
        int requested;
        final List<R> sent = new ArrayList<>();
        Status closed;

        RecordingCall(MethodDescriptor<Q, R> method) {
            this.method = method;
        }

        @Override
        public void request(int numMessages) {
            requested += numMessages;
        }

        @Override
        public void sendHeaders(Metadata headers) {
        }

        @Override
        public void sendMessage(R message) {
            sent.add(message);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            closed = status;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public Attributes getAttributes() {
            return Attributes.EMPTY;
        }

        @Override
        public MethodDescriptor<Q, R> getMethodDescriptor() {
            return method;
        }
    }

    static Metadata forged() {
        Metadata h = new Metadata();
        String date = RequestSignature.formatDateTime(Instant.now());
        h.put(Metadata.Key.of("x-mq-date-time", Metadata.ASCII_STRING_MARSHALLER), date);
        h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), RequestSignature.authorization("AK", "wrong", date));
        h.put(Metadata.Key.of("x-mq-client-id", Metadata.ASCII_STRING_MARSHALLER), "c1");
        return h;
    }

    @Test
    void everyRpcRefusedFromItsHeadersIsAnsweredWithoutReadingItsRequest() {
        ServerServiceDefinition service = MessagingRelay.service(pipeline(), new Ingress("tls", apache.rocketmq.v2.Endpoints.getDefaultInstance()),
                new GatewayMetrics());
        for (Rpc<?, ?> rpc : Rpcs.ALL) {
            RecordingCall<?, ?> call = start(service, rpc);
            assertEquals(0, call.requested, rpc.name() + ": asked for the request of a refused call");
            assertEquals(1, call.sent.size(), rpc.name() + ": answers " + call.sent);
            apache.rocketmq.v2.Status status = statusOf(rpc, call.sent.get(0));
            assertEquals(Code.UNAUTHORIZED, status.getCode(), rpc.name() + ": " + status);
            assertTrue(call.closed != null && call.closed.isOk(), rpc.name() + ": ended with " + call.closed);
        }
    }

    @SuppressWarnings("unchecked")
    private static <Q, R> RecordingCall<Q, R> start(ServerServiceDefinition service, Rpc<Q, R> rpc) {
        RecordingCall<Q, R> call = new RecordingCall<>(rpc.serverMethod());
        ServerCallHandler<Q, R> handler = (ServerCallHandler<Q, R>) service.getMethod(rpc.method().getFullMethodName()).getServerCallHandler();
        handler.startCall(call, forged());
        return call;
    }

    @SuppressWarnings("unchecked")
    private static <R> apache.rocketmq.v2.Status statusOf(Rpc<?, R> rpc, Object response) {
        return rpc.statusOf().apply((R) response);
    }
}
