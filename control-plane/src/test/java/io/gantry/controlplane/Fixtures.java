package io.gantry.controlplane;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.fail;

import io.gantry.localstack.RocketMqCluster;
import io.gantry.localstack.SharedComponents;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/** Tokens for the demo roles, a registered real cluster, and polling with a deadline. */
public final class Fixtures {
    public static final String REGION = "local";
    public static final String CLUSTER_ID = "local-1";
    private static volatile boolean clusterRegistered;

    private Fixtures() {
    }

    public static String adminToken(String tenant) {
        return SharedComponents.oidc().token(tenant + "-admin", tenant, "tenant-admin");
    }

    public static String viewerToken(String tenant) {
        return SharedComponents.oidc().token(tenant + "-viewer", tenant, "tenant-viewer");
    }

    public static String operatorToken() {
        return SharedComponents.oidc().token("operator", null, "platform-operator");
    }

    public static RequestSpecification as(String token) {
        // Paths are sent as written: tests use percent-escapes on purpose (forged names, unicode).
        return given().urlEncodingEnabled(false).auth().oauth2(token).contentType(ContentType.JSON).accept(ContentType.JSON);
    }

    /** A tenant name no other test uses, so tests do not see each other's instances. */
    public static String newTenant() {
        return "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Registers the shared real RocketMQ cluster as region "local" (once per run). */
    public static synchronized RocketMqCluster ensureCluster() {
        RocketMqCluster mq = SharedComponents.rocketMq();
        if (!clusterRegistered) {
            int status = as(operatorToken()).body(Map.of(
                            "clusterId", CLUSTER_ID, "regionId", REGION,
                            "nameServerAddress", mq.nameServerAddress(), "proxyEndpoint", mq.proxyGrpcEndpoint(),
                            "adminAccessKey", mq.adminAccessKey(), "adminSecretKey", mq.adminSecretKey(),
                            "capacityTps", 1_000_000, "capacityTopics", 1_000_000))
                    .post("/api/v1/admin/clusters").statusCode();
            if (status != 201 && status != 409) {
                fail("registering the test cluster answered " + status);
            }
            clusterRegistered = true;
        }
        return mq;
    }

    /** Creates an instance of the tenant and returns its id (not waiting for RUNNING). */
    public static String createInstance(String tenant, String edition) {
        ensureCluster();
        return as(adminToken(tenant))
                .body(Map.of("name", "inst " + tenant, "regionId", REGION, "edition", edition))
                .post("/api/v1/instances")
                .then().statusCode(202).extract().path("instanceId");
    }

    /** Polls until the resource has {@code status}; a timeout names what it last showed (conditions say why). */
    public static JsonPath awaitStatus(String token, String path, String status) {
        String[] last = {"nothing"};
        return await(() -> {
            String text = as(token).get(path).then().extract().asString();
            last[0] = text;
            JsonPath body = JsonPath.from(text);
            return status.equals(body.getString("status")) ? body : null;
        }, Duration.ofSeconds(60), () -> path + " to be " + status + "; last seen: " + last[0]);
    }

    public static void awaitGone(String token, String path) {
        await(() -> as(token).get(path).statusCode() == 404 ? Boolean.TRUE : null,
                Duration.ofSeconds(60), path + " to be deleted");
    }

    /** Polls until the supplier returns non-null, or fails at the deadline. */
    public static <T> T await(Supplier<T> probe, Duration timeout, String what) {
        return await(probe, timeout, () -> what);
    }

    /** {@link #await}, with a description computed at the deadline (it may say what was last seen). */
    public static <T> T await(Supplier<T> probe, Duration timeout, Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toSeconds() + " s waiting for " + what.get());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
