package io.gantry.controlplane;

import static io.gantry.controlplane.Fixtures.adminToken;
import static io.gantry.controlplane.Fixtures.as;
import static io.gantry.controlplane.Fixtures.operatorToken;
import static io.gantry.controlplane.Fixtures.viewerToken;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An operator's temporary throttle (set, seen by the tenant, audited, expired, lifted), and the
 * instance's throughput and throttled-request counts as a tenant sees them.
 */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
class AdminThrottleIT {
    @Inject
    DataSource db;

    private String tenant;
    private String token;
    private String instance;

    @BeforeEach
    void instance() {
        tenant = Fixtures.newTenant();
        token = adminToken(tenant);
        instance = Fixtures.createInstance(tenant, "test");
    }

    private String throttlePath() {
        return "/api/v1/admin/instances/" + instance + "/throttle";
    }

    private String inOneHour() {
        return Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    @Test
    void theInstanceShowsItsLimitsWeightsAndBurst() {
        JsonPath t = as(token).get("/api/v1/instances/" + instance).then().statusCode(200).extract().jsonPath();
        assertEquals(500, t.getInt("throughput.sendTps"));
        assertEquals(1000, t.getInt("throughput.receiveTps"));
        assertEquals(500, t.getInt("throughput.effectiveSendTps"));
        assertEquals(1000, t.getInt("throughput.effectiveReceiveTps"));
        assertEquals(0.2f, t.getFloat("throughput.burstSeconds"));
        assertEquals(4096, t.getInt("throughput.bytesPerUnit"));
        assertEquals(Map.of("NORMAL", 1, "FIFO", 2, "DELAY", 2, "TRANSACTION", 3), t.getMap("throughput.messageTypeWeights"));
        org.junit.jupiter.api.Assertions.assertTrue(t.getMap("throughput").containsKey("temporaryThrottle"),
                "temporaryThrottle is present, as null, when there is none");
        org.junit.jupiter.api.Assertions.assertNull(t.get("throughput.temporaryThrottle"));
        assertEquals(0, t.getLong("throttled.total"));
    }

    @Test
    void anOperatorThrottlesTheTenantSeesItAndTheAuditLogSaysWhy() {
        String expiresAt = inOneHour();
        String reason = "INC-42: saturating broker-a, hurting neighbours";
        as(operatorToken()).body(Map.of("sendTps", 100, "receiveTps", 200, "reason", reason, "expiresAt", expiresAt))
                .put(throttlePath()).then().statusCode(200)
                .body("instanceId", equalTo(instance)).body("tenantId", equalTo(tenant))
                .body("sendTps", equalTo(100)).body("receiveTps", equalTo(200))
                .body("reason", equalTo(reason)).body("expiresAt", equalTo(expiresAt))
                .body("setBy", equalTo("operator"));
        as(operatorToken()).get(throttlePath()).then().statusCode(200).body("sendTps", equalTo(100));

        for (String t : List.of(token, viewerToken(tenant))) {
            as(t).get("/api/v1/instances/" + instance).then().statusCode(200)
                    .body("throughput.sendTps", equalTo(500))
                    .body("throughput.effectiveSendTps", equalTo(100))
                    .body("throughput.effectiveReceiveTps", equalTo(200))
                    .body("throughput.temporaryThrottle.sendTps", equalTo(100))
                    .body("throughput.temporaryThrottle.receiveTps", equalTo(200))
                    .body("throughput.temporaryThrottle.reason", equalTo(reason))
                    .body("throughput.temporaryThrottle.expiresAt", equalTo(expiresAt))
                    .body("throughput.temporaryThrottle.setBy", nullValue());
        }
        as(operatorToken()).queryParam("tenantId", tenant).get("/api/v1/admin/audit-events").then().statusCode(200)
                .body("items.find { it.action == 'instance.throttle.set' }.after.reason", equalTo(reason))
                .body("items.find { it.action == 'instance.throttle.set' }.actor", equalTo("operator"));
        as(token).get("/api/v1/audit-events").then().statusCode(200).body("items.action", hasItem("instance.throttle.set"));

        // Replacing keeps one throttle; a direction left out keeps the instance's own limit.
        as(operatorToken()).body(Map.of("sendTps", 50, "reason", reason, "expiresAt", expiresAt)).put(throttlePath())
                .then().statusCode(200).body("sendTps", equalTo(50)).body("receiveTps", equalTo(1000));

        as(operatorToken()).delete(throttlePath()).then().statusCode(204);
        as(operatorToken()).get(throttlePath()).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        as(operatorToken()).delete(throttlePath()).then().statusCode(404);
        as(token).get("/api/v1/instances/" + instance).then()
                .body("throughput.effectiveSendTps", equalTo(500)).body("throughput.temporaryThrottle", nullValue());
        as(operatorToken()).queryParam("tenantId", tenant).get("/api/v1/admin/audit-events").then()
                .body("items[0].action", equalTo("instance.throttle.lift"))
                .body("items[0].before.sendTps", equalTo(50));
    }

    @Test
    void tenantsCannotSetReadOrLiftAThrottle() {
        Map<String, Object> body = Map.of("sendTps", 1, "reason", "mine", "expiresAt", inOneHour());
        for (String t : List.of(token, viewerToken(tenant))) {
            as(t).body(body).put(throttlePath()).then().statusCode(403).body("error.code", equalTo("FORBIDDEN"));
            as(t).get(throttlePath()).then().statusCode(403);
            as(t).delete(throttlePath()).then().statusCode(403);
        }
        io.restassured.RestAssured.given().contentType("application/json").body(body).put(throttlePath())
                .then().statusCode(401).body("error.code", equalTo("UNAUTHENTICATED"));
        as(token).get("/api/v1/instances/" + instance).then().body("throughput.temporaryThrottle", nullValue());
    }

    @Test
    void badThrottlesAre400NamingTheField() {
        String op = operatorToken();
        Instant now = Instant.now();
        Map<String, Map<String, Object>> bad = new java.util.LinkedHashMap<>();
        bad.put("expiresAt", Map.of("sendTps", 10, "reason", "r", "expiresAt", now.minusSeconds(60).toString()));
        bad.put("expiresAt ", Map.of("sendTps", 10, "reason", "r", "expiresAt", now.plus(Duration.ofDays(8)).toString()));
        bad.put("expiresAt  ", Map.of("sendTps", 10, "reason", "r", "expiresAt", "tomorrow"));
        bad.put("expiresAt   ", Map.of("sendTps", 10, "reason", "r", "expiresAt", "2030-01-01T00:00:00"));
        bad.put("expiresAt    ", Map.of("sendTps", 10, "reason", "r"));
        bad.put("reason", Map.of("sendTps", 10, "expiresAt", inOneHour()));
        bad.put("reason ", Map.of("sendTps", 10, "reason", "  ", "expiresAt", inOneHour()));
        bad.put("reason  ", Map.of("sendTps", 10, "reason", "x".repeat(513), "expiresAt", inOneHour()));
        bad.put("sendTps", Map.of("sendTps", 0, "reason", "r", "expiresAt", inOneHour()));
        bad.put("sendTps ", Map.of("sendTps", 501, "reason", "r", "expiresAt", inOneHour()));
        bad.put("sendTps  ", Map.of("reason", "r", "expiresAt", inOneHour()));
        bad.put("receiveTps", Map.of("receiveTps", 1001, "reason", "r", "expiresAt", inOneHour()));
        bad.forEach((field, body) -> as(op).body(body).put(throttlePath()).then().statusCode(400)
                .body("error.code", equalTo("INVALID_FIELD")).body("error.field", equalTo(field.strip())));
        as(op).body(Map.of("sendTps", 10, "reason", "r", "expiresAt", inOneHour(), "by", "me")).put(throttlePath())
                .then().statusCode(400).body("error.field", equalTo("by"));
        as(op).put(throttlePath()).then().statusCode(400).body("error.code", equalTo("MALFORMED_REQUEST"));
        as(op).body(Map.of("sendTps", 10, "reason", "r", "expiresAt", inOneHour()))
                .put("/api/v1/admin/instances/rmq-aaaaaaaaaaaa/throttle").then().statusCode(404);
        // A day and an offset other than Z are fine.
        as(op).body(Map.of("sendTps", 10, "reason", "r", "expiresAt",
                        now.plus(Duration.ofDays(6)).atOffset(java.time.ZoneOffset.ofHours(8)).toString()))
                .put(throttlePath()).then().statusCode(200);
    }

    @Test
    void aThrottleStopsApplyingWhenItExpires() {
        Instant expiresAt = Instant.now().plusSeconds(5);
        as(operatorToken()).body(Map.of("sendTps", 10, "reason", "short", "expiresAt", expiresAt.toString()))
                .put(throttlePath()).then().statusCode(200);
        as(token).get("/api/v1/instances/" + instance).then().body("throughput.effectiveSendTps", equalTo(10));
        Fixtures.await(() -> as(token).get("/api/v1/instances/" + instance).then().extract()
                .path("throughput.temporaryThrottle") == null ? Boolean.TRUE : null, Duration.ofSeconds(15), "expiry");
        as(token).get("/api/v1/instances/" + instance).then().body("throughput.effectiveSendTps", equalTo(500));
        as(operatorToken()).get(throttlePath()).then().statusCode(404);
        // An expired throttle is replaced by the next one.
        as(operatorToken()).body(Map.of("receiveTps", 20, "reason", "again", "expiresAt", inOneHour()))
                .put(throttlePath()).then().statusCode(200).body("sendTps", equalTo(500)).body("receiveTps", equalTo(20));
    }

    @Test
    void throttledRequestsShowPerLimitOnTheInstanceTopicsAndGroups() throws Exception {
        as(token).body(Map.of("messageType", "NORMAL", "maxSendTps", 50)).post("/api/v1/instances/" + instance + "/topics/orders")
                .then().statusCode(202).body("throttledRequests", equalTo(0));
        as(token).body(Map.of("messageType", "NORMAL")).post("/api/v1/instances/" + instance + "/topics/quiet")
                .then().statusCode(202);
        as(token).body(Map.of("maxReceiveTps", 40)).post("/api/v1/instances/" + instance + "/consumer-groups/billing")
                .then().statusCode(202);
        Instant at = Instant.parse("2026-11-21T10:00:00Z");
        // What the throughput coordinator writes from the gateways' reports.
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO throttle_counters (instance_id, kind, name, throttled_requests, last_throttled_at) VALUES (?, ?, ?, ?, ?)")) {
            Object[][] rows = {{"INSTANCE_SEND", "", 7L}, {"TOPIC_SEND", "orders", 30L}, {"GROUP_RECEIVE", "billing", 5L}};
            for (Object[] r : rows) {
                s.setString(1, instance);
                s.setString(2, (String) r[0]);
                s.setString(3, (String) r[1]);
                s.setLong(4, (Long) r[2]);
                s.setTimestamp(5, Timestamp.from(at));
                s.executeUpdate();
            }
        }
        String base = "/api/v1/instances/" + instance;
        as(token).get(base).then().statusCode(200)
                .body("throttled.total", equalTo(42))
                .body("throttled.byLimit.size()", equalTo(3))
                .body("throttled.byLimit[0].kind", equalTo("GROUP_RECEIVE"))
                .body("throttled.byLimit.find { it.kind == 'TOPIC_SEND' }.name", equalTo("orders"))
                .body("throttled.byLimit.find { it.kind == 'TOPIC_SEND' }.throttledRequests", equalTo(30))
                .body("throttled.byLimit.find { it.kind == 'INSTANCE_SEND' }.lastThrottledAt", containsString("2026-11-21T10:00"));
        as(token).get(base + "/topics/orders").then().body("throttledRequests", equalTo(30)).body("maxSendTps", equalTo(50));
        as(token).get(base + "/topics").then()
                .body("items.find { it.topicName == 'orders' }.throttledRequests", equalTo(30))
                .body("items.find { it.topicName == 'quiet' }.throttledRequests", equalTo(0));
        as(token).get(base + "/consumer-groups/billing").then().body("throttledRequests", equalTo(5));
        as(token).get(base + "/consumer-groups").then().body("items[0].throttledRequests", equalTo(5));
        // Another tenant's counters are not this tenant's business.
        as(adminToken(Fixtures.newTenant())).get(base).then().statusCode(404);
    }
}
