package io.gantry.controlplane;

import static io.gantry.controlplane.Fixtures.adminToken;
import static io.gantry.controlplane.Fixtures.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Edition quotas and isolation settings on the `test` edition (20 topics, 20 groups, 5 accounts,
 * 72 h retention, one 500 TPS spec): every refusal is 409 QUOTA_EXCEEDED naming quota, limit and use.
 */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
class IsolationQuotasIT {
    private String token;
    private String instance;

    @BeforeEach
    void instance() {
        String tenant = Fixtures.newTenant();
        token = adminToken(tenant);
        instance = Fixtures.createInstance(tenant, "test");
    }

    private String path(String rest) {
        return "/api/v1/instances/" + instance + rest;
    }

    @Test
    void theInstanceShowsEveryQuotaWithLimitAndUse() {
        as(token).body(Map.of("messageType", "NORMAL")).post(path("/topics/orders")).then().statusCode(202);
        as(token).body(Map.of()).post(path("/accounts/app")).then().statusCode(201);
        as(token).body(Map.of("ipAllowlist", List.of("10.0.0.0/8", "192.168.1.5"))).patch(path("")).then().statusCode(200);
        JsonPath view = as(token).get(path("")).then().statusCode(200).extract().jsonPath();
        assertQuota(view, "topics", 20, 1);
        assertQuota(view, "consumerGroups", 20, 0);
        assertQuota(view, "accounts", 5, 1);
        assertQuota(view, "ipAllowlistEntries", 50, 2);
        assertQuota(view, "retentionHours", 72, 72);
        assertQuota(view, "tpsSpec", 500, 500);
        assertQuota(view, "maxMessageSizeKiB", 4096, null);
        assertQuota(view, "sendTps", 500, null);
        assertQuota(view, "receiveTps", 1000, null);
        org.junit.jupiter.api.Assertions.assertEquals(9, view.getList("quotas").size());
    }

    private static void assertQuota(JsonPath view, String name, int limit, Integer used) {
        Map<String, Object> q = view.getMap("quotas.find { it.name == '" + name + "' }");
        org.junit.jupiter.api.Assertions.assertNotNull(q, name);
        org.junit.jupiter.api.Assertions.assertEquals(limit, q.get("limit"), name);
        org.junit.jupiter.api.Assertions.assertEquals(used, q.get("used"), name);
        if (used == null) {
            org.junit.jupiter.api.Assertions.assertFalse(q.containsKey("used"), name + " has no use to show");
        }
    }

    @Test
    void accountsStopAtTheEditionLimitWithLimitAndUseInTheMessage() {
        for (int i = 0; i < 5; i++) {
            as(token).body(Map.of()).post(path("/accounts/user" + i)).then().statusCode(201);
        }
        as(token).body(Map.of()).post(path("/accounts/user5")).then().statusCode(409)
                .body("error.code", equalTo("QUOTA_EXCEEDED"))
                .body("error.message", containsString("'accounts'"))
                .body("error.message", containsString("limit 5"))
                .body("error.message", containsString("in use 5"));
        as(token).delete(path("/accounts/user0")).then().statusCode(204);
        as(token).body(Map.of()).post(path("/accounts/user5")).then().statusCode(201);
    }

    @Test
    void theIpAllowlistIsCheckedCanonicalAndBounded() {
        as(token).body(Map.of("ipAllowlist", List.of("10.0.0.0/8", "2001:DB8::/32", "10.0.0.0/8", "203.0.113.9")))
                .patch(path("")).then().statusCode(200)
                .body("ipAllowlist", equalTo(List.of("10.0.0.0/8", "2001:db8::/32", "203.0.113.9/32")));
        as(token).get(path("")).then().body("ipAllowlist.size()", equalTo(3));
        for (String bad : List.of("10.0.0.1/8", "example.com", "10.0.0.256", "fe80::1%eth0", "")) {
            as(token).body(Map.of("ipAllowlist", List.of("192.168.0.0/16", bad))).patch(path("")).then().statusCode(400)
                    .body("error.code", equalTo("INVALID_FIELD")).body("error.field", equalTo("ipAllowlist[1]"));
        }
        List<String> fiftyOne = IntStream.range(0, 51).mapToObj(i -> "10.0." + i + ".0/24").toList();
        as(token).body(Map.of("ipAllowlist", fiftyOne)).patch(path("")).then().statusCode(409)
                .body("error.code", equalTo("QUOTA_EXCEEDED"))
                .body("error.field", equalTo("ipAllowlist"))
                .body("error.message", containsString("'ipAllowlistEntries'"))
                .body("error.message", containsString("limit 50"))
                .body("error.message", containsString("in use 3"))
                .body("error.message", containsString("asked for 51"));
        as(token).body(Map.of("ipAllowlist", fiftyOne.subList(0, 50))).patch(path("")).then().statusCode(200);
        as(token).body(Map.of("ipAllowlist", List.of())).patch(path("")).then().statusCode(200)
                .body("ipAllowlist", equalTo(List.of()));
        // On create, too.
        as(token).body(Map.of("name", "n", "regionId", "local", "edition", "test", "ipAllowlist", List.of("1.2.3.4/33")))
                .post("/api/v1/instances").then().statusCode(400).body("error.field", equalTo("ipAllowlist[0]"));
        as(token).body(Map.of("name", "n", "regionId", "local", "edition", "test", "ipAllowlist", List.of("1.2.3.0/24")))
                .post("/api/v1/instances").then().statusCode(202).body("ipAllowlist", equalTo(List.of("1.2.3.0/24")));
    }

    @Test
    void retentionAndSpecAboveTheEditionAreQuotasAndOtherBadValuesInvalid() {
        as(token).body(Map.of("retentionHours", 73)).patch(path("")).then().statusCode(409)
                .body("error.code", equalTo("QUOTA_EXCEEDED")).body("error.field", equalTo("retentionHours"))
                .body("error.message", containsString("'retentionHours'"))
                .body("error.message", containsString("limit 72"))
                .body("error.message", containsString("in use 72"));
        as(token).body(Map.of("retentionHours", 0)).patch(path("")).then().statusCode(400)
                .body("error.code", equalTo("INVALID_FIELD")).body("error.field", equalTo("retentionHours"));
        as(token).body(Map.of("tpsSpec", 1000)).patch(path("")).then().statusCode(409)
                .body("error.code", equalTo("QUOTA_EXCEEDED")).body("error.message", containsString("'tpsSpec'"))
                .body("error.message", containsString("limit 500")).body("error.message", containsString("in use 500"));
        as(token).body(Map.of("tpsSpec", 123)).patch(path("")).then().statusCode(400)
                .body("error.code", equalTo("INVALID_FIELD")).body("error.field", equalTo("tpsSpec"));
        as(token).body(Map.of("name", "n", "regionId", "local", "edition", "test", "retentionHours", 100000))
                .post("/api/v1/instances").then().statusCode(409).body("error.code", equalTo("QUOTA_EXCEEDED"))
                .body("error.message", containsString("limit 72"));
        as(token).get(path("")).then().body("retentionHours", equalTo(72)).body("tpsSpec", equalTo(500));
    }

    @Test
    void topicAndGroupCapsStayWithinTheInstanceLimits() {
        as(token).body(Map.of("messageType", "NORMAL", "maxSendTps", 501)).post(path("/topics/orders")).then()
                .statusCode(409).body("error.code", equalTo("QUOTA_EXCEEDED")).body("error.field", equalTo("maxSendTps"))
                .body("error.message", containsString("'sendTps'")).body("error.message", containsString("limit 500"));
        as(token).body(Map.of("messageType", "NORMAL", "maxSendTps", -1)).post(path("/topics/orders")).then()
                .statusCode(400).body("error.field", equalTo("maxSendTps"));
        as(token).body(Map.of("messageType", "NORMAL", "maxSendTps", 500)).post(path("/topics/orders")).then()
                .statusCode(202).body("maxSendTps", equalTo(500)).body("throttledRequests", equalTo(0));
        as(token).body(Map.of("maxSendTps", 100)).patch(path("/topics/orders")).then().statusCode(200)
                .body("maxSendTps", equalTo(100));
        as(token).get(path("/topics/orders")).then().body("maxSendTps", equalTo(100));
        as(token).body(Map.of("maxSendTps", 0)).patch(path("/topics/orders")).then().statusCode(200)
                .body("maxSendTps", nullValue());

        as(token).body(Map.of("maxReceiveTps", 1001)).post(path("/consumer-groups/billing")).then().statusCode(409)
                .body("error.code", equalTo("QUOTA_EXCEEDED")).body("error.message", containsString("'receiveTps'"))
                .body("error.message", containsString("limit 1000"));
        as(token).body(Map.of("maxReceiveTps", 1000)).post(path("/consumer-groups/billing")).then().statusCode(202)
                .body("maxReceiveTps", equalTo(1000));
        as(token).body(Map.of("maxReceiveTps", 50)).patch(path("/consumer-groups/billing")).then().statusCode(200)
                .body("maxReceiveTps", equalTo(50));
        as(token).body(Map.of("maxReceiveTps", 2000)).patch(path("/consumer-groups/billing")).then().statusCode(409);
        as(token).get(path("/consumer-groups")).then().body("items[0].maxReceiveTps", equalTo(50));
    }
}
