package io.gantry.sdktests.support;

import static io.restassured.RestAssured.given;

import io.gantry.localstack.FreePorts;
import io.gantry.localstack.OidcTestServer;
import io.gantry.localstack.PostgresServer;
import io.gantry.localstack.RocketMqCluster;
import io.gantry.localstack.S3ProxyServer;
import io.gantry.localstack.SharedComponents;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gantry as a tenant meets it: the packaged control plane, trace service and gateway started as processes
 * over the real components of local-stack (RocketMQ, PostgreSQL, an OIDC provider, an S3 server), the RocketMQ cluster
 * registered through the operator API, tenants that create instances, topics, groups and accounts
 * through the REST API.
 *
 * <p>One per test JVM ({@link GantryExtension}); the load driver starts its own with {@link #start()}.
 * {@link #close()} stops every process it started (by its own handle) and deletes its temporary
 * directories; the logs stay under {@code target/sdk-tests/<run>/} for diagnosis.
 */
public final class GantryStack implements ExtensionContext.Store.CloseableResource, AutoCloseable {

    public static final String REGION = "local";
    public static final String CLUSTER_ID = "sdk-tests-1";
    static final String BUILD_FIRST = "build first: mvn -B -DskipTests install (from the repository root)";

    private static final Duration CONTROL_PLANE_READY = Duration.ofSeconds(120);
    private static final Duration GATEWAY_READY = Duration.ofSeconds(60);

    private final FreePorts ports = new FreePorts();
    private final Path repoRoot;
    private final Path runDir;
    private final Path ledger;
    private final Path tempDir;
    private final Path controlPlaneJar;
    private final Path gatewayJar;
    private final Path traceServiceJar;
    private final String gatewayToken;
    private final int controlPlaneHttpPort;
    private final int controlPlaneGrpcPort;
    private final int gatewayTlsPort;
    private final List<Gateway> gateways = new CopyOnWriteArrayList<>();
    private final List<ChildProcess> children = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::close, "gantry-sdk-tests-stop");
    private RocketMqCluster rocketMq;
    private OidcTestServer oidc;
    private String api;
    private Gateway gateway;
    private ChildProcess controlPlane;
    private S3ProxyServer s3;
    private TraceService traceService;

    private GantryStack() {
        repoRoot = locateRepoRoot();
        controlPlaneJar = property("gantry.controlPlane.jar")
                .map(Path::of)
                .orElse(repoRoot.resolve("control-plane/target/quarkus-app/quarkus-run.jar"));
        gatewayJar = property("gantry.gateway.jar").map(Path::of).filter(Files::isRegularFile)
                .orElseGet(() -> findGatewayJar(repoRoot.resolve("data-plane/gateway/target")));
        traceServiceJar = property("gantry.traceService.jar").map(Path::of)
                .orElse(repoRoot.resolve("trace-service/target/trace-service-0.1.0-SNAPSHOT.jar"));
        Path workRoot = property("gantry.sdktests.workDir").map(Path::of)
                .orElse(repoRoot.resolve("data-plane/sdk-tests/target/sdk-tests"));
        runDir = workRoot.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + UUID.randomUUID().toString().substring(0, 4));
        ledger = workRoot.resolve("children.pids");
        try {
            Files.createDirectories(runDir);
            tempDir = Files.createTempDirectory("gantry-sdk-tests-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] token = new byte[24];
        new SecureRandom().nextBytes(token);
        gatewayToken = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        controlPlaneHttpPort = ports.pick();
        controlPlaneGrpcPort = ports.pick();
        gatewayTlsPort = ports.pick();
    }

    /**
     * Starts everything: shared RocketMQ, PostgreSQL and OIDC; the control plane; the cluster
     * registered; one gateway (whose address the API shows as instances' endpoint). On failure, what
     * was started is stopped again and the exception carries the logs' ends.
     */
    public static GantryStack start() {
        GantryStack stack = new GantryStack();
        try {
            stack.boot();
            return stack;
        } catch (RuntimeException | Error e) {
            stack.close();
            throw e;
        }
    }

    private void boot() {
        requireFile(controlPlaneJar, "the control plane (control-plane/target/quarkus-app/quarkus-run.jar)");
        requireFile(gatewayJar, "the gateway (data-plane/gateway/target/data-plane-gateway-*.jar)");
        requireFile(traceServiceJar, "the trace service (trace-service/target/trace-service-*.jar)");
        ChildProcess.reapLeftovers(ledger);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        log("run directory " + runDir);

        rocketMq = SharedComponents.rocketMq();
        PostgresServer postgres = SharedComponents.postgres();
        oidc = SharedComponents.oidc();
        String database = "sdktests_" + Long.toHexString(System.nanoTime());
        postgres.createDatabase(database);
        // the trace archive; its bucket is the trace service's to create
        s3 = S3ProxyServer.start();
        log("s3proxy on " + s3.endpoint());

        byte[] secretsKey = new byte[32];
        new SecureRandom().nextBytes(secretsKey);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GANTRY_DB_URL", postgres.jdbcUrl(database));
        env.put("GANTRY_DB_USER", postgres.user());
        env.put("GANTRY_DB_PASSWORD", postgres.password());
        env.put("GANTRY_OIDC_ISSUER", oidc.issuerUrl());
        env.put("GANTRY_SECRETS_KEY", Base64.getEncoder().encodeToString(secretsKey));
        env.put("QUARKUS_HTTP_PORT", Integer.toString(controlPlaneHttpPort));
        env.put("QUARKUS_GRPC_SERVER_PORT", Integer.toString(controlPlaneGrpcPort));
        env.put("GANTRY_GATEWAY_TOKEN", gatewayToken);
        env.put("GANTRY_GRPC_ENDPOINT", "127.0.0.1:" + gatewayTlsPort);
        env.putAll(s3Env());
        api = "http://127.0.0.1:" + controlPlaneHttpPort;
        long started = System.nanoTime();
        controlPlane = ChildProcess.startJava("control-plane", List.of("-Xmx384m"),
                List.of("-jar", controlPlaneJar.toString()), env, runDir.resolve("control-plane.log"), ledger, runDir);
        children.add(controlPlane);
        Await.until("the control plane to be ready (" + controlPlane.log() + ")", CONTROL_PLANE_READY, () -> {
            if (!controlPlane.isAlive()) {
                controlPlane.requireAlive();
            }
            return given().baseUri(api).get("/q/health/ready").statusCode() == 200;
        });
        log("control plane ready in " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms on " + api);

        int status = as(operatorToken()).body(Map.of(
                        "clusterId", CLUSTER_ID, "regionId", REGION,
                        "nameServerAddress", rocketMq.nameServerAddress(),
                        "proxyEndpoint", rocketMq.proxyGrpcEndpoint(),
                        "adminAccessKey", rocketMq.adminAccessKey(), "adminSecretKey", rocketMq.adminSecretKey(),
                        "capacityTps", 10_000_000, "capacityTopics", 1_000_000))
                .post("/api/v1/admin/clusters").then().extract().statusCode();
        if (status != 201) {
            throw new IllegalStateException("registering the RocketMQ cluster answered " + status);
        }
        Map<String, String> traceEnv = new LinkedHashMap<>();
        traceEnv.put("GANTRY_DB_URL", postgres.jdbcUrl(database));
        traceEnv.put("GANTRY_DB_USER", postgres.user());
        traceEnv.put("GANTRY_DB_PASSWORD", postgres.password());
        traceEnv.put("GANTRY_CONFIG_ENDPOINT", "127.0.0.1:" + controlPlaneGrpcPort);
        traceEnv.put("GANTRY_GATEWAY_TOKEN", gatewayToken);
        traceEnv.put("GANTRY_REGION", REGION);
        traceEnv.put("GANTRY_TRACE_SERVICE_ID", "sdk-tests-trace");
        int traceMetricsPort = ports.pick();
        traceEnv.put("GANTRY_TRACE_METRICS_PORT", Integer.toString(traceMetricsPort));
        traceEnv.put("GANTRY_TRACE_WORK_DIR", tempDir.resolve("trace-service").toString());
        traceEnv.putAll(s3Env());
        traceService = new TraceService(traceServiceJar, traceEnv, traceMetricsPort, runDir.resolve("trace-service.log"),
                ledger, runDir);
        traceService.start();
        gateway = startGateway("gw-1", gatewayTlsPort, null);
    }

    /** The S3 archive's settings, the same for the trace service and the control plane. */
    private Map<String, String> s3Env() {
        return Map.of("GANTRY_S3_ENDPOINT", s3.endpoint(), "GANTRY_S3_ACCESS_KEY", s3.accessKey(),
                "GANTRY_S3_SECRET_KEY", s3.secretKey(), "GANTRY_S3_BUCKET", "gantry-trace");
    }

    /** A further gateway replica on free ports, advertising its own TLS address unless told otherwise. */
    public Gateway startGateway(String id, String advertisedEndpoint) {
        return startGateway(id, ports.pick(), advertisedEndpoint);
    }

    private Gateway startGateway(String id, int tlsPort, String advertisedEndpoint) {
        int plaintextPort = ports.pick();
        int metricsPort = ports.pick();
        String tlsEndpoint = "127.0.0.1:" + tlsPort;
        String advertised = advertisedEndpoint == null ? tlsEndpoint : advertisedEndpoint;
        Map<String, String> env = new HashMap<>();
        env.put("GANTRY_GATEWAY_PORT", Integer.toString(tlsPort));
        env.put("GANTRY_GATEWAY_PLAINTEXT_PORT", Integer.toString(plaintextPort));
        env.put("GANTRY_GATEWAY_BIND", "127.0.0.1");
        env.put("GANTRY_GATEWAY_ADVERTISED_ENDPOINT", advertised);
        env.put("GANTRY_CONFIG_ENDPOINT", "127.0.0.1:" + controlPlaneGrpcPort);
        env.put("GANTRY_GATEWAY_TOKEN", gatewayToken);
        env.put("GANTRY_REGION", REGION);
        env.put("GANTRY_GATEWAY_ID", id);
        env.put("GANTRY_GATEWAY_METRICS_PORT", Integer.toString(metricsPort));
        // load drivers compare settings (e.g. GANTRY_TRACE_ENABLED=false): -Dgantry.gateway.env=K=V,K=V
        property("gantry.gateway.env").ifPresent(extra -> {
            for (String kv : extra.split(",")) {
                int eq = kv.indexOf('=');
                env.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        });
        long started = System.nanoTime();
        ChildProcess process = ChildProcess.startJava("gateway " + id,
                List.of("-Xmx512m", "-Duser.home=" + tempDir.resolve(id)),
                List.of("-jar", gatewayJar.toString()), env, runDir.resolve("gateway-" + id + ".log"), ledger, runDir);
        children.add(process);
        Gateway started_ = new Gateway(id, process, tlsEndpoint, "127.0.0.1:" + plaintextPort, advertised,
                "http://127.0.0.1:" + metricsPort + "/metrics");
        gateways.add(started_);
        Await.until("gateway " + id + " to listen on " + tlsEndpoint + ", 127.0.0.1:" + plaintextPort + " and "
                + metricsPort + " (" + process.log() + ")", GATEWAY_READY, () -> {
                    process.requireAlive();
                    return listening(tlsPort) && listening(plaintextPort)
                            && given().baseUri(started_.metricsUrl()).get().statusCode() == 200;
                });
        log("gateway " + id + " ready in " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms on "
                + tlsEndpoint + " (TLS), " + started_.plaintextEndpoint() + " (plaintext), advertising " + advertised);
        return started_;
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The gateway whose address the API shows as every instance's endpoint. */
    public Gateway gateway() {
        return gateway;
    }

    public RocketMqCluster rocketMq() {
        return rocketMq;
    }

    /** The trace service process (stop and start it to simulate an outage). */
    public TraceService traceService() {
        return traceService;
    }

    /** Base URI of the management API, e.g. {@code http://127.0.0.1:PORT}. */
    public String api() {
        return api;
    }

    /** The repository's root directory. */
    public Path repoRoot() {
        return repoRoot;
    }

    public Path runDir() {
        return runDir;
    }

    /** A temporary directory of this stack, deleted by {@link #close()}. */
    public Path tempDir(String name) {
        try {
            return Files.createDirectories(tempDir.resolve(name + "-" + UUID.randomUUID().toString().substring(0, 8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A tenant no other test uses. */
    public Tenant newTenant() {
        return new Tenant(this, "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10));
    }

    public String operatorToken() {
        return oidc.token("operator", null, "platform-operator");
    }

    public String adminToken(String tenant) {
        return oidc.token(tenant + "-admin", tenant, "tenant-admin");
    }

    public String viewerToken(String tenant) {
        return oidc.token(tenant + "-viewer", tenant, "tenant-viewer");
    }

    /** A request to the management API with a bearer token (paths sent as written). */
    public RequestSpecification as(String token) {
        return given().baseUri(api).urlEncodingEnabled(false).auth().oauth2(token)
                .contentType(ContentType.JSON).accept(ContentType.JSON);
    }

    /** Stops the gateways, the trace service, the control plane and s3proxy; deletes the temporary directory. Idempotent. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        List<RuntimeException> failures = new ArrayList<>();
        List<AutoCloseable> reversed = new ArrayList<>(children);
        java.util.Collections.reverse(reversed);
        // the trace service started after the control plane, s3proxy before it; gateways are in children
        int controlPlaneAt = controlPlane == null ? reversed.size() : reversed.indexOf(controlPlane);
        if (traceService != null) {
            reversed.add(Math.max(0, controlPlaneAt), traceService::stop);
        }
        if (s3 != null) {
            reversed.add(s3);
        }
        for (AutoCloseable child : reversed) {
            try {
                child.close();
            } catch (RuntimeException e) {
                failures.add(e);
            } catch (Exception e) {
                failures.add(new RuntimeException(e));
            }
        }
        try {
            deleteRecursively(tempDir);
        } catch (RuntimeException e) {
            failures.add(e);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // called from the hook itself
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    /** A progress line in the test output. */
    public static void log(String line) {
        System.out.println("[sdk-tests] " + line);
    }

    private static java.util.Optional<String> property(String name) {
        return java.util.Optional.ofNullable(System.getProperty(name)).filter(s -> !s.isBlank());
    }

    private static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(what + " is not built: " + file.toAbsolutePath().normalize()
                    + " is missing; " + BUILD_FIRST);
        }
    }

    /** The packaged gateway: data-plane-gateway-VERSION.jar (not -sources, -tests, original-). */
    private static Path findGatewayJar(Path target) {
        if (Files.isDirectory(target)) {
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "data-plane-gateway-*.jar")) {
                for (Path jar : jars) {
                    String name = jar.getFileName().toString();
                    if (!name.endsWith("-sources.jar") && !name.endsWith("-tests.jar") && !name.endsWith("-javadoc.jar")) {
                        return jar;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return target.resolve("data-plane-gateway-0.1.0-SNAPSHOT.jar");
    }

    /** The system property gantry.repo.root, else the nearest directory up holding control-plane and data-plane. */
    private static Path locateRepoRoot() {
        java.util.Optional<String> configured = property("gantry.repo.root");
        if (configured.isPresent()) {
            return Path.of(configured.get()).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("control-plane")) && Files.isDirectory(dir.resolve("data-plane"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath()
                + ": run from inside the repository or set -Dgantry.repo.root");
    }

    static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
