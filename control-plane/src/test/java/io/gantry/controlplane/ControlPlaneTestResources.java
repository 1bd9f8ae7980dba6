package io.gantry.controlplane;

import io.gantry.localstack.OidcTestServer;
import io.gantry.localstack.PostgresServer;
import io.gantry.localstack.SharedComponents;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * Real PostgreSQL (a fresh database per test run) and a real OIDC provider for the control plane
 * under test. Both are JVM-wide shared components, started once per run.
 */
public class ControlPlaneTestResources implements QuarkusTestResourceLifecycleManager {
    public static final String GRPC_ENDPOINT = "127.0.0.1:18081";
    /** Fixed for the run: test classes and this resource may live in different class loaders. */
    public static final String GATEWAY_TOKEN = "test-gateway-token";
    /** The one tenant whose API rate is 1 request per second (burst 2). */
    public static final String RATE_LIMITED_TENANT = "rate-limited";
    private static final String CONFIG_PORT_PROPERTY = "gantry.test.config-port";

    /** The port of the control plane's config gRPC service, as chosen by {@link #start()}. */
    public static int configPort() {
        return Integer.getInteger(CONFIG_PORT_PROPERTY);
    }

    @Override
    public Map<String, String> start() {
        PostgresServer postgres = SharedComponents.postgres();
        String database = "controlplane_" + Long.toHexString(System.nanoTime());
        postgres.createDatabase(database);
        OidcTestServer oidc = SharedComponents.oidc();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        int configPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            configPort = s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        System.setProperty(CONFIG_PORT_PROPERTY, String.valueOf(configPort));
        return Map.ofEntries(
                // The suites send hundreds of requests a second per tenant; ApiLimitsIT's tenant has a low rate.
                Map.entry("gantry.api.rate-limit.requests-per-second", "100000"),
                Map.entry("gantry.api.rate-limit.tenants." + RATE_LIMITED_TENANT, "1"),
                Map.entry("quarkus.grpc.server.test-port", String.valueOf(configPort)),
                Map.entry("gantry.gateway.token", GATEWAY_TOKEN),
                Map.entry("quarkus.datasource.jdbc.url", postgres.jdbcUrl(database)),
                Map.entry("quarkus.datasource.username", postgres.user()),
                Map.entry("quarkus.datasource.password", postgres.password()),
                Map.entry("quarkus.oidc.auth-server-url", oidc.issuerUrl()),
                Map.entry("gantry.secrets.key", Base64.getEncoder().encodeToString(key)),
                Map.entry("gantry.endpoints.grpc", GRPC_ENDPOINT),
                Map.entry("quarkus.http.test-port", "0"));
    }

    @Override
    public void stop() {
        // Shared components stop with the JVM.
    }
}
