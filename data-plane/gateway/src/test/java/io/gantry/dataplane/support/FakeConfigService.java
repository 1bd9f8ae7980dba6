package io.gantry.dataplane.support;

import io.gantry.api.config.v1.ConfigEvent;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.api.config.v1.GatewayConfigServiceGrpc;
import io.gantry.api.config.v1.WatchRequest;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real gRPC server playing the control plane's GatewayConfigService: the current snapshot on every
 * Watch, then each one {@link #publish}ed; requires "authorization: Bearer &lt;token&gt;".
 */
public final class FakeConfigService implements AutoCloseable {
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final String token;
    private final AtomicReference<ConfigSnapshot> current = new AtomicReference<>();
    private final List<ServerCallStreamObserver<ConfigEvent>> watchers = new CopyOnWriteArrayList<>();
    private final AtomicInteger watches = new AtomicInteger();
    private final List<WatchRequest> requests = new CopyOnWriteArrayList<>();
    private Server server;
    private int port;

    public FakeConfigService(String token, ConfigSnapshot initial) {
        this.token = token;
        this.current.set(initial);
    }

    public FakeConfigService start(int port) throws IOException {
        GatewayConfigServiceGrpc.GatewayConfigServiceImplBase impl = new GatewayConfigServiceGrpc.GatewayConfigServiceImplBase() {
            @Override
            public void watch(WatchRequest request, StreamObserver<ConfigEvent> observer) {
                ServerCallStreamObserver<ConfigEvent> o = (ServerCallStreamObserver<ConfigEvent>) observer;
                watches.incrementAndGet();
                requests.add(request);
                o.setOnCancelHandler(() -> watchers.remove(o));
                synchronized (FakeConfigService.this) {
                    o.onNext(ConfigEvent.newBuilder().setSnapshot(current.get()).build());
                    watchers.add(o);
                }
            }
        };
        ServerInterceptor auth = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                if (!("Bearer " + token).equals(headers.get(AUTHORIZATION))) {
                    call.close(Status.UNAUTHENTICATED.withDescription("bad gateway token"), new Metadata());
                    return new ServerCall.Listener<>() { };
                }
                return next.startCall(call, headers);
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(ServerInterceptors.intercept(impl, auth)).build().start();
        this.port = server.getPort();
        return this;
    }

    public String endpoint() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public int watchCount() {
        return watches.get();
    }

    public List<WatchRequest> requests() {
        return requests;
    }

    public synchronized void publish(ConfigSnapshot snapshot) {
        current.set(snapshot);
        for (ServerCallStreamObserver<ConfigEvent> o : watchers) {
            try {
                o.onNext(ConfigEvent.newBuilder().setSnapshot(snapshot).build());
            } catch (RuntimeException e) {
                watchers.remove(o);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (server != null) {
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
