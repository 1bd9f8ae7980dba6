package io.gantry.dataplane.trace;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Encoding;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.MessageType;
import apache.rocketmq.v2.MessagingServiceGrpc;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.SendResultEntry;
import apache.rocketmq.v2.SystemProperties;
import com.google.protobuf.Timestamp;
import io.gantry.dataplane.upstream.HeaderPolicy;
import io.gantry.dataplane.upstream.UpstreamCluster;
import io.gantry.dataplane.upstream.UpstreamSigner;
import io.gantry.dataplane.upstream.Upstreams;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Publishes a trace batch as one NORMAL message to {@link #TOPIC} on the batch's cluster: a
 * {@code SendMessage} to the cluster's RocketMQ proxy over the gateway's own upstream channel, signed
 * with the cluster's credentials (Gantry's admin user there), like a relayed call but outside every
 * tenant namespace. Non-blocking: the answer completes the returned stage on the channel's event loop.
 */
final class TraceTopicSender implements TracePublisher.BatchSender {
    /** On every cluster; created by the control plane when the cluster is registered. */
    static final String TOPIC = "GANTRY_TRACE_EVENTS";
    private static final long TIMEOUT_MILLIS = 5_000;
    private static final Metadata.Key<String> LANGUAGE = key("x-mq-language");
    private static final Metadata.Key<String> PROTOCOL = key("x-mq-protocol");
    private static final Metadata.Key<String> CLIENT_VERSION = key("x-mq-client-version");

    private final Upstreams upstreams;
    private final String clientId;
    private final String bornHost;

    TraceTopicSender(Upstreams upstreams, String gatewayId) {
        this.upstreams = upstreams;
        // the proxy wants a client id on every call; this one is no tenant's (tenants' carry "<instance>!")
        this.clientId = "gantry-trace@" + gatewayId;
        this.bornHost = localAddress();
    }

    @Override
    public CompletionStage<Void> send(TracePublisher.Batch batch) {
        UpstreamCluster cluster = upstreams.cluster(batch.clusterId());
        if (cluster == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("cluster " + batch.clusterId() + " is not in the config"));
        }
        SendMessageRequest request = SendMessageRequest.newBuilder().addMessages(Message.newBuilder()
                .setTopic(Resource.newBuilder().setName(TOPIC))
                .setSystemProperties(SystemProperties.newBuilder()
                        .setMessageId(batch.messageId())
                        .setMessageType(MessageType.NORMAL)
                        .setBodyEncoding(Encoding.IDENTITY)
                        .setBornHost(bornHost)
                        .setBornTimestamp(now()))
                .setBody(batch.body()))
                .build();
        CompletableFuture<Void> done = new CompletableFuture<>();
        ClientCall<SendMessageRequest, SendMessageResponse> call = cluster.pick(clientId).channel().newCall(
                MessagingServiceGrpc.getSendMessageMethod(), CallOptions.DEFAULT.withDeadlineAfter(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
        call.start(new ClientCall.Listener<>() {
            private SendMessageResponse response;

            @Override
            public void onMessage(SendMessageResponse message) {
                response = message;
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                if (!status.isOk()) {
                    done.completeExceptionally(status.asRuntimeException());
                } else if (response == null) {
                    done.completeExceptionally(new IllegalStateException("no answer"));
                } else if (!stored(response)) {
                    done.completeExceptionally(new IllegalStateException("refused: " + refusal(response)));
                } else {
                    done.complete(null);
                }
            }
        }, headers(cluster.signer()));
        call.request(1);
        call.sendMessage(request);
        call.halfClose();
        return done;
    }

    private static Timestamp now() {
        long millis = System.currentTimeMillis();
        return Timestamp.newBuilder().setSeconds(millis / 1000).setNanos((int) (millis % 1000) * 1_000_000).build();
    }

    private static boolean stored(SendMessageResponse r) {
        if (r.getStatus().getCode() != Code.OK) {
            return false;
        }
        for (SendResultEntry e : r.getEntriesList()) {
            if (e.getStatus().getCode() != Code.OK) {
                return false;
            }
        }
        return true;
    }

    private static String refusal(SendMessageResponse r) {
        apache.rocketmq.v2.Status st = r.getStatus().getCode() != Code.OK || r.getEntriesCount() == 0
                ? r.getStatus() : r.getEntries(0).getStatus();
        return st.getCode() + " " + st.getMessage();
    }

    private Metadata headers(UpstreamSigner signer) {
        Metadata h = new Metadata();
        UpstreamSigner.Signed signed = signer.current();
        h.put(HeaderPolicy.DATE_TIME, signed.dateTime());
        h.put(HeaderPolicy.AUTHORIZATION, signed.authorization());
        h.put(HeaderPolicy.CLIENT_ID, clientId);
        h.put(LANGUAGE, "JAVA");
        h.put(PROTOCOL, "v2");
        h.put(CLIENT_VERSION, "gantry-gateway");
        return h;
    }

    private static String localAddress() {
        try {
            return java.net.InetAddress.getLocalHost().getHostAddress();
        } catch (java.io.IOException e) {
            return "127.0.0.1";
        }
    }

    private static Metadata.Key<String> key(String name) {
        return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    }
}
