package io.gantry.sdktests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A process this harness started (a control plane, a gateway), with its output in a log file.
 *
 * <p>Stopped only through its own {@link Process} handle, never by name. Java children carry a
 * {@code -Dgantry.sdktests.child=<id>} marker and are recorded in a ledger file: when a test JVM is
 * killed before it could stop them, the next run stops exactly those (a pid whose command line still
 * carries the marker), nothing else.
 */
public final class ChildProcess implements AutoCloseable {

    private static final String MARKER_PROPERTY = "-Dgantry.sdktests.child=";

    private final String name;
    private final Process process;
    private final Path log;
    private final Path ledger;
    private final String marker;

    private ChildProcess(String name, Process process, Path log, Path ledger, String marker) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.ledger = ledger;
        this.marker = marker;
    }

    /**
     * Starts {@code java <jvmArgs> <marker> <args>} with the extra environment, output appended to {@code log}.
     * The pid is written to {@code ledger} (one line "pid marker" per child).
     */
    public static ChildProcess startJava(String name, List<String> jvmArgs, List<String> args, Map<String, String> env,
            Path log, Path ledger, Path workingDirectory) {
        String marker = MARKER_PROPERTY + UUID.randomUUID();
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmArgs);
        command.add(marker);
        command.addAll(args);
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workingDirectory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            Process process = builder.start();
            Files.writeString(ledger, process.pid() + " " + marker + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return new ChildProcess(name, process, log, ledger, marker);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** The java of the running JVM. */
    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Stops the children a killed earlier run left behind: each pid of the ledger whose command line
     * still carries its marker. Then empties the ledger.
     */
    public static void reapLeftovers(Path ledger) {
        if (!Files.isRegularFile(ledger)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(ledger, StandardCharsets.UTF_8)) {
                String[] parts = line.trim().split(" ", 2);
                if (parts.length != 2) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(parts[0]);
                } catch (NumberFormatException e) {
                    continue;
                }
                String marker = parts[1];
                ProcessHandle.of(pid).ifPresent(handle -> {
                    if (commandLine(pid).contains(marker)) {
                        System.err.println("[sdk-tests] stopping pid " + pid + " left behind by an earlier run");
                        handle.destroyForcibly();
                        handle.onExit().join();
                    }
                });
            }
            Files.delete(ledger);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ledger, e);
        }
    }

    private static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** The last {@code chars} characters of the log. */
    public String tail(int chars) {
        try {
            // decoded leniently: a log may hold bytes that are not UTF-8
            String all = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            return all.substring(Math.max(0, all.length() - chars));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** Fails with the log's end when the process has exited. */
    public void requireAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " (pid " + pid() + ") exited with code " + process.exitValue()
                    + "; end of " + log + ":\n" + tail(6000));
        }
    }

    /** SIGKILL, now: what a crashed replica looks like. */
    public void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(30));
    }

    /** SIGTERM, then SIGKILL after {@code grace}. Idempotent. */
    public void stop(Duration grace) {
        if (process.isAlive()) {
            process.destroy();
            if (!waitFor(grace)) {
                process.destroyForcibly();
                waitFor(Duration.ofSeconds(30));
            }
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(15));
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return false;
        }
    }

    /** Total CPU time (user + system) of the process so far, from /proc/<pid>/stat. */
    public Duration cpuTime() {
        return ProcCpu.of(pid());
    }

    @Override
    public String toString() {
        return name + "[pid " + pid() + ", log " + log + ", " + marker + "]";
    }
}
