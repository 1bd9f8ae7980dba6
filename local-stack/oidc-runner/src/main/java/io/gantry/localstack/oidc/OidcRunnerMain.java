package io.gantry.localstack.oidc;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URL;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * Runs mock-oauth2-server on 127.0.0.1 with issuer {@value OidcRunnerProtocol#ISSUER_ID}, whose tokens
 * carry the subject and claims the token request asks for ({@link GantryTokenCallback}).
 *
 * <p>Meant to run in a child JVM started by a parent ({@code OidcTestServer} in local-stack-components):
 * mock-oauth2-server needs Jackson 3, okhttp 5 and Kotlin 2.2, which must not meet a Quarkus
 * application's own versions. Arguments and readiness line: {@link OidcRunnerProtocol}.
 *
 * <p>Exit codes: 0 on a normal stop (stdin closed), 2 on bad arguments, 3 when the discovery document
 * was not served in time, 4 when the server failed to start.
 */
public final class OidcRunnerMain {

    private static final String LOOPBACK = "127.0.0.1";

    private OidcRunnerMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        int port = number(options, OidcRunnerProtocol.ARG_PORT, 0);
        long readyTimeoutSeconds = number(options, OidcRunnerProtocol.ARG_READY_TIMEOUT_SECONDS, 60);
        boolean exitOnStdinEof = Boolean.parseBoolean(options.getOrDefault(OidcRunnerProtocol.ARG_EXIT_ON_STDIN_EOF, "true"));
        if (port > 65_535) {
            usage("not a port: " + port);
        }

        // slf4j-simple: mock-oauth2-server's warnings and errors only, on stderr
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));

        if (exitOnStdinEof) {
            watchParent();
        }

        OAuth2Config config = new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(), Set.of(new GantryTokenCallback()));
        MockOAuth2Server server = new MockOAuth2Server(config);
        try {
            // the host name given here is the one that appears in the issuer URL
            server.start(InetAddress.getByAddress(LOOPBACK, new byte[] {127, 0, 0, 1}), port);
        } catch (Exception e) {
            System.out.println(OidcRunnerProtocol.FAILED_LINE + " cannot listen on " + LOOPBACK + ":" + port + ": " + e);
            e.printStackTrace(System.out);
            System.out.flush();
            System.exit(4);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "gantry-oidc-shutdown"));

        String issuer = server.issuerUrl(OidcRunnerProtocol.ISSUER_ID).toString();
        URL discovery = new URL(server.wellKnownUrl(OidcRunnerProtocol.ISSUER_ID).toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(readyTimeoutSeconds);
        String last = "no answer yet";
        while (true) {
            try {
                int status = status(discovery);
                if (status == 200) {
                    break;
                }
                last = "HTTP " + status;
            } catch (IOException e) {
                last = e.toString();
            }
            if (System.nanoTime() > deadline) {
                System.out.println(OidcRunnerProtocol.FAILED_LINE + " " + discovery + " not served after "
                    + readyTimeoutSeconds + " s: " + last);
                System.out.flush();
                System.exit(3);
            }
            Thread.sleep(50);
        }
        System.out.println(OidcRunnerProtocol.READY_LINE
            + " port=" + discovery.getPort()
            + " issuer=" + issuer
            + " pid=" + ProcessHandle.current().pid());
        System.out.flush();
    }

    private static int status(URL url) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        connection.setConnectTimeout(2_000);
        connection.setReadTimeout(5_000);
        try (InputStream in = connection.getResponseCode() < 400 ? connection.getInputStream() : connection.getErrorStream()) {
            if (in != null) {
                in.readAllBytes();
            }
            return connection.getResponseCode();
        } finally {
            connection.disconnect();
        }
    }

    /**
     * Exits when standard input reaches end of file: the parent keeps the pipe open while it lives, so
     * the child does not outlive it. If the shutdown hooks hang, the JVM is halted.
     */
    private static void watchParent() {
        Thread watcher = new Thread(() -> {
            InputStream in = System.in;
            byte[] buffer = new byte[256];
            try {
                while (in.read(buffer) >= 0) {
                    // ignore anything the parent writes
                }
            } catch (IOException ignored) {
                // a broken pipe means the same as end of file
            }
            System.out.println("stdin closed: the parent is gone, stopping");
            System.out.flush();
            Thread halter = new Thread(() -> {
                try {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(10));
                } catch (InterruptedException ignored) {
                    // halt anyway
                }
                Runtime.getRuntime().halt(0);
            }, "gantry-halt-watchdog");
            halter.setDaemon(true);
            halter.start();
            System.exit(0);
        }, "gantry-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--") || i + 1 >= args.length) {
                usage("unexpected argument: " + name);
            }
            options.put(name, args[++i]);
        }
        return options;
    }

    private static int number(Map<String, String> options, String name, int fallback) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value.trim());
            if (number >= 0) {
                return number;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        usage(name + " must be a non-negative number: " + value);
        return fallback;
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: " + OidcRunnerProtocol.MAIN_CLASS
            + " [" + OidcRunnerProtocol.ARG_PORT + " PORT (0 = free)]"
            + " [" + OidcRunnerProtocol.ARG_READY_TIMEOUT_SECONDS + " SECONDS]"
            + " [" + OidcRunnerProtocol.ARG_EXIT_ON_STDIN_EOF + " true|false]");
        System.exit(2);
    }
}
