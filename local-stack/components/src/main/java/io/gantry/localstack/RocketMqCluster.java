package io.gantry.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.gantry.localstack.rocketmq.RunnerProtocol;

/**
 * A real Apache RocketMQ 5.5.0 cluster — a NameServer, one Broker and a Proxy in local mode — running
 * in a child JVM, with authentication on.
 *
 * <p>The RocketMQ server is not on this JVM's classpath: its classpath is read from the
 * {@code runner.classpath} resource of the local-stack-rocketmq-runner jar, so that its grpc,
 * protobuf and netty versions never meet the caller's (Quarkus') ones.
 *
 * <p>Only {@link #adminAccessKey()} / {@link #adminSecretKey()} (a super user, generated at random by
 * default) can use the broker and the proxy. Topics are not created automatically.
 *
 * <p>NameServer and Broker listen on 127.0.0.1 only. The Proxy's gRPC and remoting ports and the
 * Broker's HA port are bound to all interfaces by RocketMQ itself; authentication is what keeps
 * others out there.
 *
 * <p>The child exits by itself when this JVM dies (it watches its standard input). {@link #close()}
 * stops it and deletes the work directory when this class created it.
 *
 * <p>Thread-safe: an instance is immutable apart from {@link #close()}, which may be called from any
 * thread, more than once.
 */
public final class RocketMqCluster implements AutoCloseable {

    /** Ports of a conventional single-node RocketMQ, used by the local stack. */
    public static final int STANDARD_NAME_SERVER_PORT = 9876;
    public static final int STANDARD_PROXY_GRPC_PORT = 8081;
    public static final int STANDARD_PROXY_REMOTING_PORT = 8080;
    public static final int STANDARD_BROKER_PORT = 10911;
    public static final int STANDARD_HA_PORT = 10912;

    private static final String LOOPBACK = "127.0.0.1";
    private static final String CONSOLE_LOG = "rocketmq-console.log";
    private static final int START_ATTEMPTS_WITH_PICKED_PORTS = 3;

    private final String clusterName;
    private final String brokerName;
    private final String adminAccessKey;
    private final String adminSecretKey;
    private final Path workDir;
    private final boolean ownsWorkDir;
    private final int nameServerPort;
    private final int brokerPort;
    private final int haPort;
    private final int proxyGrpcPort;
    private final int proxyRemotingPort;
    private final Process process;
    private final OutputStream childStdin;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RocketMqCluster(Options options, Path workDir, boolean ownsWorkDir, Ports ports, Process process) {
        this.clusterName = options.clusterName;
        this.brokerName = options.brokerName;
        this.adminAccessKey = options.adminAccessKey;
        this.adminSecretKey = options.adminSecretKey;
        this.workDir = workDir;
        this.ownsWorkDir = ownsWorkDir;
        this.nameServerPort = ports.nameServer;
        this.brokerPort = ports.broker;
        this.haPort = ports.ha;
        this.proxyGrpcPort = ports.proxyGrpc;
        this.proxyRemotingPort = ports.proxyRemoting;
        this.process = process;
        // Kept open for the child's lifetime: its end of file tells the child to exit.
        this.childStdin = process.getOutputStream();
        this.shutdownHook = new Thread(this::close, "gantry-rocketmq-" + process.pid() + "-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a cluster with default options: temporary work directory, random credentials, free ports. */
    public static RocketMqCluster start() {
        return start(Options.defaults());
    }

    /**
     * Starts a cluster and waits until the Proxy accepts gRPC connections and the Broker is registered
     * with the NameServer.
     *
     * @throws IllegalStateException when the child dies or is not ready in time; the message carries
     *     the end of its logs
     */
    public static RocketMqCluster start(Options options) {
        Objects.requireNonNull(options, "options");
        ChildClasspath classpath = ChildClasspath.locate();
        boolean ownsWorkDir = options.workDir == null;
        Path workDir = ownsWorkDir ? WorkDirs.createTemp("gantry-rocketmq-") : options.workDir.toAbsolutePath();
        try {
            Files.createDirectories(workDir);
            int attempts = options.anyPortPicked() ? START_ATTEMPTS_WITH_PICKED_PORTS : 1;
            for (int attempt = 1; ; attempt++) {
                Ports ports = Ports.choose(options);
                Process process = launch(options, workDir, ports, classpath);
                try {
                    awaitReady(process, workDir, options.readyTimeout);
                    return new RocketMqCluster(options, workDir, ownsWorkDir, ports, process);
                } catch (RuntimeException e) {
                    stop(process, Duration.ZERO);
                    boolean portClash = WorkDirs.tail(workDir.resolve(CONSOLE_LOG), 200).contains("Address already in use");
                    if (!portClash || attempt >= attempts) {
                        throw e;
                    }
                }
            }
        } catch (IOException e) {
            cleanUpAfterFailure(workDir, ownsWorkDir);
            throw new UncheckedIOException("cannot start RocketMQ in " + workDir, e);
        } catch (RuntimeException | Error e) {
            cleanUpAfterFailure(workDir, ownsWorkDir);
            throw e;
        }
    }

    /** "127.0.0.1:port" of the NameServer. */
    public String nameServerAddress() {
        return LOOPBACK + ":" + nameServerPort;
    }

    /** "127.0.0.1:port" of the Proxy's gRPC endpoint (what RocketMQ 5 SDKs and a gateway talk to). */
    public String proxyGrpcEndpoint() {
        return LOOPBACK + ":" + proxyGrpcPort;
    }

    /** "127.0.0.1:port" of the Proxy's remoting endpoint (RocketMQ 4 protocol). */
    public String proxyRemotingEndpoint() {
        return LOOPBACK + ":" + proxyRemotingPort;
    }

    /** "127.0.0.1:port" of the Broker, for admin calls ({@code DefaultMQAdminExt}). */
    public String brokerAddress() {
        return LOOPBACK + ":" + brokerPort;
    }

    /** Port of the Broker's HA service (bound to all interfaces; unused with one broker). */
    public int haPort() {
        return haPort;
    }

    public String clusterName() {
        return clusterName;
    }

    public String brokerName() {
        return brokerName;
    }

    /** Access key of the super user that the broker and proxy accept. */
    public String adminAccessKey() {
        return adminAccessKey;
    }

    public String adminSecretKey() {
        return adminSecretKey;
    }

    /** Process id of the child JVM. */
    public long pid() {
        return process.pid();
    }

    /** Whether the child JVM is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Holds the configuration, the store ({@code store/}) and the logs ({@code logs/rocketmqlogs/}, {@code rocketmq-console.log}). */
    public Path workDir() {
        return workDir;
    }

    /**
     * Stops the child JVM: at once when the work directory is temporary (it is then deleted), gracefully
     * (SIGTERM, up to 30 s, so the store is flushed) when the caller gave the work directory.
     */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // this call may be the hook itself
        }
        stop(process, ownsWorkDir ? Duration.ZERO : Duration.ofSeconds(30));
        try {
            childStdin.close();
        } catch (IOException ignored) {
            // the child is gone
        }
        if (ownsWorkDir) {
            WorkDirs.deleteRecursively(workDir);
        }
    }

    @Override
    public String toString() {
        return "RocketMqCluster[pid=" + process.pid() + ", namesrv=" + nameServerAddress() + ", proxyGrpc="
            + proxyGrpcEndpoint() + ", broker=" + brokerAddress() + ", workDir=" + workDir + "]";
    }

    private static Process launch(Options options, Path workDir, Ports ports, ChildClasspath classpath) throws IOException {
        Path brokerConfig = workDir.resolve("broker.conf");
        Path proxyConfig = workDir.resolve("proxy.json");
        writeBrokerConfig(brokerConfig, options, workDir, ports);
        Files.writeString(proxyConfig, proxyConfigJson(options, ports), StandardCharsets.UTF_8);

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + options.maxHeap);
        // a broker that ran out of memory is half alive: better dead, so that tests fail clearly
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-Duser.home=" + workDir);
        command.add("-Drocketmq.home.dir=" + workDir);
        command.add("-Dgantry.rocketmq.workDir=" + workDir);
        command.addAll(options.jvmArgs);
        command.add(RunnerProtocol.MAIN_CLASS);
        command.add(RunnerProtocol.ARG_NAMESRV_PORT);
        command.add(Integer.toString(ports.nameServer));
        command.add(RunnerProtocol.ARG_PROXY_CONFIG);
        command.add(proxyConfig.toString());
        command.add(RunnerProtocol.ARG_BROKER_CONFIG);
        command.add(brokerConfig.toString());
        command.add(RunnerProtocol.ARG_READY_TIMEOUT_SECONDS);
        command.add(Long.toString(Math.max(1, options.readyTimeout.toSeconds())));
        command.add(RunnerProtocol.ARG_EXIT_ON_STDIN_EOF);
        command.add("true");

        Path console = workDir.resolve(CONSOLE_LOG);
        Files.deleteIfExists(console);
        ProcessBuilder builder = new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()));
        // The classpath goes through the environment, which keeps the command line short and readable in ps.
        builder.environment().put("CLASSPATH", classpath.value());
        builder.environment().remove("ROCKETMQ_HOME");
        builder.environment().remove("NAMESRV_ADDR");
        builder.environment().remove("RMQ_PROXY_HOME");
        return builder.start();
    }

    private static void writeBrokerConfig(Path file, Options options, Path workDir, Ports ports) throws IOException {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("brokerClusterName", options.clusterName);
        config.put("brokerName", options.brokerName);
        config.put("brokerId", "0");
        config.put("brokerIP1", LOOPBACK);
        config.put("brokerIP2", LOOPBACK);
        config.put("bindAddress", LOOPBACK);
        config.put("listenPort", Integer.toString(ports.broker));
        config.put("haListenPort", Integer.toString(ports.ha));
        config.put("namesrvAddr", LOOPBACK + ":" + ports.nameServer);
        config.put("rocketmqHome", workDir.toString());
        config.put("storePathRootDir", workDir.resolve("store").toString());
        config.put("autoCreateTopicEnable", "false");
        // quick checks of orphan (half) transactions, relied on by transaction tests
        config.put("transactionCheckInterval", "3000");
        config.put("transactionTimeOut", "2000");
        // A recall deletes a delayed message from the timer wheel by message id alone unless the topic is
        // part of the key; message ids are chosen by senders, so without it one tenant could recall
        // another's delayed message (found by the gateway's security matrix). Every Gantry broker needs it.
        config.put("appendTopicForTimerDeleteKey", "true");
        config.putAll(authConfig(options));
        config.put("authenticationMetadataProvider",
            "org.apache.rocketmq.auth.authentication.provider.LocalAuthenticationMetadataProvider");
        config.putAll(options.brokerProperties);

        Properties properties = new Properties();
        properties.putAll(config);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, "written by " + RocketMqCluster.class.getName());
        }
    }

    private static String proxyConfigJson(Options options, Ports ports) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("rocketMQClusterName", options.clusterName);
        config.put("proxyName", options.clusterName + "-proxy");
        config.put("grpcServerPort", ports.proxyGrpc);
        config.put("remotingListenPort", ports.proxyRemoting);
        config.put("grpcShutdownTimeSeconds", 1);
        config.putAll(authConfig(options));
        config.put("authenticationMetadataProvider", "org.apache.rocketmq.proxy.auth.ProxyAuthenticationMetadataProvider");
        StringBuilder json = new StringBuilder("{\n");
        String separator = "";
        for (Map.Entry<String, Object> entry : config.entrySet()) {
            json.append(separator).append("  ").append(jsonString(entry.getKey())).append(": ");
            Object value = entry.getValue();
            json.append(value instanceof String s ? jsonString(s) : String.valueOf(value));
            separator = ",\n";
        }
        return json.append("\n}\n").toString();
    }

    private static Map<String, String> authConfig(Options options) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("authenticationEnabled", "true");
        config.put("authenticationProvider",
            "org.apache.rocketmq.auth.authentication.provider.DefaultAuthenticationProvider");
        config.put("initAuthenticationUser", "{\"username\":" + jsonString(options.adminAccessKey)
            + ",\"password\":" + jsonString(options.adminSecretKey) + "}");
        config.put("innerClientAuthenticationCredentials", "{\"accessKey\":" + jsonString(options.adminAccessKey)
            + ",\"secretKey\":" + jsonString(options.adminSecretKey) + "}");
        return config;
    }

    private static String jsonString(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static void awaitReady(Process process, Path workDir, Duration timeout) {
        ChildConsole.awaitReadyLine(process, workDir.resolve(CONSOLE_LOG), RunnerProtocol.READY_LINE,
                RunnerProtocol.FAILED_LINE, timeout, "RocketMQ", what -> startFailure(what, workDir));
    }

    private static IllegalStateException startFailure(String what, Path workDir) {
        Path logs = workDir.resolve("logs").resolve("rocketmqlogs");
        String nl = System.lineSeparator();
        return new IllegalStateException(what + " (work dir " + workDir + ")" + nl
            + "--- " + CONSOLE_LOG + " (end) ---" + nl + WorkDirs.tail(workDir.resolve(CONSOLE_LOG), 60) + nl
            + "--- proxy.log (end) ---" + nl + WorkDirs.tail(logs.resolve("proxy.log"), 25) + nl
            + "--- broker.log (end) ---" + nl + WorkDirs.tail(logs.resolve("broker.log"), 25));
    }

    private static void stop(Process process, Duration grace) {
        if (process.isAlive() && !grace.isZero()) {
            process.destroy();
            try {
                process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("RocketMQ child JVM " + process.pid() + " did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void cleanUpAfterFailure(Path workDir, boolean ownsWorkDir) {
        if (ownsWorkDir) {
            try {
                WorkDirs.deleteRecursively(workDir);
            } catch (UncheckedIOException ignored) {
                // the original failure matters more
            }
        }
    }

    /** Options of {@link RocketMqCluster#start(Options)}: a mutable builder, not shared between threads. */
    public static final class Options {

        private Path workDir;
        private String adminAccessKey = "gantry-admin-" + randomToken(8);
        private String adminSecretKey = randomToken(32);
        private String maxHeap = "512m";
        private String clusterName = "gantry-local";
        private String brokerName = "gantry-broker-a";
        private int nameServerPort;
        private int proxyGrpcPort;
        private int proxyRemotingPort;
        private int brokerPort;
        private int haPort;
        private Duration readyTimeout = Duration.ofSeconds(90);
        private final List<String> jvmArgs = new ArrayList<>();
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();

        private Options() {
        }

        /** A temporary work directory, random admin credentials, free ports, 512m heap, 90 s to start. */
        public static Options defaults() {
            return new Options();
        }

        /**
         * A work directory kept across runs (store, logs, configuration). The admin user is stored in the
         * broker's metadata the first time: later runs on the same directory must use the same credentials.
         * Default: a fresh temporary directory, deleted by {@link RocketMqCluster#close()}.
         */
        public Options workDir(Path workDir) {
            this.workDir = workDir;
            return this;
        }

        /** The super user's credentials. Default: random, generated for this cluster. */
        public Options adminCredentials(String accessKey, String secretKey) {
            this.adminAccessKey = requireText(accessKey, "accessKey");
            this.adminSecretKey = requireText(secretKey, "secretKey");
            return this;
        }

        /** -Xmx of the child JVM, e.g. "512m". */
        public Options maxHeap(String maxHeap) {
            this.maxHeap = requireText(maxHeap, "maxHeap");
            return this;
        }

        public Options clusterName(String clusterName) {
            this.clusterName = requireText(clusterName, "clusterName");
            return this;
        }

        public Options brokerName(String brokerName) {
            this.brokerName = requireText(brokerName, "brokerName");
            return this;
        }

        /** 0 (default) picks a free port. */
        public Options nameServerPort(int port) {
            this.nameServerPort = requirePort(port);
            return this;
        }

        /** 0 (default) picks a free port. */
        public Options proxyGrpcPort(int port) {
            this.proxyGrpcPort = requirePort(port);
            return this;
        }

        /** 0 (default) picks a free port. */
        public Options proxyRemotingPort(int port) {
            this.proxyRemotingPort = requirePort(port);
            return this;
        }

        /** 0 (default) picks a free port. The broker also listens on this port minus 2 (its "fast" channel). */
        public Options brokerPort(int port) {
            this.brokerPort = requirePort(port);
            return this;
        }

        /** 0 (default) picks a free port. */
        public Options haPort(int port) {
            this.haPort = requirePort(port);
            return this;
        }

        /** NameServer 9876, Proxy gRPC 8081, Proxy remoting 8080, Broker 10911 (and 10909), HA 10912. */
        public Options standardPorts() {
            return nameServerPort(STANDARD_NAME_SERVER_PORT)
                .proxyGrpcPort(STANDARD_PROXY_GRPC_PORT)
                .proxyRemotingPort(STANDARD_PROXY_REMOTING_PORT)
                .brokerPort(STANDARD_BROKER_PORT)
                .haPort(STANDARD_HA_PORT);
        }

        /** How long to wait for readiness. Default 90 s. */
        public Options readyTimeout(Duration readyTimeout) {
            if (readyTimeout == null || readyTimeout.isNegative() || readyTimeout.isZero()) {
                throw new IllegalArgumentException("readyTimeout must be positive");
            }
            this.readyTimeout = readyTimeout;
            return this;
        }

        /** An extra option for the child JVM, e.g. "-XX:+UseSerialGC". */
        public Options jvmArg(String arg) {
            this.jvmArgs.add(requireText(arg, "arg"));
            return this;
        }

        /** Sets or overrides a line of broker.conf (applied after Gantry's own settings). */
        public Options brokerProperty(String key, String value) {
            this.brokerProperties.put(requireText(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        boolean anyPortPicked() {
            return nameServerPort == 0 || proxyGrpcPort == 0 || proxyRemotingPort == 0 || brokerPort == 0 || haPort == 0;
        }

        private static int requirePort(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("not a port: " + port);
            }
            return port;
        }

        private static String requireText(String value, String name) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank");
            }
            return value;
        }

        private static String randomToken(int length) {
            String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
            SecureRandom random = new SecureRandom();
            StringBuilder token = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                token.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            return token.toString();
        }
    }

    /** The five ports of one start attempt. */
    private record Ports(int nameServer, int broker, int ha, int proxyGrpc, int proxyRemoting) {

        static Ports choose(Options options) {
            FreePorts free = new FreePorts();
            for (int fixed : new int[] {options.nameServerPort, options.brokerPort, options.haPort,
                options.proxyGrpcPort, options.proxyRemotingPort}) {
                if (fixed > 0) {
                    free.reserve(fixed);
                }
            }
            if (options.brokerPort > 0) {
                free.reserve(options.brokerPort - 2);
            }
            return new Ports(
                options.nameServerPort > 0 ? options.nameServerPort : free.pick(),
                options.brokerPort > 0 ? options.brokerPort : free.pick(2),
                options.haPort > 0 ? options.haPort : free.pick(),
                options.proxyGrpcPort > 0 ? options.proxyGrpcPort : free.pick(),
                options.proxyRemotingPort > 0 ? options.proxyRemotingPort : free.pick());
        }
    }

    /** The child's classpath: the RocketMQ server jars listed in the runner jar, plus the runner jar. */
    private record ChildClasspath(String value) {

        static ChildClasspath locate() {
            URL resource = RocketMqCluster.class.getClassLoader().getResource(RunnerProtocol.CLASSPATH_RESOURCE);
            if (resource == null) {
                throw new IllegalStateException(RunnerProtocol.CLASSPATH_RESOURCE + " not found: is "
                    + "io.gantry:local-stack-rocketmq-runner built (mvn install -pl local-stack/rocketmq-runner)?");
            }
            String serverClasspath;
            try (InputStream in = resource.openStream()) {
                serverClasspath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
            List<String> entries = new ArrayList<>();
            for (String entry : serverClasspath.split(java.io.File.pathSeparator)) {
                if (!entry.isBlank()) {
                    if (!Files.exists(Path.of(entry))) {
                        throw new IllegalStateException("RocketMQ server jar missing: " + entry
                            + " (listed in " + resource + "; rebuild local-stack/rocketmq-runner on this machine)");
                    }
                    entries.add(entry);
                }
            }
            entries.add(0, runnerRoot(resource).toString());
            return new ChildClasspath(String.join(java.io.File.pathSeparator, entries));
        }

        /** The jar or classes directory that holds the resource. */
        private static Path runnerRoot(URL resource) {
            try {
                if ("jar".equals(resource.getProtocol())) {
                    JarURLConnection connection = (JarURLConnection) resource.openConnection();
                    return Path.of(connection.getJarFileURL().toURI());
                }
                Path path = Path.of(resource.toURI());
                for (int i = 0; i < RunnerProtocol.CLASSPATH_RESOURCE.split("/").length; i++) {
                    path = path.getParent();
                }
                return path;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot locate the runner jar from " + resource, e);
            } catch (URISyntaxException e) {
                throw new IllegalStateException("cannot locate the runner jar from " + resource, e);
            }
        }
    }
}
