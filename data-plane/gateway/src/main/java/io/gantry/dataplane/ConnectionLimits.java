package io.gantry.dataplane;

import io.gantry.isolation.quota.Editions;
import java.time.Duration;
import java.util.Map;

/**
 * What one client connection may hold of the SDK-facing listeners ({@code GANTRY_GATEWAY_MAX_*}, documented
 * in data-plane/README.md). Every value is checked where it enters: a caller that has not authenticated can
 * make the gateway hold no more than a connection's flow-control window, and one that has can hold
 * {@code maxCallsPerConnection} requests of at most their RPC's size per connection.
 *
 * @param maxConnectionsPerAddress open connections per remote IP address over all listeners
 * @param maxCallsPerConnection    concurrent calls (HTTP/2 streams) per connection; the SDK queues beyond it
 * @param maxConnectionIdle        a connection without calls for this long is closed (GOAWAY)
 * @param maxConnectionAge         a connection older than this is asked to go (GOAWAY); the SDK reconnects
 * @param maxConnectionAgeGrace    how long calls still open then may go on (a long poll ends within it)
 * @param maxSendRequestBytes      largest SendMessage request: the largest edition's message and its properties
 * @param maxRequestBytes          largest request of every other RPC (names, ids, handles, settings)
 */
public record ConnectionLimits(
        int maxConnectionsPerAddress,
        int maxCallsPerConnection,
        Duration maxConnectionIdle,
        Duration maxConnectionAge,
        Duration maxConnectionAgeGrace,
        int maxSendRequestBytes,
        int maxRequestBytes) {

    /** Room for properties, keys and the protobuf framing around the largest body. */
    static final int SEND_OVERHEAD_BYTES = 1024 * 1024;

    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(256, 256, Duration.ofMinutes(5), Duration.ofHours(1),
            Duration.ofMinutes(1), Editions.largestMessageBytes() + SEND_OVERHEAD_BYTES, 1024 * 1024);

    public ConnectionLimits {
        if (maxConnectionsPerAddress < 1 || maxCallsPerConnection < 1 || maxSendRequestBytes < 1024 || maxRequestBytes < 1024) {
            throw new IllegalArgumentException("connection limits must be positive (request sizes at least 1 KiB): " + maxConnectionsPerAddress
                    + ", " + maxCallsPerConnection + ", " + maxSendRequestBytes + ", " + maxRequestBytes);
        }
        for (Duration d : new Duration[] {maxConnectionIdle, maxConnectionAge, maxConnectionAgeGrace}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("connection idle, age and grace must be positive");
            }
        }
    }

    public ConnectionLimits withMaxConnectionsPerAddress(int n) {
        return new ConnectionLimits(n, maxCallsPerConnection, maxConnectionIdle, maxConnectionAge, maxConnectionAgeGrace,
                maxSendRequestBytes, maxRequestBytes);
    }

    public ConnectionLimits withMaxCallsPerConnection(int n) {
        return new ConnectionLimits(maxConnectionsPerAddress, n, maxConnectionIdle, maxConnectionAge, maxConnectionAgeGrace,
                maxSendRequestBytes, maxRequestBytes);
    }

    public ConnectionLimits withMaxConnectionIdle(Duration d) {
        return new ConnectionLimits(maxConnectionsPerAddress, maxCallsPerConnection, d, maxConnectionAge, maxConnectionAgeGrace,
                maxSendRequestBytes, maxRequestBytes);
    }

    public ConnectionLimits withMaxRequestBytes(int send, int other) {
        return new ConnectionLimits(maxConnectionsPerAddress, maxCallsPerConnection, maxConnectionIdle, maxConnectionAge,
                maxConnectionAgeGrace, send, other);
    }

    static ConnectionLimits fromEnv(Map<String, String> env) {
        ConnectionLimits d = DEFAULTS;
        return new ConnectionLimits(
                number(env, "GANTRY_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS", d.maxConnectionsPerAddress),
                number(env, "GANTRY_GATEWAY_MAX_CALLS_PER_CONNECTION", d.maxCallsPerConnection),
                Duration.ofSeconds(number(env, "GANTRY_GATEWAY_MAX_CONNECTION_IDLE_SECONDS", (int) d.maxConnectionIdle.toSeconds())),
                Duration.ofSeconds(number(env, "GANTRY_GATEWAY_MAX_CONNECTION_AGE_SECONDS", (int) d.maxConnectionAge.toSeconds())),
                Duration.ofSeconds(number(env, "GANTRY_GATEWAY_MAX_CONNECTION_AGE_GRACE_SECONDS", (int) d.maxConnectionAgeGrace.toSeconds())),
                number(env, "GANTRY_GATEWAY_MAX_SEND_REQUEST_BYTES", d.maxSendRequestBytes),
                number(env, "GANTRY_GATEWAY_MAX_REQUEST_BYTES", d.maxRequestBytes));
    }

    private static int number(Map<String, String> env, String name, int dflt) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) {
                throw new IllegalArgumentException(name + "=" + v + " must be at least 1");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + v + " is not a number", e);
        }
    }
}
