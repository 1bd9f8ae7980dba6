package io.gantry.controlplane.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.controlplane.model.Condition;
import io.gantry.controlplane.model.Conditions.Reason;
import io.gantry.controlplane.model.Conditions.Type;
import io.gantry.controlplane.model.ConsumerGroupEntity;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.controlplane.model.OffsetResetEntity;
import io.gantry.controlplane.model.ProvisionedEntity;
import io.gantry.controlplane.model.Status;
import io.gantry.controlplane.model.TopicEntity;
import io.gantry.controlplane.provisioning.InMemoryProvisioningStore.Audit;
import io.gantry.controlplane.provisioning.Reconciliation.End;
import io.gantry.controlplane.provisioning.Reconciliation.Report;
import io.gantry.controlplane.provisioning.Reconciliation.StepOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reconcilers' step chains against an in-memory cluster and store: what reaches the cluster,
 * what the resource's status says afterwards, and that running a chain again changes nothing.
 */
class ReconcilersTest {
    private static final String INSTANCE = "rmq-aaaaaaaaaaaa";
    private static final String TENANT = "acme";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final FakeRocketMqAdmin cluster = new FakeRocketMqAdmin();
    private final InMemoryProvisioningStore store = new InMemoryProvisioningStore();
    private final List<String> stepsRun = new ArrayList<>();
    private final Reconciliation reconciliation = new Reconciliation(cluster, store, Duration.ofSeconds(60), stepsRun::add);
    private final InstanceReconciler instances = new InstanceReconciler();
    private final TopicReconciler topics = new TopicReconciler();
    private final ConsumerGroupReconciler groups = new ConsumerGroupReconciler();
    private final OffsetResetReconciler resets = new OffsetResetReconciler();

    ReconcilersTest() {
        store.tenants.put(INSTANCE, TENANT);
    }

    // ---------------------------------------------------------------- instances

    @Test
    void aNewInstanceIsPlacedOnAClusterThatAnswersAndBecomesReady() {
        store.clustersWithRoom.add(InMemoryProvisioningStore.cluster("c1"));
        InstanceEntity i = instance();

        Report report = reconciliation.run(instances, i, T0);

        assertEquals(List.of(new StepOutcome("place", Outcome.CREATED), new StepOutcome("check-cluster", Outcome.NOOP)),
                report.steps());
        assertEquals(End.APPLIED, report.end());
        assertEquals("c1", store.namespaces.get(INSTANCE).clusterId);
        assertEquals(INSTANCE, store.namespaces.get(INSTANCE).namespace);
        assertRunning(i, 1);
        assertCondition(i, Type.PLACED, "True", Reason.PLACED);
        assertCondition(i, Type.CLUSTER_REACHABLE, "True", Reason.REACHABLE);
        assertEquals(List.of("ping c1"), cluster.calls);
        assertEquals(List.of("instance:place", "instance:check-cluster"), stepsRun);
        assertEquals("complete 1", lastOperation());
    }

    @Test
    void anInstanceReconciledAgainKeepsItsPlacement() {
        store.clustersWithRoom.add(InMemoryProvisioningStore.cluster("c1"));
        InstanceEntity i = instance();
        reconciliation.run(instances, i, T0);
        store.clustersWithRoom.add(0, InMemoryProvisioningStore.cluster("c2"));

        i.requestChange(Status.UPDATING, T0.plusSeconds(5));
        Report again = reconciliation.run(instances, i, T0.plusSeconds(5));

        assertEquals(List.of(new StepOutcome("place", Outcome.NOOP), new StepOutcome("check-cluster", Outcome.NOOP)),
                again.steps());
        assertEquals("c1", store.namespaces.get(INSTANCE).clusterId, "a placement is never moved by a re-run");
        assertRunning(i, 2);
    }

    @Test
    void anInstanceWithoutRoomAnywhereBacksOffAndSaysWhy() {
        InstanceEntity i = instance();

        Report first = reconciliation.run(instances, i, T0);

        assertEquals(End.RETRYING, first.end());
        assertEquals(Status.CREATING, i.status);
        assertCondition(i, Type.READY, "False", Reason.NO_CLUSTER_WITH_CAPACITY);
        assertCondition(i, Type.PLACED, "False", Reason.NO_CLUSTER_WITH_CAPACITY);
        assertTrue(condition(i, Type.PLACED).message().contains("region 'local'"), condition(i, Type.PLACED).message());
        assertEquals(T0.plusSeconds(2), i.nextAttemptAt);

        List<Long> delays = new ArrayList<>();
        Instant now = T0;
        for (int attempt = 2; attempt <= 8; attempt++) {
            now = i.nextAttemptAt;
            reconciliation.run(instances, i, now);
            delays.add(Duration.between(now, i.nextAttemptAt).toSeconds());
        }
        assertEquals(List.of(4L, 8L, 16L, 32L, 60L, 60L, 60L), delays, "doubling up to max-backoff");
        assertEquals(8, i.attempts);
        assertTrue(cluster.calls.isEmpty(), "nothing is asked of a cluster before placement: " + cluster.calls);

        store.clustersWithRoom.add(InMemoryProvisioningStore.cluster("c1"));
        assertEquals(End.APPLIED, reconciliation.run(instances, i, now.plusSeconds(60)).end());
        assertEquals(0, i.attempts);
        assertCondition(i, Type.PLACED, "True", Reason.PLACED);
    }

    @Test
    void anInstanceOnAClusterThatDoesNotAnswerStaysPendingWithBrokerUnavailableAndRecovers() {
        store.clustersWithRoom.add(InMemoryProvisioningStore.cluster("c1"));
        cluster.unreachable("cluster 'c1': read cluster info failed: connect timed out");
        InstanceEntity i = instance();

        Report report = reconciliation.run(instances, i, T0);

        assertEquals(End.RETRYING, report.end());
        assertEquals(List.of(new StepOutcome("place", Outcome.CREATED)), report.steps(), "placed, then the ping failed");
        assertEquals(Status.CREATING, i.status);
        assertEquals(0, i.observedGeneration);
        assertCondition(i, Type.READY, "False", Reason.BROKER_UNAVAILABLE);
        assertCondition(i, Type.CLUSTER_REACHABLE, "False", Reason.BROKER_UNAVAILABLE);
        assertEquals("cluster 'c1': read cluster info failed: connect timed out", condition(i, Type.READY).message());
        assertEquals(1, i.attempts);
        assertEquals(T0.plusSeconds(2), i.nextAttemptAt);
        assertTrue(lastOperation().endsWith("(attempt 1, next in 2 s)"), lastOperation());

        cluster.heal();
        assertEquals(End.APPLIED, reconciliation.run(instances, i, T0.plusSeconds(2)).end());
        assertRunning(i, 1);
        assertCondition(i, Type.CLUSTER_REACHABLE, "True", Reason.REACHABLE);
    }

    @Test
    void aDeletingInstanceWaitsForItsTopicsAndGroupsThenSweepsItsNamespaceAndIsAuditedAsDeleted() {
        place();
        cluster.topics.put(INSTANCE + "%orders", new BrokerTopic(INSTANCE + "%orders", 4, 4, "NORMAL"));
        cluster.topics.put("%RETRY%" + INSTANCE + "%billing", new BrokerTopic("%RETRY%" + INSTANCE + "%billing", 1, 1, "NORMAL"));
        cluster.groups.put(INSTANCE + "%billing", new BrokerGroup(INSTANCE + "%billing", 16, false, null));
        cluster.topics.put("rmq-bbbbbbbbbbbb%orders", new BrokerTopic("rmq-bbbbbbbbbbbb%orders", 4, 4, "NORMAL"));
        InstanceEntity i = instance();
        i.status = Status.RUNNING;
        i.requestChange(Status.DELETING, T0);
        store.children.put(INSTANCE, 2L);

        Report waiting = reconciliation.run(instances, i, T0);
        assertEquals(End.WAITING, waiting.end());
        assertCondition(i, Type.READY, "False", Reason.DELETING);
        assertEquals("2 topic(s) and group(s) left to remove", condition(i, Type.READY).message());
        assertEquals(T0.plusSeconds(1), i.nextAttemptAt);
        assertEquals(0, i.attempts, "waiting on children is not a failure");
        assertTrue(cluster.writes().isEmpty());

        store.children.put(INSTANCE, 0L);
        Report deleted = reconciliation.run(instances, i, T0.plusSeconds(1));

        assertEquals(End.REMOVED, deleted.end());
        assertEquals(List.of(new StepOutcome("await-children", Outcome.NOOP), new StepOutcome("sweep", Outcome.DELETED),
                new StepOutcome("drop-placement", Outcome.DELETED)), deleted.steps());
        assertEquals(List.of("rmq-bbbbbbbbbbbb%orders"), List.copyOf(cluster.topics.keySet()), "another instance's topic stays");
        assertTrue(cluster.groups.isEmpty());
        assertFalse(store.namespaces.containsKey(INSTANCE));
        assertEquals(List.of(i), store.removed);
        assertEquals(List.of(new Audit("system:provisioner", TENANT, "instance.delete", Operations.INSTANCE, INSTANCE)),
                store.audits);
        assertEquals("complete " + Long.MAX_VALUE, lastOperation());
    }

    @Test
    void aDeletingInstanceThatWasNeverPlacedIsRemovedWithoutAskingACluster() {
        InstanceEntity i = instance();
        i.requestChange(Status.DELETING, T0);

        Report report = reconciliation.run(instances, i, T0);

        assertEquals(End.REMOVED, report.end());
        assertTrue(report.steps().stream().allMatch(s -> s.outcome() == Outcome.NOOP), report.toString());
        assertTrue(cluster.calls.isEmpty());
        assertEquals(1, store.audits.size());
    }

    // ---------------------------------------------------------------- topics

    @Test
    void aTopicWaitsForItsInstanceWithoutBackoff() {
        TopicEntity t = topic("orders", TopicEntity.MessageType.FIFO, 4);

        Report report = reconciliation.run(topics, t, T0);

        assertEquals(End.WAITING, report.end());
        assertCondition(t, Type.READY, "False", Reason.WAITING_FOR_INSTANCE);
        assertEquals(0, t.attempts);
        assertEquals(T0.plusSeconds(1), t.nextAttemptAt);
        assertTrue(cluster.calls.isEmpty());
        assertEquals("progress the instance is not placed on a cluster yet", lastOperation());
    }

    @Test
    void aTopicIsCreatedUnderTheNamespaceThenPatchedAndARerunWritesNothing() {
        place();
        TopicEntity t = topic("orders", TopicEntity.MessageType.FIFO, 4);

        Report created = reconciliation.run(topics, t, T0);
        assertEquals(List.of(new StepOutcome("await-placement", Outcome.NOOP), new StepOutcome("apply", Outcome.CREATED)),
                created.steps());
        assertEquals(new BrokerTopic(INSTANCE + "%orders", 4, 4, "FIFO"), cluster.topics.get(INSTANCE + "%orders"));
        assertRunning(t, 1);

        // A crash before the status was saved, or a change back and forth: the chain runs again, the broker is left alone.
        t.requestChange(Status.UPDATING, T0.plusSeconds(1));
        List<String> writesBefore = List.copyOf(cluster.writes());
        Report rerun = reconciliation.run(topics, t, T0.plusSeconds(1));
        assertEquals(new StepOutcome("apply", Outcome.NOOP), rerun.steps().get(1));
        assertEquals(writesBefore, cluster.writes(), "a re-run writes nothing to the broker");
        assertRunning(t, 2);

        t.queueCount = 8;
        t.requestChange(Status.UPDATING, T0.plusSeconds(2));
        Report patched = reconciliation.run(topics, t, T0.plusSeconds(2));
        assertEquals(new StepOutcome("apply", Outcome.PATCHED), patched.steps().get(1));
        assertEquals(8, cluster.topics.get(INSTANCE + "%orders").writeQueues());
        assertRunning(t, 3);
        assertEquals(List.of("upsertTopic " + INSTANCE + "%orders", "upsertTopic " + INSTANCE + "%orders"), cluster.writes());
    }

    @Test
    void aTopicDeleteRemovesItFromTheBrokerAndIsAuditedLikeEveryOtherChange() {
        place();
        cluster.topics.put(INSTANCE + "%orders", new BrokerTopic(INSTANCE + "%orders", 4, 4, "NORMAL"));
        TopicEntity t = topic("orders", TopicEntity.MessageType.NORMAL, 4);
        t.status = Status.RUNNING;
        t.requestChange(Status.DELETING, T0);

        Report report = reconciliation.run(topics, t, T0);

        assertEquals(List.of(new StepOutcome("delete", Outcome.DELETED)), report.steps());
        assertEquals(End.REMOVED, report.end());
        assertTrue(cluster.topics.isEmpty());
        assertEquals(List.of(t), store.removed);
        assertEquals(List.of(new Audit("system:provisioner", TENANT, "topic.delete", Operations.TOPIC, INSTANCE + "/orders")),
                store.audits);
        assertEquals(List.of("topic:delete"), stepsRun);

        // The row survived a crash right after the broker call: deleting again is fine.
        Report again = reconciliation.run(topics, t, T0.plusSeconds(1));
        assertEquals(End.REMOVED, again.end());
        assertTrue(cluster.topics.isEmpty());
    }

    @Test
    void aTopicOnAnUnreachableClusterIsRetriedWithBackoffAndKeepsItsGeneration() {
        place();
        TopicEntity t = topic("orders", TopicEntity.MessageType.NORMAL, 4);
        cluster.unreachable("cluster 'c1': create topic failed: timeout");

        assertEquals(End.RETRYING, reconciliation.run(topics, t, T0).end());
        assertEquals(End.RETRYING, reconciliation.run(topics, t, t.nextAttemptAt).end());

        assertEquals(Status.CREATING, t.status);
        assertEquals(0, t.observedGeneration);
        assertEquals(2, t.attempts);
        assertCondition(t, Type.READY, "False", Reason.BROKER_UNAVAILABLE);
        assertTrue(lastOperation().endsWith("(attempt 2, next in 4 s)"), lastOperation());
        assertTrue(cluster.topics.isEmpty());

        cluster.heal();
        assertEquals(End.APPLIED, reconciliation.run(topics, t, t.nextAttemptAt).end());
        assertRunning(t, 1);
    }

    @Test
    void aStepThatFailsUnexpectedlyIsNamedAndTheResourceSavesReadyFalseWithBackoff() {
        place();
        TopicEntity t = topic("orders", TopicEntity.MessageType.NORMAL, 4);
        cluster.failWith(new IllegalStateException("cannot start the admin client"));

        Reconciliation.StepFailedException failed = assertThrows(Reconciliation.StepFailedException.class,
                () -> reconciliation.run(topics, t, T0));
        assertEquals("apply", failed.step);

        // The loop rolls back that transaction and records the failure on the resource in a new one.
        TopicEntity reloaded = topic("orders", TopicEntity.MessageType.NORMAL, 4);
        Report report = reconciliation.fail(topics, reloaded, failed.step, T0);
        assertEquals(End.RETRYING, report.end());
        assertCondition(reloaded, Type.READY, "False", Reason.STEP_FAILED);
        assertTrue(condition(reloaded, Type.READY).message().contains("'apply'"), condition(reloaded, Type.READY).message());
        assertFalse(condition(reloaded, Type.READY).message().contains("admin client"), "internals stay in the log");
        assertEquals(1, reloaded.attempts);
        assertEquals(T0.plusSeconds(2), reloaded.nextAttemptAt);
    }

    @Test
    void statusIsRewrittenOnlyWhenItChanges() {
        TopicEntity t = topic("orders", TopicEntity.MessageType.NORMAL, 4);
        reconciliation.run(topics, t, T0.plusSeconds(1));
        assertEquals(T0.plusSeconds(1), t.updatedAt, "Provisioning became WaitingForInstance");
        List<Condition> conditions = t.conditions;

        reconciliation.run(topics, t, T0.plusSeconds(2));

        assertEquals(T0.plusSeconds(1), t.updatedAt, "still waiting for the same reason");
        assertEquals(conditions, t.conditions);
        assertEquals(T0.plusSeconds(3), t.nextAttemptAt, "the next check is still scheduled");

        place();
        reconciliation.run(topics, t, T0.plusSeconds(3));
        assertEquals(T0.plusSeconds(3), t.updatedAt);
        assertEquals(T0.plusSeconds(3).toString(), condition(t, Type.READY).lastTransitionTime());
    }

    // ---------------------------------------------------------------- consumer groups

    @Test
    void aGroupIsCreatedWithItsRetryPolicyAndARerunIsANoop() {
        place();
        ConsumerGroupEntity g = group("billing");
        g.retryPolicy = ConsumerGroupEntity.RetryPolicy.FIXED;
        g.fixedIntervalSeconds = 3;
        g.deliveryOrder = ConsumerGroupEntity.DeliveryOrder.ORDERLY;

        Report created = reconciliation.run(groups, g, T0);
        assertEquals(new StepOutcome("apply", Outcome.CREATED), created.steps().get(1));
        assertEquals(new BrokerGroup(INSTANCE + "%billing", 5, true, 3000L), cluster.groups.get(INSTANCE + "%billing"));
        assertRunning(g, 1);

        g.requestChange(Status.UPDATING, T0.plusSeconds(1));
        assertEquals(new StepOutcome("apply", Outcome.NOOP), reconciliation.run(groups, g, T0.plusSeconds(1)).steps().get(1));
        assertEquals(1, cluster.writes().size());
    }

    @Test
    void aGroupDeleteTakesItsRetryAndDeadLetterTopicsAlong() {
        place();
        String retry = "%RETRY%" + INSTANCE + "%billing";
        String dlq = "%DLQ%" + INSTANCE + "%billing";
        cluster.groups.put(INSTANCE + "%billing", new BrokerGroup(INSTANCE + "%billing", 16, false, null));
        cluster.topics.put(retry, new BrokerTopic(retry, 1, 1, "NORMAL"));
        cluster.topics.put(dlq, new BrokerTopic(dlq, 1, 1, "NORMAL"));
        ConsumerGroupEntity g = group("billing");
        g.requestChange(Status.DELETING, T0);

        Report report = reconciliation.run(groups, g, T0);

        assertEquals(List.of("delete", "delete-retry-topic", "delete-dead-letter-topic"),
                report.steps().stream().map(StepOutcome::step).toList());
        assertEquals(End.REMOVED, report.end());
        assertTrue(cluster.groups.isEmpty());
        assertTrue(cluster.topics.isEmpty(), cluster.topics.toString());
        assertEquals(List.of(new Audit("system:provisioner", TENANT, "consumer-group.delete", Operations.CONSUMER_GROUP,
                INSTANCE + "/billing")), store.audits);
    }

    // ---------------------------------------------------------------- offset resets

    @Test
    void aResetOfOneTopicCoversItsPopRetryTopicAndRecordsEachQueuesNewOffset() {
        place();
        String group = INSTANCE + "%billing";
        String popRetry = "%RETRY%" + group + "_" + INSTANCE + "%orders";
        cluster.consumed.put(group, java.util.Set.of(INSTANCE + "%orders", INSTANCE + "%other", popRetry,
                "%RETRY%" + group + "_" + INSTANCE + "%other"));
        OffsetResetEntity r = reset("orders", OffsetResetEntity.Target.TIMESTAMP);

        Report report = reconciliation.run(resets, r, T0);

        assertEquals(List.of(new StepOutcome("await-placement", Outcome.NOOP), new StepOutcome("reset", Outcome.PATCHED)),
                report.steps());
        long at = r.resetTo.toEpochMilli();
        assertEquals(List.of("resetOffsets " + popRetry + " " + group + " " + at,
                "resetOffsets " + INSTANCE + "%orders " + group + " " + at),
                cluster.calls.stream().filter(c -> c.startsWith("resetOffsets")).toList());
        assertEquals(List.of("%RETRY%billing_orders", "%RETRY%billing_orders", "orders", "orders"),
                r.queues.stream().map(OffsetResetEntity.QueueOffset::topic).toList(), "names as the tenant knows them");
        assertRunning(r, 1);
    }

    @Test
    void aResetOfEveryTopicToTheEndSkipsTheBacklogOfTheGroupsTopicsOnly() {
        place();
        String group = INSTANCE + "%billing";
        cluster.consumed.put(group, java.util.Set.of(INSTANCE + "%orders", "%RETRY%" + group, "rmq-bbbbbbbbbbbb%foreign"));
        OffsetResetEntity r = reset(null, OffsetResetEntity.Target.LATEST);

        reconciliation.run(resets, r, T0);

        assertEquals(List.of("resetOffsets %RETRY%" + group + " " + group + " -1", "resetOffsets " + INSTANCE + "%orders " + group + " -1"),
                cluster.calls.stream().filter(c -> c.startsWith("resetOffsets")).toList(),
                "never a topic of another namespace, even if the broker lists one");
        assertTrue(r.queues.stream().allMatch(q -> q.offset() == 100), r.queues.toString());
    }

    @Test
    void aResetOnAClusterThatDoesNotAnswerStaysPendingAndIsAppliedLater() {
        place();
        OffsetResetEntity r = reset("orders", OffsetResetEntity.Target.EARLIEST);
        cluster.unreachable("cluster 'c1': reset offsets failed: connect timed out");

        assertEquals(End.RETRYING, reconciliation.run(resets, r, T0).end());
        assertEquals(Status.CREATING, r.status);
        assertCondition(r, Type.READY, "False", Reason.BROKER_UNAVAILABLE);
        assertTrue(r.queues.isEmpty());

        cluster.heal();
        assertEquals(End.APPLIED, reconciliation.run(resets, r, r.nextAttemptAt).end());
        assertEquals(2, r.queues.size());
        assertRunning(r, 1);
    }

    private static OffsetResetEntity reset(String topic, OffsetResetEntity.Target target) {
        OffsetResetEntity r = new OffsetResetEntity();
        r.resetId = "rst-aaaaaaaaaaaa";
        r.instanceId = INSTANCE;
        r.groupName = "billing";
        r.topic = topic;
        r.target = target;
        r.resetTo = target == OffsetResetEntity.Target.TIMESTAMP ? T0.minusSeconds(600) : null;
        r.requestedBy = "acme-admin";
        accepted(r);
        return r;
    }

    // ---------------------------------------------------------------- the kinds together

    @Test
    void everyKindHasNamedStepsAndAPassPlacesInstancesBeforeTheirChildrenAndRemovesThemAfter() {
        for (KindReconciler<?> kind : Reconciler.KINDS) {
            for (List<? extends Step<?>> steps : List.of(kind.applySteps(), kind.deleteSteps())) {
                List<String> names = steps.stream().map(Step::name).toList();
                assertFalse(names.isEmpty(), kind.resource().kind());
                assertEquals(names.size(), new HashSet<>(names).size(), kind.resource().kind() + " step names are unique: " + names);
            }
        }
        List<String> order = Reconciler.KINDS.stream().map(k -> k.resource().kind()).toList();
        assertEquals(List.of(Operations.INSTANCE, Operations.TOPIC, Operations.CONSUMER_GROUP, Operations.OFFSET_RESET,
                Operations.INSTANCE), order);
    }

    // ---------------------------------------------------------------- fixtures

    private void place() {
        NamespaceEntity n = new NamespaceEntity();
        n.namespace = INSTANCE;
        n.instanceId = INSTANCE;
        n.tenantId = TENANT;
        n.clusterId = "c1";
        store.namespaces.put(INSTANCE, n);
    }

    private static InstanceEntity instance() {
        InstanceEntity i = new InstanceEntity();
        i.instanceId = INSTANCE;
        i.tenantId = TENANT;
        i.regionId = "local";
        i.edition = "test";
        i.tpsSpec = 1000;
        accepted(i);
        return i;
    }

    private static TopicEntity topic(String name, TopicEntity.MessageType type, int queues) {
        TopicEntity t = new TopicEntity();
        t.instanceId = INSTANCE;
        t.name = name;
        t.messageType = type;
        t.queueCount = queues;
        accepted(t);
        return t;
    }

    private static ConsumerGroupEntity group(String name) {
        ConsumerGroupEntity g = new ConsumerGroupEntity();
        g.instanceId = INSTANCE;
        g.name = name;
        g.deliveryOrder = ConsumerGroupEntity.DeliveryOrder.CONCURRENTLY;
        g.retryPolicy = ConsumerGroupEntity.RetryPolicy.DEFAULT;
        g.maxRetries = 5;
        accepted(g);
        return g;
    }

    /** As a REST resource leaves a create: generation 1, CREATING, Ready=False Provisioning. */
    private static void accepted(ProvisionedEntity e) {
        e.createdAt = T0;
        e.requestChange(Status.CREATING, T0);
        e.setCondition(Type.READY, false, Reason.PROVISIONING, "waiting to be created on the cluster", T0);
    }

    private static void assertRunning(ProvisionedEntity e, long generation) {
        assertEquals(Status.RUNNING, e.status);
        assertEquals(generation, e.generation);
        assertEquals(generation, e.observedGeneration);
        assertEquals(0, e.attempts);
        assertCondition(e, Type.READY, "True", Reason.APPLIED);
    }

    private static void assertCondition(ProvisionedEntity e, String type, String status, String reason) {
        Condition c = condition(e, type);
        assertEquals(status, c.status(), type + ": " + c);
        assertEquals(reason, c.reason(), type + ": " + c);
    }

    private static Condition condition(ProvisionedEntity e, String type) {
        return e.conditions.stream().filter(c -> c.type().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " condition in " + e.conditions));
    }

    private String lastOperation() {
        assertFalse(store.operations.isEmpty());
        return store.operations.get(store.operations.size() - 1).event();
    }
}
