package io.gantry.controlplane;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.localstack.OidcTestServer;
import io.gantry.localstack.PostgresServer;
import io.gantry.localstack.RocketMqCluster;
import io.gantry.localstack.SharedComponents;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A control plane killed in the middle of a provisioning step finishes the job after a restart.
 * Runs the packaged application as a real process (failsafe, after {@code package}) and makes it
 * halt right after a step has changed the broker but before the new status was committed.
 */
class ControlPlaneCrashProcessIT {
    private final Map<String, String> env = new HashMap<>();
    private Process app;
    private String api;
    private Path log;

    @BeforeEach
    void components() throws IOException {
        PostgresServer postgres = SharedComponents.postgres();
        String database = "crash_" + Long.toHexString(System.nanoTime());
        postgres.createDatabase(database);
        OidcTestServer oidc = SharedComponents.oidc();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        api = "http://127.0.0.1:" + port;
        env.put("GANTRY_DB_URL", postgres.jdbcUrl(database));
        env.put("GANTRY_DB_USER", postgres.user());
        env.put("GANTRY_DB_PASSWORD", postgres.password());
        env.put("GANTRY_OIDC_ISSUER", oidc.issuerUrl());
        env.put("GANTRY_SECRETS_KEY", Base64.getEncoder().encodeToString(key));
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        log = Files.createTempFile("control-plane-", ".log");
    }

    @AfterEach
    void stop() throws Exception {
        if (app != null && app.isAlive()) {
            app.destroy();
            if (!app.waitFor(20, TimeUnit.SECONDS)) {
                app.destroyForcibly().waitFor();
            }
        }
        Files.deleteIfExists(log);
    }

    private void startApp(String haltAfterStep) throws Exception {
        Map<String, String> e = new HashMap<>(env);
        if (haltAfterStep != null) {
            e.put("GANTRY_PROVISIONER_HALT_AFTER_STEP", haltAfterStep);
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(e);
        app = pb.start();
        Fixtures.await(() -> {
            if (!app.isAlive()) {
                throw new AssertionError("control plane exited at start: " + tail());
            }
            try {
                return given().baseUri(api).get("/q/health/ready").statusCode() == 200 ? true : null;
            } catch (Exception notYet) {
                return null;
            }
        }, Duration.ofSeconds(60), "the control plane to start");
    }

    private String tail() {
        try {
            String all = Files.readString(log);
            return all.substring(Math.max(0, all.length() - 3000));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private RequestSpecification as(String token) {
        return given().baseUri(api).auth().oauth2(token).contentType(ContentType.JSON);
    }

    private String status(String token, String path) {
        return as(token).get(path).then().extract().path("status");
    }

    @Test
    void aCrashAfterTheBrokerChangedButBeforeStatusWasSavedIsHealedByTheNextStart() throws Exception {
        RocketMqCluster mq = SharedComponents.rocketMq();
        String tenant = Fixtures.newTenant();
        String token = Fixtures.adminToken(tenant);
        startApp("topic:apply");
        as(Fixtures.operatorToken()).body(Map.of("clusterId", "crash-1", "regionId", "crash",
                        "nameServerAddress", mq.nameServerAddress(), "proxyEndpoint", mq.proxyGrpcEndpoint(),
                        "adminAccessKey", mq.adminAccessKey(), "adminSecretKey", mq.adminSecretKey(),
                        "capacityTps", 100000, "capacityTopics", 100000))
                .post("/api/v1/admin/clusters").then().statusCode(201);
        String id = as(token).body(Map.of("name", "crash", "regionId", "crash", "edition", "test"))
                .post("/api/v1/instances").then().statusCode(202).extract().path("instanceId");
        Fixtures.await(() -> "RUNNING".equals(status(token, "/api/v1/instances/" + id)) ? true : null,
                Duration.ofSeconds(60), "instance RUNNING");

        String op = as(token).body(Map.of("messageType", "FIFO")).post("/api/v1/instances/" + id + "/topics/orders")
                .then().statusCode(202).extract().path("operationId");
        assertTrue(app.waitFor(60, TimeUnit.SECONDS), "the control plane halts after applying the topic");
        assertEquals(86, app.exitValue(), tail());

        try (BrokerInspector broker = new BrokerInspector(mq)) {
            assertTrue(broker.topic(id + "%orders").isPresent(), "the step reached the broker before the crash");
            startApp(null);
            assertEquals("CREATING", status(token, "/api/v1/instances/" + id + "/topics/orders"),
                    "the status was not saved before the crash");
            Fixtures.await(() -> "RUNNING".equals(status(token, "/api/v1/instances/" + id + "/topics/orders")) ? true : null,
                    Duration.ofSeconds(60), "topic RUNNING after restart");
            assertEquals("SUCCEEDED", as(token).get("/api/v1/operations/" + op).then().extract().path("status"));
            assertEquals("FIFO", broker.topic(id + "%orders").orElseThrow().getAttributes().get("message.type"));

            // The same for a delete: crash after the broker dropped the topic, before the row was removed.
            app.destroy();
            app.waitFor(20, TimeUnit.SECONDS);
            startApp("topic:delete");
            as(token).delete("/api/v1/instances/" + id + "/topics/orders").then().statusCode(202);
            assertTrue(app.waitFor(60, TimeUnit.SECONDS), "the control plane halts after deleting the topic");
            assertTrue(broker.topic(id + "%orders").isEmpty());
            startApp(null);
            Fixtures.await(() -> as(token).get("/api/v1/instances/" + id + "/topics/orders").statusCode() == 404 ? true : null,
                    Duration.ofSeconds(60), "topic gone after restart");
        }
    }
}
