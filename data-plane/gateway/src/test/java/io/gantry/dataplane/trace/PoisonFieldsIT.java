package io.gantry.dataplane.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Encoding;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.SystemProperties;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.dataplane.Gateway;
import io.gantry.dataplane.GatewayConfig;
import io.gantry.dataplane.support.Snapshots;
import io.gantry.dataplane.support.TestClient;
import io.gantry.isolation.naming.InstanceIds;
import io.gantry.isolation.naming.Namespaces;
import io.gantry.localstack.RocketMqCluster;
import io.gantry.localstack.SharedComponents;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, hole 1, at the wire: a signed SendMessage whose message id is 3,000 characters, or whose born
 * or delivery time lies past the year 9999, is answered by the gateway with a RocketMQ refusal and never
 * reaches the proxy (before, the proxy accepted it and the trace store stopped indexing the cluster).
 */
class PoisonFieldsIT {
    static final String NS = InstanceIds.newId();
    static final String AK = "ak-" + NS;
    static final String SK = "sk-" + UUID.randomUUID();
    static final long YEAR_10000 = Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond();

    static RocketMqCluster rocketMq;
    static DefaultMQAdminExt admin;
    static Gateway gateway;

    @BeforeAll
    static void startAll() throws Exception {
        rocketMq = SharedComponents.rocketMq();
        admin = new DefaultMQAdminExt(new AclClientRPCHook(
                new SessionCredentials(rocketMq.adminAccessKey(), rocketMq.adminSecretKey())), 5000);
        admin.setNamesrvAddr(rocketMq.nameServerAddress());
        admin.setInstanceName("poison-it-" + System.nanoTime());
        admin.start();
        for (String type : new String[] {"NORMAL", "DELAY"}) {
            TopicConfig topic = new TopicConfig(Namespaces.wrap(NS, type.toLowerCase()), 2, 2);
            topic.setAttributes(Map.of("+message.type", type));
            admin.createAndUpdateTopicConfig(rocketMq.brokerAddress(), topic);
        }
        gateway = Gateway.start(GatewayConfig.forTests().withTrace(TraceSettings.DEFAULTS));
        ConfigSnapshot snapshot = Snapshots.snapshot(1,
                Snapshots.cluster("local", rocketMq.proxyGrpcEndpoint(), rocketMq.adminAccessKey(), rocketMq.adminSecretKey()),
                Snapshots.instance(NS, "local").addTopics(Snapshots.topic("normal")).addTopics(Snapshots.topic("delay"))
                        .addAccounts(Snapshots.account("app", AK, SK, true)).build());
        assertTrue(gateway.apply(snapshot));
    }

    @AfterAll
    static void stopAll() {
        if (gateway != null) {
            gateway.close();
        }
        if (admin != null) {
            admin.shutdown();
        }
    }

    static Timestamp now() {
        long ms = System.currentTimeMillis();
        return Timestamp.newBuilder().setSeconds(ms / 1000).setNanos((int) (ms % 1000) * 1_000_000).build();
    }

    static SendMessageResponse send(TestClient client, String topic, String id, Timestamp born, Timestamp delivery) {
        SystemProperties.Builder sp = SystemProperties.newBuilder().setMessageId(id).setBodyEncoding(Encoding.IDENTITY)
                .setMessageType(delivery == null ? apache.rocketmq.v2.MessageType.NORMAL : apache.rocketmq.v2.MessageType.DELAY)
                .setBornHost("127.0.0.1").setBornTimestamp(born);
        if (delivery != null) {
            sp.setDeliveryTimestamp(delivery);
        }
        return client.blocking().sendMessage(SendMessageRequest.newBuilder().addMessages(Message.newBuilder()
                .setTopic(Resource.newBuilder().setName(topic)).setBody(ByteString.copyFromUtf8("poison?")).setSystemProperties(sp))
                .build());
    }

    static String okId() {
        return "01" + UUID.randomUUID().toString().replace("-", "").toUpperCase();
    }

    void refused(SendMessageResponse r, Code code, String what) {
        assertEquals(code, r.getStatus().getCode(), what + ": " + r.getStatus().getMessage());
        assertTrue(r.getEntriesCount() == 0, what + ": no entry, nothing was stored");
        assertTrue(r.getStatus().getMessage().contains(NS), "names the instance: " + r.getStatus().getMessage());
    }

    @Test
    void aSendWhoseIdOrTimesTheTraceStoreCannotHoldIsRefusedBeforeTheProxy() throws Exception {
        try (TestClient producer = TestClient.tls(gateway.tlsPort(), AK, SK)) {
            long forwarded = gateway.metrics().calls(NS, "SendMessage", "OK");
            refused(send(producer, "normal", "0".repeat(3_000), now(), null), Code.ILLEGAL_MESSAGE_ID, "3,000-character id");
            refused(send(producer, "normal", "01AB/../CD", now(), null), Code.ILLEGAL_MESSAGE_ID, "id with a slash");
            refused(send(producer, "normal", okId(), Timestamp.newBuilder().setSeconds(YEAR_10000).build(), null),
                    Code.BAD_REQUEST, "born in the year 10000");
            refused(send(producer, "delay", okId(), now(), Timestamp.newBuilder().setSeconds(YEAR_10000).build()),
                    Code.ILLEGAL_DELIVERY_TIME, "delivered in the year 10000");
            assertEquals(forwarded, gateway.metrics().calls(NS, "SendMessage", "OK"), "none was accepted by the proxy");

            SendMessageResponse ok = send(producer, "normal", okId(), now(), null);
            assertEquals(Code.OK, ok.getStatus().getCode(), "an SDK-shaped send still goes through: " + ok.getStatus().getMessage());
        }
    }
}
