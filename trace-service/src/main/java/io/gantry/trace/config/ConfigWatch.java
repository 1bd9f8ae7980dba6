package io.gantry.trace.config;

import io.gantry.api.config.v1.ConfigEvent;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.api.config.v1.GatewayConfigServiceGrpc;
import io.gantry.api.config.v1.WatchRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Watches the control plane's {@code GatewayConfigService} (as the gateways do, with the gateway
 * token) for the clusters to read trace events from and the consumer groups whose dead letters to
 * watch. Re-watches with backoff (0.25 s doubling to 10 s) when the stream fails; meanwhile the service
 * keeps working from the last snapshot.
 */
public final class ConfigWatch implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigWatch.class.getName());
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final long MIN_BACKOFF_MS = 250;
    private static final long MAX_BACKOFF_MS = 10_000;

    private final ManagedChannel channel;
    private final ScheduledExecutorService scheduler;
    private final String token;
    private final String serviceId;
    private final String regionId;
    private final Consumer<ConfigSnapshot> listener;
    private long backoffMs = MIN_BACKOFF_MS;
    private long knownVersion;
    private ClientCall<WatchRequest, ConfigEvent> call;
    private boolean closed;
    private volatile boolean connected;

    public ConfigWatch(String endpoint, String token, String serviceId, String regionId, Consumer<ConfigSnapshot> listener) {
        this.channel = NettyChannelBuilder.forTarget(endpoint).usePlaintext()
                .keepAliveTime(30, TimeUnit.SECONDS).keepAliveTimeout(10, TimeUnit.SECONDS).keepAliveWithoutCalls(true)
                .maxInboundMessageSize(64 * 1024 * 1024)
                .build();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gantry-trace-config-watch");
            t.setDaemon(true);
            return t;
        });
        this.token = token;
        this.serviceId = serviceId;
        this.regionId = regionId;
        this.listener = listener;
    }

    public void start() {
        scheduler.execute(this::watch);
    }

    public boolean connected() {
        return connected;
    }

    private synchronized void watch() {
        if (closed) {
            return;
        }
        Metadata headers = new Metadata();
        if (token != null) {
            headers.put(AUTHORIZATION, "Bearer " + token);
        }
        ClientCall<WatchRequest, ConfigEvent> c = channel.newCall(GatewayConfigServiceGrpc.getWatchMethod(), CallOptions.DEFAULT);
        call = c;
        c.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(ConfigEvent event) {
                connected = true;
                synchronized (ConfigWatch.this) {
                    backoffMs = MIN_BACKOFF_MS;
                }
                if (event.hasSnapshot()) {
                    knownVersion = event.getSnapshot().getVersion();
                    try {
                        listener.accept(event.getSnapshot());
                    } catch (RuntimeException e) {
                        LOG.warning("could not apply config v" + knownVersion + ": " + e);
                    }
                }
                c.request(1);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                connected = false;
                rewatch(status);
            }
        }, headers);
        c.request(1);
        c.sendMessage(WatchRequest.newBuilder().setGatewayId(serviceId).setRegionId(regionId).setKnownVersion(knownVersion).build());
        c.halfClose();
    }

    private synchronized void rewatch(Status status) {
        if (closed) {
            return;
        }
        long delay = backoffMs + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        LOG.warning("config watch " + (status.isOk() ? "ended" : "failed: " + status.getCode() + " " + status.getDescription())
                + "; working from config v" + knownVersion + ", retrying in " + delay + " ms");
        scheduler.schedule(this::watch, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (call != null) {
            call.cancel("trace service stopping", null);
        }
        scheduler.shutdownNow();
        channel.shutdownNow();
    }
}
