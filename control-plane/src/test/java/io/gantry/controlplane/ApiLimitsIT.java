package io.gantry.controlplane;

import static io.gantry.controlplane.Fixtures.adminToken;
import static io.gantry.controlplane.Fixtures.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Limits of a tenant as a whole, which an edition's quotas do not cover: how many instances it may
 * hold, and how fast it may call the API. Before these, one tenant's script could create instances
 * without bound (each is state in every gateway) and call the API as fast as the server answered.
 */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
class ApiLimitsIT {
    @Test
    void aTenantHoldsAtMostTwentyInstancesAndADeleteFreesOne() {
        String tenant = Fixtures.newTenant();
        String token = adminToken(tenant);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(Fixtures.createInstance(tenant, "test"));
        }
        Map<String, Object> body = Map.of("name", "one too many", "regionId", Fixtures.REGION, "edition", "test");
        as(token).body(body).post("/api/v1/instances").then().statusCode(409)
                .body("error.code", equalTo("QUOTA_EXCEEDED"))
                .body("error.message", containsString("tenant '" + tenant + "'"))
                .body("error.message", containsString("'instances'"))
                .body("error.message", containsString("limit 20"));
        // Another tenant is not held back by this one's count.
        Fixtures.createInstance(Fixtures.newTenant(), "test");
        as(token).delete("/api/v1/instances/" + ids.get(0)).then().statusCode(202);
        String admitted = as(token).body(body).post("/api/v1/instances").then().statusCode(202)
                .extract().path("instanceId");
        ids.add(admitted);
        for (String id : ids.subList(1, ids.size())) {
            as(token).delete("/api/v1/instances/" + id).then().statusCode(202);
        }
    }

    @Test
    void aTenantOverItsApiRateGets429WithRetryAfterWhileOthersAreServed() {
        String limited = adminToken(ControlPlaneTestResources.RATE_LIMITED_TENANT);
        // A rate of 1 per second with 2 s of burst: at most a few of ten quick calls pass.
        int refused = 0;
        Response last = null;
        for (int i = 0; i < 10; i++) {
            Response r = as(limited).get("/api/v1/instances");
            if (r.statusCode() == 429) {
                refused++;
                last = r;
            } else {
                assertEquals(200, r.statusCode(), r.asString());
            }
        }
        assertTrue(refused >= 5, "refused " + refused + " of 10");
        assertEquals("TOO_MANY_REQUESTS", last.jsonPath().getString("error.code"));
        assertTrue(last.jsonPath().getString("error.message").contains("tenant '" + ControlPlaneTestResources.RATE_LIMITED_TENANT + "'"));
        assertTrue(Integer.parseInt(last.header("Retry-After")) >= 1, last.headers().toString());
        as(adminToken(Fixtures.newTenant())).get("/api/v1/instances").then().statusCode(200);
        // A forged token naming the limited tenant spends nothing of anyone's rate: it is refused as unauthenticated.
        io.restassured.RestAssured.given().auth().oauth2("forged").get("/api/v1/instances").then().statusCode(401);
    }
}
