package io.gantry.dataplane.support;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Any RPC of {@code MessagingService} called with a hand-made request, its answer reduced to what a
 * security check needs: the RocketMQ code the client reads and the whole answer as text.
 */
public final class RawRpc {
    private RawRpc() {
    }

    /**
     * What came back: the RocketMQ {@code Status.code} of the first answer carrying one, or a marker
     * ({@code gRPC <code>} when the call failed at the gRPC level, {@code NO_ANSWER}, {@code OK(no status)});
     * the text is every answer message in protobuf text form.
     */
    public record Answer(String code, String text) {
        public static Answer of(String code, String text) {
            return new Answer(code, text);
        }
    }

    public static <Q extends Message, R extends Message> Answer unary(Channel channel, MethodDescriptor<Q, R> method, Q request) {
        try {
            R response = ClientCalls.blockingUnaryCall(channel, method,
                    CallOptions.DEFAULT.withDeadlineAfter(15, TimeUnit.SECONDS), request);
            String code = codeOf(response);
            return new Answer(code == null ? "OK(no status)" : code, response.toString());
        } catch (StatusRuntimeException e) {
            return new Answer("gRPC " + e.getStatus().getCode(), String.valueOf(e.getStatus().getDescription()));
        }
    }

    /** A server-streaming call; completes when the stream ends (or its deadline passes). */
    public static <Q extends Message, R extends Message> CompletableFuture<Answer> serverStream(Channel channel,
            MethodDescriptor<Q, R> method, Q request, long deadlineSeconds) {
        CompletableFuture<Answer> done = new CompletableFuture<>();
        List<R> got = new ArrayList<>();
        ClientCalls.asyncServerStreamingCall(channel.newCall(method,
                CallOptions.DEFAULT.withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)), request, new StreamObserver<R>() {
                    @Override
                    public void onNext(R value) {
                        synchronized (got) {
                            got.add(value);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.complete(summarize(got, "gRPC " + io.grpc.Status.fromThrowable(t).getCode()));
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(summarize(got, null));
                    }
                });
        return done;
    }

    private static <R extends Message> Answer summarize(List<R> got, String failure) {
        synchronized (got) {
            String code = null;
            StringBuilder text = new StringBuilder();
            for (R r : got) {
                String c = codeOf(r);
                if (code == null && c != null) {
                    code = c;
                }
                text.append(r).append('\n');
            }
            if (code == null) {
                code = failure != null ? failure : got.isEmpty() ? "NO_ANSWER" : "OK(no status)";
            }
            return new Answer(code, text.toString());
        }
    }

    /** The {@code status.code} of a RocketMQ response (any type, by reflection); null when it carries none. */
    public static String codeOf(Message response) {
        FieldDescriptor status = response.getDescriptorForType().findFieldByName("status");
        if (status == null || !response.hasField(status)) {
            return null;
        }
        return ((apache.rocketmq.v2.Status) response.getField(status)).getCode().name();
    }
}
