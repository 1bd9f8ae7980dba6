package io.gantry.controlplane;

import static io.gantry.controlplane.Fixtures.adminToken;
import static io.gantry.controlplane.Fixtures.as;
import static io.gantry.controlplane.Fixtures.viewerToken;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Account types and ACL rules through the API: create, read, delete, validation, limits, the tenant boundary. */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
class AclsIT {
    private String tenant;
    private String token;
    private String instance;

    @BeforeEach
    void instanceWithANormalAccount() {
        tenant = Fixtures.newTenant();
        token = adminToken(tenant);
        instance = Fixtures.createInstance(tenant, "test");
        as(token).body(Map.of("accountType", "NORMAL")).post(path("/accounts/app")).then().statusCode(201)
                .body("accountType", equalTo("NORMAL"));
    }

    private String path(String rest) {
        return "/api/v1/instances/" + instance + rest;
    }

    private static Map<String, Object> rule(String type, String name, String pattern, List<String> actions) {
        Map<String, Object> body = new HashMap<>();
        body.put("resourceType", type);
        body.put("resourceName", name);
        body.put("pattern", pattern);
        body.put("actions", actions);
        return body;
    }

    @Test
    void accountsWithoutATypeAreAdminsAndTheTypeCanChange() {
        as(token).body(Map.of()).post(path("/accounts/legacy")).then().statusCode(201).body("accountType", equalTo("ADMIN"));
        as(token).post(path("/accounts/nobody")).then().statusCode(201).body("accountType", equalTo("ADMIN"));
        as(token).body(Map.of("accountType", "NORMAL")).patch(path("/accounts/legacy")).then().statusCode(200)
                .body("accountType", equalTo("NORMAL"));
        as(token).get(path("/accounts/legacy")).then().body("accountType", equalTo("NORMAL"));
        as(token).body(Map.of("accountType", "ROOT")).post(path("/accounts/x")).then().statusCode(400)
                .body("error.code", equalTo("INVALID_FIELD")).body("error.field", equalTo("accountType"));
        as(token).body(Map.of("accountType", "normal")).patch(path("/accounts/legacy")).then().statusCode(400)
                .body("error.field", equalTo("accountType"));
    }

    @Test
    void rulesAreCreatedReadListedAndDeleted() {
        Map<String, Object> body = rule("TOPIC", "orders", "LITERAL", List.of("SUB", "PUB"));
        body.put("decision", "ALLOW");
        body.put("sourceCidrs", List.of("10.0.0.7", "10.1.0.0/16", "2001:DB8:0:0::/32"));
        var created = as(token).body(body).post(path("/accounts/app/acls")).then().statusCode(201)
                .body("ruleId", matchesPattern("acl-[a-z2-7]{12}"))
                .body("instanceId", equalTo(instance))
                .body("username", equalTo("app"))
                .body("resourceType", equalTo("TOPIC"))
                .body("resourceName", equalTo("orders"))
                .body("pattern", equalTo("LITERAL"))
                .body("actions", equalTo(List.of("PUB", "SUB")))
                .body("decision", equalTo("ALLOW"))
                .body("sourceCidrs", equalTo(List.of("10.0.0.7/32", "10.1.0.0/16", "2001:db8::/32")))
                .extract();
        String ruleId = created.path("ruleId");
        org.junit.jupiter.api.Assertions.assertTrue(created.header("Location").endsWith("/accounts/app/acls/" + ruleId));

        // Decision defaults to ALLOW; an empty PREFIX names every group.
        Map<String, Object> everyGroup = rule("GROUP", "", "PREFIX", List.of("SUB"));
        String second = as(token).body(everyGroup).post(path("/accounts/app/acls")).then().statusCode(201)
                .body("decision", equalTo("ALLOW")).body("sourceCidrs", empty()).extract().path("ruleId");
        Map<String, Object> deny = rule("TOPIC", "secret-", "PREFIX", List.of("SUB"));
        deny.put("decision", "DENY");
        as(token).body(deny).post(path("/accounts/app/acls")).then().statusCode(201);

        as(token).get(path("/accounts/app/acls/" + ruleId)).then().statusCode(200).body("resourceName", equalTo("orders"));
        as(viewerToken(tenant)).get(path("/accounts/app/acls")).then().statusCode(200).body("items.size()", equalTo(3))
                .body("items.ruleId", hasItem(second));
        as(token).queryParam("pageSize", 2).get(path("/accounts/app/acls")).then().statusCode(200)
                .body("items.size()", equalTo(2)).body("nextPageToken", org.hamcrest.Matchers.notNullValue());

        as(token).delete(path("/accounts/app/acls/" + ruleId)).then().statusCode(204);
        as(token).get(path("/accounts/app/acls/" + ruleId)).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        as(token).delete(path("/accounts/app/acls/" + ruleId)).then().statusCode(404);
        as(token).queryParam("pageSize", 100).get("/api/v1/audit-events").then()
                .body("items.action", hasItem("acl-rule.create"))
                .body("items.action", hasItem("acl-rule.delete"))
                .body("items.find { it.action == 'acl-rule.delete' }.resourceId", endsWith("/app/" + ruleId));
    }

    @Test
    void rulesGoWithTheirAccount() {
        as(token).body(rule("TOPIC", "orders", "LITERAL", List.of("PUB"))).post(path("/accounts/app/acls"))
                .then().statusCode(201);
        as(token).delete(path("/accounts/app")).then().statusCode(204);
        as(token).get(path("/accounts/app/acls")).then().statusCode(404);
        as(token).body(rule("TOPIC", "orders", "LITERAL", List.of("PUB"))).post(path("/accounts/app/acls"))
                .then().statusCode(404).body("error.message", containsString("account 'app'"));
        as(token).body(Map.of("accountType", "NORMAL")).post(path("/accounts/app")).then().statusCode(201);
        as(token).get(path("/accounts/app/acls")).then().statusCode(200).body("items", empty());
    }

    @Test
    void badRulesAre400AndNameTheField() {
        Map<String, Map<String, Object>> bad = new java.util.LinkedHashMap<>();
        bad.put("resourceType", rule("QUEUE", "orders", "LITERAL", List.of("PUB")));
        bad.put("pattern", rule("TOPIC", "orders", "GLOB", List.of("PUB")));
        bad.put("actions", rule("TOPIC", "orders", "LITERAL", List.of()));
        Map<String, Object> badAction = rule("TOPIC", "orders", "LITERAL", List.of("PUBLISH"));
        Map<String, Object> badDecision = rule("TOPIC", "orders", "LITERAL", List.of("PUB"));
        badDecision.put("decision", "MAYBE");
        Map<String, Object> hostBits = rule("TOPIC", "orders", "LITERAL", List.of("PUB"));
        hostBits.put("sourceCidrs", List.of("10.0.0.1/8"));
        Map<String, Object> hostName = rule("TOPIC", "orders", "LITERAL", List.of("PUB"));
        hostName.put("sourceCidrs", List.of("example.com"));
        Map<String, Object> tooMany = rule("TOPIC", "orders", "LITERAL", List.of("PUB"));
        tooMany.put("sourceCidrs", java.util.stream.IntStream.range(0, 21).mapToObj(i -> "10.0.0." + i).toList());
        Map<String, Object> noName = rule("TOPIC", null, "LITERAL", List.of("PUB"));
        Map<String, Object> emptyLiteral = rule("TOPIC", "", "LITERAL", List.of("PUB"));
        List<Object[]> cases = List.of(
                new Object[] {bad.get("resourceType"), "resourceType"},
                new Object[] {bad.get("pattern"), "pattern"},
                new Object[] {bad.get("actions"), "actions"},
                new Object[] {badAction, "actions"},
                new Object[] {badDecision, "decision"},
                new Object[] {hostBits, "sourceCidrs"},
                new Object[] {hostName, "sourceCidrs"},
                new Object[] {tooMany, "sourceCidrs"},
                new Object[] {noName, "resourceName"},
                new Object[] {emptyLiteral, "resourceName"});
        for (Object[] c : cases) {
            as(token).body(c[0]).post(path("/accounts/app/acls")).then().statusCode(400)
                    .body("error.code", equalTo("INVALID_FIELD")).body("error.field", equalTo(c[1]));
        }
        for (String reserved : List.of(instance + "%orders", "%RETRY%g", "%DLQ%g", "rmq_sys_x")) {
            as(token).body(rule("TOPIC", reserved, "LITERAL", List.of("PUB"))).post(path("/accounts/app/acls"))
                    .then().statusCode(400).body("error.code", equalTo("RESERVED_NAME"))
                    .body("error.field", equalTo("resourceName"));
        }
        int max = 127 - instance.length() - 1;
        for (String invalid : List.of("with space", "ünicode", "a".repeat(max + 1))) {
            as(token).body(rule("GROUP", invalid, "PREFIX", List.of("SUB"))).post(path("/accounts/app/acls"))
                    .then().statusCode(400).body("error.code", equalTo("INVALID_NAME"))
                    .body("error.field", equalTo("resourceName"));
        }
        as(token).body(rule("TOPIC", "a".repeat(max), "LITERAL", List.of("PUB"))).post(path("/accounts/app/acls"))
                .then().statusCode(201);
        as(token).body("{\"resourceType\":\"TOPIC\",\"resourceName\":\"o\",\"pattern\":\"LITERAL\",\"actions\":[\"PUB\"],\"when\":1}")
                .post(path("/accounts/app/acls")).then().statusCode(400).body("error.field", equalTo("when"));
        as(token).body("{\"resourceType\":\"TOPIC\",\"resourceName\":\"o\",\"pattern\":\"LITERAL\",\"actions\":\"PUB\"}")
                .post(path("/accounts/app/acls")).then().statusCode(400).body("error.field", equalTo("actions"));
        as(token).post(path("/accounts/app/acls")).then().statusCode(400).body("error.code", equalTo("MALFORMED_REQUEST"));
        as(token).body(rule("TOPIC", "orders", "LITERAL", List.of("PUB"))).post(path("/accounts/ghost/acls"))
                .then().statusCode(404);
    }

    @Test
    void anAccountHoldsAtMost100Rules() {
        for (int i = 0; i < 100; i++) {
            as(token).body(rule("TOPIC", "t" + i, "LITERAL", List.of("PUB"))).post(path("/accounts/app/acls"))
                    .then().statusCode(201);
        }
        as(token).body(rule("TOPIC", "t100", "LITERAL", List.of("PUB"))).post(path("/accounts/app/acls"))
                .then().statusCode(409)
                .body("error.code", equalTo("QUOTA_EXCEEDED"))
                .body("error.message", containsString("aclRulesPerAccount"))
                .body("error.message", containsString("limit 100"))
                .body("error.message", containsString("in use 100"));
        // The limit is per account.
        as(token).body(Map.of("accountType", "NORMAL")).post(path("/accounts/other")).then().statusCode(201);
        as(token).body(rule("TOPIC", "t100", "LITERAL", List.of("PUB"))).post(path("/accounts/other/acls"))
                .then().statusCode(201);
    }

    @Test
    void anotherTenantGets404AndAViewerCannotWrite() {
        String ruleId = as(token).body(rule("TOPIC", "orders", "LITERAL", List.of("PUB")))
                .post(path("/accounts/app/acls")).then().statusCode(201).extract().path("ruleId");
        String other = adminToken(Fixtures.newTenant());
        as(other).get(path("/accounts/app/acls")).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        as(other).get(path("/accounts/app/acls/" + ruleId)).then().statusCode(404);
        as(other).body(rule("TOPIC", "x", "LITERAL", List.of("PUB"))).post(path("/accounts/app/acls")).then().statusCode(404);
        as(other).delete(path("/accounts/app/acls/" + ruleId)).then().statusCode(404);
        as(other).body(Map.of("accountType", "ADMIN")).patch(path("/accounts/app")).then().statusCode(404);

        String viewer = viewerToken(tenant);
        as(viewer).get(path("/accounts/app/acls/" + ruleId)).then().statusCode(200);
        as(viewer).body(rule("TOPIC", "x", "LITERAL", List.of("PUB"))).post(path("/accounts/app/acls"))
                .then().statusCode(403).body("error.code", equalTo("FORBIDDEN"));
        as(viewer).delete(path("/accounts/app/acls/" + ruleId)).then().statusCode(403);
        as(viewer).body(Map.of("accountType", "ADMIN")).patch(path("/accounts/app")).then().statusCode(403);
        io.restassured.RestAssured.given().get(path("/accounts/app/acls")).then().statusCode(401);

        as(token).get(path("/accounts/app/acls/" + ruleId)).then().statusCode(200).body("resourceName", equalTo("orders"));
        as(token).get(path("/accounts/app")).then().body("accountType", equalTo("NORMAL"));
    }
}
