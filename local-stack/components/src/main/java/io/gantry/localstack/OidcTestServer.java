package io.gantry.localstack;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gantry.localstack.oidc.OidcRunnerProtocol;

/**
 * A real OpenID Connect provider for tests: discovery document, JWKS and RS256-signed JWTs, served over
 * HTTP on 127.0.0.1 by mock-oauth2-server running in a child JVM.
 *
 * <p>mock-oauth2-server 6 needs Jackson 3 (with jackson-annotations 2.20+), okhttp 5, a recent okio
 * and Kotlin 2.2, which clash with what a Quarkus application under test has on its classpath; so its
 * classpath is read from the {@code runner.classpath} resource of the local-stack-oidc-runner jar and
 * it runs as a separate process. Tokens are asked of its real token endpoint
 * ({@code grant_type=client_credentials}, with the subject and claims as form parameters, see
 * {@link OidcRunnerProtocol}).
 *
 * <p>It signs whatever it is asked to and accepts any client credentials, so it belongs in tests, never
 * in a running stack.
 *
 * <p>The child exits by itself when this JVM dies (it watches its standard input). {@link #close()}
 * stops it and deletes its temporary directory.
 *
 * <p>Thread-safe.
 */
public final class OidcTestServer implements AutoCloseable {

    /** The issuer id: the last path segment of {@link #issuerUrl()}. */
    public static final String ISSUER_ID = OidcRunnerProtocol.ISSUER_ID;
    /** The {@code aud} of the tokens of {@link #token(String, String, String...)}. */
    public static final String AUDIENCE = OidcRunnerProtocol.DEFAULT_AUDIENCE;
    /** Lifetime of the tokens. */
    public static final Duration TOKEN_LIFETIME = Duration.ofSeconds(OidcRunnerProtocol.TOKEN_LIFETIME_SECONDS);

    private static final String LOOPBACK = "127.0.0.1";
    private static final String CONSOLE_LOG = "oidc-console.log";
    private static final String CLIENT_ID = "gantry-tests";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern READY_PORT = Pattern.compile("\\bport=(\\d+)");
    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

    private final Process process;
    private final OutputStream childStdin;
    private final Path workDir;
    private final String issuerUrl;
    private final HttpClient http;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();

    private OidcTestServer(Process process, Path workDir, int port) {
        this.process = process;
        // Kept open for the child's lifetime: its end of file tells the child to exit.
        this.childStdin = process.getOutputStream();
        this.workDir = workDir;
        this.issuerUrl = "http://" + LOOPBACK + ":" + port + "/" + ISSUER_ID;
        this.http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
        this.shutdownHook = new Thread(this::close, "gantry-oidc-" + process.pid() + "-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts a server on a free port of 127.0.0.1 and waits until it serves its discovery document.
     *
     * @throws IllegalStateException when the child dies or is not ready in time; the message carries
     *     the end of its output
     */
    public static OidcTestServer start() {
        String classpath = childClasspath();
        Path workDir = WorkDirs.createTemp("gantry-oidc-");
        Process process = null;
        try {
            process = launch(workDir, classpath);
            int port = awaitReady(process, workDir);
            return new OidcTestServer(process, workDir, port);
        } catch (IOException e) {
            stop(process);
            WorkDirs.deleteRecursively(workDir);
            throw new UncheckedIOException("cannot start the OIDC child JVM", e);
        } catch (RuntimeException | Error e) {
            stop(process);
            try {
                WorkDirs.deleteRecursively(workDir);
            } catch (UncheckedIOException ignored) {
                // the original failure matters more
            }
            throw e;
        }
    }

    /**
     * The issuer, e.g. {@code http://127.0.0.1:PORT/gantry}: the value of a Quarkus app's
     * {@code quarkus.oidc.auth-server-url}; discovery is at {@code <issuer>/.well-known/openid-configuration}.
     */
    public String issuerUrl() {
        return issuerUrl;
    }

    /** {@code <issuer>/.well-known/openid-configuration}. */
    public String discoveryUrl() {
        return issuerUrl + "/.well-known/openid-configuration";
    }

    public String jwksUrl() {
        return issuerUrl + "/jwks";
    }

    public String tokenEndpointUrl() {
        return issuerUrl + "/token";
    }

    /**
     * A signed access token (a JWT) of this issuer with {@code sub} and {@code preferred_username} =
     * subject, {@code tenant} (left out when null), {@code realm_access.roles} = roles, {@code aud} =
     * {@value #AUDIENCE}, valid for an hour.
     */
    public String token(String subject, String tenant, String... roles) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("preferred_username", subject);
        if (tenant != null) {
            claims.put("tenant", tenant);
        }
        claims.put("realm_access", Map.of("roles", List.of(roles)));
        return token(subject, claims);
    }

    /**
     * A signed access token with {@code sub} = subject, {@code aud} = {@value #AUDIENCE} (unless the
     * claims give {@code aud}: a string or a list), the issuer's {@code iss}, {@code iat}, {@code nbf},
     * {@code exp} (an hour), {@code jti}, {@code tid} = {@value #ISSUER_ID} and the given claims (values:
     * strings, numbers, booleans, lists, arrays and maps of them; {@link Instant} and {@link Date} become
     * seconds since the epoch). A {@code sub} among the claims is ignored.
     *
     * @throws IllegalStateException when the token endpoint refuses
     */
    public String token(String subject, Map<String, Object> claims) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(claims, "claims");
        if (closed.get()) {
            throw new IllegalStateException(this + " is closed");
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", CLIENT_ID);
        form.put("client_secret", CLIENT_ID);
        form.put(OidcRunnerProtocol.PARAM_SUBJECT, subject);
        form.put(OidcRunnerProtocol.PARAM_CLAIMS, Json.write(claims));
        StringBuilder body = new StringBuilder();
        for (Map.Entry<String, String> field : form.entrySet()) {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(tokenEndpointUrl()))
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
            .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("token request to " + tokenEndpointUrl() + " failed"
                + (process.isAlive() ? "" : " (the OIDC child JVM is gone)"), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + tokenEndpointUrl() + " for a token", e);
        }
        Matcher token = ACCESS_TOKEN.matcher(response.body());
        if (response.statusCode() != 200 || !token.find()) {
            throw new IllegalStateException("token endpoint " + tokenEndpointUrl() + " answered HTTP "
                + response.statusCode() + ": " + response.body());
        }
        // a JWT is base64url and dots: no JSON escapes to undo
        return token.group(1);
    }

    /** Process id of the child JVM (for tests of this module). */
    long pid() {
        return process.pid();
    }

    /** Stops the child JVM (at once: it keeps nothing) and deletes its temporary directory. Idempotent. */
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
        try {
            // end of file on its stdin: the child exits by itself
            childStdin.close();
        } catch (IOException ignored) {
            // the child is gone
        }
        try {
            process.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop(process);
        WorkDirs.deleteRecursively(workDir);
    }

    @Override
    public String toString() {
        return "OidcTestServer[" + issuerUrl + ", pid=" + process.pid() + "]";
    }

    private static Process launch(Path workDir, String classpath) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.add("-XX:+UseSerialGC");
        // a few requests per test run: the C1 compiler alone starts faster
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-Djava.io.tmpdir=" + workDir);
        command.add(OidcRunnerProtocol.MAIN_CLASS);
        command.add(OidcRunnerProtocol.ARG_PORT);
        command.add("0");
        command.add(OidcRunnerProtocol.ARG_READY_TIMEOUT_SECONDS);
        command.add(Long.toString(READY_TIMEOUT.toSeconds()));
        command.add(OidcRunnerProtocol.ARG_EXIT_ON_STDIN_EOF);
        command.add("true");
        ProcessBuilder builder = new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve(CONSOLE_LOG).toFile()));
        // The classpath goes through the environment, which keeps the command line short and readable in ps.
        builder.environment().put("CLASSPATH", classpath);
        return builder.start();
    }

    /** Waits for the readiness line and returns the port it gives. */
    private static int awaitReady(Process process, Path workDir) {
        Path console = workDir.resolve(CONSOLE_LOG);
        String line = ChildConsole.awaitReadyLine(process, console, OidcRunnerProtocol.READY_LINE,
                OidcRunnerProtocol.FAILED_LINE, READY_TIMEOUT, "the OIDC server", what -> startFailure(what, console));
        Matcher port = READY_PORT.matcher(line);
        if (!port.find()) {
            throw startFailure("the OIDC server's ready line names no port: " + line, console);
        }
        return Integer.parseInt(port.group(1));
    }

    private static IllegalStateException startFailure(String what, Path console) {
        String nl = System.lineSeparator();
        return new IllegalStateException(what + nl + "--- " + CONSOLE_LOG + " (end) ---" + nl + WorkDirs.tail(console, 60));
    }

    private static void stop(Process process) {
        if (process == null) {
            return;
        }
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("OIDC child JVM " + process.pid() + " did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** mock-oauth2-server's jars listed in the runner jar, plus the runner jar itself. */
    private static String childClasspath() {
        URL resource = OidcTestServer.class.getClassLoader().getResource(OidcRunnerProtocol.CLASSPATH_RESOURCE);
        if (resource == null) {
            throw new IllegalStateException(OidcRunnerProtocol.CLASSPATH_RESOURCE + " not found: is "
                + "io.gantry:local-stack-oidc-runner built (mvn install -pl local-stack/oidc-runner)?");
        }
        String serverClasspath;
        try (InputStream in = resource.openStream()) {
            serverClasspath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        List<String> entries = new ArrayList<>();
        entries.add(runnerRoot(resource).toString());
        for (String entry : serverClasspath.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                if (!Files.exists(Path.of(entry))) {
                    throw new IllegalStateException("mock-oauth2-server jar missing: " + entry
                        + " (listed in " + resource + "; rebuild local-stack/oidc-runner on this machine)");
                }
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The jar or classes directory that holds the resource. */
    private static Path runnerRoot(URL resource) {
        try {
            if ("jar".equals(resource.getProtocol())) {
                JarURLConnection connection = (JarURLConnection) resource.openConnection();
                connection.setUseCaches(false);
                return Path.of(connection.getJarFileURL().toURI());
            }
            Path path = Path.of(resource.toURI());
            for (int i = 0; i < OidcRunnerProtocol.CLASSPATH_RESOURCE.split("/").length; i++) {
                path = path.getParent();
            }
            return path;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot locate the runner jar from " + resource, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the runner jar from " + resource, e);
        }
    }

    /** A minimal JSON writer for claim values. */
    static final class Json {

        private Json() {
        }

        static String write(Object value) {
            StringBuilder out = new StringBuilder();
            write(value, out);
            return out.toString();
        }

        private static void write(Object value, StringBuilder out) {
            if (value == null) {
                out.append("null");
            } else if (value instanceof CharSequence || value instanceof Character || value instanceof Enum<?>
                || value instanceof URI || value instanceof URL) {
                string(value.toString(), out);
            } else if (value instanceof Boolean) {
                out.append(value);
            } else if (value instanceof Double || value instanceof Float) {
                double number = ((Number) value).doubleValue();
                if (Double.isNaN(number) || Double.isInfinite(number)) {
                    throw new IllegalArgumentException("not a JSON number: " + value);
                }
                out.append(value);
            } else if (value instanceof Number) {
                // Integer, Long, Short, Byte, BigInteger, BigDecimal, atomics: their forms are JSON numbers
                out.append(value);
            } else if (value instanceof Instant instant) {
                out.append(instant.getEpochSecond());
            } else if (value instanceof Date date) {
                out.append(date.getTime() / 1000);
            } else if (value instanceof Map<?, ?> map) {
                out.append('{');
                String separator = "";
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    out.append(separator);
                    string(String.valueOf(entry.getKey()), out);
                    out.append(':');
                    write(entry.getValue(), out);
                    separator = ",";
                }
                out.append('}');
            } else if (value instanceof Iterable<?> items) {
                out.append('[');
                String separator = "";
                for (Object item : items) {
                    out.append(separator);
                    write(item, out);
                    separator = ",";
                }
                out.append(']');
            } else if (value.getClass().isArray()) {
                out.append('[');
                for (int i = 0; i < Array.getLength(value); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(Array.get(value, i), out);
                }
                out.append(']');
            } else {
                throw new IllegalArgumentException("cannot put a " + value.getClass().getName()
                    + " in a token claim: use strings, numbers, booleans, lists and maps");
            }
        }

        private static void string(String value, StringBuilder out) {
            out.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    default -> {
                        if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }
}
