package io.gantry.controlplane;

import static io.gantry.controlplane.Fixtures.as;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gantry.localstack.RocketMqCluster;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.Test;

/** Topics Gantry itself needs on every cluster appear when the cluster is registered. */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
class SystemTopicsIT {
    static final String TRACE_TOPIC = "GANTRY_TRACE_EVENTS";

    @Test
    void aRegisteredClusterGetsTheTraceTopic() throws Exception {
        RocketMqCluster mq = Fixtures.ensureCluster();
        DefaultMQAdminExt admin = new DefaultMQAdminExt(new AclClientRPCHook(
                new SessionCredentials(mq.adminAccessKey(), mq.adminSecretKey())), 5000);
        admin.setNamesrvAddr(mq.nameServerAddress());
        admin.setInstanceName("system-topics-it-" + System.nanoTime());
        admin.start();
        // the same brokers registered once more under another id (and a region of its own, so that
        // nothing is placed on it): that registration must create the topic again
        String clusterId = "systopics-" + Fixtures.newTenant();
        try (BrokerInspector broker = new BrokerInspector(mq)) {
            Fixtures.await(() -> traceTopic(broker), Duration.ofSeconds(30),
                    "the trace topic on the cluster registered first");
            admin.deleteTopicInBroker(Set.of(mq.brokerAddress()), TRACE_TOPIC);
            as(Fixtures.operatorToken()).body(Map.of("clusterId", clusterId, "regionId", clusterId,
                            "nameServerAddress", mq.nameServerAddress(), "proxyEndpoint", mq.proxyGrpcEndpoint(),
                            "adminAccessKey", mq.adminAccessKey(), "adminSecretKey", mq.adminSecretKey(),
                            "capacityTps", 1000, "capacityTopics", 1000))
                    .post("/api/v1/admin/clusters").then().statusCode(201);
            TopicConfig trace = Fixtures.await(() -> traceTopic(broker), Duration.ofSeconds(30),
                    "the trace topic after registering " + clusterId);
            assertEquals(8, trace.getWriteQueueNums());
            assertEquals(8, trace.getReadQueueNums());
            assertEquals("NORMAL", trace.getAttributes().get("message.type"));
        } finally {
            as(Fixtures.operatorToken()).delete("/api/v1/admin/clusters/" + clusterId);
            admin.shutdown();
        }
    }

    private static TopicConfig traceTopic(BrokerInspector broker) {
        try {
            return broker.topic(TRACE_TOPIC).orElse(null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
