package io.gantry.dataplane.limits;

import apache.rocketmq.v2.Code;
import io.gantry.dataplane.config.ConfigView.InstanceEntry;
import io.gantry.dataplane.pipeline.Refusal;
import io.gantry.isolation.quota.Edition;
import io.gantry.isolation.quota.Editions;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Per instance, on this gateway: open Telemetry streams, open long-poll receives and distinct client ids.
 * Each is state on the cluster's proxies, which all tenants of the cluster share (settings and channels
 * per client id, a parked request per long poll); without a cap one tenant could fill them for everyone.
 * The caps come with the instance's edition ({@code Instance.client_limits} of the config); beyond one a
 * call is answered {@code TOO_MANY_REQUESTS} naming the instance and the limit, before its request is read.
 *
 * <p>Counted per gateway replica: a tenant spread over N replicas may hold N times as much, as the proxies
 * behind them are the same; the limits are sized for that.
 */
public final class InstanceClients {
    /** How long a client id counts after its last call; the SDK calls at least every 10 s (heartbeat). */
    static final long CLIENT_ID_TTL_NANOS = 120_000_000_000L;
    /** A full table is swept at most this often, so a client refused at the cap costs a map lookup. */
    private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;
    /** For an instance whose config carries no limits and whose edition is unknown: the smallest edition's. */
    static final Edition.ClientLimits FALLBACK = Editions.all().get(0).clientLimits();

    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, State> byInstance = new ConcurrentHashMap<>();

    public InstanceClients(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** One open stream or long poll, counted until {@link #release()} (idempotent). */
    public static final class Lease {
        private final AtomicInteger counter;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(AtomicInteger counter) {
            this.counter = counter;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                counter.decrementAndGet();
            }
        }
    }

    private static final class State {
        final AtomicInteger telemetry = new AtomicInteger();
        final AtomicInteger receives = new AtomicInteger();
        final ConcurrentHashMap<String, Long> clientIds = new ConcurrentHashMap<>();
        volatile long lastSweep;
    }

    public static Edition.ClientLimits limitsOf(InstanceEntry instance) {
        io.gantry.api.config.v1.ClientLimits l = instance.limits().getClientLimits();
        Edition.ClientLimits edition = Editions.byCode(instance.limits().getEdition()).map(Edition::clientLimits).orElse(FALLBACK);
        return new Edition.ClientLimits(
                l.getTelemetryStreams() > 0 ? l.getTelemetryStreams() : edition.telemetryStreams(),
                l.getReceives() > 0 ? l.getReceives() : edition.receives(),
                l.getClientIds() > 0 ? l.getClientIds() : edition.clientIds());
    }

    private State state(InstanceEntry instance) {
        return byInstance.computeIfAbsent(instance.id(), id -> new State());
    }

    /**
     * A call by {@code upstreamClientId} (null: the client sent none, nothing to count). A client id already
     * counted always passes; a new one only while the instance is under its limit.
     */
    public void seen(InstanceEntry instance, String upstreamClientId) {
        if (upstreamClientId == null) {
            return;
        }
        State s = state(instance);
        long now = nanoTime.getAsLong();
        if (s.clientIds.replace(upstreamClientId, now) != null) {
            return;
        }
        int max = limitsOf(instance).clientIds();
        if (s.clientIds.size() >= max && now - s.lastSweep > SWEEP_INTERVAL_NANOS) {
            s.lastSweep = now;
            s.clientIds.values().removeIf(t -> now - t > CLIENT_ID_TTL_NANOS);
        }
        // size() and put are not atomic together: concurrent first calls may pass the limit by a few
        if (s.clientIds.size() >= max) {
            throw new Refusal(Code.TOO_MANY_REQUESTS, "instance " + instance.id() + " already has " + max
                    + " client ids active on this gateway (its edition's limit of distinct clients): reuse clients or"
                    + " shut down unused ones; an id stops counting two minutes after its last call");
        }
        s.clientIds.put(upstreamClientId, now);
    }

    public Lease openTelemetry(InstanceEntry instance) {
        return acquire(state(instance).telemetry, limitsOf(instance).telemetryStreams(), instance, "Telemetry streams");
    }

    public Lease openReceive(InstanceEntry instance) {
        return acquire(state(instance).receives, limitsOf(instance).receives(), instance, "receive / pull calls");
    }

    private static Lease acquire(AtomicInteger counter, int max, InstanceEntry instance, String what) {
        if (counter.incrementAndGet() > max) {
            counter.decrementAndGet();
            throw new Refusal(Code.TOO_MANY_REQUESTS, "instance " + instance.id() + " already has " + max + " " + what
                    + " open on this gateway (its edition's limit): retry when some have ended");
        }
        return new Lease(counter);
    }

    /** For tests and metrics: what the instance holds now. */
    public int telemetryStreams(String instanceId) {
        State s = byInstance.get(instanceId);
        return s == null ? 0 : s.telemetry.get();
    }

    public int receives(String instanceId) {
        State s = byInstance.get(instanceId);
        return s == null ? 0 : s.receives.get();
    }
}
