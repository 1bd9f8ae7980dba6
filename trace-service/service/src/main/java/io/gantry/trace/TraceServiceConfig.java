package io.gantry.trace;

import io.gantry.trace.query.ArchiveLocation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What a trace service process is configured with. {@link #fromEnv} reads the {@code GANTRY_*}
 * variables (README.md lists them).
 *
 * @param configEndpoint   host:port of the control plane's GatewayConfigService (plaintext gRPC); null:
 *                         snapshots only arrive through {@link TraceService#apply}
 * @param archive          null: no archive (days past the hot window are dropped)
 * @param metricsPort      0 picks a free port; -1 none
 */
public record TraceServiceConfig(
        String dbUrl,
        String dbUser,
        String dbPassword,
        String configEndpoint,
        String gatewayToken,
        String region,
        String serviceId,
        ArchiveLocation archive,
        int hotDays,
        Duration retentionInterval,
        String metricsBind,
        int metricsPort,
        Path workDir) {

    public static final int DEFAULT_METRICS_PORT = 9466;

    public TraceServiceConfig {
        if (dbUrl == null || dbUrl.isBlank()) {
            throw new IllegalArgumentException("GANTRY_DB_URL is required");
        }
        if (hotDays < 0) {
            throw new IllegalArgumentException("GANTRY_TRACE_HOT_DAYS must be 0 or more");
        }
    }

    public static TraceServiceConfig fromEnv(Map<String, String> env) {
        return new TraceServiceConfig(
                env.get("GANTRY_DB_URL"),
                orDefault(env.get("GANTRY_DB_USER"), "postgres"),
                orDefault(env.get("GANTRY_DB_PASSWORD"), ""),
                blankToNull(env.get("GANTRY_CONFIG_ENDPOINT")),
                blankToNull(env.get("GANTRY_GATEWAY_TOKEN")),
                orDefault(env.get("GANTRY_REGION"), ""),
                orDefault(env.get("GANTRY_TRACE_SERVICE_ID"), "trace-service-" + ProcessHandle.current().pid()),
                ArchiveLocation.fromEnv(env),
                integer(env, "GANTRY_TRACE_HOT_DAYS", 3),
                Duration.ofSeconds(integer(env, "GANTRY_TRACE_RETENTION_INTERVAL_SECONDS", 600)),
                orDefault(env.get("GANTRY_TRACE_METRICS_BIND"), "127.0.0.1"),
                integer(env, "GANTRY_TRACE_METRICS_PORT", DEFAULT_METRICS_PORT),
                Path.of(orDefault(env.get("GANTRY_TRACE_WORK_DIR"), System.getProperty("java.io.tmpdir"))));
    }

    private static int integer(Map<String, String> env, String name, int fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number: " + v);
        }
    }

    private static String orDefault(String v, String fallback) {
        return v == null || v.isBlank() ? fallback : v;
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v;
    }

    @Override
    public String toString() {
        return "TraceServiceConfig[db=" + dbUrl + ", config=" + configEndpoint + ", archive=" + archive + ", hotDays=" + hotDays
                + ", metrics=" + metricsBind + ":" + metricsPort + "]";
    }
}
