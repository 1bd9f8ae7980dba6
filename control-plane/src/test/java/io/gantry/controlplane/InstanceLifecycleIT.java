package io.gantry.controlplane;

import static io.gantry.controlplane.Fixtures.adminToken;
import static io.gantry.controlplane.Fixtures.as;
import static io.gantry.controlplane.Fixtures.await;
import static io.gantry.controlplane.Fixtures.awaitGone;
import static io.gantry.controlplane.Fixtures.awaitStatus;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.localstack.RocketMqCluster;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.junit.jupiter.api.Test;

/** An instance, its topics and groups, provisioned onto the real RocketMQ cluster and removed again. */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
class InstanceLifecycleIT {

    @Test
    void instanceTopicsAndGroupsReachTheBrokerUnderTheNamespaceAndLeaveWithDelete() throws Exception {
        RocketMqCluster mq = Fixtures.ensureCluster();
        String tenant = Fixtures.newTenant();
        String token = adminToken(tenant);

        JsonPath created = as(token).body(Map.of("name", "orders", "regionId", "local", "edition", "standard",
                        "tpsSpec", 2000, "tags", Map.of("team", "payments")))
                .post("/api/v1/instances")
                .then().statusCode(202)
                .body("status", equalTo("CREATING"))
                .body("operationId", notNullValue())
                .extract().jsonPath();
        String id = created.getString("instanceId");
        assertTrue(id.matches("rmq-[a-z2-7]{12}"), id);

        JsonPath running = awaitStatus(token, "/api/v1/instances/" + id, "RUNNING");
        assertEquals(id, running.getString("namespace"));
        assertEquals(1, running.getLong("observedGeneration"));
        assertEquals(ControlPlaneTestResources.GRPC_ENDPOINT, running.getString("endpoints[0].address"));
        assertEquals("True", running.getString("conditions.find { it.type == 'Ready' }.status"));
        awaitOperation(token, created.getString("operationId"));

        for (String type : List.of("NORMAL", "FIFO", "DELAY", "TRANSACTION")) {
            as(token).body(Map.of("messageType", type, "queueCount", 4))
                    .post("/api/v1/instances/" + id + "/topics/t-" + type.toLowerCase())
                    .then().statusCode(202).body("status", equalTo("CREATING"));
        }
        as(token).body(Map.of("deliveryOrderType", "ORDERLY",
                        "consumeRetryPolicy", Map.of("retryPolicy", "DEFAULT", "maxRetryTimes", 5)))
                .post("/api/v1/instances/" + id + "/consumer-groups/billing")
                .then().statusCode(202);
        as(token).body(Map.of("consumeRetryPolicy", Map.of("retryPolicy", "FIXED", "maxRetryTimes", 2,
                        "fixedIntervalSeconds", 3)))
                .post("/api/v1/instances/" + id + "/consumer-groups/audit")
                .then().statusCode(202);

        try (BrokerInspector broker = new BrokerInspector(mq)) {
            for (String type : List.of("NORMAL", "FIFO", "DELAY", "TRANSACTION")) {
                awaitStatus(token, "/api/v1/instances/" + id + "/topics/t-" + type.toLowerCase(), "RUNNING");
                TopicConfig onBroker = broker.topic(id + "%t-" + type.toLowerCase()).orElseThrow();
                assertEquals(type, onBroker.getAttributes().get("message.type"));
                assertEquals(4, onBroker.getWriteQueueNums());
                assertTrue(broker.topic("t-" + type.toLowerCase()).isEmpty(), "never created without the namespace");
            }
            awaitStatus(token, "/api/v1/instances/" + id + "/consumer-groups/billing", "RUNNING");
            SubscriptionGroupConfig billing = broker.group(id + "%billing").orElseThrow();
            assertEquals(5, billing.getRetryMaxTimes());
            assertTrue(billing.isConsumeMessageOrderly());
            awaitStatus(token, "/api/v1/instances/" + id + "/consumer-groups/audit", "RUNNING");
            SubscriptionGroupConfig audit = broker.group(id + "%audit").orElseThrow();
            assertEquals(2, audit.getRetryMaxTimes());
            assertEquals(3000L, audit.getGroupRetryPolicy().getCustomizedRetryPolicy().getNext()[0]);

            // An update reaches the broker too.
            as(token).body(Map.of("queueCount", 8)).patch("/api/v1/instances/" + id + "/topics/t-normal")
                    .then().statusCode(202).body("status", equalTo("UPDATING"));
            await(() -> {
                try {
                    return broker.topic(id + "%t-normal").orElseThrow().getWriteQueueNums() == 8 ? true : null;
                } catch (Exception e) {
                    return null;
                }
            }, Duration.ofSeconds(30), "8 queues on the broker");
            as(token).body(Map.of("consumeRetryPolicy", Map.of("maxRetryTimes", 9)))
                    .patch("/api/v1/instances/" + id + "/consumer-groups/billing").then().statusCode(202);
            awaitStatus(token, "/api/v1/instances/" + id + "/consumer-groups/billing", "RUNNING");
            assertEquals(9, broker.group(id + "%billing").orElseThrow().getRetryMaxTimes());

            // Topic delete removes it from the broker.
            as(token).delete("/api/v1/instances/" + id + "/topics/t-delay").then().statusCode(202)
                    .body("status", equalTo("DELETING"));
            awaitGone(token, "/api/v1/instances/" + id + "/topics/t-delay");
            assertTrue(broker.topic(id + "%t-delay").isEmpty());

            // Instance delete removes everything under its namespace.
            as(token).delete("/api/v1/instances/" + id).then().statusCode(202).body("status", equalTo("DELETING"));
            awaitGone(token, "/api/v1/instances/" + id);
            for (String type : List.of("NORMAL", "FIFO", "TRANSACTION")) {
                assertTrue(broker.topic(id + "%t-" + type.toLowerCase()).isEmpty(), type);
            }
            assertTrue(broker.group(id + "%billing").isEmpty());
            assertTrue(broker.group(id + "%audit").isEmpty());
        }
        // The provisioner's deletes are changes too: each leaves its event (newest first), after the tenant's
        // request when there was one; topics and groups that go with their instance have only the provisioner's.
        JsonPath events = as(token).queryParam("pageSize", 100).get("/api/v1/audit-events").then().statusCode(200)
                .extract().jsonPath();
        String admin = tenant + "-admin";
        Map<String, List<String>> actors = Map.of(
                "topic.delete " + id + "/t-delay", List.of("system:provisioner", admin),
                "topic.delete " + id + "/t-normal", List.of("system:provisioner"),
                "consumer-group.delete " + id + "/billing", List.of("system:provisioner"),
                "instance.delete " + id, List.of("system:provisioner", admin));
        actors.forEach((event, expected) -> {
            String[] actionAndId = event.split(" ");
            assertEquals(expected, events.getList("items.findAll { it.action == '" + actionAndId[0]
                    + "' && it.resourceId == '" + actionAndId[1] + "' }.actor"), event);
        });
        as(Fixtures.operatorToken()).get("/api/v1/admin/clusters/" + Fixtures.CLUSTER_ID + "/namespaces")
                .then().statusCode(200)
                .body("items.findAll { it.instanceId == '" + id + "' }.size()", equalTo(0));
    }

    @Test
    void operatorSeesWhatAClusterHolds() {
        String tenant = Fixtures.newTenant();
        String id = Fixtures.createInstance(tenant, "test");
        awaitStatus(adminToken(tenant), "/api/v1/instances/" + id, "RUNNING");
        as(Fixtures.operatorToken()).queryParam("pageSize", 100).get("/api/v1/admin/clusters/" + Fixtures.CLUSTER_ID + "/namespaces")
                .then().statusCode(200)
                .body("items.find { it.instanceId == '" + id + "' }.tenantId", equalTo(tenant))
                .body("items.find { it.instanceId == '" + id + "' }.namespace", equalTo(id));
        as(Fixtures.operatorToken()).get("/api/v1/admin/clusters/" + Fixtures.CLUSTER_ID)
                .then().statusCode(200).body("usage.instances", org.hamcrest.Matchers.greaterThanOrEqualTo(1));

        as(adminToken(tenant)).body(Map.of("messageType", "DELAY")).post("/api/v1/instances/" + id + "/topics/later")
                .then().statusCode(202);
        awaitStatus(adminToken(tenant), "/api/v1/instances/" + id + "/topics/later", "RUNNING");
        as(Fixtures.operatorToken())
                .get("/api/v1/admin/clusters/" + Fixtures.CLUSTER_ID + "/namespaces/" + id + "/broker-resources")
                .then().statusCode(200)
                .body("topics.find { it.name == '" + id + "%later' }.messageType", equalTo("DELAY"));
        as(Fixtures.operatorToken())
                .get("/api/v1/admin/clusters/" + Fixtures.CLUSTER_ID + "/namespaces/rmq-zzzzzzzzzzzz/broker-resources")
                .then().statusCode(404);
    }

    @Test
    void anInstanceOnAClusterThatDoesNotAnswerWaitsWithAConditionSayingSo() {
        String region = "dead-" + Fixtures.newTenant();
        as(Fixtures.operatorToken()).body(Map.of("clusterId", region, "regionId", region,
                        "nameServerAddress", "127.0.0.1:1", "proxyEndpoint", "127.0.0.1:1",
                        "adminAccessKey", "ak", "adminSecretKey", "sk", "capacityTps", 100000, "capacityTopics", 100000))
                .post("/api/v1/admin/clusters").then().statusCode(201);
        String tenant = Fixtures.newTenant();
        String token = adminToken(tenant);
        String id = as(token).body(Map.of("name", "waiting", "regionId", region, "edition", "test"))
                .post("/api/v1/instances").then().statusCode(202).extract().path("instanceId");
        JsonPath waiting = await(() -> {
            JsonPath body = as(token).get("/api/v1/instances/" + id).then().extract().jsonPath();
            return "False".equals(body.getString("conditions.find { it.type == 'ClusterReachable' }.status")) ? body : null;
        }, Duration.ofSeconds(60), "the ClusterReachable=False condition");
        assertEquals("CREATING", waiting.getString("status"));
        assertEquals("BrokerUnavailable", waiting.getString("conditions.find { it.type == 'ClusterReachable' }.reason"));
        // Deleting a waiting instance is possible and leaves nothing behind.
        as(token).delete("/api/v1/instances/" + id).then().statusCode(202);
    }

    private static void awaitOperation(String token, String operationId) {
        await(() -> "SUCCEEDED".equals(as(token).get("/api/v1/operations/" + operationId).then().extract()
                .path("status")) ? true : null, Duration.ofSeconds(30), "operation " + operationId);
    }
}
