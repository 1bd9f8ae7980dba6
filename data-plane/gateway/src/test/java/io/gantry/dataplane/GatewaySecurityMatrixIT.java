package io.gantry.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import apache.rocketmq.v2.AckMessageEntry;
import apache.rocketmq.v2.AckMessageRequest;
import apache.rocketmq.v2.Address;
import apache.rocketmq.v2.AddressScheme;
import apache.rocketmq.v2.ChangeInvisibleDurationRequest;
import apache.rocketmq.v2.ChangeInvisibleDurationResponse;
import apache.rocketmq.v2.ClientType;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Encoding;
import apache.rocketmq.v2.EndTransactionRequest;
import apache.rocketmq.v2.Endpoints;
import apache.rocketmq.v2.FilterExpression;
import apache.rocketmq.v2.FilterType;
import apache.rocketmq.v2.ForwardMessageToDeadLetterQueueRequest;
import apache.rocketmq.v2.GetOffsetRequest;
import apache.rocketmq.v2.HeartbeatRequest;
import apache.rocketmq.v2.LiteSubscriptionAction;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.MessageQueue;
import apache.rocketmq.v2.MessageType;
import apache.rocketmq.v2.MessagingServiceGrpc;
import apache.rocketmq.v2.NotifyClientTerminationRequest;
import apache.rocketmq.v2.NotifyUnsubscribeLiteCommand;
import apache.rocketmq.v2.Permission;
import apache.rocketmq.v2.PrintThreadStackTraceCommand;
import apache.rocketmq.v2.Publishing;
import apache.rocketmq.v2.PullMessageRequest;
import apache.rocketmq.v2.QueryAssignmentRequest;
import apache.rocketmq.v2.QueryOffsetPolicy;
import apache.rocketmq.v2.QueryOffsetRequest;
import apache.rocketmq.v2.QueryRouteRequest;
import apache.rocketmq.v2.QueryRouteResponse;
import apache.rocketmq.v2.RecallMessageRequest;
import apache.rocketmq.v2.ReceiveMessageRequest;
import apache.rocketmq.v2.ReceiveMessageResponse;
import apache.rocketmq.v2.ReconnectEndpointsCommand;
import apache.rocketmq.v2.RecoverOrphanedTransactionCommand;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.SendResultEntry;
import apache.rocketmq.v2.Settings;
import apache.rocketmq.v2.Subscription;
import apache.rocketmq.v2.SubscriptionEntry;
import apache.rocketmq.v2.SyncLiteSubscriptionRequest;
import apache.rocketmq.v2.SystemProperties;
import apache.rocketmq.v2.TelemetryCommand;
import apache.rocketmq.v2.TransactionResolution;
import apache.rocketmq.v2.TransactionSource;
import apache.rocketmq.v2.UA;
import apache.rocketmq.v2.UpdateOffsetRequest;
import apache.rocketmq.v2.VerifyMessageCommand;
import apache.rocketmq.v2.VerifyMessageResult;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.gantry.api.config.v1.Account;
import io.gantry.api.config.v1.AccountType;
import io.gantry.api.config.v1.AclAction;
import io.gantry.api.config.v1.AclDecision;
import io.gantry.api.config.v1.AclPattern;
import io.gantry.api.config.v1.AclResourceType;
import io.gantry.api.config.v1.AclRule;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.api.config.v1.Instance;
import io.gantry.api.config.v1.Topic;
import io.gantry.dataplane.support.AttemptTally;
import io.gantry.dataplane.support.RawRpc.Answer;
import io.gantry.dataplane.support.RawRpc;
import io.gantry.dataplane.support.Snapshots;
import io.gantry.dataplane.support.TelemetrySession;
import io.gantry.dataplane.support.TestClient;
import io.gantry.isolation.credentials.RequestSignature;
import io.gantry.isolation.naming.InstanceIds;
import io.gantry.isolation.naming.Namespaces;
import io.gantry.localstack.RocketMqCluster;
import io.gantry.localstack.SharedComponents;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.remoting.protocol.body.CMResult;
import org.apache.rocketmq.remoting.protocol.body.ConsumeMessageDirectlyResult;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The gateway half of the security matrix of issue 4: two tenants with two instances each on one real
 * RocketMQ cluster (plus an instance whose IP allowlist shuts out loopback), every instance with the
 * same names ("orders", "fifo", "delayed", "tx", group "workers"), an ADMIN account and a NORMAL account
 * that may only publish to "orders". Every RPC of {@code MessagingService} and every Telemetry command a
 * client can send is tried across the boundary with properly signed requests; each answer must carry the
 * right code and nothing of another instance (watched: namespaces, message bodies and ids, receipt and
 * recall handles, transaction ids), and afterwards the victim's messages, offsets and transactions must
 * be as they were.
 *
 * <p>The attempts are counted by kind and printed as a table at the end; each test also checks that it
 * made at least as many attempts as its enumeration promises, so a matrix that silently shrinks fails.
 */
class GatewaySecurityMatrixIT {
    static final String ORDERS = "orders";
    static final String FIFO = "fifo";
    static final String DELAYED = "delayed";
    static final String TX = "tx";
    static final String WORKERS = "workers";
    /** rocketmq-proto 2.1.2's MessagingService: what "every RPC" means, independent of the gateway's own list. */
    static final Set<String> ALL_RPCS = MessagingServiceGrpc.getServiceDescriptor().getMethods().stream()
            .map(MethodDescriptor::getBareMethodName).collect(Collectors.toCollection(TreeSet::new));
    static final String SEAL = "~g1~";

    /**
     * One instance of the matrix. Its "orders" has a queue count of its own, so that a route or an offset
     * answered under the plain name shows whose it is.
     */
    static final class Inst {
        final String label;
        final String id = InstanceIds.newId();
        final String tenant;
        final int ordersQueues;
        final String adminAk;
        final String adminSk = "sk-admin-" + UUID.randomUUID();
        final String pubAk;
        final String pubSk = "sk-pub-" + UUID.randomUUID();

        Inst(String label, String tenant, int ordersQueues) {
            this.label = label;
            this.tenant = tenant;
            this.ordersQueues = ordersQueues;
            // access keys that do not spell the namespace: an echo of a key must not look like a leak
            this.adminAk = "AKA" + InstanceIds.randomBase32(16).toUpperCase(Locale.ROOT);
            this.pubAk = "AKP" + InstanceIds.randomBase32(16).toUpperCase(Locale.ROOT);
        }

        String wrap(String name) {
            return Namespaces.wrap(id, name);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    static final Inst A1 = new Inst("A1", "tenant-a", 2);
    static final Inst A2 = new Inst("A2", "tenant-a", 3);
    static final Inst B1 = new Inst("B1", "tenant-b", 4);
    static final Inst B2 = new Inst("B2", "tenant-b", 5);
    /** Its IP allowlist holds neither 127.0.0.1 nor ::1, where every client of this test comes from. */
    static final Inst W = new Inst("W", "tenant-b", 1);
    static final List<Inst> ALL = List.of(A1, A2, B1, B2, W);
    static final String DISABLED_AK = "AKD" + InstanceIds.randomBase32(16).toUpperCase(Locale.ROOT);
    static final String DISABLED_SK = "sk-off-" + UUID.randomUUID();

    static final String K_NAMES = "forged names (A1 → B1, A2)";
    static final String K_HANDLES = "foreign receipt handles";
    static final String K_IDS = "foreign message/tx/recall ids";
    static final String K_SAME = "same names answer own instance";
    static final String K_EFFECTS = "victim unchanged afterwards";
    static final String K_PUB_ONLY = "ACL: PUB-only account";
    static final String K_ALLOWLIST = "IP allowlist excludes client";
    static final String K_SETTINGS = "ACL: Settings declaring tx";
    static final String K_AUTH = "authentication";
    static final String K_REPLAY = "replayed signature";
    static final String K_TELEMETRY = "telemetry commands";
    static final String K_NONCES = "answers to foreign nonces";
    static final String K_RECALL = "crafted recall of foreign msg";

    static final List<String> KINDS = List.of(K_NAMES, K_HANDLES, K_IDS, K_SAME, K_EFFECTS, K_PUB_ONLY, K_ALLOWLIST, K_SETTINGS,
            K_AUTH, K_REPLAY, K_TELEMETRY, K_NONCES, K_RECALL);

    /** This test's attempts and findings (JUnit makes an instance per test, so nothing carries over). */
    final AttemptTally tally = new AttemptTally();
    /** What this test promised to attempt, summed from its enumerations. */
    int floor;

    static RocketMqCluster rocketMq;
    static DefaultMQAdminExt admin;
    static Gateway gateway;

    @BeforeAll
    static void startAll() throws Exception {
        assertEquals(17, ALL_RPCS.size(), "rocketmq-proto 2.1.2 has 17 RPCs: " + ALL_RPCS);
        rocketMq = SharedComponents.rocketMq();
        admin = new DefaultMQAdminExt(new AclClientRPCHook(
                new SessionCredentials(rocketMq.adminAccessKey(), rocketMq.adminSecretKey())), 5000);
        admin.setNamesrvAddr(rocketMq.nameServerAddress());
        admin.setInstanceName("security-matrix-" + System.nanoTime());
        admin.start();
        for (Inst i : ALL) {
            createTopic(i.wrap(ORDERS), i.ordersQueues, "NORMAL");
            createTopic(i.wrap(FIFO), 1, "FIFO");
            createTopic(i.wrap(DELAYED), 1, "DELAY");
            createTopic(i.wrap(TX), 1, "TRANSACTION");
            // admin tools find a group's consumers through the route of its retry topic
            createTopic(Namespaces.retryTopic(i.id, WORKERS), 1, null);
            SubscriptionGroupConfig group = new SubscriptionGroupConfig();
            group.setGroupName(i.wrap(WORKERS));
            group.setRetryMaxTimes(3);
            admin.createAndUpdateSubscriptionGroupConfig(rocketMq.brokerAddress(), group);
        }
        gateway = Gateway.start(GatewayConfig.forTests());
        assertTrue(gateway.apply(snapshot()), "snapshot not applied");
    }

    @BeforeEach
    void watchNamespaces() {
        for (Inst i : ALL) {
            tally.watch("the namespace of " + i, i.id);
        }
    }

    /** Every test: its table, no finding of any kind, and no fewer attempts than its enumerations promise. */
    @AfterEach
    void everyAttemptAnsweredAsExpected(TestInfo test) {
        System.out.println("\n=== gateway security matrix: " + test.getDisplayName() + " ===\n" + tally.table()
                + "floor (promised by the enumerations): " + floor + "\n");
        assertNoViolations(KINDS.toArray(String[]::new));
        assertTrue(tally.total() >= floor, "fewer attempts (" + tally.total() + ") than the enumerations promise (" + floor + ")");
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

    static void createTopic(String name, int queues, String messageType) throws Exception {
        TopicConfig topic = new TopicConfig(name, queues, queues);
        if (messageType != null) {
            topic.setAttributes(Map.of("+message.type", messageType));
        }
        admin.createAndUpdateTopicConfig(rocketMq.brokerAddress(), topic);
    }

    static ConfigSnapshot snapshot() {
        List<Instance> instances = new ArrayList<>();
        for (Inst i : ALL) {
            Instance.Builder b = Snapshots.instance(i.id, "local").setTenantId(i.tenant)
                    .addTopics(topic(ORDERS, io.gantry.api.config.v1.MessageType.MESSAGE_TYPE_NORMAL))
                    .addTopics(topic(FIFO, io.gantry.api.config.v1.MessageType.MESSAGE_TYPE_FIFO))
                    .addTopics(topic(DELAYED, io.gantry.api.config.v1.MessageType.MESSAGE_TYPE_DELAY))
                    .addTopics(topic(TX, io.gantry.api.config.v1.MessageType.MESSAGE_TYPE_TRANSACTION))
                    .addConsumerGroups(Snapshots.group(WORKERS))
                    .addAccounts(Snapshots.account("admin", i.adminAk, i.adminSk, true).toBuilder()
                            .setType(AccountType.ACCOUNT_TYPE_ADMIN))
                    .addAccounts(Snapshots.account("orders-publisher", i.pubAk, i.pubSk, true).toBuilder()
                            .setType(AccountType.ACCOUNT_TYPE_NORMAL)
                            .addAclRules(AclRule.newBuilder().setResourceType(AclResourceType.ACL_RESOURCE_TYPE_TOPIC)
                                    .setResourceName(ORDERS).setPattern(AclPattern.ACL_PATTERN_LITERAL)
                                    .addActions(AclAction.ACL_ACTION_PUB).setDecision(AclDecision.ACL_DECISION_ALLOW)));
            if (i == A1) {
                // an allowlist that holds the client: calls pass
                b.addIpAllowlist("127.0.0.0/8").addIpAllowlist("::1/128")
                        .addAccounts(Account.newBuilder().setUsername("off").setAccessKey(DISABLED_AK).setSecretKey(DISABLED_SK)
                                .setEnabled(false).setType(AccountType.ACCOUNT_TYPE_ADMIN));
            }
            if (i == W) {
                b.addIpAllowlist("10.0.0.0/8").addIpAllowlist("fd00::/8");
            }
            instances.add(b.build());
        }
        return Snapshots.snapshot(1, Snapshots.cluster("local", rocketMq.proxyGrpcEndpoint(), rocketMq.adminAccessKey(),
                rocketMq.adminSecretKey()), instances.toArray(new Instance[0]));
    }

    static Topic topic(String name, io.gantry.api.config.v1.MessageType type) {
        return Topic.newBuilder().setName(name).setMessageType(type).build();
    }

    // ================================================================== the matrix across instances

    @Test
    void nothingOfAnotherInstanceIsReachableWithAnInstancesOwnCredentials() throws Exception {
        List<TelemetrySession> sessions = new ArrayList<>();
        try (TestClient victim = admin(B1); TestClient sibling = admin(A2); TestClient attacker = admin(A1);
             TestClient terminator = admin(A1); TestClient settingsProber = admin(A1)) {
            // ---- B1, the victim: three messages received and held, two pending, a delayed one, its offsets
            sessions.add(announce(victim, consumerSettings(WORKERS, ORDERS, DELAYED)));
            List<String> heldBodies = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                heldBodies.add(sendWatched(victim, message(ORDERS, "B1-secret-held-" + k + "-" + UUID.randomUUID(), MessageType.NORMAL, p -> { })));
            }
            MessageQueue victimQueue = readQueue(victim, ORDERS);
            List<Message> held = receiveUntil(victim, victimQueue, got -> bodies(got).containsAll(heldBodies), 30);
            assertEquals(new HashSet<>(heldBodies), new HashSet<>(bodies(held)), "B1 receives exactly its own messages");
            held.forEach(m -> {
                tally.watch("a receipt handle of B1", unsealed(m.getSystemProperties().getReceiptHandle()));
                tally.watch("a message id of B1", m.getSystemProperties().getMessageId());
            });
            List<String> pendingBodies = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                pendingBodies.add(sendWatched(victim, message(ORDERS, "B1-secret-pending-" + k + "-" + UUID.randomUUID(), MessageType.NORMAL, p -> { })));
            }
            Message victimDelayed = message(DELAYED, "B1-secret-delayed-" + UUID.randomUUID(), MessageType.DELAY,
                    p -> p.setDeliveryTimestamp(Timestamps.fromMillis(System.currentTimeMillis() + 120_000)));
            SendResultEntry delayedSent = send(victim, victimDelayed);
            tally.watch("a message body of B1", victimDelayed.getBody().toStringUtf8());
            tally.watch("a recall handle of B1", delayedSent.getRecallHandle());
            String heldHandle = held.get(0).getSystemProperties().getReceiptHandle();
            String heldId = held.get(0).getSystemProperties().getMessageId();
            Map<String, String> offsetsBefore = offsets(B1);

            // ---- A2, same tenant, other instance: one handle of its own
            sessions.add(announce(sibling, consumerSettings(WORKERS, ORDERS)));
            String siblingBody = sendWatched(sibling, message(ORDERS, "A2-secret-" + UUID.randomUUID(), MessageType.NORMAL, p -> { }));
            Message siblingMessage = receiveUntil(sibling, readQueue(sibling, ORDERS), got -> bodies(got).contains(siblingBody), 30)
                    .stream().filter(m -> m.getBody().toStringUtf8().equals(siblingBody)).findFirst().orElseThrow();
            tally.watch("a receipt handle of A2", unsealed(siblingMessage.getSystemProperties().getReceiptHandle()));

            // ---- A1, the attacker, an ADMIN of its own instance: its route and two messages of its own
            sessions.add(announce(attacker, consumerSettings(WORKERS, ORDERS, DELAYED)));
            MessageQueue ownQueue = readQueue(attacker, ORDERS);
            for (int k = 0; k < 2; k++) {
                send(attacker, message(ORDERS, "A1-own-" + k + "-" + UUID.randomUUID(), MessageType.NORMAL, p -> { }));
            }
            List<Message> own = receiveUntil(attacker, ownQueue, got -> got.size() >= 2, 30);
            floor += 1;
            tally.record(K_SAME, "ReceiveMessage", "A1 receives on orders: its own two messages only", "",
                    Answer.of(own.size() == 2 && bodies(own).stream().allMatch(b -> b.startsWith("A1-own-")) ? "OWN ONLY" : "OTHER",
                            String.join(" ", bodies(own))), Set.of("OWN ONLY"));
            assertEquals(2, own.size(), "A1 receives its two messages: " + bodies(own));

            // ---- forged names in every resource slot of every RPC
            ReopeningTelemetry telemetryProbes = new ReopeningTelemetry(settingsProber);
            List<Probe> probes = probes(attacker, terminator, telemetryProbes, ownQueue, heldHandle, heldId, delayedSent.getRecallHandle());
            assertEquals(ALL_RPCS, probes.stream().map(Probe::rpc).collect(Collectors.toCollection(TreeSet::new)),
                    "the probes cover every RPC of MessagingService");
            List<Forged> forged = forgedNames(A1, List.of(B1, A2));
            int planned = forged.size() * probes.size();
            floor += planned;
            List<Object[]> inFlight = new ArrayList<>();
            for (Forged f : forged) {
                for (Probe p : probes) {
                    Sent sent = p.call().send(f.resource());
                    inFlight.add(new Object[] {f, p, sent});
                }
            }
            for (Object[] row : inFlight) {
                Forged f = (Forged) row[0];
                Probe p = (Probe) row[1];
                Sent sent = (Sent) row[2];
                Answer answer = sent.answer().get(30, TimeUnit.SECONDS);
                Collection<String> expected = f.refusedByGateway() ? Set.of(p.illegal().name()) : p.inNamespace().apply(f);
                tally.record(K_NAMES, p.rpc(), p.slot() + " = " + f.label(), sent.request(), answer, expected);
            }
            telemetryProbes.close();
            assertTrue(tally.count(K_NAMES) >= planned, "forged-name attempts: " + tally.count(K_NAMES) + " < " + planned);
            assertEquals(ALL_RPCS, tally.rpcs(K_NAMES), "every RPC got forged names");

            // ---- receipt handles that are not A1's
            String raw = unsealed(heldHandle);
            String ownSealed = own.get(0).getSystemProperties().getReceiptHandle();
            Map<String, String> handles = new LinkedHashMap<>();
            for (int k = 0; k < held.size(); k++) {
                handles.put("B1's handle #" + k + " as B1 got it", held.get(k).getSystemProperties().getReceiptHandle());
            }
            handles.put("B1's handle without its seal", raw);
            handles.put("B1's handle under A1's seal", raw + ownSealed.substring(ownSealed.lastIndexOf(SEAL)));
            handles.put("A1's handle under B1's seal", unsealed(ownSealed) + heldHandle.substring(heldHandle.lastIndexOf(SEAL)));
            handles.put("A2's handle (same tenant)", siblingMessage.getSystemProperties().getReceiptHandle());
            handles.put("A1's handle, one character changed", flipLastChar(ownSealed));
            handles.put("A1's handle, seal cut short", ownSealed.substring(0, ownSealed.length() - 3));
            handles.put("a seal and nothing else", SEAL + "AAAAAAAAAAAAAAAAAAAAAA");
            handles.put("garbage", "not-a-receipt-handle");
            int handlesPlanned = handles.size() * 3 + 1;
            floor += handlesPlanned;
            for (Map.Entry<String, String> h : handles.entrySet()) {
                recordUnary(K_HANDLES, attacker, MessagingServiceGrpc.getAckMessageMethod(), ack(WORKERS, ORDERS, heldId, h.getValue()),
                        h.getKey(), Code.INVALID_RECEIPT_HANDLE);
                recordUnary(K_HANDLES, attacker, MessagingServiceGrpc.getChangeInvisibleDurationMethod(),
                        changeInvisible(WORKERS, ORDERS, heldId, h.getValue(), 1), h.getKey(), Code.INVALID_RECEIPT_HANDLE);
                recordUnary(K_HANDLES, attacker, MessagingServiceGrpc.getForwardMessageToDeadLetterQueueMethod(),
                        forward(WORKERS, ORDERS, heldId, h.getValue()), h.getKey(), Code.INVALID_RECEIPT_HANDLE);
            }
            // all or nothing: A1's own handle next to B1's does not get A1's acked either
            recordUnary(K_HANDLES, attacker, MessagingServiceGrpc.getAckMessageMethod(), ack(WORKERS, ORDERS, heldId, ownSealed).toBuilder()
                    .addEntries(AckMessageEntry.newBuilder().setMessageId(heldId).setReceiptHandle(heldHandle)).build(),
                    "A1's own handle and B1's in one ack", Code.INVALID_RECEIPT_HANDLE);
            assertTrue(tally.count(K_HANDLES) >= handlesPlanned);

            // ---- B1's message, transaction and recall ids next to A1's own handles
            floor += 10;
            recordUnary(K_IDS, attacker, MessagingServiceGrpc.getAckMessageMethod(), ack(WORKERS, ORDERS, heldId, ownSealed),
                    "A1's handle with B1's message id (acts on A1's message)", Code.OK);
            ChangeInvisibleDurationResponse changed = MessagingServiceGrpc.newBlockingStub(attacker.channel())
                    .withDeadlineAfter(10, TimeUnit.SECONDS).changeInvisibleDuration(changeInvisible(WORKERS, ORDERS, heldId,
                            own.get(1).getSystemProperties().getReceiptHandle(), 30));
            tally.record(K_IDS, "ChangeInvisibleDuration", "A1's handle with B1's message id (acts on A1's message)",
                    "message_id: " + heldId, Answer.of(changed.getStatus().getCode().name(), changed.toString()), Set.of("OK"));
            recordUnary(K_IDS, attacker, MessagingServiceGrpc.getForwardMessageToDeadLetterQueueMethod(),
                    forward(WORKERS, ORDERS, heldId, changed.getReceiptHandle()),
                    "A1's handle with B1's message id (A1's message to A1's DLQ)", Code.OK);
            record(K_IDS, unaryCall(attacker, MessagingServiceGrpc.getRecallMessageMethod(), recall(DELAYED, delayedSent.getMessageId())),
                    "B1's message id as recall handle", notOk());
            record(K_IDS, unaryCall(attacker, MessagingServiceGrpc.getRecallMessageMethod(), recall(DELAYED, delayedSent.getRecallHandle())),
                    "B1's genuine recall handle", notOk());
            record(K_IDS, unaryCall(attacker, MessagingServiceGrpc.getRecallMessageMethod(), recall(ORDERS, delayedSent.getRecallHandle())),
                    "B1's genuine recall handle on a NORMAL topic", notOk());
            // a transaction of B1, half sent: A1 cannot end it, B1 still can
            Message half = message(TX, "B1-secret-tx-" + UUID.randomUUID(), MessageType.TRANSACTION, p -> { });
            SendResultEntry halfSent = send(victim, half);
            tally.watch("a message body of B1", half.getBody().toStringUtf8());
            tally.watch("a transaction id of B1", halfSent.getTransactionId());
            for (TransactionResolution resolution : List.of(TransactionResolution.COMMIT, TransactionResolution.ROLLBACK)) {
                for (TransactionSource source : List.of(TransactionSource.SOURCE_CLIENT, TransactionSource.SOURCE_SERVER_CHECK)) {
                    record(K_IDS, unaryCall(attacker, MessagingServiceGrpc.getEndTransactionMethod(),
                            endTransaction(TX, halfSent.getMessageId(), halfSent.getTransactionId(), resolution, source)),
                            "B1's transaction id, " + resolution + " " + source, notOk());
                }
            }
            Answer victimEnds = RawRpc.unary(victim.channel(), MessagingServiceGrpc.getEndTransactionMethod(),
                    endTransaction(TX, halfSent.getMessageId(), halfSent.getTransactionId(), TransactionResolution.ROLLBACK,
                            TransactionSource.SOURCE_CLIENT));
            tally.record(K_EFFECTS, "EndTransaction", "B1 still ends its own transaction", "", victimEnds, Set.of("OK"));

            // ---- the same names answer A1's own instance, whatever the client claims
            floor += 2;
            Set<Integer> ownQueueIds = queueIds(route(attacker, ORDERS));
            tally.record(K_SAME, "QueryRoute", "orders has A1's queue count", "", Answer.of(ownQueueIds.size() == A1.ordersQueues
                    ? "OK" : "queues=" + ownQueueIds.size(), ""), Set.of("OK"));
            try (TestClient claimsB1 = caller(TestClient.tls(gateway.tlsPort(), A1.adminAk, A1.adminSk,
                    h -> put(h, "x-mq-namespace", B1.id)), A1)) {
                Set<Integer> ids = queueIds(route(claimsB1, ORDERS));
                tally.record(K_SAME, "QueryRoute", "orders with header x-mq-namespace: <B1>", "x-mq-namespace: " + B1.id,
                        Answer.of(ids.size() == A1.ordersQueues ? "OK" : "queues=" + ids.size(), ""), Set.of("OK"));
            }

            // ---- B1 afterwards: same offsets, exactly its pending messages, its held ones still its own to ack
            floor += 5;
            Map<String, String> offsetsAfter = offsets(B1);
            tally.record(K_EFFECTS, "(admin API)", "B1's consumer and queue offsets", offsetsBefore.toString(),
                    Answer.of(offsetsAfter.equals(offsetsBefore) ? "UNCHANGED" : "CHANGED", offsetsBefore + " -> " + offsetsAfter),
                    Set.of("UNCHANGED"));
            List<Message> later = receiveUntil(victim, victimQueue, got -> bodies(got).containsAll(pendingBodies), 30);
            later.addAll(receive(victim, victimQueue, WORKERS, 16));
            tally.record(K_EFFECTS, "ReceiveMessage", "B1 receives exactly its two pending messages", pendingBodies.toString(),
                    Answer.of(new HashSet<>(bodies(later)).equals(new HashSet<>(pendingBodies)) && later.size() == 2 ? "EXACT" : "DIFFERENT",
                            "expected " + pendingBodies + ", got " + bodies(later)), Set.of("EXACT"));
            List<Message> toAck = new ArrayList<>(held);
            toAck.addAll(later);
            int acked = 0;
            for (Message m : toAck) {
                Answer a = RawRpc.unary(victim.channel(), MessagingServiceGrpc.getAckMessageMethod(),
                        ack(WORKERS, ORDERS, m.getSystemProperties().getMessageId(), m.getSystemProperties().getReceiptHandle()));
                acked += a.code().equals("OK") ? 1 : 0;
            }
            tally.record(K_EFFECTS, "AckMessage", "B1 acks its held and pending messages", "",
                    Answer.of(acked == toAck.size() ? "OK" : "acked " + acked + "/" + toAck.size(), ""), Set.of("OK"));
            boolean ownDlq = awaitTopic(Namespaces.deadLetterTopic(A1.id, WORKERS), true);
            tally.record(K_EFFECTS, "ForwardMessageToDeadLetterQueue", "A1's forward lands in A1's DLQ; none in B1's or A2's",
                    "", Answer.of(ownDlq && !topicExists(Namespaces.deadLetterTopic(B1.id, WORKERS))
                            && !topicExists(Namespaces.deadLetterTopic(A2.id, WORKERS)) ? "OK" : "own=" + ownDlq, ""), Set.of("OK"));
        } finally {
            sessions.forEach(TelemetrySession::close);
        }
        assertNoViolations(K_NAMES, K_HANDLES, K_IDS, K_SAME, K_EFFECTS);
    }

    // ================================================================== ACL: an account that may only publish to orders

    @Test
    void anAccountThatMayOnlyPublishToOrdersCannotConsumeOrPublishElsewhere() throws Exception {
        int before = tally.count(K_PUB_ONLY);
        int planned = 0;
        // B2: its orders is not read by the other tests
        try (TestClient pub = publisher(B2); TestClient other = admin(B2)) {
            MessageQueue queue = readQueue(other, ORDERS);
            // consuming, on orders and on fifo, with the instance's group: refused
            for (String topic : List.of(ORDERS, FIFO)) {
                for (Sent s : consumeSide(pub, queue, topic, WORKERS)) {
                    // handles are checked (seal) before rights: a PUB-only account never holds a valid one
                    record(K_PUB_ONLY, s, "consume " + topic + " as " + WORKERS, Code.FORBIDDEN, Code.INVALID_RECEIPT_HANDLE);
                    planned++;
                }
            }
            // publishing elsewhere: refused
            for (String topic : List.of(FIFO, DELAYED, TX)) {
                record(K_PUB_ONLY, unaryCall(pub, MessagingServiceGrpc.getSendMessageMethod(), sendRequest(message(topic, "pub-only", MessageType.NORMAL, p -> { }))),
                        "send to " + topic, Code.FORBIDDEN);
                record(K_PUB_ONLY, unaryCall(pub, MessagingServiceGrpc.getQueryRouteMethod(), routeRequest(topic)), "route of " + topic, Code.FORBIDDEN);
                planned += 2;
            }
            record(K_PUB_ONLY, unaryCall(pub, MessagingServiceGrpc.getSendMessageMethod(), SendMessageRequest.newBuilder()
                    .addMessages(message(ORDERS, "pub-only", MessageType.NORMAL, p -> { }))
                    .addMessages(message(FIFO, "pub-only", MessageType.NORMAL, p -> { })).build()), "send to orders and fifo at once",
                    Code.FORBIDDEN);
            record(K_PUB_ONLY, unaryCall(pub, MessagingServiceGrpc.getEndTransactionMethod(),
                    endTransaction(TX, "01", "tx-1", TransactionResolution.COMMIT, TransactionSource.SOURCE_CLIENT)), "end a transaction on tx",
                    Code.FORBIDDEN);
            record(K_PUB_ONLY, unaryCall(pub, MessagingServiceGrpc.getRecallMessageMethod(), recall(DELAYED, "rc")), "recall on delayed",
                    Code.FORBIDDEN);
            planned += 3;
            // Settings are not checked by design (Rpcs.admitTelemetry); what that lets through:
            // anAccountWithoutRightsOnATopicGetsNoneOfItsMessagesThroughTransactionChecks
            try (TelemetrySession t = new TelemetrySession(pub)) {
                record(K_PUB_ONLY, telemetryCall(t, settings(producerSettings(ORDERS))), "Settings publishing orders", Code.OK);
                planned += 1;
            }
            record(K_PUB_ONLY, unaryCall(pub, MessagingServiceGrpc.getSendMessageMethod(), sendRequest(message(ORDERS, "pub-only-ok", MessageType.NORMAL, p -> { }))),
                    "send to orders", Code.OK);
            record(K_PUB_ONLY, unaryCall(pub, MessagingServiceGrpc.getQueryRouteMethod(), routeRequest(ORDERS)), "route of orders", Code.OK);
            record(K_PUB_ONLY, unaryCall(pub, MessagingServiceGrpc.getHeartbeatMethod(),
                    HeartbeatRequest.newBuilder().setClientType(ClientType.PRODUCER).build()), "producer heartbeat", Code.OK);
            planned += 3;
        }
        floor += planned;
        assertTrue(tally.count(K_PUB_ONLY) - before >= planned);
        assertTrue(tally.rpcs(K_PUB_ONLY).containsAll(Set.of("QueryAssignment", "ReceiveMessage", "AckMessage",
                "ForwardMessageToDeadLetterQueue", "PullMessage", "UpdateOffset", "GetOffset", "QueryOffset", "ChangeInvisibleDuration",
                "SyncLiteSubscription", "Heartbeat", "SendMessage", "QueryRoute", "EndTransaction", "RecallMessage")),
                "consume-side RPCs covered: " + tally.rpcs(K_PUB_ONLY));
        assertNoViolations(K_PUB_ONLY);
    }

    // ================================================================== the IP allowlist

    @Test
    void anInstanceWhoseAllowlistExcludesTheClientRefusesEveryRpc() throws Exception {
        int planned = 0;
        for (String[] account : List.of(new String[] {W.adminAk, W.adminSk}, new String[] {W.pubAk, W.pubSk})) {
            try (TestClient c = caller(TestClient.tls(gateway.tlsPort(), account[0], account[1]), W);
                 TestClient c2 = caller(TestClient.plaintext(plaintextGateway().plaintextPort(), account[0], account[1]), W)) {
                for (TestClient client : List.of(c, c2)) {
                    for (Sent s : everyRpc(client, dummyQueue(ORDERS), ORDERS, WORKERS)) {
                        record(K_ALLOWLIST, s, "valid names, client 127.0.0.1", Code.FORBIDDEN);
                        planned++;
                    }
                }
            }
        }
        floor += planned;
        assertEquals(ALL_RPCS, tally.rpcs(K_ALLOWLIST));
        assertNoViolations(K_ALLOWLIST);
    }

    static Gateway plaintextGatewayInstance;

    /** A second gateway with a plaintext listener (what the Node SDK uses by default), fed the same snapshot. */
    static synchronized Gateway plaintextGateway() throws Exception {
        if (plaintextGatewayInstance == null) {
            plaintextGatewayInstance = Gateway.start(GatewayConfig.forTests().withPlaintextPort(0));
            plaintextGatewayInstance.apply(snapshot());
        }
        return plaintextGatewayInstance;
    }

    @AfterAll
    static void stopPlaintextGateway() {
        if (plaintextGatewayInstance != null) {
            plaintextGatewayInstance.close();
        }
    }

    // ================================================================== authentication

    @Test
    void callersThatAreNotWhoTheyClaimAreRefusedOnEveryRpc() throws Exception {
        Map<String, Object[]> callers = new LinkedHashMap<>();
        callers.put("wrong secret", new Object[] {tampered(A1.adminAk, "wrong-" + A1.adminSk, h -> { }), Code.UNAUTHORIZED});
        callers.put("unknown access key", new Object[] {tampered("nobody-" + UUID.randomUUID(), A1.adminSk, h -> { }), Code.UNAUTHORIZED});
        callers.put("disabled account", new Object[] {tampered(DISABLED_AK, DISABLED_SK, h -> { }), Code.FORBIDDEN});
        callers.put("B1's access key, A1's secret", new Object[] {tampered(B1.adminAk, A1.adminSk, h -> { }), Code.UNAUTHORIZED});
        callers.put("A1's signature under B1's access key", new Object[] {tampered(A1.adminAk, A1.adminSk, h -> {
            String auth = h.get(TestClient.AUTHORIZATION);
            put(h, "authorization", auth.replace("Credential=" + A1.adminAk, "Credential=" + B1.adminAk));
        }), Code.UNAUTHORIZED});
        for (long hours : new long[] {15, -15}) {
            callers.put("clock " + (hours > 0 ? "+" : "") + hours + " h, correctly signed", new Object[] {tampered(A1.adminAk, A1.adminSk, h -> {
                String date = RequestSignature.formatDateTime(Instant.now().plus(Duration.ofHours(hours)));
                put(h, "x-mq-date-time", date);
                put(h, "authorization", RequestSignature.authorization(A1.adminAk, A1.adminSk, date));
            }), Code.UNAUTHORIZED});
        }
        callers.put("no authorization header", new Object[] {tampered(A1.adminAk, A1.adminSk, h -> h.removeAll(TestClient.AUTHORIZATION)),
                Code.UNAUTHORIZED});
        callers.put("malformed authorization", new Object[] {tampered(A1.adminAk, A1.adminSk,
                h -> put(h, "authorization", "MQv2-HMAC-SHA1 Credential=" + A1.adminAk)), Code.UNAUTHORIZED});
        callers.put("signature of another date", new Object[] {tampered(A1.adminAk, A1.adminSk, h -> put(h, "authorization",
                RequestSignature.authorization(A1.adminAk, A1.adminSk, RequestSignature.formatDateTime(Instant.now().minusSeconds(60))))),
                Code.UNAUTHORIZED});
        int planned = callers.size() * ALL_RPCS.size();
        floor += planned + 1;
        for (Map.Entry<String, Object[]> caller : callers.entrySet()) {
            try (TestClient c = (TestClient) caller.getValue()[0]) {
                for (Sent s : everyRpc(c, dummyQueue(ORDERS), ORDERS, WORKERS)) {
                    record(K_AUTH, s, caller.getKey(), (Code) caller.getValue()[1]);
                }
            }
        }
        // no client id: the proxy keys settings and handles by it, so none must be shared between callers
        try (TestClient anonymous = tampered(A1.adminAk, A1.adminSk, h -> h.removeAll(TestClient.CLIENT_ID))) {
            record(K_AUTH, unaryCall(anonymous, MessagingServiceGrpc.getQueryRouteMethod(), routeRequest(ORDERS)), "no x-mq-client-id",
                    Code.CLIENT_ID_REQUIRED);
        }
        assertEquals(ALL_RPCS, tally.rpcs(K_AUTH));
        assertTrue(tally.count(K_AUTH) >= planned);
        assertNoViolations(K_AUTH);
    }

    /**
     * Known limit, by design of RocketMQ's signature (only {@code x-mq-date-time} is signed): a captured
     * authorization header is accepted again while its date is within 5 min of the clock its access key
     * signs with (learned by the gateway from the key's requests). What it must not do is reach anything
     * beyond the account that signed it; hours later it is refused.
     */
    @Test
    void aReplayedSignatureReachesOnlyTheInstanceThatSignedIt() throws Exception {
        String date = RequestSignature.formatDateTime(Instant.now().minusSeconds(90));
        String signed = RequestSignature.authorization(A1.adminAk, A1.adminSk, date);
        Consumer<Metadata> replay = h -> {
            put(h, "x-mq-date-time", date);
            put(h, "authorization", signed);
        };
        floor += 7;
        try (TestClient again = caller(TestClient.tls(gateway.tlsPort(), A1.adminAk, A1.adminSk, replay), A1);
             TestClient claimsB1 = caller(TestClient.tls(gateway.tlsPort(), A1.adminAk, A1.adminSk, replay.andThen(h -> {
                 put(h, "x-mq-namespace", B1.id);
                 put(h, "x-mq-client-id", B1.id + "!victim");
             })), A1);
             TestClient asB1 = caller(TestClient.tls(gateway.tlsPort(), A1.adminAk, A1.adminSk, replay.andThen(h ->
                     put(h, "authorization", signed.replace("Credential=" + A1.adminAk, "Credential=" + B1.adminAk)))), null)) {
            QueryRouteResponse r = route(again, ORDERS);
            tally.record(K_REPLAY, "QueryRoute", "same date and signature on a new call (accepted: known limit)", "",
                    Answer.of(r.getStatus().getCode().name(), r.toString()), Set.of("OK"));
            tally.record(K_REPLAY, "QueryRoute", "…and the route is A1's", "", Answer.of(queueIds(r).size() == A1.ordersQueues ? "A1" : "OTHER", ""),
                    Set.of("A1"));
            QueryRouteResponse claimed = route(claimsB1, ORDERS);
            tally.record(K_REPLAY, "QueryRoute", "replayed with x-mq-namespace and client id of B1", "x-mq-namespace: " + B1.id,
                    Answer.of(claimed.getStatus().getCode() == Code.OK && queueIds(claimed).size() == A1.ordersQueues ? "A1" : "OTHER",
                            claimed.toString()), Set.of("A1"));
            record(K_REPLAY, unaryCall(again, MessagingServiceGrpc.getQueryRouteMethod(), routeRequest(B1.wrap(ORDERS))),
                    "replayed, naming B1's orders", Code.ILLEGAL_TOPIC);
            record(K_REPLAY, unaryCall(asB1, MessagingServiceGrpc.getQueryRouteMethod(), routeRequest(ORDERS)),
                    "replayed under B1's access key", Code.UNAUTHORIZED);
            record(K_REPLAY, unaryCall(asB1, MessagingServiceGrpc.getSendMessageMethod(), sendRequest(message(ORDERS, "replay", MessageType.NORMAL, p -> { }))),
                    "replayed under B1's access key, send", Code.UNAUTHORIZED);
        }
        String hoursAgo = RequestSignature.formatDateTime(Instant.now().minus(Duration.ofHours(10)));
        String signedHoursAgo = RequestSignature.authorization(A1.adminAk, A1.adminSk, hoursAgo);
        try (TestClient late = caller(TestClient.tls(gateway.tlsPort(), A1.adminAk, A1.adminSk, h -> {
            put(h, "x-mq-date-time", hoursAgo);
            put(h, "authorization", signedHoursAgo);
        }), null)) {
            record(K_REPLAY, unaryCall(late, MessagingServiceGrpc.getQueryRouteMethod(), routeRequest(ORDERS)),
                    "a signature of 10 h ago, after the key signed with a current clock", Code.UNAUTHORIZED);
        }
        assertNoViolations(K_REPLAY);
    }

    // ================================================================== Telemetry

    @Test
    void telemetryCommandsNamingAnotherInstanceAreRefusedAndServerCommandsAreDropped() throws Exception {
        floor += 12;
        try (TestClient a1 = admin(A1); TelemetrySession t = new TelemetrySession(a1)) {
            // a stream that starts as A1 …
            record(K_TELEMETRY, telemetryCall(t, settings(consumerSettings(WORKERS, ORDERS))), "A1's own Settings", Code.OK);
            // … then names B1
            record(K_TELEMETRY, telemetryCall(t, settings(consumerSettings(B1.wrap(WORKERS), ORDERS))), "Settings with B1's group", Code.ILLEGAL_CONSUMER_GROUP);
            record(K_TELEMETRY, telemetryCall(t, settings(consumerSettings(WORKERS, B1.wrap(ORDERS)))), "Settings subscribing B1's orders", Code.ILLEGAL_TOPIC);
            record(K_TELEMETRY, telemetryCall(t, settings(producerSettings(ORDERS, B1.wrap(ORDERS)))), "Settings publishing to B1's orders", Code.ILLEGAL_TOPIC);
            Settings namespaced = consumerSettings(WORKERS, ORDERS).toBuilder().setSubscription(Subscription.newBuilder()
                    .setGroup(Resource.newBuilder().setResourceNamespace(B1.id).setName(WORKERS))
                    .addSubscriptions(SubscriptionEntry.newBuilder().setTopic(res(ORDERS)).setExpression(all()))).build();
            record(K_TELEMETRY, telemetryCall(t, settings(namespaced)), "Settings with resource_namespace of B1", Code.ILLEGAL_CONSUMER_GROUP);
            record(K_TELEMETRY, telemetryCall(t, settings(consumerSettings("%RETRY%" + B1.wrap(WORKERS), ORDERS))), "Settings with B1's retry group",
                    Code.ILLEGAL_CONSUMER_GROUP);
            // commands only a server sends, carrying B1's names: dropped, never answered; the next Settings echo is the next answer
            Message b1Message = Message.newBuilder().setTopic(Resource.newBuilder().setResourceNamespace(B1.id).setName(ORDERS))
                    .setBody(ByteString.copyFromUtf8("x")).build();
            List<TelemetryCommand> serverOnly = List.of(
                    TelemetryCommand.newBuilder().setRecoverOrphanedTransactionCommand(RecoverOrphanedTransactionCommand.newBuilder()
                            .setMessage(b1Message).setTransactionId("tx")).build(),
                    TelemetryCommand.newBuilder().setVerifyMessageCommand(VerifyMessageCommand.newBuilder().setNonce("0").setMessage(b1Message)).build(),
                    TelemetryCommand.newBuilder().setPrintThreadStackTraceCommand(PrintThreadStackTraceCommand.newBuilder().setNonce("0")).build(),
                    TelemetryCommand.newBuilder().setReconnectEndpointsCommand(ReconnectEndpointsCommand.newBuilder().setNonce("0")).build(),
                    TelemetryCommand.newBuilder().setNotifyUnsubscribeLiteCommand(NotifyUnsubscribeLiteCommand.newBuilder().setLiteTopic("x")).build());
            for (TelemetryCommand c : serverOnly) {
                t.send(c);
                Answer next = t.ask(settings(consumerSettings(WORKERS, ORDERS)), 5000);
                String code = next.code().equals("OK") && next.text().contains("settings") ? "DROPPED" : "ANSWERED " + next.code();
                tally.record(K_TELEMETRY, "Telemetry", "client sends " + c.getCommandCase(), c.toString(), Answer.of(code, next.text()),
                        Set.of("DROPPED"));
            }
            // the stream still belongs to A1: its echo names A1's plain names only
            Answer echo = t.ask(settings(consumerSettings(WORKERS, ORDERS, FIFO)), 5000);
            tally.record(K_TELEMETRY, "Telemetry", "A1's Settings after all that", "", echo, Set.of("OK"));
            assertTrue(echo.text().contains("name: \"" + FIFO + "\""), echo.text());
        }
        assertNoViolations(K_TELEMETRY);
    }

    // ================================================================== holes (described in the lead's report)

    /**
     * The proxy numbers the commands it sends to clients (VerifyMessage, PrintThreadStackTrace) 0, 1, 2, …
     * across all its clients ({@code GrpcChannelManager.nextNonce}) and takes the first answer carrying a
     * nonce from any Telemetry stream ({@code ClientActivity.reportVerifyMessageResult}). So a client of any
     * tenant can answer the commands meant for another tenant's client: the operator who asked B2's
     * consumer to verify a message (consume-message-directly) gets what A2 wrote, and B2's real answer is
     * thrown away. The gateway relays a client's answers whatever their nonce; it should forward only
     * answers to nonces it handed to that same stream.
     */
    @Test
    void aTenantCannotAnswerCommandsTheProxySentToAnotherTenantsClient() throws Exception {
        int sweep = 0;
        try (TestClient victim = admin(B2); TestClient attacker = admin(A2);
             TelemetrySession victimStream = announce(victim, consumerSettings(WORKERS, ORDERS));
             TelemetrySession attackerStream = announce(attacker, producerSettings(ORDERS))) {
            // an id the admin tool looks up by key (32 hex digits would be read as a commit-log address)
            Message verified = message(ORDERS, "B2-secret-verified-" + UUID.randomUUID(), MessageType.NORMAL,
                    p -> p.setMessageId("B2V" + InstanceIds.randomBase32(17).toUpperCase(Locale.ROOT)));
            String messageId = send(victim, verified).getMessageId();
            CompletableFuture<ConsumeMessageDirectlyResult> asked =
                    CompletableFuture.supplyAsync(() -> {
                        Exception last = null;
                        // the broker indexes message keys asynchronously
                        for (int attempt = 0; attempt < 20; attempt++) {
                            try {
                                return admin.consumeMessageDirectly(B2.wrap(WORKERS), B2.id + "!" + victim.clientId, B2.wrap(ORDERS), messageId);
                            } catch (Exception e) {
                                last = e;
                                if (String.valueOf(e.getMessage()).contains("timeout")) {
                                    break;
                                }
                                try {
                                    Thread.sleep(250);
                                } catch (InterruptedException ie) {
                                    Thread.currentThread().interrupt();
                                    break;
                                }
                            }
                        }
                        throw new IllegalStateException(last);
                    });
            TelemetryCommand command = victimStream.next(TelemetryCommand::hasVerifyMessageCommand, 15_000);
            if (command == null) {
                String outcome;
                try {
                    outcome = "answered " + asked.getNow(null);
                } catch (Exception e) {
                    outcome = "failed: " + e;
                }
                fail("the operator's request never reached B2's client; the admin call " + outcome);
            }
            String nonce = command.getVerifyMessageCommand().getNonce();
            tally.record(K_NONCES, "Telemetry", "B2 is asked to verify its message", "", Answer.of(
                    command.getVerifyMessageCommand().getMessage().getBody().toStringUtf8().equals(verified.getBody().toStringUtf8())
                            ? "OK" : "OTHER", command.toString()), Set.of("OK"));
            // A2 does not need to see the nonce: they are small numbers; answer every one up to a little beyond it
            int highest = Math.max(64, nonce.chars().allMatch(Character::isDigit) ? Integer.parseInt(nonce) + 16 : 64);
            for (int n = 0; n <= highest; n++) {
                attackerStream.send(TelemetryCommand.newBuilder().setStatus(apache.rocketmq.v2.Status.newBuilder().setCode(Code.OK))
                        .setVerifyMessageResult(VerifyMessageResult.newBuilder().setNonce(Integer.toString(n))).build());
                sweep++;
            }
            // the proxy handles one stream's commands in order: once this is echoed, the sweep was handled
            assertEquals("OK", attackerStream.ask(settings(producerSettings(ORDERS)), 5000).code());
            victimStream.send(TelemetryCommand.newBuilder().setStatus(apache.rocketmq.v2.Status.newBuilder()
                    .setCode(Code.FAILED_TO_CONSUME_MESSAGE)).setVerifyMessageResult(VerifyMessageResult.newBuilder().setNonce(nonce)).build());
            var result = asked.get(20, TimeUnit.SECONDS);
            floor += sweep + 1;
            boolean forged = result.getConsumeResult() == CMResult.CR_SUCCESS;
            for (int n = 0; n <= highest; n++) {
                tally.record(K_NONCES, "Telemetry", "A2's VerifyMessageResult for nonce " + n + " (B2's was " + nonce + ")", "",
                        Answer.of(forged && Integer.toString(n).equals(nonce) ? "ACCEPTED AS B2'S ANSWER" : "NO EFFECT", ""),
                        Set.of("NO EFFECT"));
            }
            assertEquals(CMResult.CR_LATER, result.getConsumeResult(),
                    "B2 answered 'failed to consume' (CR_LATER); the operator got " + result.getConsumeResult()
                            + ": another tenant's Telemetry stream answered nonce " + nonce);
        }
        assertNoViolations(K_NONCES);
    }

    /**
     * Delayed messages are recalled by a handle the client presents ({@code RecallMessage}); the broker
     * checks that the handle's topic is the request's (namespaced, so A2 can only name its own), then
     * deletes from the timer wheel by the message id alone ({@code TimerMessageStore.buildDeleteKey} with
     * {@code appendTopicForTimerDeleteKey=false}, the default). Message ids are written by the sending
     * client; so a tenant that knows (or guesses) another tenant's message id and delivery second recalls
     * that message through a handle on its own topic. Fixed by brokers with
     * {@code appendTopicForTimerDeleteKey=true} (the delete key then carries the namespaced topic), and/or a
     * gateway that seals recall handles to the instance as it does receipt handles (sealing alone is not
     * enough: A2 can send its own delayed message under B2's message id and get a genuine handle for it).
     * Recall is off on brokers by default; this enables it, as an operator offering RecallMessage would.
     */
    @Test
    void aTenantCannotRecallAnotherTenantsDelayedMessage() throws Exception {
        String brokerAddress = rocketMq.brokerAddress();
        String recallWas = admin.getBrokerConfig(brokerAddress).getProperty("recallMessageEnable", "false");
        setBrokerConfig("recallMessageEnable", "true");
        floor += 2;
        try (TestClient victim = admin(B2); TestClient attacker = admin(A2);
             TelemetrySession victimStream = announce(victim, consumerSettings(WORKERS, DELAYED))) {
            long deliverAt = System.currentTimeMillis() + 6_000;
            Message delayed = message(DELAYED, "B2-secret-delayed-" + UUID.randomUUID(), MessageType.DELAY,
                    p -> p.setDeliveryTimestamp(Timestamps.fromMillis(deliverAt)));
            SendResultEntry victimSent = send(victim, delayed);
            SendResultEntry ownSent = send(attacker, message(DELAYED, "A2-own-delayed", MessageType.DELAY,
                    p -> p.setDeliveryTimestamp(Timestamps.fromMillis(System.currentTimeMillis() + 60_000))));
            // A2's own handle shows the form: "v1 <A2's namespaced topic> <broker> <delivery ms> <message id>"
            String[] ownParts = decodeRecallHandle(ownSent.getRecallHandle());
            String[] victimParts = decodeRecallHandle(victimSent.getRecallHandle());
            String crafted = Base64.getUrlEncoder().encodeToString(String.join(" ", "v1", ownParts[1], ownParts[2], victimParts[3],
                    victimSent.getMessageId()).getBytes(StandardCharsets.UTF_8));
            Answer recall = RawRpc.unary(attacker.channel(), MessagingServiceGrpc.getRecallMessageMethod(), recall(DELAYED, crafted));
            System.out.println("A2's crafted recall of B2's delayed message answered " + recall.code() + " " + recall.text().replace('\n', ' '));
            tally.record(K_RECALL, "RecallMessage", "A2's handle on its own topic with B2's message id and delivery time", crafted, recall,
                    Set.of(Code.OK.name(), Code.INVALID_RECEIPT_HANDLE.name(), Code.FORBIDDEN.name(), Code.BAD_REQUEST.name(),
                            Code.INTERNAL_SERVER_ERROR.name()));
            List<Message> got = receiveUntil(victim, readQueue(victim, DELAYED),
                    m -> bodies(m).contains(delayed.getBody().toStringUtf8()), (deliverAt - System.currentTimeMillis()) / 1000 + 8);
            boolean delivered = bodies(got).contains(delayed.getBody().toStringUtf8());
            tally.record(K_RECALL, "ReceiveMessage", "B2's delayed message still arrives", "", Answer.of(delivered ? "DELIVERED" : "LOST", ""),
                    Set.of("DELIVERED"));
            for (Message m : got) {
                RawRpc.unary(victim.channel(), MessagingServiceGrpc.getAckMessageMethod(),
                        ack(WORKERS, DELAYED, m.getSystemProperties().getMessageId(), m.getSystemProperties().getReceiptHandle()));
            }
            assertTrue(delivered, "B2's delayed message was deleted by A2's RecallMessage (answered " + recall.code()
                    + "): the broker deletes timer messages by message id alone");
        } finally {
            setBrokerConfig("recallMessageEnable", recallWas);
        }
        assertNoViolations(K_RECALL);
    }

    /**
     * Settings pass the gateway unchecked (Rpcs.admitTelemetry: "Settings alone reach no data"). They do
     * reach data: Settings that publish to a topic register the client at the proxy as a producer of that
     * topic's producer group (the proxy uses the topic as the group), and the broker sends its checks of
     * orphaned transactions on that topic, message body included, to the producers of the group. So an
     * account that may only publish to "orders" declares "tx" in its Settings and is handed the half
     * messages of "tx" — whose owner may have crashed (then it is the only producer left) or is merely one
     * of several. Same for Settings that subscribe: the client becomes a consumer of the group and is sent
     * VerifyMessage commands (message bodies) for it. Checking Settings like the RPCs they announce closes it.
     */
    @Test
    void anAccountWithoutRightsOnATopicGetsNoneOfItsMessagesThroughTransactionChecks() throws Exception {
        try (TestClient owner = admin(B2); TestClient pubOnly = publisher(B2); TelemetrySession snoop = new TelemetrySession(pubOnly)) {
            Map<String, Settings> beyondItsRights = new LinkedHashMap<>();
            beyondItsRights.put("Settings subscribing orders as workers", consumerSettings(WORKERS, ORDERS));
            beyondItsRights.put("Settings subscribing fifo as workers", consumerSettings(WORKERS, FIFO));
            beyondItsRights.put("Settings publishing orders and fifo", producerSettings(ORDERS, FIFO));
            beyondItsRights.put("Settings publishing tx", producerSettings(TX));
            floor += beyondItsRights.size();
            try (TestClient sameAccount = publisher(B2); TelemetrySession other = new TelemetrySession(sameAccount)) {
                for (Map.Entry<String, Settings> e : beyondItsRights.entrySet()) {
                    // the last one is declared on the stream that then waits for transaction checks
                    TelemetrySession on = e.getKey().endsWith("tx") ? snoop : other;
                    record(K_SETTINGS, telemetryCall(on, settings(e.getValue())), e.getKey() + " (PUB on orders only)", Code.FORBIDDEN);
                }
            }
            // the owner sends a transactional message and does not end it; another of its producers (an ADMIN
            // client that declared tx) is up to be asked. The broker asks the producers of the group in turn.
            try (TestClient checker = admin(B2); TelemetrySession checks = announce(checker, producerSettings(TX))) {
                Message half = message(TX, "B2-secret-tx-" + UUID.randomUUID(), MessageType.TRANSACTION, p -> { });
                SendResultEntry sent = send(owner, half);
                Predicate<TelemetryCommand> aboutIt = c -> c.hasRecoverOrphanedTransactionCommand()
                        && c.getRecoverOrphanedTransactionCommand().getTransactionId().equals(sent.getTransactionId());
                TelemetryCommand leaked = null;
                int asked = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
                // two checks reached the legitimate producer: had the account been registered, one would have reached it
                while (leaked == null && asked < 2 && System.nanoTime() < deadline) {
                    leaked = snoop.next(aboutIt, 100);
                    asked += checks.next(aboutIt, 100) != null ? 1 : 0;
                }
                floor += 1;
                tally.record(K_SETTINGS, "Telemetry", "orphan checks of a tx message (" + asked + " reached its producer)",
                        half.getBody().toStringUtf8(), Answer.of(leaked != null ? "GOT THE MESSAGE" : asked >= 2 ? "NOTHING" : "NO CHECK SEEN",
                                leaked == null ? "" : leaked.toString()), Set.of("NOTHING"));
                RawRpc.unary(owner.channel(), MessagingServiceGrpc.getEndTransactionMethod(), endTransaction(TX, sent.getMessageId(),
                        sent.getTransactionId(), TransactionResolution.ROLLBACK, TransactionSource.SOURCE_CLIENT));
                assertTrue(leaked == null, "an account with PUB on orders only was sent B2's transactional message on tx: "
                        + (leaked == null ? "" : leaked.getRecoverOrphanedTransactionCommand().getMessage().getBody().toStringUtf8()));
            }
        }
        assertNoViolations(K_SETTINGS);
    }

    void setBrokerConfig(String key, String value) throws Exception {
        Properties p = new Properties();
        p.setProperty(key, value);
        admin.updateBrokerConfig(rocketMq.brokerAddress(), p);
    }

    String[] decodeRecallHandle(String handle) {
        String[] parts = new String(Base64.getUrlDecoder().decode(handle), StandardCharsets.UTF_8).split(" ");
        assertEquals(5, parts.length, "recall handle form changed: " + String.join(" ", parts));
        return parts;
    }

    // ================================================================== probes: every resource slot of every RPC

    /** A forged name; refused by the gateway's mapper, or mapped into the caller's own namespace. */
    record Forged(String label, Resource resource, boolean refusedByGateway) {
    }

    /** A request on its way: its text (for the leak rule) and its answer. */
    record Sent(String rpc, String request, CompletableFuture<Answer> answer) {
    }

    interface ProbeCall {
        Sent send(Resource name) throws Exception;
    }

    /**
     * One resource slot of one RPC, with the code the gateway refuses a bad name in it with, and what the
     * proxy may answer for a name mapped into the caller's own namespace.
     */
    record Probe(String rpc, String slot, Code illegal, ProbeCall call, Function<Forged, Collection<String>> inNamespace) {
        /**
         * A valid name the gateway maps into the caller's own namespace: in a group slot, a group the
         * instance does not have is refused by the gateway before any broker (it would auto-create it).
         */
        Probe {
            if (slot.contains("group")) {
                Function<Forged, Collection<String>> proxyAnswers = inNamespace;
                inNamespace = f -> {
                    Set<String> accepted = new HashSet<>(proxyAnswers.apply(f));
                    accepted.add(Code.CONSUMER_GROUP_NOT_FOUND.name());
                    return accepted;
                };
            }
        }
    }

    List<Forged> forgedNames(Inst self, List<Inst> victims) {
        List<Forged> out = new ArrayList<>();
        for (Inst v : victims) {
            String ns = v.id;
            out.add(refused(v + "'s namespaced orders", ns + "%" + ORDERS));
            out.add(refused(v + "'s namespaced workers", ns + "%" + WORKERS));
            out.add(refused(v + "'s retry topic", "%RETRY%" + ns + "%" + WORKERS));
            out.add(refused(v + "'s dead-letter topic", "%DLQ%" + ns + "%" + WORKERS));
            out.add(refused(v + "'s pop retry topic", "%RETRY%" + ns + "%" + WORKERS + "_" + ns + "%" + ORDERS));
            out.add(refused(v + "'s orders as an LMQ", "%LMQ%" + ns + "%" + ORDERS));
            out.add(refused("orders with a | and " + v + "'s namespace", ORDERS + "|" + ns));
            out.add(new Forged("resource_namespace " + v, Resource.newBuilder().setResourceNamespace(ns).setName(ORDERS).build(), true));
            out.add(inNamespace(v + "'s bare namespace as a name", ns));
        }
        out.add(new Forged("resource_namespace of the caller itself", Resource.newBuilder().setResourceNamespace(self.id).setName(ORDERS).build(), true));
        out.add(new Forged("resource_namespace only", Resource.newBuilder().setResourceNamespace(B1.id).build(), true));
        for (String system : List.of("%RETRY%" + WORKERS, "%DLQ%" + WORKERS, "rmq_sys_SYNC_BROKER_MEMBER_" + rocketMq.brokerName(),
                "rmq_sys_wheel_timer", "rmq_sys_REVIVE_LOG_" + rocketMq.clusterName(), "SCHEDULE_TOPIC_XXXX", "RMQ_SYS_TRANS_HALF_TOPIC",
                "RMQ_SYS_TRANS_OP_HALF_TOPIC", "TRANS_CHECK_MAX_TIME_TOPIC", "TBW102", "RMQ_SYS_TRACE_TOPIC", "OFFSET_MOVED_EVENT",
                "SELF_TEST_TOPIC", "BenchmarkTest", "CID_RMQ_SYS_TRANS", "TOOLS_CONSUMER", "DEFAULT_CONSUMER", "%SYS%" + ORDERS)) {
            out.add(refused("system name " + system, system));
        }
        int max = 127 - self.id.length() - 1;
        out.add(inNamespace("at the length limit (" + max + ")", "x".repeat(max)));
        out.add(refused("one over the length limit (" + (max + 1) + ")", "x".repeat(max + 1)));
        out.add(inNamespace("at RocketMQ's group limit (" + (120 - self.id.length() - 1) + ")", "g".repeat(120 - self.id.length() - 1)));
        for (String odd : List.of("ördérs", "订单", ORDERS + "\u200b", ORDERS + "\u0000", ORDERS + "%", "%" + ORDERS, " " + ORDERS,
                ORDERS + "\n", "../" + ORDERS, ORDERS + ".v2", ORDERS + "*")) {
            out.add(refused("odd characters " + printable(odd), odd));
        }
        for (String name : List.of(rocketMq.brokerName(), rocketMq.clusterName())) {
            boolean plain = name.matches("[a-zA-Z0-9_-]+") && !name.toLowerCase(Locale.ROOT).startsWith("rmq_sys_");
            out.add(new Forged("the broker's own topic " + name, res(name), !plain));
        }
        out.add(inNamespace("system topic outside Gantry's reserved list CHECKPOINT_TOPIC", "CHECKPOINT_TOPIC"));
        out.add(inNamespace("system group outside Gantry's reserved list SCHEDULE_CONSUMER", "SCHEDULE_CONSUMER"));
        out.add(inNamespace("a name the instance does not have", "ghost-" + UUID.randomUUID().toString().substring(0, 8)));
        out.add(inNamespace("empty", ""));
        assertTrue(out.size() >= 45, "the forged names shrank: " + out.size());
        return out;
    }

    Forged refused(String label, String name) {
        return new Forged(label, res(name), true);
    }

    Forged inNamespace(String label, String name) {
        return new Forged(label, res(name), false);
    }

    String printable(String s) {
        StringBuilder b = new StringBuilder("'");
        s.codePoints().forEach(c -> b.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return b.append('\'').toString();
    }

    Collection<String> codes(Code... codes) {
        return Arrays.stream(codes).map(Code::name).collect(Collectors.toSet());
    }

    /** A Settings echo (plain names only: the leak rule checks), or the proxy ending the stream over a name it refuses. */
    Collection<String> settingsEcho() {
        return Set.of(Code.OK.name(), "ENDED UNAVAILABLE");
    }

    /** Every code there is (for refusals whose exact code is RocketMQ's business: {@link #notOk}). */
    Collection<String> anyProxyAnswer(Forged f) {
        Set<String> all = new HashSet<>();
        for (Code c : Code.values()) {
            if (c != Code.UNRECOGNIZED) {
                all.add(c.name());
            }
        }
        all.add("OK(no status)");
        all.add("NO_ANSWER");
        all.add("ENDED UNAVAILABLE");
        return all;
    }

    List<Probe> probes(TestClient attacker, TestClient terminator, ReopeningTelemetry telemetry, MessageQueue ownQueue,
            String victimHandle, String victimMessageId, String victimRecallHandle) {
        Resource orders = res(ORDERS);
        Resource workers = res(WORKERS);
        Function<Resource, MessageQueue> queue = t -> ownQueue.toBuilder().setTopic(t).build();
        List<Probe> p = new ArrayList<>();
        p.add(new Probe("QueryRoute", "topic", Code.ILLEGAL_TOPIC,
                t -> unaryCall(attacker, MessagingServiceGrpc.getQueryRouteMethod(), QueryRouteRequest.newBuilder().setTopic(t)
                        .setEndpoints(gatewayEndpoints()).build()), f -> codes(Code.TOPIC_NOT_FOUND, Code.ILLEGAL_TOPIC)));
        p.add(new Probe("Heartbeat", "group", Code.ILLEGAL_CONSUMER_GROUP,
                g -> unaryCall(attacker, MessagingServiceGrpc.getHeartbeatMethod(), HeartbeatRequest.newBuilder().setGroup(g)
                        .setClientType(ClientType.SIMPLE_CONSUMER).build()), f -> codes(Code.ILLEGAL_CONSUMER_GROUP)));
        p.add(new Probe("SendMessage", "topic", Code.ILLEGAL_TOPIC,
                t -> unaryCall(attacker, MessagingServiceGrpc.getSendMessageMethod(), SendMessageRequest.newBuilder()
                        .addMessages(message(ORDERS, "A1-probe", MessageType.NORMAL, x -> { }).toBuilder().setTopic(t)).build()), f -> codes(Code.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE, Code.TOPIC_NOT_FOUND, Code.ILLEGAL_TOPIC)));
        p.add(new Probe("QueryAssignment", "topic", Code.ILLEGAL_TOPIC,
                t -> unaryCall(attacker, MessagingServiceGrpc.getQueryAssignmentMethod(), QueryAssignmentRequest.newBuilder()
                        .setTopic(t).setGroup(workers).setEndpoints(gatewayEndpoints()).build()), f -> codes(Code.TOPIC_NOT_FOUND, Code.ILLEGAL_TOPIC)));
        p.add(new Probe("QueryAssignment", "group", Code.ILLEGAL_CONSUMER_GROUP,
                g -> unaryCall(attacker, MessagingServiceGrpc.getQueryAssignmentMethod(), QueryAssignmentRequest.newBuilder()
                        .setTopic(orders).setGroup(g).setEndpoints(gatewayEndpoints()).build()), f -> codes(Code.OK, Code.ILLEGAL_CONSUMER_GROUP)));
        p.add(new Probe("ReceiveMessage", "message_queue.topic", Code.ILLEGAL_TOPIC,
                t -> streamCall(attacker, MessagingServiceGrpc.getReceiveMessageMethod(), receiveRequest(workers, queue.apply(t))), f -> codes(Code.INTERNAL_SERVER_ERROR, Code.TOPIC_NOT_FOUND, Code.ILLEGAL_TOPIC)));
        p.add(new Probe("ReceiveMessage", "group", Code.ILLEGAL_CONSUMER_GROUP,
                g -> streamCall(attacker, MessagingServiceGrpc.getReceiveMessageMethod(), receiveRequest(g, queue.apply(orders))), f -> codes(Code.OK, Code.ILLEGAL_CONSUMER_GROUP, Code.CONSUMER_GROUP_NOT_FOUND)));
        p.add(new Probe("AckMessage", "topic", Code.ILLEGAL_TOPIC,
                t -> unaryCall(attacker, MessagingServiceGrpc.getAckMessageMethod(), ack(workers, t, victimMessageId, victimHandle)),
                f -> Set.of(Code.INVALID_RECEIPT_HANDLE.name())));
        p.add(new Probe("AckMessage", "group", Code.ILLEGAL_CONSUMER_GROUP,
                g -> unaryCall(attacker, MessagingServiceGrpc.getAckMessageMethod(), ack(g, orders, victimMessageId, victimHandle)),
                f -> Set.of(Code.INVALID_RECEIPT_HANDLE.name())));
        p.add(new Probe("ForwardMessageToDeadLetterQueue", "topic", Code.ILLEGAL_TOPIC,
                t -> unaryCall(attacker, MessagingServiceGrpc.getForwardMessageToDeadLetterQueueMethod(),
                        forward(workers, t, victimMessageId, victimHandle)), f -> Set.of(Code.INVALID_RECEIPT_HANDLE.name())));
        p.add(new Probe("ForwardMessageToDeadLetterQueue", "group", Code.ILLEGAL_CONSUMER_GROUP,
                g -> unaryCall(attacker, MessagingServiceGrpc.getForwardMessageToDeadLetterQueueMethod(),
                        forward(g, orders, victimMessageId, victimHandle)), f -> Set.of(Code.INVALID_RECEIPT_HANDLE.name())));
        p.add(new Probe("PullMessage", "message_queue.topic", Code.ILLEGAL_TOPIC,
                t -> streamCall(attacker, MessagingServiceGrpc.getPullMessageMethod(), pullRequest(workers, queue.apply(t))), f -> codes(Code.NOT_IMPLEMENTED)));
        p.add(new Probe("PullMessage", "group", Code.ILLEGAL_CONSUMER_GROUP,
                g -> streamCall(attacker, MessagingServiceGrpc.getPullMessageMethod(), pullRequest(g, queue.apply(orders))), f -> codes(Code.NOT_IMPLEMENTED)));
        p.add(new Probe("UpdateOffset", "message_queue.topic", Code.ILLEGAL_TOPIC,
                t -> unaryCall(attacker, MessagingServiceGrpc.getUpdateOffsetMethod(), UpdateOffsetRequest.newBuilder().setGroup(workers)
                        .setMessageQueue(queue.apply(t)).setOffset(0).build()), f -> codes(Code.NOT_IMPLEMENTED)));
        p.add(new Probe("UpdateOffset", "group", Code.ILLEGAL_CONSUMER_GROUP,
                g -> unaryCall(attacker, MessagingServiceGrpc.getUpdateOffsetMethod(), UpdateOffsetRequest.newBuilder().setGroup(g)
                        .setMessageQueue(queue.apply(orders)).setOffset(0).build()), f -> codes(Code.NOT_IMPLEMENTED)));
        p.add(new Probe("GetOffset", "message_queue.topic", Code.ILLEGAL_TOPIC,
                t -> unaryCall(attacker, MessagingServiceGrpc.getGetOffsetMethod(), GetOffsetRequest.newBuilder().setGroup(workers)
                        .setMessageQueue(queue.apply(t)).build()), f -> codes(Code.NOT_IMPLEMENTED)));
        p.add(new Probe("GetOffset", "group", Code.ILLEGAL_CONSUMER_GROUP,
                g -> unaryCall(attacker, MessagingServiceGrpc.getGetOffsetMethod(), GetOffsetRequest.newBuilder().setGroup(g)
                        .setMessageQueue(queue.apply(orders)).build()), f -> codes(Code.NOT_IMPLEMENTED)));
        p.add(new Probe("QueryOffset", "message_queue.topic", Code.ILLEGAL_TOPIC,
                t -> unaryCall(attacker, MessagingServiceGrpc.getQueryOffsetMethod(), QueryOffsetRequest.newBuilder()
                        .setMessageQueue(queue.apply(t)).setQueryOffsetPolicy(QueryOffsetPolicy.END).build()), f -> codes(Code.NOT_IMPLEMENTED)));
        p.add(new Probe("EndTransaction", "topic", Code.ILLEGAL_TOPIC,
                t -> unaryCall(attacker, MessagingServiceGrpc.getEndTransactionMethod(), endTransaction(t, victimMessageId, "tx-" + victimMessageId,
                        TransactionResolution.COMMIT, TransactionSource.SOURCE_CLIENT)), f -> codes(Code.INTERNAL_SERVER_ERROR, Code.ILLEGAL_TOPIC)));
        p.add(new Probe("Telemetry", "settings.publishing.topics", Code.ILLEGAL_TOPIC,
                t -> telemetry.call(settings(producerSettings(ORDERS).toBuilder().setPublishing(Publishing.newBuilder().addTopics(t)).build())), f -> settingsEcho()));
        p.add(new Probe("Telemetry", "settings.subscription.group", Code.ILLEGAL_CONSUMER_GROUP,
                g -> telemetry.call(settings(consumerSettings(WORKERS, ORDERS).toBuilder().setSubscription(Subscription.newBuilder().setGroup(g)
                        .addSubscriptions(SubscriptionEntry.newBuilder().setTopic(orders).setExpression(all()))).build())), f -> settingsEcho()));
        p.add(new Probe("Telemetry", "settings.subscription.topic", Code.ILLEGAL_TOPIC,
                t -> telemetry.call(settings(consumerSettings(WORKERS, ORDERS).toBuilder().setSubscription(Subscription.newBuilder().setGroup(workers)
                        .addSubscriptions(SubscriptionEntry.newBuilder().setTopic(t).setExpression(all()))).build())), f -> settingsEcho()));
        p.add(new Probe("NotifyClientTermination", "group", Code.ILLEGAL_CONSUMER_GROUP,
                g -> unaryCall(terminator, MessagingServiceGrpc.getNotifyClientTerminationMethod(),
                        NotifyClientTerminationRequest.newBuilder().setGroup(g).build()), f -> codes(Code.UNRECOGNIZED_CLIENT_TYPE, Code.OK, Code.ILLEGAL_CONSUMER_GROUP)));
        p.add(new Probe("ChangeInvisibleDuration", "topic", Code.ILLEGAL_TOPIC,
                t -> unaryCall(attacker, MessagingServiceGrpc.getChangeInvisibleDurationMethod(), changeInvisible(workers, t, victimMessageId, victimHandle, 1)),
                f -> Set.of(Code.INVALID_RECEIPT_HANDLE.name())));
        p.add(new Probe("ChangeInvisibleDuration", "group", Code.ILLEGAL_CONSUMER_GROUP,
                g -> unaryCall(attacker, MessagingServiceGrpc.getChangeInvisibleDurationMethod(), changeInvisible(g, orders, victimMessageId, victimHandle, 1)),
                f -> Set.of(Code.INVALID_RECEIPT_HANDLE.name())));
        p.add(new Probe("RecallMessage", "topic", Code.ILLEGAL_TOPIC,
                t -> unaryCall(attacker, MessagingServiceGrpc.getRecallMessageMethod(), RecallMessageRequest.newBuilder().setTopic(t)
                        .setRecallHandle(victimRecallHandle).build()), f -> codes(Code.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE, Code.TOPIC_NOT_FOUND, Code.ILLEGAL_TOPIC)));
        p.add(new Probe("SyncLiteSubscription", "topic", Code.ILLEGAL_TOPIC,
                t -> unaryCall(attacker, MessagingServiceGrpc.getSyncLiteSubscriptionMethod(), SyncLiteSubscriptionRequest.newBuilder()
                        .setAction(LiteSubscriptionAction.PARTIAL_ADD).setTopic(t).setGroup(workers).addLiteTopicSet("lt").build()), f -> codes(Code.ILLEGAL_TOPIC, Code.ILLEGAL_CONSUMER_GROUP)));
        p.add(new Probe("SyncLiteSubscription", "group", Code.ILLEGAL_CONSUMER_GROUP,
                g -> unaryCall(attacker, MessagingServiceGrpc.getSyncLiteSubscriptionMethod(), SyncLiteSubscriptionRequest.newBuilder()
                        .setAction(LiteSubscriptionAction.PARTIAL_ADD).setTopic(orders).setGroup(g).addLiteTopicSet("lt").build()), f -> codes(Code.ILLEGAL_TOPIC, Code.ILLEGAL_CONSUMER_GROUP)));
        return p;
    }

    /** Telemetry probes on one client: a stream the proxy ended (it does on some errors) is opened again. */
    final class ReopeningTelemetry implements AutoCloseable {
        private final TestClient client;
        private TelemetrySession session;

        ReopeningTelemetry(TestClient client) {
            this.client = client;
        }

        Sent call(TelemetryCommand command) throws InterruptedException {
            if (session == null || session.ended()) {
                if (session != null) {
                    session.close();
                }
                session = new TelemetrySession(client);
            }
            return telemetryCall(session, command);
        }

        @Override
        public void close() {
            if (session != null) {
                session.close();
            }
        }
    }

    // ================================================================== every RPC once, with valid names

    /** All 17 RPCs with valid names (for refusals that come before any name is read). */
    List<Sent> everyRpc(TestClient c, MessageQueue queue, String topic, String group) throws Exception {
        List<Sent> out = new ArrayList<>();
        out.add(unaryCall(c, MessagingServiceGrpc.getQueryRouteMethod(), routeRequest(topic)));
        out.add(unaryCall(c, MessagingServiceGrpc.getHeartbeatMethod(), HeartbeatRequest.newBuilder().setGroup(res(group))
                .setClientType(ClientType.SIMPLE_CONSUMER).build()));
        out.add(unaryCall(c, MessagingServiceGrpc.getSendMessageMethod(), sendRequest(message(topic, "probe", MessageType.NORMAL, p -> { }))));
        out.addAll(consumeSide(c, queue, topic, group));
        out.add(unaryCall(c, MessagingServiceGrpc.getEndTransactionMethod(),
                endTransaction(res(topic), "01", "tx", TransactionResolution.COMMIT, TransactionSource.SOURCE_CLIENT)));
        out.add(unaryCall(c, MessagingServiceGrpc.getNotifyClientTerminationMethod(),
                NotifyClientTerminationRequest.newBuilder().setGroup(res(group)).build()));
        out.add(unaryCall(c, MessagingServiceGrpc.getRecallMessageMethod(), recall(topic, "rc")));
        try (TelemetrySession t = new TelemetrySession(c)) {
            out.add(telemetryCall(t, settings(producerSettings(topic))));
        }
        return out;
    }

    /** The RPCs of consuming, on one topic and group (Telemetry's Settings apart: they are not checked by design). */
    List<Sent> consumeSide(TestClient c, MessageQueue queue, String topic, String group) throws Exception {
        Resource t = res(topic);
        Resource g = res(group);
        MessageQueue mq = queue.toBuilder().setTopic(t).build();
        List<Sent> out = new ArrayList<>();
        out.add(unaryCall(c, MessagingServiceGrpc.getQueryAssignmentMethod(), QueryAssignmentRequest.newBuilder().setTopic(t).setGroup(g)
                .setEndpoints(gatewayEndpoints()).build()));
        out.add(streamCall(c, MessagingServiceGrpc.getReceiveMessageMethod(), receiveRequest(g, mq)));
        out.add(unaryCall(c, MessagingServiceGrpc.getAckMessageMethod(), ack(g, t, "01", "handle")));
        out.add(unaryCall(c, MessagingServiceGrpc.getForwardMessageToDeadLetterQueueMethod(), forward(g, t, "01", "handle")));
        out.add(streamCall(c, MessagingServiceGrpc.getPullMessageMethod(), pullRequest(g, mq)));
        out.add(unaryCall(c, MessagingServiceGrpc.getUpdateOffsetMethod(), UpdateOffsetRequest.newBuilder().setGroup(g).setMessageQueue(mq)
                .setOffset(0).build()));
        out.add(unaryCall(c, MessagingServiceGrpc.getGetOffsetMethod(), GetOffsetRequest.newBuilder().setGroup(g).setMessageQueue(mq).build()));
        out.add(unaryCall(c, MessagingServiceGrpc.getQueryOffsetMethod(), QueryOffsetRequest.newBuilder().setMessageQueue(mq)
                .setQueryOffsetPolicy(QueryOffsetPolicy.END).build()));
        out.add(unaryCall(c, MessagingServiceGrpc.getChangeInvisibleDurationMethod(), changeInvisible(g, t, "01", "handle", 30)));
        out.add(unaryCall(c, MessagingServiceGrpc.getSyncLiteSubscriptionMethod(), SyncLiteSubscriptionRequest.newBuilder()
                .setAction(LiteSubscriptionAction.PARTIAL_ADD).setTopic(t).setGroup(g).addLiteTopicSet("lt").build()));
        out.add(unaryCall(c, MessagingServiceGrpc.getHeartbeatMethod(), HeartbeatRequest.newBuilder().setGroup(g)
                .setClientType(ClientType.SIMPLE_CONSUMER).build()));
        return out;
    }

    MessageQueue dummyQueue(String topic) {
        return MessageQueue.newBuilder().setTopic(res(topic)).setId(0).setPermission(Permission.READ_WRITE)
                .setBroker(apache.rocketmq.v2.Broker.newBuilder().setName(rocketMq.brokerName()).setId(0).setEndpoints(gatewayEndpoints()))
                .build();
    }

    // ================================================================== calls and their records

    <Q extends com.google.protobuf.Message, R extends com.google.protobuf.Message> Sent unaryCall(TestClient c, MethodDescriptor<Q, R> m, Q req) {
        return new Sent(m.getBareMethodName(), callers.getOrDefault(c, "") + "\n" + req,
                CompletableFuture.completedFuture(RawRpc.unary(c.channel(), m, req)));
    }

    <Q extends com.google.protobuf.Message, R extends com.google.protobuf.Message> Sent streamCall(TestClient c, MethodDescriptor<Q, R> m, Q req) {
        return new Sent(m.getBareMethodName(), callers.getOrDefault(c, "") + "\n" + req, RawRpc.serverStream(c.channel(), m, req, 15));
    }

    Sent telemetryCall(TelemetrySession t, TelemetryCommand command) throws InterruptedException {
        return new Sent("Telemetry", callers.getOrDefault(t.client(), "") + "\n" + command,
                CompletableFuture.completedFuture(t.ask(command, 5000)));
    }

    void record(String kind, Sent sent, String what, Code... expected) throws Exception {
        tally.record(kind, sent.rpc(), what, sent.request(), sent.answer().get(30, TimeUnit.SECONDS),
                Arrays.stream(expected).map(Code::name).collect(Collectors.toSet()));
    }

    void record(String kind, Sent sent, String what, Collection<String> expected) throws Exception {
        tally.record(kind, sent.rpc(), what, sent.request(), sent.answer().get(30, TimeUnit.SECONDS), expected);
    }

    /** Any refusal: for answers of RocketMQ itself whose exact code is not what the check is about. */
    Collection<String> notOk() {
        Set<String> codes = new HashSet<>(anyProxyAnswer(null));
        codes.remove(Code.OK.name());
        codes.remove("OK(no status)");
        return codes;
    }

    <Q extends com.google.protobuf.Message, R extends com.google.protobuf.Message> void recordUnary(String kind, TestClient c,
            MethodDescriptor<Q, R> m, Q req, String what, Code... expected) throws Exception {
        record(kind, unaryCall(c, m, req), what, expected);
    }

    void assertNoViolations(String... kinds) {
        List<String> all = new ArrayList<>();
        for (String kind : kinds) {
            tally.violations(kind).forEach(v -> all.add("[" + kind + "] " + v));
        }
        if (!all.isEmpty()) {
            fail(all.size() + " violation(s):\n" + String.join("\n", all));
        }
    }

    // ================================================================== requests

    /**
     * Who each client is, put in front of every request's text: an answer may name the caller's own
     * instance (an allowlist refusal does), never another one.
     */
    final Map<TestClient, String> callers = Collections.synchronizedMap(new IdentityHashMap<>());

    TestClient caller(TestClient c, Inst instance) {
        callers.put(c, "caller of instance " + (instance == null ? "(none)" : instance.id));
        return c;
    }

    TestClient admin(Inst i) {
        return caller(TestClient.tls(gateway.tlsPort(), i.adminAk, i.adminSk), i);
    }

    TestClient publisher(Inst i) {
        return caller(TestClient.tls(gateway.tlsPort(), i.pubAk, i.pubSk), i);
    }

    TestClient tampered(String ak, String sk, Consumer<Metadata> tamper) {
        return caller(TestClient.tls(gateway.tlsPort(), ak, sk, tamper), null);
    }

    void put(Metadata h, String key, String value) {
        Metadata.Key<String> k = Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER);
        h.removeAll(k);
        h.put(k, value);
    }

    Resource res(String name) {
        return Resource.newBuilder().setName(name).build();
    }

    FilterExpression all() {
        return FilterExpression.newBuilder().setType(FilterType.TAG).setExpression("*").build();
    }

    Endpoints gatewayEndpoints() {
        return Endpoints.newBuilder().setScheme(AddressScheme.IPv4)
                .addAddresses(Address.newBuilder().setHost("127.0.0.1").setPort(gateway.tlsPort())).build();
    }

    QueryRouteRequest routeRequest(String topic) {
        return QueryRouteRequest.newBuilder().setTopic(res(topic)).setEndpoints(gatewayEndpoints()).build();
    }

    QueryRouteResponse route(TestClient c, String topic) {
        return MessagingServiceGrpc.newBlockingStub(c.channel()).withDeadlineAfter(10, TimeUnit.SECONDS).queryRoute(routeRequest(topic));
    }

    Set<Integer> queueIds(QueryRouteResponse r) {
        return r.getMessageQueuesList().stream().map(MessageQueue::getId).collect(Collectors.toSet());
    }

    MessageQueue readQueue(TestClient c, String topic) {
        QueryRouteResponse r = route(c, topic);
        assertEquals(Code.OK, r.getStatus().getCode(), r.getStatus().getMessage());
        return r.getMessageQueuesList().stream()
                .filter(q -> q.getPermission() == Permission.READ || q.getPermission() == Permission.READ_WRITE)
                .findFirst().orElseThrow();
    }

    Message message(String topic, String body, MessageType type, Consumer<SystemProperties.Builder> extra) {
        SystemProperties.Builder p = SystemProperties.newBuilder().setMessageId(UUID.randomUUID().toString().replace("-", "").toUpperCase())
                .setMessageType(type).setBodyEncoding(Encoding.IDENTITY).setTag("t").setBornHost("127.0.0.1")
                .setBornTimestamp(Timestamps.fromMillis(System.currentTimeMillis()));
        extra.accept(p);
        return Message.newBuilder().setTopic(res(topic)).setBody(ByteString.copyFromUtf8(body)).setSystemProperties(p).build();
    }

    SendMessageRequest sendRequest(Message m) {
        return SendMessageRequest.newBuilder().addMessages(m).build();
    }

    SendResultEntry send(TestClient c, Message m) {
        SendMessageResponse r = MessagingServiceGrpc.newBlockingStub(c.channel()).withDeadlineAfter(10, TimeUnit.SECONDS).sendMessage(sendRequest(m));
        assertEquals(Code.OK, r.getStatus().getCode(), r.getStatus().getMessage());
        return r.getEntries(0);
    }

    /** Sends, and watches the body and message id: no answer to anyone else may hold them. */
    String sendWatched(TestClient c, Message m) {
        SendResultEntry e = send(c, m);
        tally.watch("a message body of another instance", m.getBody().toStringUtf8());
        tally.watch("a message id of another instance", e.getMessageId());
        return m.getBody().toStringUtf8();
    }

    ReceiveMessageRequest receiveRequest(Resource group, MessageQueue mq) {
        return ReceiveMessageRequest.newBuilder().setGroup(group).setMessageQueue(mq).setFilterExpression(all()).setBatchSize(16)
                .setInvisibleDuration(Durations.fromSeconds(60)).setAutoRenew(false).setLongPollingTimeout(Durations.fromSeconds(5)).build();
    }

    PullMessageRequest pullRequest(Resource group, MessageQueue mq) {
        return PullMessageRequest.newBuilder().setGroup(group).setMessageQueue(mq).setOffset(0).setBatchSize(16).setFilterExpression(all())
                .setLongPollingTimeout(Durations.fromSeconds(1)).build();
    }

    List<Message> receive(TestClient c, MessageQueue mq, String group, int batch) {
        List<Message> out = new ArrayList<>();
        Iterator<ReceiveMessageResponse> it = MessagingServiceGrpc.newBlockingStub(c.channel()).withDeadlineAfter(20, TimeUnit.SECONDS)
                .receiveMessage(receiveRequest(res(group), mq).toBuilder().setBatchSize(batch).build());
        while (it.hasNext()) {
            ReceiveMessageResponse r = it.next();
            if (r.hasMessage()) {
                out.add(r.getMessage());
            }
        }
        return out;
    }

    List<Message> receiveUntil(TestClient c, MessageQueue mq, Predicate<List<Message>> enough, long seconds) {
        List<Message> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!enough.test(got) && System.nanoTime() < deadline) {
            got.addAll(receive(c, mq, WORKERS, 16));
        }
        return got;
    }

    List<String> bodies(List<Message> messages) {
        return messages.stream().map(m -> m.getBody().toStringUtf8()).collect(Collectors.toList());
    }

    AckMessageRequest ack(String group, String topic, String messageId, String handle) {
        return ack(res(group), res(topic), messageId, handle);
    }

    AckMessageRequest ack(Resource group, Resource topic, String messageId, String handle) {
        return AckMessageRequest.newBuilder().setGroup(group).setTopic(topic)
                .addEntries(AckMessageEntry.newBuilder().setMessageId(messageId).setReceiptHandle(handle)).build();
    }

    ChangeInvisibleDurationRequest changeInvisible(String group, String topic, String messageId, String handle, int seconds) {
        return changeInvisible(res(group), res(topic), messageId, handle, seconds);
    }

    ChangeInvisibleDurationRequest changeInvisible(Resource group, Resource topic, String messageId, String handle, int seconds) {
        return ChangeInvisibleDurationRequest.newBuilder().setGroup(group).setTopic(topic).setMessageId(messageId).setReceiptHandle(handle)
                .setInvisibleDuration(Durations.fromSeconds(seconds)).build();
    }

    ForwardMessageToDeadLetterQueueRequest forward(String group, String topic, String messageId, String handle) {
        return forward(res(group), res(topic), messageId, handle);
    }

    ForwardMessageToDeadLetterQueueRequest forward(Resource group, Resource topic, String messageId, String handle) {
        return ForwardMessageToDeadLetterQueueRequest.newBuilder().setGroup(group).setTopic(topic).setMessageId(messageId)
                .setReceiptHandle(handle).setDeliveryAttempt(1).setMaxDeliveryAttempts(3).build();
    }

    RecallMessageRequest recall(String topic, String handle) {
        return RecallMessageRequest.newBuilder().setTopic(res(topic)).setRecallHandle(handle).build();
    }

    EndTransactionRequest endTransaction(String topic, String messageId, String txId, TransactionResolution resolution,
            TransactionSource source) {
        return endTransaction(res(topic), messageId, txId, resolution, source);
    }

    EndTransactionRequest endTransaction(Resource topic, String messageId, String txId, TransactionResolution resolution,
            TransactionSource source) {
        return EndTransactionRequest.newBuilder().setTopic(topic).setMessageId(messageId).setTransactionId(txId)
                .setResolution(resolution).setSource(source).build();
    }

    Settings consumerSettings(String group, String... topics) {
        Subscription.Builder s = Subscription.newBuilder().setGroup(res(group)).setLongPollingTimeout(Durations.fromSeconds(5));
        for (String t : topics) {
            s.addSubscriptions(SubscriptionEntry.newBuilder().setTopic(res(t)).setExpression(all()));
        }
        return baseSettings(ClientType.SIMPLE_CONSUMER).setSubscription(s).build();
    }

    Settings producerSettings(String... topics) {
        Publishing.Builder p = Publishing.newBuilder();
        for (String t : topics) {
            p.addTopics(res(t));
        }
        return baseSettings(ClientType.PRODUCER).setPublishing(p).build();
    }

    Settings.Builder baseSettings(ClientType type) {
        return Settings.newBuilder().setClientType(type).setAccessPoint(gatewayEndpoints())
                .setRequestTimeout(Durations.fromSeconds(3))
                .setUserAgent(UA.newBuilder().setLanguage(apache.rocketmq.v2.Language.JAVA).setVersion("5.2.0"));
    }

    TelemetryCommand settings(Settings s) {
        return TelemetryCommand.newBuilder().setSettings(s).build();
    }

    /** Opens Telemetry, sends the Settings and waits for the echo. */
    TelemetrySession announce(TestClient c, Settings s) throws InterruptedException {
        TelemetrySession t = new TelemetrySession(c);
        Answer echo = t.ask(settings(s), 10_000);
        assertEquals("OK", echo.code(), "settings not echoed: " + echo);
        return t;
    }

    /**
     * The instance's offsets as the broker has them (the proxy answers GetOffset and QueryOffset with
     * NOT_IMPLEMENTED): per queue of orders, the group's consumer offset and the queue's max offset.
     */
    Map<String, String> offsets(Inst i) {
        Map<String, String> out = new TreeMap<>();
        try {
            admin.examineConsumeStats(i.wrap(WORKERS)).getOffsetTable().forEach((mq, o) ->
                    out.put(mq.getTopic() + "#" + mq.getQueueId(), "broker " + o.getBrokerOffset() + ", consumer " + o.getConsumerOffset()));
        } catch (Exception e) {
            out.put("consume stats", String.valueOf(e.getMessage()));
        }
        try {
            admin.examineTopicStats(i.wrap(ORDERS)).getOffsetTable().forEach((mq, o) ->
                    out.put(mq.getTopic() + "#" + mq.getQueueId() + " (queue)", "min " + o.getMinOffset() + ", max " + o.getMaxOffset()));
        } catch (Exception e) {
            out.put("topic stats", String.valueOf(e.getMessage()));
        }
        return out;
    }

    String unsealed(String handle) {
        int at = handle.lastIndexOf(SEAL);
        assertTrue(at > 0, "not a sealed receipt handle: " + handle);
        return handle.substring(0, at);
    }

    String flipLastChar(String s) {
        char last = s.charAt(s.length() - 1);
        return s.substring(0, s.length() - 1) + (last == 'A' ? 'B' : 'A');
    }

    boolean topicExists(String topic) {
        try {
            TopicConfig config = admin.examineTopicConfig(rocketMq.brokerAddress(), topic);
            return config != null && topic.equals(config.getTopicName());
        } catch (Exception e) {
            return false;
        }
    }

    boolean awaitTopic(String topic, boolean exists) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (topicExists(topic) != exists) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }
}
