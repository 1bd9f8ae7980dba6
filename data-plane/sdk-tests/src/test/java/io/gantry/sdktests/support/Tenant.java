package io.gantry.sdktests.support;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A tenant of the management API, acting with a tenant-admin token. */
public final class Tenant {

    static final Duration PROVISIONING = Duration.ofSeconds(90);

    private final GantryStack stack;
    private final String id;
    private final String token;

    Tenant(GantryStack stack, String id) {
        this.stack = stack;
        this.id = id;
        this.token = stack.adminToken(id);
    }

    public String id() {
        return id;
    }

    public GantryStack stack() {
        return stack;
    }

    /** A request as this tenant's admin. */
    public RequestSpecification api() {
        return stack.as(token);
    }

    /** A "professional" instance (its smallest TPS spec, 5,000: no test here comes near it), RUNNING. */
    public TenantInstance createInstance() {
        return createInstance("professional", null);
    }

    /**
     * Creates an instance and waits until it is RUNNING (placed on the registered cluster, namespace
     * created). {@code tpsSpec} null: the edition's smallest.
     */
    public TenantInstance createInstance(String edition, Integer tpsSpec) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "sdk tests " + id);
        body.put("regionId", GantryStack.REGION);
        body.put("edition", edition);
        if (tpsSpec != null) {
            body.put("tpsSpec", tpsSpec);
        }
        Response created = api().body(body).post("/api/v1/instances");
        if (created.statusCode() != 202) {
            throw new AssertionError("create instance answered " + created.statusCode() + ": " + created.asString());
        }
        String instanceId = created.path("instanceId");
        JsonPath running = awaitStatus("/api/v1/instances/" + instanceId, "RUNNING");
        return new TenantInstance(this, instanceId, running);
    }

    /** Polls a resource until its status is {@code status}; fails at once if it becomes FAILED. */
    JsonPath awaitStatus(String path, String status) {
        return Await.until(path + " to be " + status, PROVISIONING, () -> {
            Response response = api().get(path);
            if (response.statusCode() != 200) {
                return null;
            }
            JsonPath body = response.jsonPath();
            String current = body.getString("status");
            if ("FAILED".equals(current) && !"FAILED".equals(status)) {
                throw new IllegalStateException(path + " FAILED: " + response.asString());
            }
            return status.equals(current) ? body : null;
        });
    }

    @Override
    public String toString() {
        return "tenant " + id;
    }
}
