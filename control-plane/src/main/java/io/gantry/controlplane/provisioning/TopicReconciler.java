package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.ChildKey;
import io.gantry.controlplane.model.Conditions.Reason;
import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.controlplane.model.TopicEntity;
import io.gantry.isolation.naming.Namespaces;
import java.util.List;
import java.util.Optional;

/** Topics: upserted under their instance's namespace on every master broker; deleted from brokers and NameServer. */
final class TopicReconciler implements KindReconciler<TopicEntity> {

    @Override
    public String kind() {
        return Operations.TOPIC;
    }

    @Override
    public String auditKind() {
        return "topic";
    }

    @Override
    public Class<TopicEntity> entityType() {
        return TopicEntity.class;
    }

    @Override
    public String table() {
        return "topics";
    }

    @Override
    public List<String> keyColumns() {
        return List.of("instance_id", "name");
    }

    @Override
    public Object entityKey(Object[] keyColumns) {
        return new ChildKey((String) keyColumns[0], (String) keyColumns[1]);
    }

    @Override
    public String instanceId(TopicEntity t) {
        return t.instanceId;
    }

    @Override
    public String name(TopicEntity t) {
        return t.name;
    }

    @Override
    public String auditId(TopicEntity t) {
        return t.instanceId + "/" + t.name;
    }

    @Override
    public List<Step<TopicEntity>> applySteps() {
        return List.of(Step.of("await-placement", (t, ctx) -> awaitPlacement(t.instanceId, ctx)),
                Step.of("apply", TopicReconciler::apply));
    }

    @Override
    public List<Step<TopicEntity>> deleteSteps() {
        return List.of(Step.of("delete", TopicReconciler::delete));
    }

    /** Shared by the kinds that live inside an instance: nothing to apply before the instance has a cluster. */
    static StepResult awaitPlacement(String instanceId, StepContext ctx) {
        if (ctx.placement(instanceId).isEmpty()) {
            return StepResult.waitFor(Reason.WAITING_FOR_INSTANCE, "the instance is not placed on a cluster yet");
        }
        return StepResult.done(Outcome.NOOP);
    }

    static BrokerTopic desired(TopicEntity t) {
        return new BrokerTopic(Namespaces.wrap(t.instanceId, t.name), t.queueCount, t.queueCount, t.messageType.name());
    }

    static StepResult apply(TopicEntity t, StepContext ctx) throws ClusterUnavailableException {
        NamespaceEntity ns = ctx.placement(t.instanceId).orElseThrow();
        return StepResult.done(ctx.admin.upsertTopic(ctx.target(ns), desired(t)));
    }

    static StepResult delete(TopicEntity t, StepContext ctx) throws ClusterUnavailableException {
        Optional<NamespaceEntity> ns = ctx.placement(t.instanceId);
        if (ns.isEmpty()) {
            return StepResult.done(Outcome.NOOP);
        }
        ctx.admin.deleteTopic(ctx.target(ns.get()), Namespaces.wrap(t.instanceId, t.name));
        return StepResult.done(Outcome.DELETED);
    }
}
