package io.gantry.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The one-command local stack: PostgreSQL (data kept in the state folder), a RocketMQ cluster,
 * Keycloak with the demo realm, an S3 server (s3proxy, the trace archive), the control plane, which
 * gets the local cluster registered, the trace service and the gateway.
 *
 * <p>Started by {@code local-stack/start.sh}. Ctrl-C (or SIGTERM) stops, in reverse order, exactly
 * the processes this launcher started. Generated credentials (the RocketMQ admin user, the key
 * that encrypts secrets at rest) are kept in {@code <state>/local-stack.properties}, so a restart
 * finds every instance as it was.
 */
public final class LocalStack {
    static final int POSTGRES_PORT = 15432;
    static final int KEYCLOAK_PORT = 8180;
    static final int CONTROL_PLANE_PORT = 8088;
    static final int CONFIG_PORT = 9088;
    static final int GATEWAY_PORT = 8091;
    static final int GATEWAY_PLAINTEXT_PORT = 8092;
    static final int GATEWAY_METRICS_PORT = 9464;
    static final int S3_PORT = 8333;
    static final int TRACE_METRICS_PORT = 9466;
    static final String TRACE_BUCKET = "gantry-trace";
    static final String DATABASE = "gantry";
    static final String REGION = "local";
    static final String CLUSTER_ID = "local-1";

    private final Path home;
    private final Path state;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final long t0 = System.nanoTime();

    private LocalStack(Path home, Path state) {
        this.home = home;
        this.state = state;
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("gantry.home", ".")).toAbsolutePath().normalize();
        Path state = Path.of(Optional.ofNullable(System.getenv("GANTRY_STATE_DIR")).orElse(home.resolve(".gantry").toString()))
                .toAbsolutePath();
        LocalStack stack = new LocalStack(home, state);
        Runtime.getRuntime().addShutdownHook(new Thread(stack::stop, "gantry-local-stack-stop"));
        try {
            stack.start();
        } catch (Exception e) {
            System.err.println();
            System.err.println("[gantry] the local stack could not start: " + e.getMessage());
            System.exit(1);
        }
        Thread.currentThread().join();
    }

    private void start() throws Exception {
        Files.createDirectories(state.resolve("logs"));
        Properties secrets = secrets();
        Optional<String> externalIssuer = KeycloakServer.externalIssuerFromEnv();

        requireFree(POSTGRES_PORT, "PostgreSQL");
        requireFree(RocketMqCluster.STANDARD_NAME_SERVER_PORT, "the RocketMQ NameServer");
        requireFree(RocketMqCluster.STANDARD_PROXY_GRPC_PORT, "the RocketMQ proxy");
        requireFree(CONTROL_PLANE_PORT, "the control plane");
        requireFree(CONFIG_PORT, "the control plane's config service");
        requireFree(GATEWAY_PORT, "the gateway");
        requireFree(GATEWAY_PLAINTEXT_PORT, "the gateway (plaintext)");
        requireFree(GATEWAY_METRICS_PORT, "the gateway's metrics");
        requireFree(S3_PORT, "s3proxy");
        requireFree(TRACE_METRICS_PORT, "the trace service's metrics");
        if (externalIssuer.isEmpty()) {
            requireFree(KEYCLOAK_PORT, "Keycloak");
            // Fail before anything starts when no Java 21+ is around for Keycloak.
            KeycloakServer.findJavaHome(System.getenv(), this::progress);
        }

        step("1/7", "PostgreSQL (data in " + state.resolve("postgres") + ")");
        PostgresServer postgres = PostgresServer.startPersistent(state.resolve("postgres"), POSTGRES_PORT);
        started.push(postgres);
        postgres.createDatabase(DATABASE);

        step("2/7", "RocketMQ NameServer + Broker + Proxy (store in " + state.resolve("rocketmq") + ")");
        RocketMqCluster rocketMq = RocketMqCluster.start(RocketMqCluster.Options.defaults()
                .workDir(state.resolve("rocketmq"))
                .standardPorts()
                .adminCredentials(secrets.getProperty("rocketmq.admin.accessKey"), secrets.getProperty("rocketmq.admin.secretKey")));
        started.push(rocketMq);

        String issuer;
        KeycloakServer keycloak = null;
        if (externalIssuer.isPresent()) {
            issuer = externalIssuer.get();
            step("3/7", "OIDC provider: using " + issuer + " (GANTRY_OIDC_ISSUER), Keycloak not started");
        } else {
            step("3/7", "Keycloak with the demo realm");
            keycloak = KeycloakServer.start(KeycloakServer.options().stateDir(state.resolve("keycloak"))
                    .port(KEYCLOAK_PORT).progress(this::progress).shutdownHook(false));
            started.push(keycloak);
            issuer = keycloak.issuerUrl();
        }

        step("4/7", "s3proxy (S3 for the trace archive, data in " + state.resolve("s3") + ")");
        S3ProxyServer s3 = S3ProxyServer.start(S3ProxyServer.Options.defaults().dataDir(state.resolve("s3")).port(S3_PORT)
                .credentials(secrets.getProperty("s3.accessKey"), secrets.getProperty("s3.secretKey")));
        started.push(s3);
        Map<String, String> s3Env = Map.of("GANTRY_S3_ENDPOINT", s3.endpoint(), "GANTRY_S3_ACCESS_KEY", s3.accessKey(),
                "GANTRY_S3_SECRET_KEY", s3.secretKey(), "GANTRY_S3_BUCKET", TRACE_BUCKET);

        step("5/7", "control plane");
        Path jar = home.resolve("control-plane/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (local-stack/start.sh does)");
        }
        Map<String, String> env = new HashMap<>();
        env.put("GANTRY_DB_URL", postgres.jdbcUrl(DATABASE));
        env.put("GANTRY_DB_USER", postgres.user());
        env.put("GANTRY_DB_PASSWORD", postgres.password());
        env.put("GANTRY_OIDC_ISSUER", issuer);
        env.put("GANTRY_SECRETS_KEY", secrets.getProperty("secrets.key"));
        env.put("QUARKUS_HTTP_PORT", String.valueOf(CONTROL_PLANE_PORT));
        env.put("QUARKUS_GRPC_SERVER_PORT", String.valueOf(CONFIG_PORT));
        env.put("GANTRY_GATEWAY_TOKEN", secrets.getProperty("gateway.token"));
        env.put("GANTRY_GRPC_ENDPOINT", "127.0.0.1:" + GATEWAY_PORT);
        env.put("GANTRY_GRPC_PLAINTEXT_ENDPOINT", "127.0.0.1:" + GATEWAY_PLAINTEXT_PORT);
        env.putAll(s3Env);
        ChildProcess controlPlane = ChildProcess.start("control-plane",
                List.of(javaCommand(), "-Xmx384m", "-jar", jar.toString()), env,
                state.resolve("logs/control-plane.log"));
        started.push(controlPlane);
        String api = "http://127.0.0.1:" + CONTROL_PLANE_PORT;
        awaitHttp(api + "/q/health/ready", Duration.ofSeconds(90), controlPlane);

        step("6/7", "trace service (indexes every message's life; the control plane's messages API reads it)");
        Path traceJar = home.resolve("trace-service/service/target/trace-service-0.1.0-SNAPSHOT.jar");
        if (!Files.exists(traceJar)) {
            throw new IllegalStateException(traceJar + " is missing: build first (local-stack/start.sh does)");
        }
        Map<String, String> traceEnv = new HashMap<>(s3Env);
        traceEnv.put("GANTRY_DB_URL", postgres.jdbcUrl(DATABASE));
        traceEnv.put("GANTRY_DB_USER", postgres.user());
        traceEnv.put("GANTRY_DB_PASSWORD", postgres.password());
        traceEnv.put("GANTRY_CONFIG_ENDPOINT", "127.0.0.1:" + CONFIG_PORT);
        traceEnv.put("GANTRY_GATEWAY_TOKEN", secrets.getProperty("gateway.token"));
        traceEnv.put("GANTRY_REGION", REGION);
        traceEnv.put("GANTRY_TRACE_SERVICE_ID", "local-trace-1");
        traceEnv.put("GANTRY_TRACE_METRICS_PORT", String.valueOf(TRACE_METRICS_PORT));
        traceEnv.put("GANTRY_TRACE_WORK_DIR", state.resolve("trace-service").toString());
        ChildProcess traceService = ChildProcess.start("trace-service",
                List.of(javaCommand(), "-Xmx256m", "-jar", traceJar.toString()), traceEnv,
                state.resolve("logs/trace-service.log"));
        started.push(traceService);
        awaitHttp("http://127.0.0.1:" + TRACE_METRICS_PORT + "/healthz", Duration.ofSeconds(60), traceService);

        step("7/7", "gateway (RocketMQ 5 gRPC endpoint for the SDKs)");
        Path gatewayJar = home.resolve("data-plane/gateway/target/data-plane-gateway-0.1.0-SNAPSHOT.jar");
        if (!Files.exists(gatewayJar)) {
            throw new IllegalStateException(gatewayJar + " is missing: build first (local-stack/start.sh does)");
        }
        Map<String, String> gatewayEnv = new HashMap<>();
        gatewayEnv.put("GANTRY_GATEWAY_PORT", String.valueOf(GATEWAY_PORT));
        gatewayEnv.put("GANTRY_GATEWAY_PLAINTEXT_PORT", String.valueOf(GATEWAY_PLAINTEXT_PORT));
        gatewayEnv.put("GANTRY_GATEWAY_ADVERTISED_ENDPOINT", "127.0.0.1:" + GATEWAY_PORT);
        gatewayEnv.put("GANTRY_GATEWAY_METRICS_PORT", String.valueOf(GATEWAY_METRICS_PORT));
        gatewayEnv.put("GANTRY_CONFIG_ENDPOINT", "127.0.0.1:" + CONFIG_PORT);
        gatewayEnv.put("GANTRY_GATEWAY_TOKEN", secrets.getProperty("gateway.token"));
        gatewayEnv.put("GANTRY_REGION", REGION);
        gatewayEnv.put("GANTRY_GATEWAY_ID", "local-gateway-1");
        ChildProcess gateway = ChildProcess.start("gateway",
                List.of(javaCommand(), "-Xmx256m", "-jar", gatewayJar.toString()), gatewayEnv,
                state.resolve("logs/gateway.log"));
        started.push(gateway);
        awaitHttp("http://127.0.0.1:" + GATEWAY_METRICS_PORT + "/metrics", Duration.ofSeconds(60), gateway);

        if (keycloak != null) {
            registerCluster(api, keycloak.fetchAccessToken("operator", "operator-pw"), rocketMq);
        } else {
            progress("register the cluster yourself with an operator token: POST " + api + "/api/v1/admin/clusters");
        }
        printReady(api, issuer, keycloak, rocketMq, s3);
    }

    private void registerCluster(String api, String operatorToken, RocketMqCluster mq) throws IOException, InterruptedException {
        String body = "{\"clusterId\":\"" + CLUSTER_ID + "\",\"regionId\":\"" + REGION + "\","
                + "\"nameServerAddress\":\"" + mq.nameServerAddress() + "\",\"proxyEndpoint\":\"" + mq.proxyGrpcEndpoint() + "\","
                + "\"adminAccessKey\":\"" + mq.adminAccessKey() + "\",\"adminSecretKey\":\"" + mq.adminSecretKey() + "\","
                + "\"capacityTps\":100000,\"capacityTopics\":10000}";
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/admin/clusters"))
                .header("Authorization", "Bearer " + operatorToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() == 201) {
            progress("registered RocketMQ cluster '" + CLUSTER_ID + "' in region '" + REGION + "'");
        } else if (created.statusCode() == 409) {
            progress("RocketMQ cluster '" + CLUSTER_ID + "' was registered by an earlier start");
        } else {
            throw new IllegalStateException("registering the local cluster answered " + created.statusCode() + ": " + created.body());
        }
    }

    private void printReady(String api, String issuer, KeycloakServer keycloak, RocketMqCluster mq, S3ProxyServer s3) {
        StringBuilder out = new StringBuilder();
        out.append("\n==================== Gantry local stack is ready (").append(elapsed()).append(") ====================\n");
        out.append("  Management API   ").append(api).append("/api/v1   (OpenAPI: ").append(api).append("/api/v1/openapi)\n");
        out.append("  SDK endpoint     127.0.0.1:").append(GATEWAY_PORT).append(" (TLS, the Java SDK's default; plaintext for the Node SDK: 127.0.0.1:")
                .append(GATEWAY_PLAINTEXT_PORT).append(")\n");
        out.append("  Gateway metrics  http://127.0.0.1:").append(GATEWAY_METRICS_PORT).append("/metrics\n");
        out.append("  Message trace    ").append(api).append("/api/v1/instances/{id}/messages  (trace service metrics: http://127.0.0.1:")
                .append(TRACE_METRICS_PORT).append("/metrics)\n");
        out.append("  S3 (s3proxy)     ").append(s3.endpoint()).append(" bucket ").append(TRACE_BUCKET)
                .append(" (credentials in ").append(state.resolve("local-stack.properties")).append(")\n");
        out.append("  OIDC issuer      ").append(issuer).append('\n');
        if (keycloak != null) {
            out.append("  Keycloak admin   ").append(keycloak.adminConsoleUrl()).append("  (admin / admin)\n");
        }
        out.append("  RocketMQ         NameServer ").append(mq.nameServerAddress()).append(", proxy ").append(mq.proxyGrpcEndpoint())
                .append(" (authentication on; only Gantry holds the credentials)\n");
        out.append("  PostgreSQL       ").append("127.0.0.1:").append(POSTGRES_PORT).append(" database ").append(DATABASE).append('\n');
        out.append("  State and logs   ").append(state).append('\n');
        if (keycloak != null) {
            out.append("\n  Demo users (password = username + \"-pw\"):\n");
            out.append("    acme-admin, acme-viewer       tenant acme   (tenant-admin, tenant-viewer)\n");
            out.append("    globex-admin, globex-viewer   tenant globex (tenant-admin, tenant-viewer)\n");
            out.append("    operator                      platform-operator\n");
            out.append("\n  Fetch a token:\n    TOKEN=$(").append(keycloak.tokenCurlCommand("acme-admin")).append(")\n");
            out.append("  Try it:\n    curl -s -H \"Authorization: Bearer $TOKEN\" ").append(api).append("/api/v1/editions\n");
        }
        out.append("\n  Ctrl-C stops everything this command started.\n");
        System.out.println(out);
    }

    private synchronized void stop() {
        if (started.isEmpty()) {
            return;
        }
        System.out.println("\n[gantry] stopping the local stack");
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("[gantry] stopping " + c + " failed: " + e.getMessage());
            }
        }
        System.out.println("[gantry] stopped");
    }

    /** Generated credentials, kept with the state; keys added by newer versions are generated on the next start. */
    private Properties secrets() throws IOException {
        Path file = state.resolve("local-stack.properties");
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
        }
        SecureRandom random = new SecureRandom();
        boolean changed = false;
        changed |= putIfAbsent(p, "secrets.key", Base64.getEncoder().encodeToString(randomBytes(random, 32)));
        changed |= putIfAbsent(p, "rocketmq.admin.accessKey", "gantry-admin");
        changed |= putIfAbsent(p, "rocketmq.admin.secretKey", Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(random, 24)));
        changed |= putIfAbsent(p, "gateway.token", Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(random, 24)));
        changed |= putIfAbsent(p, "s3.accessKey", "gantry-local");
        changed |= putIfAbsent(p, "s3.secretKey", Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(random, 24)));
        if (changed) {
            Files.createDirectories(state);
            try (OutputStream out = Files.newOutputStream(file)) {
                p.store(out, "Generated by the Gantry local stack; keep it with the state folder");
            }
            try {
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
        }
        return p;
    }

    private static boolean putIfAbsent(Properties p, String key, String value) {
        if (p.getProperty(key) != null) {
            return false;
        }
        p.setProperty(key, value);
        return true;
    }

    private static byte[] randomBytes(SecureRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static void requireFree(int port, String what) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " for " + what
                    + " is in use: is another local stack (or another program) running? Stop it first.");
        }
    }

    private void awaitHttp(String url, Duration timeout, ChildProcess process) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextReport = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(process + " exited; see " + process.log());
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (System.nanoTime() > nextReport) {
                progress("waiting for " + url);
                nextReport = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(url + " did not answer within " + timeout.toSeconds() + " s; see " + process.log());
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private void step(String n, String what) {
        System.out.println("[gantry " + elapsed() + "] " + n + " starting " + what);
    }

    private void progress(String line) {
        System.out.println("[gantry " + elapsed() + "]     " + line);
    }

    private String elapsed() {
        return String.format("%5.1fs", (System.nanoTime() - t0) / 1e9);
    }

    /** A child process whose output goes to a log file, stopped with its descendants. */
    static final class ChildProcess implements AutoCloseable {
        private final String name;
        private final Process process;
        private final Path log;

        private ChildProcess(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
        }

        static ChildProcess start(String name, List<String> command, Map<String, String> env, Path log) {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(env);
            try {
                return new ChildProcess(name, pb.start(), log);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + name, e);
            }
        }

        boolean isAlive() {
            return process.isAlive();
        }

        Path log() {
            return log;
        }

        @Override
        public void close() throws InterruptedException {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
            }
        }

        @Override
        public String toString() {
            return name + " (pid " + process.pid() + ")";
        }
    }
}
