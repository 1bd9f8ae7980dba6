package io.gantry.controlplane;

import static io.gantry.controlplane.Fixtures.adminToken;
import static io.gantry.controlplane.Fixtures.as;
import static io.gantry.controlplane.Fixtures.awaitStatus;
import static io.gantry.controlplane.Fixtures.viewerToken;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Offset resets against the real RocketMQ cluster: accepted as 202 with an operation, applied on the
 * brokers by the provisioner (RUNNING, every queue's new offset listed), audited, and refused with the
 * field named when the request cannot be right; another tenant sees 404.
 */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
class OffsetResetsIT {
    private String tenant;
    private String token;
    private String instance;

    @BeforeEach
    void instanceWithTopicAndGroup() {
        tenant = Fixtures.newTenant();
        token = adminToken(tenant);
        instance = Fixtures.createInstance(tenant, "standard");
        awaitStatus(token, path(""), "RUNNING");
        as(token).body(Map.of("messageType", "NORMAL", "queueCount", 4)).post(path("/topics/orders")).then().statusCode(202);
        as(token).body(Map.of()).post(path("/consumer-groups/billing")).then().statusCode(202);
        awaitStatus(token, path("/topics/orders"), "RUNNING");
        awaitStatus(token, path("/consumer-groups/billing"), "RUNNING");
    }

    private String path(String rest) {
        return "/api/v1/instances/" + instance + rest;
    }

    @Test
    void aResetIsAppliedOnTheBrokersWithEveryQueuesNewOffsetAndAudited() {
        String resets = path("/consumer-groups/billing/offset-resets");
        JsonPath accepted = as(token).body(Map.of("topic", "orders", "to", "TIMESTAMP",
                        "timestamp", Instant.now().minus(Duration.ofMinutes(10)).toString()))
                .post(resets).then().statusCode(202)
                .body("status", equalTo("CREATING")).body("operationId", notNullValue())
                .body("requestedBy", equalTo(tenant + "-admin"))
                .extract().jsonPath();
        String id = accepted.getString("resetId");
        assertTrue(id.matches("rst-[a-z2-7]{12}"), id);

        JsonPath applied = awaitStatus(token, resets + "/" + id, "RUNNING");
        List<Map<String, Object>> queues = applied.getList("queues");
        assertEquals(4, queues.stream().filter(q -> "orders".equals(q.get("topic"))).count(), queues.toString());
        assertTrue(queues.stream().allMatch(q -> ((Number) q.get("offset")).longValue() >= 0), queues.toString());
        assertEquals("True", applied.getString("conditions.find { it.type == 'Ready' }.status"));

        as(token).body(Map.of("to", "LATEST")).post(resets).then().statusCode(202);
        as(viewerToken(tenant)).get(resets).then().statusCode(200).body("items.size()", equalTo(2));
        as(token).get("/api/v1/audit-events").then().statusCode(200)
                .body("items.action", hasItem("offset-reset.create"))
                .body("items.resourceId", hasItem(instance + "/billing/" + id));
    }

    @Test
    void badResetsAre400NamingTheFieldAndUnknownNamesAre404() {
        String resets = path("/consumer-groups/billing/offset-resets");
        Map<Map<String, Object>, String> fieldByBody = new java.util.LinkedHashMap<>();
        fieldByBody.put(Map.of(), "to");
        fieldByBody.put(Map.of("to", "YESTERDAY"), "to");
        fieldByBody.put(Map.of("to", "TIMESTAMP"), "timestamp");
        fieldByBody.put(Map.of("to", "EARLIEST", "timestamp", Instant.now().toString()), "timestamp");
        fieldByBody.put(Map.of("to", "TIMESTAMP", "timestamp", Instant.now().plusSeconds(3600).toString()), "timestamp");
        // the standard edition keeps 72 h
        fieldByBody.put(Map.of("to", "TIMESTAMP", "timestamp", Instant.now().minus(Duration.ofHours(80)).toString()), "timestamp");
        fieldByBody.put(Map.of("to", "TIMESTAMP", "timestamp", "last tuesday"), "timestamp");
        for (var e : fieldByBody.entrySet()) {
            as(token).body(e.getKey()).post(resets).then().statusCode(400)
                    .body("error.code", equalTo("INVALID_FIELD")).body("error.field", equalTo(e.getValue()));
        }
        as(token).body(Map.of("to", "EARLIEST", "topic", "nope")).post(resets).then().statusCode(404)
                .body("error.message", equalTo("topic 'nope' not found"));
        as(token).body(Map.of("to", "EARLIEST")).post(path("/consumer-groups/nope/offset-resets")).then().statusCode(404);
        as(token).get(resets + "/rst-aaaaaaaaaaaa").then().statusCode(404);
        as(viewerToken(tenant)).body(Map.of("to", "EARLIEST")).post(resets).then().statusCode(403);
        String other = adminToken(Fixtures.newTenant());
        as(other).body(Map.of("to", "EARLIEST")).post(resets).then().statusCode(404)
                .body("error.message", equalTo("instance '" + instance + "' not found"));
        as(other).get(resets).then().statusCode(404);
        as(token).get(resets).then().statusCode(200).body("items.size()", equalTo(0));
    }
}
