package io.gantry.dataplane.support;

import apache.rocketmq.v2.MessagingServiceGrpc;
import io.gantry.isolation.credentials.RequestSignature;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A RocketMQ v2 client made of grpc-java stubs, signing like the SDK: TLS trusting any certificate (as
 * the Java SDK does) or plaintext; a client id; the SDK's headers.
 */
public final class TestClient implements AutoCloseable {
    public static final Metadata.Key<String> AUTHORIZATION = key("authorization");
    public static final Metadata.Key<String> DATE_TIME = key("x-mq-date-time");
    public static final Metadata.Key<String> CLIENT_ID = key("x-mq-client-id");

    private final ManagedChannel channel;
    private final Channel signed;
    public final String clientId;

    private TestClient(ManagedChannel channel, String accessKey, String secretKey, String clientId,
            Consumer<Metadata> tamper) {
        this.channel = channel;
        this.clientId = clientId;
        ClientInterceptor signer = new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        String date = RequestSignature.formatDateTime(Instant.now());
                        headers.put(DATE_TIME, date);
                        if (accessKey != null) {
                            headers.put(AUTHORIZATION, RequestSignature.authorization(accessKey, secretKey, date));
                        }
                        headers.put(CLIENT_ID, clientId);
                        for (Map.Entry<String, String> e : Map.of("x-mq-language", "JAVA", "x-mq-protocol", "v2",
                                "x-mq-client-version", "5.2.0", "x-mq-namespace", "", "x-mq-request-id",
                                UUID.randomUUID().toString()).entrySet()) {
                            headers.put(key(e.getKey()), e.getValue());
                        }
                        tamper.accept(headers);
                        super.start(listener, headers);
                    }
                };
            }
        };
        this.signed = ClientInterceptors.intercept(channel, signer);
    }

    public static TestClient tls(int port, String accessKey, String secretKey) {
        return tls(port, accessKey, secretKey, h -> { });
    }

    public static TestClient tls(int port, String accessKey, String secretKey, Consumer<Metadata> tamper) {
        try {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port)
                    .sslContext(GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build())
                    .overrideAuthority("localhost").build();
            return new TestClient(ch, accessKey, secretKey, "test-client-" + UUID.randomUUID(), tamper);
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TestClient plaintext(int port, String accessKey, String secretKey) {
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        return new TestClient(ch, accessKey, secretKey, "test-client-" + UUID.randomUUID(), h -> { });
    }

    public MessagingServiceGrpc.MessagingServiceBlockingStub blocking() {
        return MessagingServiceGrpc.newBlockingStub(signed).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    public MessagingServiceGrpc.MessagingServiceStub async() {
        return MessagingServiceGrpc.newStub(signed);
    }

    public Channel channel() {
        return signed;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }

    private static Metadata.Key<String> key(String name) {
        return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    }
}
