package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.controlplane.model.OffsetResetEntity;
import io.gantry.isolation.naming.Namespaces;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Offset resets: applied once, on every broker, to the group's topics — the one asked for (with the
 * group's POP retry topic of it), or every topic the group has offsets on, its retry topics included —
 * and then RUNNING with the queues' new offsets. Never deleted on their own: they go with their instance.
 */
final class OffsetResetReconciler implements KindReconciler<OffsetResetEntity> {
    private static final ResourceKind<OffsetResetEntity> RESOURCE = ResourceKind.keyedBy("reset_id", Operations.OFFSET_RESET,
            "offset-reset", OffsetResetEntity.class, "offset_resets", r -> r.instanceId, r -> r.resetId,
            r -> r.instanceId + "/" + r.groupName + "/" + r.resetId);

    @Override
    public ResourceKind<OffsetResetEntity> resource() {
        return RESOURCE;
    }

    @Override
    public List<Step<OffsetResetEntity>> applySteps() {
        return List.of(Step.of("await-placement", (r, ctx) -> TopicReconciler.awaitPlacement(r.instanceId, ctx)),
                Step.of("reset", OffsetResetReconciler::reset));
    }

    /** Nothing of a reset stays on the cluster: the offsets it set are the group's now. */
    @Override
    public List<Step<OffsetResetEntity>> deleteSteps() {
        return List.of(Step.of("forget", (r, ctx) -> StepResult.done(Outcome.NOOP)));
    }

    /** The broker names of the topics a reset covers, given what the group has offsets on. */
    static Set<String> topics(OffsetResetEntity r, Set<String> consumed) {
        String ns = r.instanceId;
        String groupRetry = Namespaces.retryTopic(ns, r.groupName);
        Set<String> topics = new TreeSet<>();
        if (r.topic != null) {
            String topic = Namespaces.wrap(ns, r.topic);
            topics.add(topic);
            // POP keeps a retry topic per group and topic: %RETRY%group_topic (v1) or %RETRY%group+topic (v2).
            consumed.stream().filter(t -> t.equals(groupRetry + "_" + topic) || t.equals(groupRetry + "+" + topic))
                    .forEach(topics::add);
            return topics;
        }
        consumed.stream().filter(t -> t.startsWith(Namespaces.wrap(ns, "")) || t.startsWith(groupRetry))
                .forEach(topics::add);
        return topics;
    }

    static StepResult reset(OffsetResetEntity r, StepContext ctx) throws ClusterUnavailableException {
        NamespaceEntity ns = ctx.placement(r.instanceId).orElseThrow();
        ClusterTarget target = ctx.target(ns);
        String group = Namespaces.wrap(r.instanceId, r.groupName);
        List<OffsetResetEntity.QueueOffset> queues = new ArrayList<>();
        for (String topic : topics(r, ctx.admin.consumedTopics(target, group))) {
            for (RocketMqAdmin.QueueOffset q : ctx.admin.resetOffsets(target, topic, group, r.brokerTimestamp())) {
                queues.add(new OffsetResetEntity.QueueOffset(Namespaces.withoutNamespace(q.brokerTopicName(), r.instanceId),
                        q.brokerName(), q.queueId(), q.offset()));
            }
        }
        r.queues = queues;
        return StepResult.done(queues.isEmpty() ? Outcome.NOOP : Outcome.PATCHED);
    }
}
