package io.gantry.api.config;

import io.gantry.api.config.v1.ConfigEvent;
import io.gantry.api.config.v1.ConfigSnapshot;
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
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The watching side of {@code GatewayConfigService.Watch}, for every service that follows the control
 * plane's config (gateways, the trace service): one streaming call at a time, authenticated with the
 * gateway token; when it fails or ends, a new one after a backoff (0.25 s doubling to 10 s, with jitter;
 * reset by any event received). Meanwhile the caller keeps working from the last snapshot it took.
 */
public final class ConfigWatchClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigWatchClient.class.getName());
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    public static final long MIN_BACKOFF_MS = 250;
    public static final long MAX_BACKOFF_MS = 10_000;

    private final ManagedChannel channel;
    private final ScheduledExecutorService scheduler;
    private final String token;
    private final String watcherId;
    private final String regionId;
    private final LongSupplier knownVersion;
    private final Consumer<ConfigSnapshot> onSnapshot;
    private long backoffMs = MIN_BACKOFF_MS;
    private ClientCall<WatchRequest, ConfigEvent> call;
    private boolean closed;
    private volatile boolean connected;
    private volatile String lastError = "";

    /**
     * @param channel      a channel to the control plane (owned by the caller)
     * @param scheduler    runs the reconnects (owned by the caller)
     * @param watcherId    who watches, for the control plane's logs ({@code WatchRequest.gateway_id})
     * @param knownVersion the version the caller holds (sent with each watch; 0 or less: none)
     * @param onSnapshot   takes each snapshot, on a gRPC thread; a failure is logged and the watch goes on
     */
    public ConfigWatchClient(ManagedChannel channel, ScheduledExecutorService scheduler, String token, String watcherId,
            String regionId, LongSupplier knownVersion, Consumer<ConfigSnapshot> onSnapshot) {
        this.channel = channel;
        this.scheduler = scheduler;
        this.token = token;
        this.watcherId = watcherId;
        this.regionId = regionId;
        this.knownVersion = knownVersion;
        this.onSnapshot = onSnapshot;
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
                synchronized (ConfigWatchClient.this) {
                    backoffMs = MIN_BACKOFF_MS;
                }
                if (event.hasSnapshot()) {
                    try {
                        onSnapshot.accept(event.getSnapshot());
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "could not apply config v" + event.getSnapshot().getVersion(), e);
                    }
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
        c.sendMessage(WatchRequest.newBuilder().setGatewayId(watcherId).setRegionId(regionId)
                .setKnownVersion(Math.max(0, knownVersion.getAsLong())).build());
        c.halfClose();
    }

    private synchronized void rewatch(Status status) {
        if (closed) {
            return;
        }
        long delay = backoffMs + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        LOG.warning("config watch " + (status.isOk() ? "ended" : "failed: " + status.getCode() + " "
                + status.getDescription()) + "; working from config v" + knownVersion.getAsLong() + ", retrying in " + delay + " ms");
        scheduler.schedule(this::watch, delay, TimeUnit.MILLISECONDS);
    }

    /** Ends the watch; the channel and scheduler stay the caller's to close. */
    @Override
    public synchronized void close() {
        closed = true;
        if (call != null) {
            call.cancel("watcher stopping", null);
        }
    }
}
