package io.gantry.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting, stopping and orphaning a cluster of one's own (not the shared one). */
class RocketMqClusterLifecycleIT {

    @Test
    void startsReportsAndStopsWithoutLeavingAnythingBehind() throws Exception {
        long started = System.nanoTime();
        RocketMqCluster cluster = RocketMqCluster.start();
        long readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        long pid = cluster.pid();
        Path workDir = cluster.workDir();
        try {
            System.out.printf("RocketMqCluster ready in %d ms; child pid %d RSS %s; %s%n",
                readyMillis, pid, rss(pid), cluster);
            assertTrue(cluster.isAlive());
            assertTrue(accepts(cluster.proxyGrpcEndpoint()));
            assertTrue(accepts(cluster.nameServerAddress()));
            assertTrue(accepts(cluster.brokerAddress()));
            assertTrue(cluster.nameServerAddress().startsWith("127.0.0.1:"));
            assertTrue(cluster.adminAccessKey().length() >= 8);
            assertTrue(cluster.adminSecretKey().length() >= 16);
            assertNotEquals(cluster.adminAccessKey(), cluster.adminSecretKey());
            assertTrue(Files.isDirectory(workDir.resolve("store")));
            assertTrue(Files.isDirectory(workDir.resolve("logs").resolve("rocketmqlogs")));
        } finally {
            cluster.close();
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "child still running");
        assertFalse(Files.exists(workDir), "work dir left behind");
        cluster.close(); // idempotent
    }

    @Test
    void theChildExitsWhenItsParentDies(@TempDir Path workDir) throws Exception {
        Optional<ProcessHandle> child = Optional.empty();
        try (Orphans orphans = Orphans.startParent("rocketmq", workDir.toString())) {
            child = ProcessHandle.of(Long.parseLong(orphans.awaitLine(OrphaningParent.CHILD_PID)));
            assertTrue(child.isPresent() && child.get().isAlive());

            orphans.killParent();

            ProcessHandle orphan = child.get();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (orphan.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertFalse(orphan.isAlive(), "the RocketMQ child outlived its parent");
            String console = Files.readString(workDir.resolve("rocketmq-console.log"), StandardCharsets.UTF_8);
            assertTrue(console.contains("stdin closed"), console);
        } finally {
            child.ifPresent(ProcessHandle::destroyForcibly);
            child.ifPresent(handle -> handle.onExit().orTimeout(30, TimeUnit.SECONDS).join());
        }
    }

    @Test
    void reportsTheLogsWhenTheChildCannotStart(@TempDir Path workDir) throws IOException {
        // the NameServer's (fixed) port is taken: the child gives up, the exception carries its output
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            RocketMqCluster.Options options = RocketMqCluster.Options.defaults()
                .workDir(workDir)
                .nameServerPort(taken.getLocalPort())
                .readyTimeout(Duration.ofSeconds(60));
            IllegalStateException failure = assertThrows(IllegalStateException.class, () -> RocketMqCluster.start(options));
            assertTrue(failure.getMessage().contains("rocketmq-console.log"), failure.getMessage());
            assertTrue(failure.getMessage().contains("GANTRY-ROCKETMQ-FAILED NameServer"), failure.getMessage());
        }
        assertEquals(List.of(), ProcessHandle.current().children()
            .filter(p -> p.info().commandLine().orElse("").contains("RocketMqRunnerMain")).toList());
    }

    static String rss(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("VmRSS:")).map(l -> l.substring(6).trim()).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static boolean accepts(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))), 2_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
