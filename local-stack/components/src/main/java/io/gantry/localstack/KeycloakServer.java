package io.gantry.localstack;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs a local Keycloak (the OIDC provider of the one-command local stack) as a child process.
 *
 * <p>JDK only, no dependencies. What it does, in order:
 * <ol>
 *   <li>finds a Java 21+ runtime (Keycloak 26 needs one; Gantry itself runs on 17), see
 *       {@link #findJavaHome(Map, Consumer)};</li>
 *   <li>makes sure {@code <stateDir>/keycloak/keycloak-26.7.3} exists: unpacks the
 *       {@code org.keycloak:keycloak-quarkus-dist:26.7.3:tar.gz} from the local Maven repository,
 *       fetching it first with {@code mvn dependency:get} when absent;</li>
 *   <li>copies the realm file to {@code data/import/} and starts {@code kc.sh start-dev} on
 *       127.0.0.1 with {@code --import-realm}, the issuer pinned to
 *       {@code http://127.0.0.1:<port>/realms/gantry};</li>
 *   <li>waits for the realm's discovery document, reporting progress every ~5 s.</li>
 * </ol>
 * Keycloak keeps its built server and its H2 database in the distribution directory, so only the
 * first start is slow (one-time build). Keycloak's import skips a realm that already exists: when
 * the realm file differs from the one last imported, the dev database is deleted so that the new
 * file takes effect.
 *
 * <p>{@link #close()} stops the process tree it started. A JVM shutdown hook does the same unless
 * disabled with {@link Options#shutdownHook(boolean)}.
 *
 * <p>To use an existing OIDC provider instead, set {@code GANTRY_OIDC_ISSUER}; see
 * {@link #externalIssuerFromEnv()}.
 */
public final class KeycloakServer implements AutoCloseable {

    public static final String KEYCLOAK_VERSION = "26.7.3";
    public static final String REALM = "gantry";
    public static final String CLI_CLIENT_ID = "gantry-cli";
    public static final int MIN_JAVA_FEATURE = 21;
    /** Demo users of {@code gantry-realm.json}; each one's password is {@code <username>-pw}. */
    public static final List<String> DEMO_USERS =
            List.of("acme-admin", "acme-viewer", "globex-admin", "globex-viewer", "operator");

    public static final String ENV_JAVA_HOME = "GANTRY_KEYCLOAK_JAVA_HOME";
    public static final String ENV_OIDC_ISSUER = "GANTRY_OIDC_ISSUER";
    /** Extra JVM options for Keycloak (passed as {@code JAVA_OPTS_APPEND}). */
    public static final String ENV_JAVA_OPTS = "GANTRY_KEYCLOAK_JAVA_OPTS";

    static final String DIST_GROUP_PATH = "org/keycloak/keycloak-quarkus-dist/" + KEYCLOAK_VERSION;
    static final String DIST_FILE = "keycloak-quarkus-dist-" + KEYCLOAK_VERSION + ".tar.gz";
    static final String DIST_COORDINATES = "org.keycloak:keycloak-quarkus-dist:" + KEYCLOAK_VERSION + ":tar.gz";
    static final String REALM_RESOURCE = "keycloak/gantry-realm.json";
    private static final String REALM_FILE_NAME = "gantry-realm.json";
    private static final String REALM_HASH_FILE = ".gantry-realm.sha256";
    /** Written after the first successful start: Keycloak has built itself in the distribution dir. */
    private static final String STARTED_MARKER = ".gantry-started";

    private final Options options;
    private final int port;
    private final Path home;
    private final Path logFile;
    private final Path pidFile;
    private final JavaRuntime javaRuntime;
    private final Process process;
    private final Thread shutdownHook;
    private volatile Duration startupTime;
    private volatile boolean closed;

    private KeycloakServer(Options options, int port, Path home, Path logFile, Path pidFile, JavaRuntime java,
                           Process process, Thread shutdownHook) {
        this.options = options;
        this.port = port;
        this.home = home;
        this.logFile = logFile;
        this.pidFile = pidFile;
        this.javaRuntime = java;
        this.process = process;
        this.shutdownHook = shutdownHook;
    }

    // ------------------------------------------------------------------------------------------
    // Options
    // ------------------------------------------------------------------------------------------

    /** Start options; {@link #stateDir} is the only one without a default. */
    public static final class Options {
        private Path stateDir;
        private int port;
        private Path realmFile;
        private Duration startTimeout = Duration.ofMinutes(5);
        private Consumer<String> progress = System.out::println;
        private Map<String, String> env = System.getenv();
        private Path mavenRepository;
        private String mavenCommand = "mvn";
        private String adminUser = "admin";
        private String adminPassword = "admin";
        private boolean shutdownHook = true;

        /** Directory for the distribution, its database, the log and the pid file. Required. */
        public Options stateDir(Path dir) { this.stateDir = dir; return this; }
        /** HTTP port on 127.0.0.1; 0 (default) picks a free one. */
        public Options port(int port) { this.port = port; return this; }
        /** The realm JSON; default: classpath resource {@code keycloak/gantry-realm.json}. */
        public Options realmFile(Path file) { this.realmFile = file; return this; }
        /** How long to wait for Keycloak to answer (default 5 min: a first start builds the server). */
        public Options startTimeout(Duration timeout) { this.startTimeout = timeout; return this; }
        /** Receives human-readable progress lines (default: System.out). */
        public Options progress(Consumer<String> progress) { this.progress = progress; return this; }
        /** Environment used to find Java and Maven (default: System.getenv()). */
        public Options env(Map<String, String> env) { this.env = env; return this; }
        /** Local Maven repository (default: -Dmaven.repo.local, else ~/.m2/repository). */
        public Options mavenRepository(Path repo) { this.mavenRepository = repo; return this; }
        /** Maven executable used to fetch the distribution when absent (default {@code mvn}). */
        public Options mavenCommand(String command) { this.mavenCommand = command; return this; }
        /** Bootstrap admin of the master realm, created on a fresh database only (default admin/admin). */
        public Options admin(String user, String password) { this.adminUser = user; this.adminPassword = password; return this; }
        /** Stop Keycloak when this JVM exits (default true). */
        public Options shutdownHook(boolean enabled) { this.shutdownHook = enabled; return this; }
    }

    public static Options options() {
        return new Options();
    }

    // ------------------------------------------------------------------------------------------
    // Start
    // ------------------------------------------------------------------------------------------

    /** Starts Keycloak with default options in {@code stateDir}. */
    public static KeycloakServer start(Path stateDir) throws IOException, InterruptedException, TimeoutException {
        return start(options().stateDir(stateDir));
    }

    /**
     * Starts Keycloak and returns once the {@code gantry} realm's discovery document answers.
     *
     * @throws NoSuitableJavaException when no Java 21+ runtime is found (the message says what to do)
     * @throws TimeoutException        when Keycloak does not answer within the start timeout (it is stopped)
     * @throws IOException             when the distribution cannot be obtained or Keycloak exits early
     */
    public static KeycloakServer start(Options options) throws IOException, InterruptedException, TimeoutException {
        Objects.requireNonNull(options.stateDir, "stateDir");
        Consumer<String> progress = options.progress == null ? s -> { } : options.progress;
        Path stateDir = options.stateDir.toAbsolutePath().normalize();
        Path kcDir = stateDir.resolve("keycloak");
        Files.createDirectories(kcDir);

        JavaRuntime java = findJavaHome(options.env, progress);
        progress.accept("Keycloak: using Java " + java.feature() + " at " + java.home());

        Path home = ensureDistribution(options, kcDir, progress);
        Path pidFile = kcDir.resolve("keycloak.pid");
        stopStaleProcess(pidFile, home, progress);
        String realmHash = installRealm(options, home, progress);

        int port = options.port != 0 ? options.port : freePort();
        if (!isPortFree(port)) {
            throw new IOException("Keycloak: port " + port + " on 127.0.0.1 is already in use");
        }
        Path logFile = kcDir.resolve("keycloak.log");
        String base = "http://127.0.0.1:" + port;

        List<String> command = List.of(
                home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-host=127.0.0.1", "--http-port=" + port,
                // pin the issuer: tokens say 127.0.0.1 even when fetched through "localhost"
                "--hostname=" + base,
                "--import-realm");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", java.home().toString());
        env.remove("JAVA_OPTS"); // would replace Keycloak's own JVM defaults (heap, GC, ...)
        String extraOpts = options.env.get(ENV_JAVA_OPTS);
        if (extraOpts != null && !extraOpts.isBlank()) {
            env.put("JAVA_OPTS_APPEND", extraOpts);
        }
        if (options.adminUser != null) {
            env.put("KC_BOOTSTRAP_ADMIN_USERNAME", options.adminUser);
            env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", options.adminPassword);
        }

        progress.accept("Keycloak: starting on " + base + " (log: " + logFile + ")");
        long t0 = System.nanoTime();
        Process process = pb.start();
        Files.writeString(pidFile, Long.toString(process.pid()));

        Thread hook = null;
        if (options.shutdownHook) {
            hook = new Thread(() -> destroyTree(process.toHandle(), Duration.ofSeconds(20)), "keycloak-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
        }
        KeycloakServer server = new KeycloakServer(options, port, home, logFile, pidFile, java, process, hook);
        try {
            server.awaitReady(options.startTimeout, t0, progress);
        } catch (IOException | TimeoutException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        server.startupTime = Duration.ofNanos(System.nanoTime() - t0);
        Files.writeString(home.resolve(STARTED_MARKER), server.startupTime.toString());
        // recorded only now: a start that failed half-way through the import gets a fresh database next time
        Files.writeString(home.resolve("data/import").resolve(REALM_HASH_FILE), realmHash);
        progress.accept("Keycloak: ready after " + server.startupTime.toSeconds() + " s, issuer " + server.issuerUrl());
        return server;
    }

    private void awaitReady(Duration timeout, long t0, Consumer<String> progress)
            throws IOException, InterruptedException, TimeoutException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(discoveryUrl()))
                .timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = t0 + timeout.toNanos();
        long nextReport = t0 + TimeUnit.SECONDS.toNanos(5);
        boolean builtBefore = Files.exists(home.resolve(STARTED_MARKER));
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("Keycloak exited with status " + process.exitValue()
                        + " before it was ready. Last lines of " + logFile + ":\n" + tail(logFile, 30));
            }
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    String expected = "\"issuer\":\"" + issuerUrl() + "\"";
                    if (!response.body().replace(" ", "").contains(expected)) {
                        throw new IOException("Keycloak answered with an unexpected issuer: " + response.body());
                    }
                    return;
                }
            } catch (IOException notYet) {
                // connection refused while starting
            }
            long now = System.nanoTime();
            if (now - deadline > 0) {
                throw new TimeoutException("Keycloak did not answer " + discoveryUrl() + " within "
                        + timeout.toSeconds() + " s. Last lines of " + logFile + ":\n" + tail(logFile, 30));
            }
            if (now - nextReport >= 0) {
                long elapsed = TimeUnit.NANOSECONDS.toSeconds(now - t0);
                progress.accept("Keycloak: still starting, " + elapsed + " s"
                        + (builtBefore ? "" : " (the first start builds the server, ~1-2 min)"));
                nextReport += TimeUnit.SECONDS.toNanos(5);
            }
            Thread.sleep(500);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Accessors
    // ------------------------------------------------------------------------------------------

    public int port() { return port; }

    public String baseUrl() { return "http://127.0.0.1:" + port; }

    /** {@code http://127.0.0.1:<port>/realms/gantry}: the {@code iss} of every token. */
    public String issuerUrl() { return baseUrl() + "/realms/" + REALM; }

    public String tokenUrl() { return issuerUrl() + "/protocol/openid-connect/token"; }

    public String discoveryUrl() { return issuerUrl() + "/.well-known/openid-configuration"; }

    public String jwksUrl() { return issuerUrl() + "/protocol/openid-connect/certs"; }

    /** The admin console (log in with the bootstrap admin, default admin/admin). */
    public String adminConsoleUrl() { return baseUrl() + "/admin/"; }

    /** The unpacked distribution, {@code <stateDir>/keycloak/keycloak-26.7.3}. */
    public Path home() { return home; }

    public Path logFile() { return logFile; }

    public Path javaHome() { return javaRuntime.home(); }

    /** Pid of the {@code kc.sh} process (the JVM is its child). */
    public long pid() { return process.pid(); }

    /** From process start to the discovery document answering. */
    public Duration startupTime() { return startupTime; }

    public boolean isRunning() { return !closed && process.isAlive(); }

    /** Shell command that prints an access token of a demo user (password {@code <username>-pw}). */
    public String tokenCurlCommand(String username) {
        return tokenCurlCommand(username, username + "-pw");
    }

    /**
     * Shell command that prints an access token for {@code username} (password grant on
     * {@code gantry-cli}); needs only curl and sed.
     */
    public String tokenCurlCommand(String username, String password) {
        return "curl -s -d grant_type=password -d client_id=" + CLI_CLIENT_ID
                + " -d username=" + shellQuote(username) + " -d password=" + shellQuote(password)
                + " " + tokenUrl()
                + " | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/'";
    }

    /** Fetches an access token with the password grant (JDK HTTP client). */
    public String fetchAccessToken(String username, String password) throws IOException, InterruptedException {
        String form = "grant_type=password&client_id=" + CLI_CLIENT_ID
                + "&username=" + URLEncoder.encode(username, StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(tokenUrl()))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"").matcher(response.body());
        if (response.statusCode() != 200 || !m.find()) {
            throw new IOException("token request for " + username + " failed: HTTP " + response.statusCode()
                    + " " + response.body());
        }
        return m.group(1);
    }

    /**
     * The issuer of an external OIDC provider from {@code GANTRY_OIDC_ISSUER}; when present the
     * local stack should not start Keycloak.
     */
    public static Optional<String> externalIssuerFromEnv() {
        return Optional.ofNullable(System.getenv(ENV_OIDC_ISSUER)).map(String::trim).filter(s -> !s.isEmpty());
    }

    // ------------------------------------------------------------------------------------------
    // Stop
    // ------------------------------------------------------------------------------------------

    /** Stops Keycloak (the JVM that kc.sh spawned, then kc.sh) and waits for both to exit. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to
            }
        }
        if (options.progress != null && process.isAlive()) {
            options.progress.accept("Keycloak: stopping (pid " + process.pid() + ")");
        }
        destroyTree(process.toHandle(), Duration.ofSeconds(20));
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** SIGTERM to the descendants (deepest first), then the process; SIGKILL whatever is left after {@code grace}. */
    static void destroyTree(ProcessHandle root, Duration grace) {
        List<ProcessHandle> tree = new ArrayList<>(root.descendants().collect(Collectors.toList()));
        Collections.reverse(tree); // descendants() lists parents before children
        tree.add(root);
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle p : tree) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    p.onExit().get(left, TimeUnit.NANOSECONDS);
                }
            } catch (Exception timeoutOrInterrupt) {
                if (timeoutOrInterrupt instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // gave up
            }
        }
    }

    /** Kills a Keycloak a previous (crashed) launcher left running on this state dir: it would hold the H2 lock. */
    private static void stopStaleProcess(Path pidFile, Path home, Consumer<String> progress) throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            if (handle.isPresent() && handle.get().isAlive()) {
                String cmd = handle.get().info().commandLine().orElse("");
                if (cmd.contains(home.toString())) {
                    progress.accept("Keycloak: stopping a previous instance left running (pid " + pid + ")");
                    destroyTree(handle.get(), Duration.ofSeconds(20));
                }
            }
        } catch (NumberFormatException ignored) {
            // garbage pid file
        }
        Files.deleteIfExists(pidFile);
    }

    // ------------------------------------------------------------------------------------------
    // Java 21+ runtime
    // ------------------------------------------------------------------------------------------

    /** A Java installation and its feature version (21, 25, ...). */
    public record JavaRuntime(Path home, int feature) { }

    /** Thrown when no Java 21+ runtime is found; the message says how to fix it. */
    public static final class NoSuitableJavaException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public NoSuitableJavaException(String message) {
            super(message);
        }
    }

    /**
     * Finds a Java 21+ runtime for Keycloak: {@code GANTRY_KEYCLOAK_JAVA_HOME} (must be 21+ when set),
     * then {@code JAVA_HOME} if 21+, then the current JVM if 21+, then the highest 21+ found under the
     * usual install locations ({@code /usr/lib/jvm/*}, {@code /opt/java/*}, ...).
     */
    public static JavaRuntime findJavaHome(Map<String, String> env, Consumer<String> progress) {
        String explicit = env.get(ENV_JAVA_HOME);
        if (explicit != null && !explicit.isBlank()) {
            Path home = Path.of(explicit.trim());
            int feature = javaFeature(home);
            if (feature >= MIN_JAVA_FEATURE) {
                return new JavaRuntime(home, feature);
            }
            throw new NoSuitableJavaException(ENV_JAVA_HOME + "=" + explicit + " is not a Java "
                    + MIN_JAVA_FEATURE + "+ installation ("
                    + (feature < 0 ? "no working bin/java there" : "it is Java " + feature) + ").\n"
                    + howToFixJava());
        }
        String javaHome = env.get("JAVA_HOME");
        if (javaHome != null && !javaHome.isBlank()) {
            Path home = Path.of(javaHome.trim());
            int feature = javaFeature(home);
            if (feature >= MIN_JAVA_FEATURE) {
                return new JavaRuntime(home, feature);
            }
        }
        if (Runtime.version().feature() >= MIN_JAVA_FEATURE) {
            Path home = Path.of(System.getProperty("java.home"));
            if (Files.isExecutable(home.resolve("bin/java"))) {
                return new JavaRuntime(home, Runtime.version().feature());
            }
        }
        Optional<JavaRuntime> found = scanForJava(env);
        if (found.isPresent()) {
            return found.get();
        }
        throw new NoSuitableJavaException("Keycloak " + KEYCLOAK_VERSION + " needs Java " + MIN_JAVA_FEATURE
                + " or newer, and none was found (looked at " + ENV_JAVA_HOME + ", JAVA_HOME, the running Java "
                + Runtime.version().feature() + " and " + String.join(", ", searchRoots(env).stream()
                        .map(Path::toString).collect(Collectors.toList())) + ").\n" + howToFixJava());
    }

    private static String howToFixJava() {
        return "Do one of:\n"
                + "  1. Install a Java 21+ runtime, e.g. `sudo apt-get install openjdk-21-jdk-headless` (Debian/Ubuntu),\n"
                + "     `sudo dnf install java-21-openjdk-headless` (Fedora/RHEL), `brew install openjdk@21` (macOS),\n"
                + "     or Eclipse Temurin 21/25 from https://adoptium.net/ ; it is then found under /usr/lib/jvm or /opt/java.\n"
                + "  2. Point at an existing one: " + ENV_JAVA_HOME + "=/path/to/jdk-21 (the directory that contains bin/java).\n"
                + "  3. Use your own OIDC provider instead of the bundled Keycloak: "
                + ENV_OIDC_ISSUER + "=https://idp.example.com/realms/gantry\n"
                + "     (the local stack then skips Keycloak; tokens need the claims described in local-stack/keycloak/README.md).";
    }

    private static List<Path> searchRoots(Map<String, String> env) {
        List<Path> roots = new ArrayList<>(List.of(
                Path.of("/usr/lib/jvm"), Path.of("/usr/java"), Path.of("/opt/java"), Path.of("/opt"),
                Path.of("/usr/local/lib/jvm"), Path.of("/Library/Java/JavaVirtualMachines")));
        String userHome = env.getOrDefault("HOME", System.getProperty("user.home"));
        if (userHome != null) {
            Path h = Path.of(userHome);
            roots.add(h.resolve(".sdkman/candidates/java"));
            roots.add(h.resolve(".jdks"));
            roots.add(h.resolve(".local/share/mise/installs/java"));
            roots.add(h.resolve(".asdf/installs/java"));
        }
        return roots;
    }

    static Optional<JavaRuntime> scanForJava(Map<String, String> env) {
        Set<Path> seen = new LinkedHashSet<>();
        List<JavaRuntime> candidates = new ArrayList<>();
        for (Path root : searchRoots(env)) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(root)) {
                for (Path child : children) {
                    for (Path home : List.of(child, child.resolve("Contents/Home"))) {
                        if (!Files.isExecutable(home.resolve("bin/java"))) {
                            continue;
                        }
                        Path real;
                        try {
                            real = home.toRealPath();
                        } catch (IOException e) {
                            continue;
                        }
                        if (!seen.add(real)) {
                            continue;
                        }
                        int feature = javaFeature(home);
                        if (feature >= MIN_JAVA_FEATURE) {
                            candidates.add(new JavaRuntime(home, feature));
                        }
                    }
                }
            } catch (IOException | UncheckedIOException ignored) {
                // unreadable directory
            }
        }
        return candidates.stream()
                .max(Comparator.comparingInt(JavaRuntime::feature).thenComparing(r -> r.home().toString()));
    }

    /** Feature version of the Java at {@code home} (from its {@code release} file, else {@code java -version}); -1 if none. */
    static int javaFeature(Path home) {
        Path javaBin = home.resolve("bin/java");
        if (!Files.isExecutable(javaBin)) {
            return -1;
        }
        Path release = home.resolve("release");
        if (Files.isRegularFile(release)) {
            try (Stream<String> lines = Files.lines(release)) {
                Optional<String> v = lines.filter(l -> l.startsWith("JAVA_VERSION="))
                        .map(l -> l.substring("JAVA_VERSION=".length()).replace("\"", "").trim())
                        .findFirst();
                if (v.isPresent()) {
                    int f = parseFeature(v.get());
                    if (f > 0) {
                        return f;
                    }
                }
            } catch (IOException | UncheckedIOException ignored) {
                // fall back to running it
            }
        }
        try {
            Process p = new ProcessBuilder(javaBin.toString(), "-version").redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            Matcher m = Pattern.compile("version \"([^\"]+)\"").matcher(out);
            return m.find() ? parseFeature(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static int parseFeature(String version) {
        Matcher m = Pattern.compile("^(\\d+)(?:\\.(\\d+))?").matcher(version.trim());
        if (!m.find()) {
            return -1;
        }
        int first = Integer.parseInt(m.group(1));
        if (first == 1 && m.group(2) != null) {
            return Integer.parseInt(m.group(2)); // 1.8.0_402 -> 8
        }
        return first;
    }

    // ------------------------------------------------------------------------------------------
    // Distribution and realm
    // ------------------------------------------------------------------------------------------

    private static Path ensureDistribution(Options options, Path kcDir, Consumer<String> progress)
            throws IOException, InterruptedException {
        Path home = kcDir.resolve("keycloak-" + KEYCLOAK_VERSION);
        if (Files.isRegularFile(home.resolve("bin/kc.sh"))) {
            return home;
        }
        Path repo = options.mavenRepository != null ? options.mavenRepository : defaultMavenRepository(options.env);
        Path tarball = repo.resolve(DIST_GROUP_PATH).resolve(DIST_FILE);
        if (!Files.isRegularFile(tarball)) {
            progress.accept("Keycloak: downloading " + DIST_COORDINATES + " (~176 MB) with Maven");
            List<String> mvn = new ArrayList<>(List.of(options.mavenCommand, "-q", "dependency:get",
                    // the dist pom's dependencies are not needed (and not all resolvable): only the tar.gz
                    "-Dtransitive=false", "-Dartifact=" + DIST_COORDINATES));
            if (options.mavenRepository != null) {
                mvn.add("-Dmaven.repo.local=" + options.mavenRepository.toAbsolutePath());
            }
            int status;
            try {
                status = new ProcessBuilder(mvn).directory(kcDir.toFile()).inheritIO().start().waitFor();
            } catch (IOException e) {
                throw new IOException("Keycloak: cannot run `" + options.mavenCommand + "` to download "
                        + DIST_COORDINATES + " (" + e.getMessage() + "). Install Maven, or put the file at "
                        + tarball + ", or set " + ENV_OIDC_ISSUER + " to use another OIDC provider.", e);
            }
            if (status != 0 || !Files.isRegularFile(tarball)) {
                throw new IOException("Keycloak: `" + String.join(" ", mvn) + "` failed (status " + status
                        + "); expected " + tarball);
            }
        }
        progress.accept("Keycloak: unpacking " + tarball.getFileName() + " into " + kcDir);
        Path tmp = Files.createTempDirectory(kcDir, ".unpack-");
        try {
            Process tar = new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", tmp.toString())
                    .redirectErrorStream(true).start();
            String out;
            try (InputStream in = tar.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            int status = tar.waitFor();
            Path unpacked = tmp.resolve("keycloak-" + KEYCLOAK_VERSION);
            if (status != 0 || !Files.isRegularFile(unpacked.resolve("bin/kc.sh"))) {
                throw new IOException("Keycloak: unpacking " + tarball + " failed (tar status " + status + "): " + out);
            }
            // move only a complete tree into place, so an interrupted unpack is never mistaken for a good one
            Files.move(unpacked, home, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteRecursively(tmp);
        }
        return home;
    }

    private static Path defaultMavenRepository(Map<String, String> env) {
        String prop = System.getProperty("maven.repo.local");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String userHome = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(userHome, ".m2", "repository");
    }

    /** Copies the realm into data/import; resets the dev database unless it holds exactly this realm. Returns its hash. */
    private static String installRealm(Options options, Path home, Consumer<String> progress) throws IOException {
        byte[] realm;
        if (options.realmFile != null) {
            realm = Files.readAllBytes(options.realmFile);
        } else {
            try (InputStream in = resource(REALM_RESOURCE)) {
                if (in == null) {
                    throw new IOException("Keycloak: no realm file given and no classpath resource " + REALM_RESOURCE);
                }
                realm = in.readAllBytes();
            }
        }
        Path importDir = home.resolve("data/import");
        Files.createDirectories(importDir);
        String hash = sha256(realm);
        Path hashFile = importDir.resolve(REALM_HASH_FILE);
        String previous = Files.exists(hashFile) ? Files.readString(hashFile).trim() : null;
        Path h2 = home.resolve("data/h2");
        if (!hash.equals(previous) && Files.exists(h2)) {
            // --import-realm skips realms that exist; start from a fresh dev database so the new file applies
            progress.accept(previous == null
                    ? "Keycloak: the last start did not complete, resetting the dev database"
                    : "Keycloak: realm file changed, resetting the dev database so it is re-imported");
            deleteRecursively(h2);
        }
        Files.deleteIfExists(hashFile);
        Files.write(importDir.resolve(REALM_FILE_NAME), realm);
        return hash;
    }

    private static InputStream resource(String name) {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        InputStream in = cl == null ? null : cl.getResourceAsStream(name);
        return in != null ? in : KeycloakServer.class.getResourceAsStream("/" + name);
    }

    // ------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    private static boolean isPortFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String shellQuote(String s) {
        if (s.matches("[A-Za-z0-9@%+=:,./_-]+")) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String tail(Path file, int lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            List<String> all = r.lines().collect(Collectors.toList());
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public String toString() {
        return "KeycloakServer[" + issuerUrl() + ", pid " + process.pid() + (isRunning() ? "" : ", stopped") + "]";
    }
}
