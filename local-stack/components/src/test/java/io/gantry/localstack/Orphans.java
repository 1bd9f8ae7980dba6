package io.gantry.localstack;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@link OrphaningParent} in a JVM of its own, for tests that kill it. */
final class Orphans implements AutoCloseable {

    private final Process parent;

    private Orphans(Process parent) {
        this.parent = parent;
    }

    static Orphans startParent(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"),
            OrphaningParent.class.getName()));
        command.addAll(List.of(args));
        return new Orphans(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** Reads the parent's output up to the line starting with {@code prefix}; returns the rest of that line. */
    String awaitLine(String prefix) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null && !line.startsWith(prefix)) {
            seen.append(line).append('\n');
        }
        assertTrue(line != null, "the parent JVM died before printing " + prefix + ":\n" + seen);
        return line.substring(prefix.length()).trim();
    }

    /** SIGKILL: the parent cannot run shutdown hooks. */
    void killParent() throws InterruptedException {
        parent.destroyForcibly();
        assertTrue(parent.waitFor(30, TimeUnit.SECONDS), "the parent JVM survived SIGKILL");
    }

    @Override
    public void close() {
        parent.destroyForcibly();
    }
}
