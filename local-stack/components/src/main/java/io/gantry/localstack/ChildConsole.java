package io.gantry.localstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * Waits for a child JVM's readiness line in its console file: the protocol both runners
 * (RocketMQ, OIDC) speak — one line starting with a ready prefix, or one with a failed prefix.
 */
final class ChildConsole {
    private ChildConsole() {
    }

    /**
     * The first console line starting with {@code readyPrefix}; {@code failure} builds the exception for
     * a failed line, an exited child, the deadline or an interrupt (given what happened).
     */
    static String awaitReadyLine(Process process, Path console, String readyPrefix, String failedPrefix,
                                 Duration timeout, String what, Function<String, RuntimeException> failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String line : readQuietly(console).lines().toList()) {
                if (line.startsWith(readyPrefix)) {
                    return line;
                }
                if (line.startsWith(failedPrefix)) {
                    throw failure.apply(what + " gave up starting");
                }
            }
            if (!process.isAlive()) {
                throw failure.apply(what + " child JVM exited with code " + process.exitValue() + " before it was ready");
            }
            if (System.nanoTime() > deadline) {
                throw failure.apply(what + " was not ready within " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure.apply("interrupted while waiting for " + what);
            }
        }
    }

    static String readQuietly(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
