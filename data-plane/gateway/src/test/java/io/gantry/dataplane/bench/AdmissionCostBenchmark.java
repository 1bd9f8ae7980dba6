package io.gantry.dataplane.bench;

import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SystemProperties;
import com.google.protobuf.ByteString;
import io.gantry.api.config.v1.AccountType;
import io.gantry.api.config.v1.AclAction;
import io.gantry.api.config.v1.AclDecision;
import io.gantry.api.config.v1.AclPattern;
import io.gantry.api.config.v1.AclResourceType;
import io.gantry.api.config.v1.AclRule;
import io.gantry.api.config.v1.Throughput;
import io.gantry.dataplane.config.ConfigView;
import io.gantry.dataplane.config.ConfigView.AccountEntry;
import io.gantry.dataplane.pipeline.Authorization;
import io.gantry.dataplane.pipeline.CallContext;
import io.gantry.dataplane.support.Snapshots;
import io.gantry.dataplane.throttle.ThroughputLimiter;
import java.net.InetAddress;

/**
 * Load driver (not a test): what the isolation stages cost per sent message on the gateway's event loop
 * — the ACL check (an ADMIN account, and a NORMAL one with 20 rules) and the throughput admission
 * (size, weight, token bucket with a limit that never binds) — against none of them.
 *
 * <pre>
 * java -cp data-plane/gateway/target/test-classes:data-plane/gateway/target/classes:$(cat cp.txt) \
 *     io.gantry.dataplane.bench.AdmissionCostBenchmark
 * </pre>
 */
public final class AdmissionCostBenchmark {
    private static final int ROUNDS = 5;
    private static final int PER_ROUND = 5_000_000;

    private AdmissionCostBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        io.gantry.api.config.v1.Account.Builder normal = Snapshots.account("normal", "ak-n", "sk", true).toBuilder()
                .setType(AccountType.ACCOUNT_TYPE_NORMAL);
        for (int i = 0; i < 19; i++) {
            normal.addAclRules(AclRule.newBuilder().setResourceType(AclResourceType.ACL_RESOURCE_TYPE_TOPIC)
                    .setResourceName("topic-" + i).setPattern(AclPattern.ACL_PATTERN_LITERAL)
                    .addActions(AclAction.ACL_ACTION_PUB).setDecision(AclDecision.ACL_DECISION_ALLOW));
        }
        normal.addAclRules(AclRule.newBuilder().setResourceType(AclResourceType.ACL_RESOURCE_TYPE_TOPIC)
                .setResourceName("ord").setPattern(AclPattern.ACL_PATTERN_PREFIX)
                .addActions(AclAction.ACL_ACTION_PUB).setDecision(AclDecision.ACL_DECISION_ALLOW));
        ConfigView view = ConfigView.of(Snapshots.snapshot(1, Snapshots.cluster("c1", "127.0.0.1:1", "ak", "sk"),
                Snapshots.instance("i1", "c1").addTopics(Snapshots.topic("orders"))
                        .setThroughput(Throughput.newBuilder().setSendTps(1_000_000_000).setReceiveTps(1_000_000_000)
                                .putMessageTypeWeights("NORMAL", 1).setBurstSeconds(0.2))
                        .addAccounts(Snapshots.account("admin", "ak-a", "sk", true)).addAccounts(normal).build()));
        ThroughputLimiter limiter = new ThroughputLimiter(System::nanoTime);
        limiter.update(view, System.currentTimeMillis());
        InetAddress client = InetAddress.getByName("127.0.0.1");
        CallContext admin = context(view.account("ak-a"), client, limiter);
        CallContext restricted = context(view.account("ak-n"), client, limiter);
        SendMessageRequest request = SendMessageRequest.newBuilder().addMessages(Message.newBuilder()
                .setTopic(Resource.newBuilder().setName("orders"))
                .setSystemProperties(SystemProperties.newBuilder().setMessageId("01ABCDEF"))
                .setBody(ByteString.copyFrom(new byte[1024]))).build();
        for (int round = 1; round <= ROUNDS; round++) {
            long admitOnly = time(() -> limiter.admitSend(admin.instance(), ThroughputLimiter.sender("ak-a", "client"), request));
            long aclAdmin = time(() -> Authorization.require(admin, io.gantry.isolation.acl.AclResourceType.TOPIC, "orders",
                    io.gantry.isolation.acl.AclAction.PUB));
            long aclNormal = time(() -> Authorization.require(restricted, io.gantry.isolation.acl.AclResourceType.TOPIC,
                    "orders", io.gantry.isolation.acl.AclAction.PUB));
            System.out.printf("[bench] round %d: throughput admission %.1f ns/msg, ACL (ADMIN) %.1f ns, ACL (NORMAL, 20 rules) %.1f ns%n",
                    round, admitOnly / (double) PER_ROUND, aclAdmin / (double) PER_ROUND, aclNormal / (double) PER_ROUND);
        }
    }

    private static CallContext context(AccountEntry account, InetAddress client, ThroughputLimiter limiter) {
        return new CallContext(account, account.instance(), null, null, null, "client", null, client, limiter);
    }

    private static long time(Runnable op) {
        long start = System.nanoTime();
        for (int i = 0; i < PER_ROUND; i++) {
            op.run();
        }
        return System.nanoTime() - start;
    }
}
