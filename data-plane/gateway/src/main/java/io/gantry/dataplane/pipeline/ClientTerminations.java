package io.gantry.dataplane.pipeline;

import java.util.concurrent.ConcurrentHashMap;

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
 * <p>Bounded (entries expire after a minute; at most 100k are kept); thread-safe.
 */
public final class ClientTerminations {
    static final long KEEP_NANOS = 60_000_000_000L;
    static final int MAX_ENTRIES = 100_000;

    private final ConcurrentHashMap<String, Long> terminatedAt = new ConcurrentHashMap<>();

    public void terminated(String upstreamClientId) {
        if (upstreamClientId == null) {
            return;
        }
        long now = System.nanoTime();
        if (terminatedAt.size() >= MAX_ENTRIES) {
            terminatedAt.values().removeIf(t -> now - t > KEEP_NANOS);
            if (terminatedAt.size() >= MAX_ENTRIES) {
                return;
            }
        }
        terminatedAt.put(upstreamClientId, now);
    }

    public boolean isTerminated(String upstreamClientId) {
        if (upstreamClientId == null) {
            return false;
        }
        Long at = terminatedAt.get(upstreamClientId);
        if (at == null) {
            return false;
        }
        if (System.nanoTime() - at > KEEP_NANOS) {
            terminatedAt.remove(upstreamClientId, at);
            return false;
        }
        return true;
    }
}
