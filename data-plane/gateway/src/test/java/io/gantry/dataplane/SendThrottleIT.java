package io.gantry.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Encoding;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.MessageType;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.SystemProperties;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.Timestamps;
import io.gantry.api.config.v1.Throughput;
import io.gantry.dataplane.support.Snapshots;
import io.gantry.dataplane.support.TestClient;
import io.gantry.isolation.naming.InstanceIds;
import io.gantry.isolation.naming.Namespaces;
import io.gantry.localstack.RocketMqCluster;
import io.gantry.localstack.SharedComponents;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The send limit through the gateway against a real RocketMQ cluster, with a client of grpc-java stubs
 * that plays tricks an SDK would not: a refused send's retry carries a far larger body under the same
 * message id (issue 14, hole 2).
 */
class SendThrottleIT {
    static final String NS = InstanceIds.newId();
    static final String AK = "ak-" + NS;
    static final String SK = "sk-" + UUID.randomUUID();
    static final String TOPIC = "orders";
    /** Weighted units per second: a 64 KiB body weighs 16. */
    static final int SEND_TPS = 20;
    static final int LARGE = 64 * 1024;

    static RocketMqCluster rocketMq;
    static Gateway gateway;

    @BeforeAll
    static void startAll() throws Exception {
        rocketMq = SharedComponents.rocketMq();
        DefaultMQAdminExt admin = new DefaultMQAdminExt(new AclClientRPCHook(
                new SessionCredentials(rocketMq.adminAccessKey(), rocketMq.adminSecretKey())), 5000);
        admin.setNamesrvAddr(rocketMq.nameServerAddress());
        admin.setInstanceName("send-throttle-it-" + System.nanoTime());
        admin.start();
        try {
            TopicConfig topic = new TopicConfig(Namespaces.wrap(NS, TOPIC), 2, 2);
            topic.setAttributes(Map.of("+message.type", "NORMAL"));
            admin.createAndUpdateTopicConfig(rocketMq.brokerAddress(), topic);
        } finally {
            admin.shutdown();
        }
        gateway = Gateway.start(GatewayConfig.forTests());
        gateway.apply(Snapshots.snapshot(1,
                Snapshots.cluster("local", rocketMq.proxyGrpcEndpoint(), rocketMq.adminAccessKey(), rocketMq.adminSecretKey()),
                Snapshots.instance(NS, "local").addTopics(Snapshots.topic(TOPIC))
                        .setThroughput(Throughput.newBuilder().setSendTps(SEND_TPS).setBurstSeconds(0.2)
                                .putMessageTypeWeights("NORMAL", 1))
                        .addAccounts(Snapshots.account("app", AK, SK, true)).build()));
        assertTrue(gateway.config().awaitVersion(1, 10, TimeUnit.SECONDS), "snapshot not applied");
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    static SendMessageResponse send(TestClient client, String messageId, int bodyBytes) {
        Message m = Message.newBuilder().setTopic(Resource.newBuilder().setName(TOPIC))
                .setBody(ByteString.copyFrom(new byte[bodyBytes]))
                .setSystemProperties(SystemProperties.newBuilder().setMessageId(messageId)
                        .setMessageType(MessageType.NORMAL).setBodyEncoding(Encoding.IDENTITY)
                        .setBornHost("127.0.0.1").setBornTimestamp(Timestamps.fromMillis(System.currentTimeMillis())))
                .build();
        return client.blocking().sendMessage(SendMessageRequest.newBuilder().addMessages(m).build());
    }

    /** What one hostile sender got through: {units admitted, small sends refused, large retries admitted}. */
    static long[] hostile(TestClient client, long endNanos) throws InterruptedException {
        long units = 0;
        long refusedSmall = 0;
        long largeAdmitted = 0;
        while (System.nanoTime() - endNanos < 0) {
            String id = UUID.randomUUID().toString().replace("-", "");
            SendMessageResponse small = send(client, id, 1);
            if (small.getStatus().getCode() == Code.OK) {
                units += 1;
                continue;
            }
            assertEquals(Code.TOO_MANY_REQUESTS, small.getStatus().getCode(), small.getStatus().getMessage());
            refusedSmall++;
            // the "retry": same message id, 64 KiB, after the backoff the gateway hands producers (the SDK's pacing)
            for (long backoffMs : new long[] {100, 200}) {
                TimeUnit.MILLISECONDS.sleep(backoffMs);
                SendMessageResponse large = send(client, id, LARGE);
                if (large.getStatus().getCode() == Code.OK) {
                    units += 16;
                    largeAdmitted++;
                    break;
                }
                assertEquals(Code.TOO_MANY_REQUESTS, large.getStatus().getCode(), large.getStatus().getMessage());
            }
        }
        return new long[] {units, refusedSmall, largeAdmitted};
    }

    @Test
    void aRefusedSmallSendRetriedWithALargeBodyIsHeldToTheLimit() throws Exception {
        int senders = 8;
        long seconds = 5;
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        long[] total = new long[3];
        try (TestClient client = TestClient.tls(gateway.tlsPort(), AK, SK)) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            List<Future<long[]>> runs = new ArrayList<>();
            for (int i = 0; i < senders; i++) {
                runs.add(pool.submit(() -> hostile(client, end)));
            }
            for (Future<long[]> run : runs) {
                long[] r = run.get(seconds + 60, TimeUnit.SECONDS);
                for (int k = 0; k < 3; k++) {
                    total[k] += r[k];
                }
            }
        } finally {
            pool.shutdownNow();
        }
        // the limit over the run (and the last retries' 0.3 s after it), the burst (0.2 s), the booking horizon
        // (0.3 s), and one large message admitted into debt
        long allowed = Math.round(SEND_TPS * (seconds + 0.3 + 0.2 + 0.3)) + 16;
        System.out.printf("SendThrottleIT: %d units admitted in %d s at %d units/s (allowed %d); %d small sends refused, "
                + "%d of their 64 KiB retries admitted%n", total[0], seconds, SEND_TPS, allowed, total[1], total[2]);
        assertTrue(total[1] > senders, "the small sends were throttled at all (" + total[0] + " units admitted)");
        assertTrue(total[0] <= allowed, total[0] + " units stored in " + seconds + " s at " + SEND_TPS + " units/s ("
                + total[2] + " large retries of " + total[1] + " refused small sends admitted); at most " + allowed);
    }
}
