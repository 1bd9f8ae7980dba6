package io.gantry.dataplane.pipeline;

import io.gantry.dataplane.config.ConfigView.InstanceEntry;
import io.gantry.dataplane.limits.InstanceClients;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Client ids that said goodbye ({@code NotifyClientTermination}) in the last minute.
 *
 * <p>Why: the Java SDK 5.2.0 re-opens a Telemetry stream one second after the previous one failed,
 * without checking whether the client is shutting down meanwhile. When {@code close()} falls into that
 * second, the re-opened stream is never half-closed and the SDK's {@code close()} waits forever for its
 * channel to terminate (seen when clients move between gateway replicas; the same happens against the
 * proxy directly). A client id never comes back after terminating, so the gateway ends such a late
 * stream at once: the SDK sees it complete, does not renew it (it is no longer running), and its close
 * returns.
 *
 * <p>Bounded per instance (entries expire after a minute; an instance keeps at most twice its edition's
 * distinct client ids), so that one tenant terminating clients in a loop fills only its own table: beyond
 * its bound its own late re-opens are no longer ended early, nobody else's. Thread-safe.
 */
public final class ClientTerminations {
    static final long KEEP_NANOS = 60_000_000_000L;

    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Long>> byInstance = new ConcurrentHashMap<>();

    public ClientTerminations() {
        this(System::nanoTime);
    }

    ClientTerminations(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    static int maxEntries(InstanceEntry instance) {
        return 2 * InstanceClients.limitsOf(instance).clientIds();
    }

    public void terminated(InstanceEntry instance, String upstreamClientId) {
        if (upstreamClientId == null) {
            return;
        }
        ConcurrentHashMap<String, Long> terminatedAt = byInstance.computeIfAbsent(instance.id(), id -> new ConcurrentHashMap<>());
        long now = nanoTime.getAsLong();
        int max = maxEntries(instance);
        if (terminatedAt.size() >= max) {
            terminatedAt.values().removeIf(t -> now - t > KEEP_NANOS);
            if (terminatedAt.size() >= max) {
                return;
            }
        }
        terminatedAt.put(upstreamClientId, now);
    }

    public boolean isTerminated(InstanceEntry instance, String upstreamClientId) {
        if (upstreamClientId == null) {
            return false;
        }
        ConcurrentHashMap<String, Long> terminatedAt = byInstance.get(instance.id());
        Long at = terminatedAt == null ? null : terminatedAt.get(upstreamClientId);
        if (at == null) {
            return false;
        }
        if (nanoTime.getAsLong() - at > KEEP_NANOS) {
            terminatedAt.remove(upstreamClientId, at);
            return false;
        }
        return true;
    }

    /** Entries the instance holds now (tests). */
    int size(String instanceId) {
        ConcurrentHashMap<String, Long> m = byInstance.get(instanceId);
        return m == null ? 0 : m.size();
    }
}
