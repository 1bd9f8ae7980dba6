package io.gantry.dataplane.config;

import io.gantry.api.config.v1.ConfigEvent;
import io.gantry.api.config.v1.GatewayConfigServiceGrpc;
import io.gantry.api.config.v1.WatchRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Keeps a {@link ConfigStore} fed from the control plane's {@code GatewayConfigService.Watch}: one
 * streaming call at a time; when it fails or ends, a new one after a backoff (0.25 s doubling to 10 s,
 * with jitter; reset by any event received). While the control plane is unreachable the store keeps its
 * last view, so the gateway keeps serving.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final long MIN_BACKOFF_MS = 250;
    static final long MAX_BACKOFF_MS = 10_000;

    private final ManagedChannel channel;
    private final ConfigStore store;
    private final ScheduledExecutorService scheduler;
    private final String token;
    private final String gatewayId;
    private final String regionId;
    private long backoffMs = MIN_BACKOFF_MS;
    private ClientCall<WatchRequest, ConfigEvent> call;
    private boolean closed;
    private volatile boolean connected;
    private volatile String lastError = "";

    /**
     * @param channel   a channel to the control plane (owned by the caller)
     * @param scheduler runs the reconnects (owned by the caller)
     */
    public ConfigWatcher(ManagedChannel channel, ConfigStore store, ScheduledExecutorService scheduler,
            String token, String gatewayId, String regionId) {
        this.channel = channel;
        this.store = store;
        this.scheduler = scheduler;
        this.token = token;
        this.gatewayId = gatewayId;
        this.regionId = regionId;
    }

    public void start() {
        scheduler.execute(this::watch);
    }

    /** True while a Watch call is open and has delivered at least one event. */
    public boolean connected() {
        return connected;
    }

    public String lastError() {
        return lastError;
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
                synchronized (ConfigWatcher.this) {
                    backoffMs = MIN_BACKOFF_MS;
                }
                if (event.hasSnapshot()) {
                    store.apply(event.getSnapshot());
                }
                c.request(1);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                connected = false;
                lastError = status.isOk() ? "watch ended" : status.getCode() + ": " + status.getDescription();
                rewatch(status);
            }
        }, headers);
        c.request(1);
        c.sendMessage(WatchRequest.newBuilder().setGatewayId(gatewayId).setRegionId(regionId)
                .setKnownVersion(Math.max(0, store.current().version())).build());
        c.halfClose();
    }

    private synchronized void rewatch(Status status) {
        if (closed) {
            return;
        }
        long delay = backoffMs + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        LOG.warning("config watch " + (status.isOk() ? "ended" : "failed: " + status.getCode() + " "
                + status.getDescription()) + "; serving config v" + store.current().version() + ", retrying in " + delay + " ms");
        scheduler.schedule(this::watch, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (call != null) {
            call.cancel("gateway stopping", null);
        }
    }
}
