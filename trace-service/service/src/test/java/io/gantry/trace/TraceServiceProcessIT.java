package io.gantry.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.localstack.FreePorts;
import io.gantry.localstack.PostgresServer;
import io.gantry.localstack.S3ProxyServer;
import io.gantry.localstack.SharedComponents;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged service as the local stack runs it: {@code java -jar}, configured by variables. */
class TraceServiceProcessIT {

    @Test
    void thePackagedJarStartsMigratesServesHealthAndStops() throws Exception {
        PostgresServer pg = SharedComponents.postgres();
        String db = "trace_process_it_" + ProcessHandle.current().pid();
        pg.createDatabase(db);
        int metricsPort = new FreePorts().pick();
        Path console = Files.createTempFile("trace-service", ".log");
        try (S3ProxyServer s3 = S3ProxyServer.start()) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-jar", System.getProperty("gantry.trace.jar"))
                    .redirectErrorStream(true).redirectOutput(console.toFile());
            Map<String, String> env = pb.environment();
            env.put("GANTRY_DB_URL", pg.jdbcUrl(db));
            env.put("GANTRY_DB_USER", pg.user());
            env.put("GANTRY_DB_PASSWORD", pg.password());
            env.put("GANTRY_S3_ENDPOINT", s3.endpoint());
            env.put("GANTRY_S3_ACCESS_KEY", s3.accessKey());
            env.put("GANTRY_S3_SECRET_KEY", s3.secretKey());
            env.put("GANTRY_S3_BUCKET", "trace-process-it");
            env.put("GANTRY_TRACE_METRICS_PORT", String.valueOf(metricsPort));
            Process process = pb.start();
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!Files.readString(console).contains(TraceServiceMain.READY_LINE)) {
                    assertTrue(process.isAlive(), () -> "exited early:\n" + read(console));
                    assertTrue(System.nanoTime() < deadline, () -> "not ready in 60 s:\n" + read(console));
                    Thread.sleep(100);
                }
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode());
                String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(metrics.contains("gantry_trace_config_version -1"), metrics);
                try (Connection c = pg.dataSource(db).getConnection();
                     ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM trace.flyway_schema_history WHERE success")) {
                    rs.next();
                    assertTrue(rs.getInt(1) >= 1);
                }
                assertTrue(Files.isDirectory(s3.dataDirectory().resolve("trace-process-it")), "the bucket was created");
                process.destroy();
                assertTrue(process.waitFor(20, TimeUnit.SECONDS), () -> "did not stop on SIGTERM:\n" + read(console));
            } finally {
                process.destroyForcibly();
                Files.deleteIfExists(console);
            }
        }
    }

    @Test
    void withoutADatabaseItRefusesToStart() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("gantry.trace.jar")).redirectErrorStream(true);
        pb.environment().remove("GANTRY_DB_URL");
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue());
        assertTrue(output.contains("GANTRY_DB_URL is required"), output);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (Exception e) {
            return "(" + e + ")";
        }
    }
}
