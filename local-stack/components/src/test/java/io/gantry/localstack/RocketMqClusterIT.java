package io.gantry.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The shared cluster, driven with RocketMQ's own admin client, as the control plane will. */
@ExtendWith(RealComponentsExtension.class)
class RocketMqClusterIT {

    private final RocketMqCluster rocketMq;
    private DefaultMQAdminExt admin;

    RocketMqClusterIT(RocketMqCluster rocketMq) {
        this.rocketMq = rocketMq;
    }

    @BeforeEach
    void startAdmin() throws Exception {
        admin = admin(new SessionCredentials(rocketMq.adminAccessKey(), rocketMq.adminSecretKey()));
    }

    @AfterEach
    void stopAdmin() {
        if (admin != null) {
            admin.shutdown();
        }
    }

    @Test
    void createsFifoTopicAndGroupWithTheAdminCredentials() throws Exception {
        String topicName = "it-fifo-" + UUID.randomUUID();
        TopicConfig topic = new TopicConfig(topicName, 4, 4);
        topic.setAttributes(Map.of("+message.type", "FIFO"));
        admin.createAndUpdateTopicConfig(rocketMq.brokerAddress(), topic);

        TopicConfig storedTopic = admin.examineTopicConfig(rocketMq.brokerAddress(), topicName);
        assertEquals(topicName, storedTopic.getTopicName());
        assertEquals(4, storedTopic.getReadQueueNums());
        assertEquals("FIFO", storedTopic.getAttributes().get("message.type"));
        TopicRouteData route = awaitRoute(topicName);
        assertEquals(rocketMq.brokerName(), route.getBrokerDatas().get(0).getBrokerName());
        assertEquals(rocketMq.brokerAddress(), route.getBrokerDatas().get(0).getBrokerAddrs().get(0L));

        String groupName = "it-group-" + UUID.randomUUID();
        SubscriptionGroupConfig group = new SubscriptionGroupConfig();
        group.setGroupName(groupName);
        group.setRetryMaxTimes(5);
        admin.createAndUpdateSubscriptionGroupConfig(rocketMq.brokerAddress(), group);

        SubscriptionGroupConfig storedGroup = admin.examineSubscriptionGroupConfig(rocketMq.brokerAddress(), groupName);
        assertNotNull(storedGroup);
        assertEquals(groupName, storedGroup.getGroupName());
        assertEquals(5, storedGroup.getRetryMaxTimes());
    }

    @Test
    void refusesAnAdminWithoutCredentials() throws Exception {
        String topicName = "it-refused-" + UUID.randomUUID();
        DefaultMQAdminExt anonymous = admin(null);
        try {
            MQClientException refused = assertThrows(MQClientException.class,
                () -> anonymous.createAndUpdateTopicConfig(rocketMq.brokerAddress(), new TopicConfig(topicName, 1, 1)));
            assertEquals(ResponseCode.NO_PERMISSION, refused.getResponseCode(), refused.toString());
        } finally {
            anonymous.shutdown();
        }
        assertTopicAbsent(topicName);
    }

    @Test
    void refusesAnAdminWithAWrongSecret() throws Exception {
        String topicName = "it-refused-" + UUID.randomUUID();
        DefaultMQAdminExt impostor = admin(new SessionCredentials(rocketMq.adminAccessKey(), "not-the-secret"));
        try {
            MQClientException refused = assertThrows(MQClientException.class,
                () -> impostor.createAndUpdateTopicConfig(rocketMq.brokerAddress(), new TopicConfig(topicName, 1, 1)));
            assertEquals(ResponseCode.NO_PERMISSION, refused.getResponseCode(), refused.toString());
            assertTrue(refused.getErrorMessage().contains("signature"), refused.toString());
        } finally {
            impostor.shutdown();
        }
        assertTopicAbsent(topicName);
    }

    @Test
    void isTheSameClusterEveryTime() {
        assertTrue(rocketMq == SharedComponents.rocketMq());
        assertTrue(rocketMq.isAlive());
    }

    private void assertTopicAbsent(String topicName) {
        TopicConfig found;
        try {
            found = admin.examineTopicConfig(rocketMq.brokerAddress(), topicName);
        } catch (Exception notFound) {
            found = null;
        }
        assertNull(found, "topic " + topicName + " was created");
    }

    private TopicRouteData awaitRoute(String topicName) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                TopicRouteData route = admin.examineTopicRouteInfo(topicName);
                if (route != null && !route.getBrokerDatas().isEmpty()) {
                    return route;
                }
            } catch (Exception notYet) {
                // the broker registers new topics with the NameServer asynchronously
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no route for " + topicName + " on " + rocketMq.nameServerAddress());
            }
            Thread.sleep(200);
        }
    }

    private DefaultMQAdminExt admin(SessionCredentials credentials) throws Exception {
        DefaultMQAdminExt client = credentials == null
            ? new DefaultMQAdminExt()
            : new DefaultMQAdminExt(new AclClientRPCHook(credentials));
        client.setNamesrvAddr(rocketMq.nameServerAddress());
        client.setInstanceName("it-" + UUID.randomUUID());
        client.setAdminExtGroup("it-admin-" + UUID.randomUUID());
        client.start();
        return client;
    }
}
