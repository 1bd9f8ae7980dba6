package io.gantry.controlplane;

import static io.gantry.controlplane.Fixtures.adminToken;
import static io.gantry.controlplane.Fixtures.as;
import static io.gantry.controlplane.Fixtures.await;
import static io.gantry.controlplane.Fixtures.awaitGone;
import static io.gantry.controlplane.Fixtures.awaitStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A resource whose step fails with something other than an unreachable cluster shows it (Ready=False,
 * StepFailed, the step named), is retried with backoff, and does not hold up everyone else's.
 */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
class ProvisionerFailureIT {
    @Inject
    EntityManager em;

    @Test
    void aStepThatFailsIsReportedOnItsResourceAndOtherResourcesAreStillProvisioned() {
        Fixtures.ensureCluster();
        // A region whose only cluster has no room: the instance waits there, unplaced.
        String region = "full-" + Fixtures.newTenant();
        as(Fixtures.operatorToken()).body(Map.of("clusterId", region, "regionId", region,
                        "nameServerAddress", "127.0.0.1:1", "proxyEndpoint", "127.0.0.1:1",
                        "adminAccessKey", "ak", "adminSecretKey", "sk", "capacityTps", 1, "capacityTopics", 1))
                .post("/api/v1/admin/clusters").then().statusCode(201);
        String tenant = Fixtures.newTenant();
        String token = adminToken(tenant);
        String stuck = as(token).body(Map.of("name", "stuck", "regionId", region, "edition", "test"))
                .post("/api/v1/instances").then().statusCode(202).extract().path("instanceId");
        await(() -> "NoClusterWithCapacity".equals(placedReason(token, stuck)) ? true : null, Duration.ofSeconds(30),
                "the instance waiting for capacity");

        // Its edition is retired from the catalog while it waits: placing it now fails on every attempt.
        setEdition(stuck, "retired");
        JsonPath failed = await(() -> {
            JsonPath body = as(token).get("/api/v1/instances/" + stuck).then().extract().jsonPath();
            return "StepFailed".equals(body.getString("conditions.find { it.type == 'Ready' }.reason")) ? body : null;
        }, Duration.ofSeconds(30), "Ready=False StepFailed");
        assertEquals("CREATING", failed.getString("status"));
        assertEquals("False", failed.getString("conditions.find { it.type == 'Ready' }.status"));
        String message = failed.getString("conditions.find { it.type == 'Ready' }.message");
        assertTrue(message.contains("'place'"), message);

        // It is first in line on every pass, and an instance created after it is provisioned all the same.
        String healthy = Fixtures.createInstance(tenant, "test");
        awaitStatus(token, "/api/v1/instances/" + healthy, "RUNNING");

        setEdition(stuck, "test");
        as(token).delete("/api/v1/instances/" + stuck).then().statusCode(202);
        awaitGone(token, "/api/v1/instances/" + stuck);
        as(Fixtures.operatorToken()).delete("/api/v1/admin/clusters/" + region).then().statusCode(204);
    }

    private static String placedReason(String token, String instanceId) {
        return as(token).get("/api/v1/instances/" + instanceId).then().extract()
                .path("conditions.find { it.type == 'Placed' }.reason");
    }

    /** Edits the row behind the API's back, and makes the instance due at once. */
    private void setEdition(String instanceId, String edition) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "UPDATE instances SET edition = ?1, next_attempt_at = now() WHERE instance_id = ?2")
                .setParameter(1, edition).setParameter(2, instanceId).executeUpdate());
    }
}
