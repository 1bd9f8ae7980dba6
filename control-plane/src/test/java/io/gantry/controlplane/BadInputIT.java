package io.gantry.controlplane;

import static io.gantry.controlplane.Fixtures.adminToken;
import static io.gantry.controlplane.Fixtures.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every write path refuses bad input with 400/409 and a catalog code that names the field; never a 500. */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
class BadInputIT {
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

    /** Write paths with a valid body for each, so that each bad variant differs in one thing only. */
    private List<String[]> writePaths() {
        return List.of(
                new String[] {"POST", "/api/v1/instances", "{\"name\":\"n\",\"regionId\":\"local\",\"edition\":\"test\"}"},
                new String[] {"PATCH", path(""), "{\"remark\":\"r\"}"},
                new String[] {"POST", path("/topics/t1"), "{\"messageType\":\"NORMAL\"}"},
                new String[] {"POST", path("/consumer-groups/g1"), "{\"deliveryOrderType\":\"CONCURRENTLY\"}"},
                new String[] {"POST", path("/accounts/a1"), "{\"enabled\":true}"},
                new String[] {"POST", "/api/v1/admin/clusters", "{\"clusterId\":\"c\"}"});
    }

    private Response send(String method, String url, String body, String contentType) {
        String t = url.contains("/admin/") ? Fixtures.operatorToken() : token;
        var spec = io.restassured.RestAssured.given().auth().oauth2(t).contentType(contentType).body(body);
        return method.equals("POST") ? spec.post(url) : spec.patch(url);
    }

    @Test
    void malformedJsonIs400MalformedRequest() {
        for (String[] w : writePaths()) {
            for (String bad : List.of("{", "not json", "[1,2]", "\"string\"", "{\"name\":}")) {
                Response r = send(w[0], w[1], bad, "application/json");
                assertTrue(r.statusCode() == 400, w[1] + " " + bad + " -> " + r.statusCode() + " " + r.asString());
                String code = r.jsonPath().getString("error.code");
                assertTrue(code.equals("MALFORMED_REQUEST") || code.equals("INVALID_FIELD"), w[1] + " " + bad + " -> " + code);
            }
        }
    }

    @Test
    void unknownFieldsAndWrongTypesNameTheField() {
        for (String[] w : writePaths()) {
            if (w[1].contains("/admin/")) {
                continue;
            }
            Response r = send(w[0], w[1], w[2].replace("}", ",\"nmae\":\"typo\"}"), "application/json");
            assertTrue(r.statusCode() == 400, w[1] + " -> " + r.asString());
            assertTrue(r.jsonPath().getString("error.field").equals("nmae"), r.asString());
        }
        as(token).body("{\"name\":\"n\",\"regionId\":\"local\",\"edition\":\"test\",\"tpsSpec\":\"lots\"}")
                .post("/api/v1/instances").then().statusCode(400)
                .body("error.code", equalTo("INVALID_FIELD")).body("error.field", equalTo("tpsSpec"));
        as(token).body("{\"messageType\":\"NORMAL\",\"queueCount\":[1]}").post(path("/topics/t2"))
                .then().statusCode(400).body("error.field", equalTo("queueCount"));
        as(token).body("{\"consumeRetryPolicy\":{\"maxRetryTimes\":\"x\"}}").post(path("/consumer-groups/g2"))
                .then().statusCode(400).body("error.field", equalTo("consumeRetryPolicy.maxRetryTimes"));
        as(token).body("{\"enabled\":\"maybe\"}").post(path("/accounts/a2")).then().statusCode(400)
                .body("error.field", equalTo("enabled"));
    }

    @Test
    void wrongContentTypeIs415() {
        for (String[] w : writePaths()) {
            Response r = send(w[0], w[1], w[2], "text/plain");
            assertTrue(r.statusCode() == 415, w[1] + " -> " + r.statusCode());
            assertTrue(r.jsonPath().getString("error.code").equals("UNSUPPORTED_MEDIA_TYPE"));
        }
    }

    @Test
    void instanceFieldsAreChecked() {
        Map<String, Map<String, Object>> bad = Map.of(
                "name", Map.of("name", "", "regionId", "local", "edition", "test"),
                "regionId", Map.of("name", "n", "regionId", "mars-1", "edition", "test"),
                "edition", Map.of("name", "n", "regionId", "local", "edition", "platinum"),
                "tpsSpec", Map.of("name", "n", "regionId", "local", "edition", "test", "tpsSpec", 123),
                // Above the edition's maximum is QUOTA_EXCEEDED (IsolationQuotasIT); below 1 is simply invalid.
                "retentionHours", Map.of("name", "n", "regionId", "local", "edition", "test", "retentionHours", 0),
                "tags", Map.of("name", "n", "regionId", "local", "edition", "test", "tags", Map.of("bad key!", "v")));
        bad.forEach((field, body) -> as(token).body(body).post("/api/v1/instances").then().statusCode(400)
                .body("error.code", equalTo("INVALID_FIELD")).body("error.field", equalTo(field)));
        as(token).body(Map.of("edition", "standard")).patch(path("")).then().statusCode(400)
                .body("error.code", equalTo("IMMUTABLE_FIELD")).body("error.field", equalTo("edition"));
        as(token).contentType(ContentType.JSON).post("/api/v1/instances").then().statusCode(400)
                .body("error.code", equalTo("MALFORMED_REQUEST"));
    }

    @Test
    void topicAndGroupNamesFollowRocketMqRulesAndRefuseReservedForms() {
        int max = 127 - instance.length() - 1;
        for (String kind : List.of("/topics/", "/consumer-groups/")) {
            Object body = kind.equals("/topics/") ? Map.of("messageType", "NORMAL") : Map.of();
            for (String reserved : List.of("rmq-aaaaaaaaaaaa%25orders", "%25RETRY%25g", "%25DLQ%25g", "rmq_sys_x", "TBW102")) {
                as(token).body(body).post(path(kind + reserved)).then().statusCode(400)
                        .body("error.code", equalTo("RESERVED_NAME"));
            }
            for (String invalid : List.of("with%20space", "%C3%BCnicode", "dot.ted", "a".repeat(max + 1))) {
                as(token).body(body).post(path(kind + invalid)).then().statusCode(400)
                        .body("error.code", equalTo("INVALID_NAME")).body("error.message", containsString("name"));
            }
            as(token).body(body).post(path(kind + "a".repeat(max))).then().statusCode(202);
        }
        as(token).body(Map.of()).post(path("/accounts/bad%20name")).then().statusCode(400)
                .body("error.code", equalTo("INVALID_NAME"));
    }

    @Test
    void enumsAndRangesNameTheField() {
        as(token).body(Map.of("messageType", "SOMETIMES")).post(path("/topics/t3")).then().statusCode(400)
                .body("error.field", equalTo("messageType")).body("error.message", containsString("NORMAL"));
        as(token).body(Map.of()).post(path("/topics/t3")).then().statusCode(400).body("error.field", equalTo("messageType"));
        as(token).body(Map.of("messageType", "NORMAL", "queueCount", 0)).post(path("/topics/t3")).then().statusCode(400)
                .body("error.field", equalTo("queueCount"));
        as(token).body(Map.of("messageType", "NORMAL", "queueCount", 9)).post(path("/topics/t3")).then().statusCode(400)
                .body("error.field", equalTo("queueCount"));
        as(token).body(Map.of("deliveryOrderType", "RANDOM")).post(path("/consumer-groups/g3")).then().statusCode(400)
                .body("error.field", equalTo("deliveryOrderType"));
        as(token).body(Map.of("consumeRetryPolicy", Map.of("maxRetryTimes", -1))).post(path("/consumer-groups/g3"))
                .then().statusCode(400).body("error.field", equalTo("consumeRetryPolicy.maxRetryTimes"));
        as(token).body(Map.of("consumeRetryPolicy", Map.of("retryPolicy", "DEFAULT", "fixedIntervalSeconds", 5)))
                .post(path("/consumer-groups/g3")).then().statusCode(400)
                .body("error.field", equalTo("consumeRetryPolicy.fixedIntervalSeconds"));
        as(token).body(Map.of("messageType", "NORMAL")).post(path("/topics/t4")).then().statusCode(202);
        as(token).body(Map.of("messageType", "FIFO")).patch(path("/topics/t4")).then().statusCode(400)
                .body("error.code", equalTo("IMMUTABLE_FIELD"));
        as(token).body(Map.of("remark", "x".repeat(257))).patch(path("/topics/t4")).then().statusCode(400)
                .body("error.field", equalTo("remark"));
    }

    @Test
    void duplicatesAre409AndNameTheResource() {
        as(token).body(Map.of("messageType", "NORMAL")).post(path("/topics/dup")).then().statusCode(202);
        as(token).body(Map.of("messageType", "NORMAL")).post(path("/topics/dup")).then().statusCode(409)
                .body("error.code", equalTo("ALREADY_EXISTS")).body("error.message", containsString("'dup'"));
        as(token).body(Map.of()).post(path("/consumer-groups/dup")).then().statusCode(202);
        as(token).body(Map.of()).post(path("/consumer-groups/dup")).then().statusCode(409)
                .body("error.code", equalTo("ALREADY_EXISTS"));
        as(token).body(Map.of()).post(path("/accounts/dup")).then().statusCode(201);
        as(token).body(Map.of()).post(path("/accounts/dup")).then().statusCode(409)
                .body("error.code", equalTo("ALREADY_EXISTS"));
    }

    @Test
    void editionLimitsAreCheckedAtCreationAndNamed() {
        // The test edition allows 5 accounts.
        for (int i = 0; i < 5; i++) {
            as(token).body(Map.of()).post(path("/accounts/user" + i)).then().statusCode(201);
        }
        as(token).body(Map.of()).post(path("/accounts/user5")).then().statusCode(409)
                .body("error.code", equalTo("QUOTA_EXCEEDED"))
                .body("error.message", containsString("accounts"))
                .body("error.message", containsString("limit 5"));
        as(token).get(path("")).then().body("quotas.find { it.name == 'accounts' }.used", equalTo(5));
        // 20 topics on the test edition.
        for (int i = 0; i < 20; i++) {
            as(token).body(Map.of("messageType", "NORMAL")).post(path("/topics/q" + i)).then().statusCode(202);
        }
        as(token).body(Map.of("messageType", "NORMAL")).post(path("/topics/q20")).then().statusCode(409)
                .body("error.code", equalTo("QUOTA_EXCEEDED")).body("error.message", containsString("topics"));
    }

    @Test
    void pagingParametersAreChecked() {
        as(token).queryParam("pageToken", "garbage").get("/api/v1/instances").then().statusCode(400)
                .body("error.code", equalTo("INVALID_PAGE_TOKEN"));
        as(token).queryParam("pageSize", 0).get("/api/v1/instances").then().statusCode(400).body("error.field", equalTo("pageSize"));
        as(token).queryParam("pageSize", "abc").get("/api/v1/instances").then().statusCode(400);
        for (int i = 0; i < 3; i++) {
            as(token).body(Map.of("messageType", "NORMAL")).post(path("/topics/p" + i)).then().statusCode(202);
        }
        String next = as(token).queryParam("pageSize", 2).get(path("/topics")).then().statusCode(200)
                .body("items.size()", equalTo(2)).extract().path("nextPageToken");
        as(token).queryParam("pageSize", 2).queryParam("pageToken", next).get(path("/topics")).then().statusCode(200)
                .body("items.topicName", equalTo(List.of("p2"))).body("nextPageToken", equalTo(null));
    }

    @Test
    void unknownPathsAndMethodsAnswerWithTheCatalog() {
        as(token).get("/api/v1/nothing-here").then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        as(token).put(path("")).then().statusCode(405).body("error.code", equalTo("METHOD_NOT_ALLOWED"));
    }

    /** A NUL cannot be stored by PostgreSQL; in a path or a field it was answered 500. */
    @Test
    void aNulCharacterInAPathOrAFieldIs400() {
        for (String p : List.of(path("/topics/%00"), path("/consumer-groups/a%00b"), path("/accounts/%00"),
                "/api/v1/instances/%00", path("/messages/%00"), path("/messages?key=%00"))) {
            as(token).get(p).then().statusCode(400).body("error.code", equalTo("MALFORMED_REQUEST"));
        }
        as(token).body(Map.of("remark", "a\u0000b")).patch(path("")).then().statusCode(400);
        as(token).body(Map.of("messageType", "NORMAL", "remark", "x\u0000")).post(path("/topics/nul"))
                .then().statusCode(400);
        as(token).get(path("/topics/nul")).then().statusCode(404);
    }
}
