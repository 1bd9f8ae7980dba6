package io.gantry.localstack;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real S3 server for tests and the local stack: s3proxy (filesystem backend, SigV2/SigV4 checked) in a
 * child JVM on 127.0.0.1, started from its {@code jar-with-dependencies} (55 MB; never on a caller's
 * classpath). The jar is found through the system property {@code gantry.s3proxy.jar}, the variable
 * {@code GANTRY_S3PROXY_JAR}, or the local Maven repository
 * ({@code org/gaul/s3proxy/<version>/s3proxy-<version>-jar-with-dependencies.jar}); a module that uses
 * this class resolves it there with the dependency plugin (see trace-service/service's pom).
 *
 * <p>The child runs under {@code sh}, which kills it when this JVM's end of its standard input closes:
 * it does not outlive a killed parent. {@link #close()} stops it and, for a temporary data directory,
 * deletes the data. Thread-safe.
 */
public final class S3ProxyServer implements AutoCloseable {
    /** The s3proxy version looked for in the local Maven repository: keep in step with the root pom's s3proxy.version. */
    public static final String DEFAULT_VERSION = "4.1.0";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /** Where the data lives, which port, which credentials. */
    public record Options(Path dataDir, int port, String accessKey, String secretKey, String maxHeap) {
        public static Options defaults() {
            return new Options(null, 0, "gantry-" + random(4), random(16), "192m");
        }

        /** Data kept in this directory across restarts (default: a temporary one, deleted on close). */
        public Options dataDir(Path dir) {
            return new Options(dir, port, accessKey, secretKey, maxHeap);
        }

        /** 0 = a free port. */
        public Options port(int p) {
            return new Options(dataDir, p, accessKey, secretKey, maxHeap);
        }

        public Options credentials(String ak, String sk) {
            return new Options(dataDir, port, ak, sk, maxHeap);
        }

        public Options maxHeap(String heap) {
            return new Options(dataDir, port, accessKey, secretKey, heap);
        }
    }

    private final Process process;
    private final OutputStream childStdin;
    private final Path workDir;
    private final Path dataDir;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();

    private S3ProxyServer(Process process, Path workDir, Path dataDir, int port, Options options) {
        this.process = process;
        this.childStdin = process.getOutputStream();
        this.workDir = workDir;
        this.dataDir = dataDir;
        this.port = port;
        this.accessKey = options.accessKey();
        this.secretKey = options.secretKey();
        this.shutdownHook = new Thread(this::close, "gantry-s3proxy-" + process.pid() + "-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** A server on a free port with a temporary data directory and random credentials. */
    public static S3ProxyServer start() {
        return start(Options.defaults());
    }

    public static S3ProxyServer start(Options options) {
        Path jar = locateJar();
        boolean temporary = options.dataDir() == null;
        Path workDir = WorkDirs.createTemp("gantry-s3proxy-");
        Path dataDir = temporary ? workDir.resolve("data") : options.dataDir();
        FreePorts ports = new FreePorts();
        RuntimeException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = options.port() == 0 ? ports.pick() : options.port();
            Process process = null;
            try {
                Files.createDirectories(dataDir);
                process = launch(jar, workDir, dataDir, port, options);
                awaitReady(process, workDir, port);
                return new S3ProxyServer(process, workDir, dataDir, port, options);
            } catch (IOException e) {
                stop(process);
                last = new UncheckedIOException("cannot start s3proxy", e);
            } catch (RuntimeException e) {
                stop(process);
                last = e;
                String console = WorkDirs.tail(workDir.resolve("s3proxy-console.log"), 40);
                if (options.port() != 0 || !console.contains("Address already in use")) {
                    break;
                }
            }
        }
        WorkDirs.deleteRecursively(workDir);
        throw last;
    }

    /** The s3proxy jar (see the class comment for where it is looked for). */
    public static Path locateJar() {
        String given = System.getProperty("gantry.s3proxy.jar", System.getenv("GANTRY_S3PROXY_JAR"));
        if (given != null && !given.isBlank()) {
            Path p = Path.of(given);
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath();
            }
            throw new IllegalStateException("no s3proxy jar at " + p + " (gantry.s3proxy.jar / GANTRY_S3PROXY_JAR)");
        }
        String repo = System.getProperty("maven.repo.local", Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        Path p = Path.of(repo, "org", "gaul", "s3proxy", DEFAULT_VERSION, "s3proxy-" + DEFAULT_VERSION + "-jar-with-dependencies.jar");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("no s3proxy jar at " + p + ": resolve org.gaul:s3proxy:" + DEFAULT_VERSION
                    + ":jar:jar-with-dependencies with Maven, or set gantry.s3proxy.jar");
        }
        return p;
    }

    private static Process launch(Path jar, Path workDir, Path dataDir, int port, Options options) throws IOException {
        Path conf = workDir.resolve("s3proxy.conf");
        Files.writeString(conf, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + options.accessKey(),
                "s3proxy.credential=" + options.secretKey(),
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dataDir.toAbsolutePath(),
                ""), StandardCharsets.UTF_8);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // sh waits on its stdin (this JVM's pipe): when it closes, for whatever reason, the server goes too
        String script = "\"$0\" -Xmx" + options.maxHeap() + " -XX:+ExitOnOutOfMemoryError -jar \"$1\" --properties \"$2\" & child=$!; "
                + "trap 'kill $child 2>/dev/null' EXIT; cat >/dev/null; kill $child 2>/dev/null; wait $child";
        ProcessBuilder pb = new ProcessBuilder(List.of("sh", "-c", script, java, jar.toString(), conf.toString()))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("s3proxy-console.log").toFile());
        return pb.start();
    }

    private static void awaitReady(Process process, Path workDir, int port) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                // polled until the deadline
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("s3proxy exited with code " + process.exitValue() + " before it was ready:\n"
                        + WorkDirs.tail(workDir.resolve("s3proxy-console.log"), 40));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("s3proxy was not ready within " + READY_TIMEOUT.toSeconds() + " s:\n"
                        + WorkDirs.tail(workDir.resolve("s3proxy-console.log"), 40));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for s3proxy", e);
            }
        }
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** Buckets are directories here, objects files. */
    public Path dataDirectory() {
        return dataDir;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
        try {
            childStdin.close();
        } catch (IOException ignored) {
            // the child is stopped below anyway
        }
        stop(process);
        // configuration and console only; a given data directory lies elsewhere and is kept
        WorkDirs.deleteRecursively(workDir);
    }

    private static void stop(Process process) {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Override
    public String toString() {
        return "S3ProxyServer[" + endpoint() + ", data " + Objects.toString(dataDir) + "]";
    }
}
