package io.gantry.controlplane;

import static io.gantry.controlplane.Fixtures.adminToken;
import static io.gantry.controlplane.Fixtures.as;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import io.gantry.localstack.SharedComponents;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Before the trace service has ever run against the database (no schema "trace"), the messages API
 * answers as if no message had been traced: empty lists and 404s, never an error.
 */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
@TestProfile(MessagesWithoutTraceStoreIT.EmptyTraceDatabase.class)
class MessagesWithoutTraceStoreIT {

    /** The trace datasource on a database of its own, which no trace service has touched. */
    public static class EmptyTraceDatabase implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String database = "notrace_" + Long.toHexString(System.nanoTime());
            SharedComponents.postgres().createDatabase(database);
            return Map.of("quarkus.datasource.trace.jdbc.url", SharedComponents.postgres().jdbcUrl(database));
        }
    }

    @Test
    void everyReadAnswersEmptyOr404() {
        String tenant = Fixtures.newTenant();
        String instance = Fixtures.createInstance(tenant, "test");
        String token = adminToken(tenant);
        as(token).body(Map.of()).post("/api/v1/instances/" + instance + "/consumer-groups/billing").then().statusCode(202);
        String base = "/api/v1/instances/" + instance;
        as(token).get(base + "/messages?key=k").then().statusCode(200).body("items", empty());
        as(token).get(base + "/messages?topic=orders").then().statusCode(200).body("items", empty());
        as(token).get(base + "/messages/01ABCDEF").then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        as(token).get(base + "/messages/01ABCDEF/lifecycle").then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        as(token).get(base + "/consumer-groups/billing/dead-letters").then().statusCode(200).body("items", empty());
    }
}
