package io.gantry.dataplane.throttle;

import io.gantry.api.config.v1.ThroughputCoordinatorGrpc;
import io.gantry.api.config.v1.ThroughputGrants;
import io.gantry.api.config.v1.UsageReport;
import io.gantry.dataplane.config.ConfigStore;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This replica's side of {@code ThroughputCoordinator.Coordinate}: every {@link #PERIOD_MILLIS} it
 * re-reads the limits from the current config (temporary throttles expire by the clock), reports what
 * clients asked of each limit, and applies the grants the coordinator answers with. Without a stream it
 * keeps ticking: grants run out and the limiter falls back to an equal share among the replicas last
 * known live; the stream is re-opened with backoff.
 */
public final class CoordinatorClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CoordinatorClient.class.getName());
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    public static final long PERIOD_MILLIS = 500;
    private static final long MAX_BACKOFF_MS = 10_000;

    private final ManagedChannel channel;
    private final ThroughputLimiter limiter;
    private final ConfigStore store;
    private final ScheduledExecutorService scheduler;
    private final String token;
    private final String gatewayId;
    private ClientCall<UsageReport, ThroughputGrants> call;
    private ScheduledFuture<?> ticks;
    private long backoffMs = 250;
    private long nextAttemptAt;
    private boolean closed;
    private volatile boolean connected;

    /** {@code channel} null: no coordinator, the limiter only follows the config (one replica). */
    public CoordinatorClient(ManagedChannel channel, ThroughputLimiter limiter, ConfigStore store,
            ScheduledExecutorService scheduler, String token, String gatewayId) {
        this.channel = channel;
        this.limiter = limiter;
        this.store = store;
        this.scheduler = scheduler;
        this.token = token;
        this.gatewayId = gatewayId;
    }

    public void start() {
        store.afterSwap(view -> limiter.update(view, System.currentTimeMillis()));
        ticks = scheduler.scheduleAtFixedRate(this::tick, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    public boolean connected() {
        return connected;
    }

    private void tick() {
        try {
            limiter.update(store.current(), System.currentTimeMillis());
            UsageReport report = limiter.drainUsage(gatewayId, PERIOD_MILLIS);
            if (channel == null) {
                return;
            }
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (call == null && System.currentTimeMillis() >= nextAttemptAt) {
                    open();
                }
                if (call != null) {
                    call.sendMessage(report);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "throughput coordination tick failed", e);
        }
    }

    private void open() {
        Metadata headers = new Metadata();
        if (token != null) {
            headers.put(AUTHORIZATION, "Bearer " + token);
        }
        ClientCall<UsageReport, ThroughputGrants> c = channel.newCall(ThroughputCoordinatorGrpc.getCoordinateMethod(), CallOptions.DEFAULT);
        call = c;
        c.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(ThroughputGrants grants) {
                connected = true;
                synchronized (CoordinatorClient.this) {
                    backoffMs = 250;
                }
                limiter.grant(grants);
                c.request(1);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                connected = false;
                synchronized (CoordinatorClient.this) {
                    if (call == c) {
                        call = null;
                    }
                    long delay = backoffMs + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
                    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
                    nextAttemptAt = System.currentTimeMillis() + delay;
                    if (!closed) {
                        LOG.warning("throughput coordination stream " + (status.isOk() ? "ended" : "failed: "
                                + status.getCode() + " " + status.getDescription()) + "; enforcing last grants, then equal shares; retrying in "
                                + delay + " ms");
                    }
                }
            }
        }, headers);
        c.request(1);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (ticks != null) {
            ticks.cancel(false);
        }
        if (call != null) {
            call.cancel("gateway stopping", null);
            call = null;
        }
    }
}
