package io.gantry.dataplane;

import io.gantry.dataplane.trace.TraceSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a gateway process is configured with. {@link #fromEnv(Map)} reads the {@code GANTRY_*}
 * environment variables (documented in data-plane/README.md); tests build it directly.
 *
 * @param bindAddress         address the SDK-facing listeners bind to
 * @param tlsPort             SDK-facing TLS gRPC port (0 picks a free one)
 * @param tlsCert             PEM certificate chain; null with {@code tlsKey} null = self-signed at start
 * @param tlsKey              PEM PKCS#8 private key
 * @param plaintextPort       plaintext gRPC port for SDKs that verify certificates (Node); null = none; 0 = free
 * @param advertisedEndpoint  host:port returned in every {@code Endpoints} to TLS clients; null = 127.0.0.1:tls port
 * @param plaintextAdvertisedEndpoint host:port for plaintext clients; null = host of the advertised endpoint (or 127.0.0.1):plaintext port
 * @param configEndpoint      host:port of the control plane's GatewayConfigService; null = no watcher (tests feed snapshots)
 * @param gatewayToken        bearer token sent on Watch
 * @param regionId            WatchRequest.region_id ("" = every region)
 * @param gatewayId           WatchRequest.gateway_id
 * @param metricsPort         Prometheus /metrics port (0 = free; -1 = none)
 * @param metricsBindAddress  address /metrics and /healthz bind to; null = 127.0.0.1, so that instance,
 *                            topic and group names in metrics are not served where the SDK port is public
 * @param ioThreads           threads of the one shared Netty event loop group (server and upstream channels)
 * @param trace               message trace capture ({@code GANTRY_TRACE_*}); null = on with defaults
 * @param connections         sizes, connections and calls per client ({@code GANTRY_GATEWAY_MAX_*}); null = defaults
 */
public record GatewayConfig(
        String bindAddress,
        int tlsPort,
        Path tlsCert,
        Path tlsKey,
        Integer plaintextPort,
        String advertisedEndpoint,
        String plaintextAdvertisedEndpoint,
        String configEndpoint,
        String gatewayToken,
        String regionId,
        String gatewayId,
        int metricsPort,
        String metricsBindAddress,
        int ioThreads,
        TraceSettings trace,
        ConnectionLimits connections) {

    public static final int DEFAULT_PORT = 8091;
    public static final int DEFAULT_METRICS_PORT = 9464;

    public GatewayConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("GANTRY_GATEWAY_TLS_CERT and GANTRY_GATEWAY_TLS_KEY go together");
        }
        regionId = regionId == null ? "" : regionId;
        metricsBindAddress = metricsBindAddress == null || metricsBindAddress.isBlank() ? "127.0.0.1" : metricsBindAddress;
        gatewayId = gatewayId == null || gatewayId.isBlank() ? defaultGatewayId() : gatewayId;
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads must be at least 1");
        }
        trace = trace == null ? TraceSettings.DEFAULTS : trace;
        connections = connections == null ? ConnectionLimits.DEFAULTS : connections;
    }

    /** Compatibility with callers that predate {@code connections}: the default limits. */
    public GatewayConfig(String bindAddress, int tlsPort, Path tlsCert, Path tlsKey, Integer plaintextPort, String advertisedEndpoint,
            String plaintextAdvertisedEndpoint, String configEndpoint, String gatewayToken, String regionId, String gatewayId,
            int metricsPort, String metricsBindAddress, int ioThreads, TraceSettings trace) {
        this(bindAddress, tlsPort, tlsCert, tlsKey, plaintextPort, advertisedEndpoint, plaintextAdvertisedEndpoint, configEndpoint,
                gatewayToken, regionId, gatewayId, metricsPort, metricsBindAddress, ioThreads, trace, null);
    }

    public GatewayConfig withConnections(ConnectionLimits limits) {
        return new GatewayConfig(bindAddress, tlsPort, tlsCert, tlsKey, plaintextPort, advertisedEndpoint,
                plaintextAdvertisedEndpoint, configEndpoint, gatewayToken, regionId, gatewayId, metricsPort, metricsBindAddress, ioThreads,
                trace, limits);
    }

    /**
     * Loopback, free ports, self-signed TLS, no plaintext listener, no watcher, metrics on a free port,
     * no trace capture (most test clusters have no trace topic).
     */
    public static GatewayConfig forTests() {
        return new GatewayConfig("127.0.0.1", 0, null, null, null, null, null, null, null, "", "test-gateway", 0, null, 1,
                TraceSettings.DISABLED);
    }

    public GatewayConfig withTrace(TraceSettings settings) {
        return new GatewayConfig(bindAddress, tlsPort, tlsCert, tlsKey, plaintextPort, advertisedEndpoint,
                plaintextAdvertisedEndpoint, configEndpoint, gatewayToken, regionId, gatewayId, metricsPort, metricsBindAddress, ioThreads,
                settings, connections);
    }

    public GatewayConfig withPlaintextPort(Integer port) {
        return new GatewayConfig(bindAddress, tlsPort, tlsCert, tlsKey, port, advertisedEndpoint,
                plaintextAdvertisedEndpoint, configEndpoint, gatewayToken, regionId, gatewayId, metricsPort, metricsBindAddress, ioThreads, trace, connections);
    }

    public GatewayConfig withConfigEndpoint(String endpoint, String token) {
        return new GatewayConfig(bindAddress, tlsPort, tlsCert, tlsKey, plaintextPort, advertisedEndpoint,
                plaintextAdvertisedEndpoint, endpoint, token, regionId, gatewayId, metricsPort, metricsBindAddress, ioThreads, trace, connections);
    }

    public GatewayConfig withAdvertisedEndpoint(String endpoint) {
        return new GatewayConfig(bindAddress, tlsPort, tlsCert, tlsKey, plaintextPort, endpoint,
                plaintextAdvertisedEndpoint, configEndpoint, gatewayToken, regionId, gatewayId, metricsPort, metricsBindAddress, ioThreads, trace, connections);
    }

    public GatewayConfig withIoThreads(int threads) {
        return new GatewayConfig(bindAddress, tlsPort, tlsCert, tlsKey, plaintextPort, advertisedEndpoint,
                plaintextAdvertisedEndpoint, configEndpoint, gatewayToken, regionId, gatewayId, metricsPort, metricsBindAddress, threads, trace, connections);
    }

    /** Reads the {@code GANTRY_*} variables; unknown ones are ignored, malformed numbers throw. */
    public static GatewayConfig fromEnv(Map<String, String> env) {
        String cert = blankToNull(env.get("GANTRY_GATEWAY_TLS_CERT"));
        String key = blankToNull(env.get("GANTRY_GATEWAY_TLS_KEY"));
        String plaintext = blankToNull(env.get("GANTRY_GATEWAY_PLAINTEXT_PORT"));
        return new GatewayConfig(
                orDefault(env.get("GANTRY_GATEWAY_BIND"), "127.0.0.1"),
                port(env, "GANTRY_GATEWAY_PORT", DEFAULT_PORT),
                cert == null ? null : Path.of(cert),
                key == null ? null : Path.of(key),
                plaintext == null ? null : port(env, "GANTRY_GATEWAY_PLAINTEXT_PORT", 0),
                blankToNull(env.get("GANTRY_GATEWAY_ADVERTISED_ENDPOINT")),
                blankToNull(env.get("GANTRY_GATEWAY_PLAINTEXT_ADVERTISED_ENDPOINT")),
                blankToNull(env.get("GANTRY_CONFIG_ENDPOINT")),
                blankToNull(env.get("GANTRY_GATEWAY_TOKEN")),
                orDefault(env.get("GANTRY_REGION"), ""),
                blankToNull(env.get("GANTRY_GATEWAY_ID")),
                integer(env, "GANTRY_GATEWAY_METRICS_PORT", DEFAULT_METRICS_PORT, -1),
                blankToNull(env.get("GANTRY_GATEWAY_METRICS_BIND")),
                integer(env, "GANTRY_GATEWAY_IO_THREADS", Math.min(2, Runtime.getRuntime().availableProcessors()), 1),
                TraceSettings.fromEnv(env),
                ConnectionLimits.fromEnv(env));
    }

    private static int port(Map<String, String> env, String name, int dflt) {
        return integer(env, name, dflt, 0);
    }

    private static int integer(Map<String, String> env, String name, int dflt, int min) {
        String value = blankToNull(env.get(name));
        if (value == null) {
            return dflt;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < min || parsed > 65_535) {
                throw new IllegalArgumentException(name + "=" + value + " is out of range");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + value + " is not a number", e);
        }
    }

    private static String orDefault(String value, String dflt) {
        String v = blankToNull(value);
        return v == null ? dflt : v;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static String defaultGatewayId() {
        try {
            return "gateway@" + java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "gateway";
        }
    }
}
