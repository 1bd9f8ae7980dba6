package io.gantry.localstack;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Stops PostgreSQL servers whose JVM died without stopping them (killed with SIGKILL): {@code pg_ctl}
 * daemonizes the postmaster, so it outlives its JVM.
 *
 * <p>zonky's {@code EmbeddedPostgres} holds a file lock on {@code epg-lock} in the data directory while
 * it runs; the operating system drops the lock when the JVM dies. A data directory whose lock can be
 * taken has no owner: its postmaster (pid on the first line of {@code postmaster.pid}) is an orphan.
 */
final class OrphanedPostmasters {

    private static final String LOCK_FILE = "epg-lock";
    private static final Duration UNLOCKED_GRACE = Duration.ofMinutes(10);

    private OrphanedPostmasters() {
    }

    /** Stops the orphaned postmasters of the data directories under {@code base} and deletes those directories. */
    static void reapTemporary(Path base) {
        if (!Files.isDirectory(base)) {
            return;
        }
        List<Path> dirs;
        try (Stream<Path> children = Files.list(base)) {
            dirs = children.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            return;
        }
        for (Path dir : dirs) {
            try {
                if (Files.exists(dir.resolve(LOCK_FILE))) {
                    if (stopIfOrphaned(dir)) {
                        WorkDirs.deleteRecursively(dir);
                    }
                } else if (Files.getLastModifiedTime(dir).toInstant().isBefore(Instant.now().minus(UNLOCKED_GRACE))) {
                    // never locked and old: its JVM died before starting PostgreSQL
                    WorkDirs.deleteRecursively(dir);
                }
            } catch (IOException | RuntimeException e) {
                // best effort: another JVM may be cleaning up the same directory
            }
        }
    }

    /**
     * Stops the postmaster of {@code dataDir} if no live process owns the directory.
     *
     * @return whether the directory is unowned (and its postmaster, if any, now stopped)
     */
    static boolean stopIfOrphaned(Path dataDir) throws IOException {
        Path lockFile = dataDir.resolve(LOCK_FILE);
        if (!Files.exists(lockFile)) {
            return stopPostmaster(dataDir);
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            if (lock == null) {
                return false; // another JVM runs it
            }
            return stopPostmaster(dataDir);
        } catch (OverlappingFileLockException ownedByThisJvm) {
            return false;
        }
    }

    private static boolean stopPostmaster(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return true;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) {
            return true;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return true;
        }
        Optional<ProcessHandle> postmaster = ProcessHandle.of(pid)
            .filter(ProcessHandle::isAlive)
            .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
        if (postmaster.isEmpty()) {
            return true;
        }
        ProcessHandle process = postmaster.get();
        process.destroy(); // SIGTERM: smart shutdown; an orphan has no clients left
        try {
            process.onExit().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            try {
                process.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception stillThere) {
                return false;
            }
        }
        return true;
    }
}
