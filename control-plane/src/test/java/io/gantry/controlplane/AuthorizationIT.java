package io.gantry.controlplane;

import static io.gantry.controlplane.Fixtures.adminToken;
import static io.gantry.controlplane.Fixtures.as;
import static io.gantry.controlplane.Fixtures.viewerToken;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.gantry.localstack.SharedComponents;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tokens, roles and the tenant boundary, with real signed tokens from a real OIDC provider. */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
class AuthorizationIT {
    private String tenantA;
    private String tenantB;
    private String instanceA;

    @BeforeEach
    void twoTenantsOneInstanceWithEverything() {
        tenantA = Fixtures.newTenant();
        tenantB = Fixtures.newTenant();
        instanceA = Fixtures.createInstance(tenantA, "test");
        String token = adminToken(tenantA);
        as(token).body(Map.of("messageType", "NORMAL")).post(path("/topics/orders")).then().statusCode(202);
        as(token).body(Map.of()).post(path("/consumer-groups/billing")).then().statusCode(202);
        as(token).body(Map.of()).post(path("/accounts/app")).then().statusCode(201);
    }

    private String path(String rest) {
        return "/api/v1/instances/" + instanceA + rest;
    }

    @Test
    void noTokenOrABadTokenIs401WithTheCatalogBody() {
        given().get("/api/v1/instances").then().statusCode(401)
                .contentType(ContentType.JSON).body("error.code", equalTo("UNAUTHENTICATED"));
        given().auth().oauth2("not-a-jwt").get("/api/v1/instances").then().statusCode(401)
                .body("error.code", equalTo("UNAUTHENTICATED"));
        String valid = adminToken(tenantA);
        String tampered = valid.substring(0, valid.lastIndexOf('.') + 1) + "AAAA" + valid.substring(valid.lastIndexOf('.') + 5);
        given().auth().oauth2(tampered).get("/api/v1/instances").then().statusCode(401)
                .body("error.code", equalTo("UNAUTHENTICATED"));
        String wrongAudience = SharedComponents.oidc().token("x", Map.of("tenant", tenantA, "aud", "someone-else",
                "realm_access", Map.of("roles", List.of("tenant-admin"))));
        given().auth().oauth2(wrongAudience).get("/api/v1/instances").then().statusCode(401);
        given().auth().oauth2(valid).body("{}").contentType(ContentType.JSON)
                .post("/api/v1/instances").then().statusCode(400);
    }

    @Test
    void anotherTenantGets404ForEveryPathOfTheInstanceExactlyAsForAMissingOne() {
        String b = adminToken(tenantB);
        List<String> reads = List.of("", "/topics", "/topics/orders", "/consumer-groups", "/consumer-groups/billing",
                "/accounts", "/accounts/app");
        for (String p : reads) {
            as(b).get(path(p)).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        }
        as(b).body(Map.of("messageType", "NORMAL")).post(path("/topics/sneaky")).then().statusCode(404);
        as(b).body(Map.of()).post(path("/consumer-groups/sneaky")).then().statusCode(404);
        as(b).body(Map.of()).post(path("/accounts/sneaky")).then().statusCode(404);
        as(b).post(path("/accounts/app/rotate-secret")).then().statusCode(404);
        as(b).body(Map.of("remark", "x")).patch(path("")).then().statusCode(404);
        as(b).body(Map.of("remark", "x")).patch(path("/topics/orders")).then().statusCode(404);
        as(b).body(Map.of("remark", "x")).patch(path("/consumer-groups/billing")).then().statusCode(404);
        as(b).body(Map.of("enabled", false)).patch(path("/accounts/app")).then().statusCode(404);
        as(b).delete(path("/topics/orders")).then().statusCode(404);
        as(b).delete(path("/consumer-groups/billing")).then().statusCode(404);
        as(b).delete(path("/accounts/app")).then().statusCode(404);
        as(b).delete(path("")).then().statusCode(404);
        // The missing-instance answer is the same body shape and code.
        as(b).get("/api/v1/instances/rmq-aaaaaaaaaaaa").then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        as(b).get("/api/v1/instances").then().statusCode(200).body("items.instanceId", not(hasItem(instanceA)));
        as(b).get("/api/v1/audit-events").then().statusCode(200)
                .body("items.findAll { it.resourceId.startsWith('" + instanceA + "') }.size()", equalTo(0));

        // Nothing changed on A's side.
        String a = adminToken(tenantA);
        as(a).get(path("")).then().statusCode(200).body("remark", equalTo(null));
        as(a).get(path("/topics")).then().body("items.topicName", equalTo(List.of("orders")));
        as(a).get(path("/accounts/app")).then().body("enabled", equalTo(true));
    }

    @Test
    void anotherTenantCannotReadAnOperation() {
        String op = as(adminToken(tenantA)).body(Map.of("messageType", "FIFO")).post(path("/topics/fifo"))
                .then().statusCode(202).extract().path("operationId");
        as(adminToken(tenantA)).get("/api/v1/operations/" + op).then().statusCode(200);
        as(adminToken(tenantB)).get("/api/v1/operations/" + op).then().statusCode(404);
    }

    @Test
    void viewerReadsButCannotWrite() {
        String v = viewerToken(tenantA);
        as(v).get(path("")).then().statusCode(200);
        as(v).get(path("/topics/orders")).then().statusCode(200);
        as(v).get(path("/accounts/app")).then().statusCode(200).body("secretKey", equalTo(null));
        as(v).body(Map.of("name", "x", "regionId", "local", "edition", "test")).post("/api/v1/instances")
                .then().statusCode(403).body("error.code", equalTo("FORBIDDEN"));
        as(v).body(Map.of("messageType", "NORMAL")).post(path("/topics/x")).then().statusCode(403);
        as(v).body(Map.of()).post(path("/consumer-groups/x")).then().statusCode(403);
        as(v).body(Map.of()).post(path("/accounts/x")).then().statusCode(403);
        as(v).post(path("/accounts/app/rotate-secret")).then().statusCode(403);
        as(v).body(Map.of("remark", "x")).patch(path("")).then().statusCode(403);
        as(v).delete(path("/topics/orders")).then().statusCode(403);
        as(v).delete(path("")).then().statusCode(403);
        as(v).get("/api/v1/audit-events").then().statusCode(403);
    }

    @Test
    void tenantRolesCannotUseOperatorPathsAndOperatorsNeedNoTenant() {
        as(adminToken(tenantA)).get("/api/v1/admin/clusters").then().statusCode(403).body("error.code", equalTo("FORBIDDEN"));
        as(adminToken(tenantA)).get("/api/v1/admin/audit-events").then().statusCode(403);
        as(Fixtures.operatorToken()).get("/api/v1/admin/clusters").then().statusCode(200);
        as(Fixtures.operatorToken()).queryParam("tenantId", tenantA).get("/api/v1/admin/audit-events").then().statusCode(200)
                .body("items.action", hasItem("instance.create"));
        // An operator has no tenant: tenant paths are not theirs.
        as(Fixtures.operatorToken()).get("/api/v1/instances").then().statusCode(403);
        // A token with a tenant role but no tenant claim cannot act on tenant resources.
        String noTenant = SharedComponents.oidc().token("lost", null, "tenant-admin");
        as(noTenant).get("/api/v1/instances").then().statusCode(403).body("error.code", equalTo("FORBIDDEN"));
        // No role at all.
        String noRole = SharedComponents.oidc().token("nobody", tenantA);
        as(noRole).get("/api/v1/instances").then().statusCode(403);
    }

    @Test
    void accountSecretIsShownOnlyOnCreateAndRotate() {
        String a = adminToken(tenantA);
        String first = as(a).body(Map.of()).post(path("/accounts/second")).then().statusCode(201)
                .body("accessKey", org.hamcrest.Matchers.startsWith("AK"))
                .extract().path("secretKey");
        org.junit.jupiter.api.Assertions.assertNotNull(first);
        as(a).get(path("/accounts/second")).then().statusCode(200).body("secretKey", equalTo(null));
        as(a).get(path("/accounts")).then().statusCode(200).body("items.secretKey", everyItemNull());
        String rotated = as(a).post(path("/accounts/second/rotate-secret")).then().statusCode(200)
                .extract().path("secretKey");
        org.junit.jupiter.api.Assertions.assertNotEquals(first, rotated);
        String audit = as(a).queryParam("pageSize", 100).get("/api/v1/audit-events").then().statusCode(200)
                .body("items.action", hasItem("account.rotate-secret")).extract().asString();
        org.junit.jupiter.api.Assertions.assertFalse(audit.contains(first) || audit.contains(rotated),
                "secrets never reach the audit log");
    }

    private static org.hamcrest.Matcher<Iterable<?>> everyItemNull() {
        return org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.nullValue());
    }
}
