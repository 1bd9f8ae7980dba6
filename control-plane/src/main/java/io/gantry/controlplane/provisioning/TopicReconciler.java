package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.Conditions.Reason;
import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.controlplane.model.TopicEntity;
import io.gantry.isolation.naming.Namespaces;
import java.util.List;

/** Topics: upserted under their instance's namespace on every master broker; deleted from brokers and NameServer. */
final class TopicReconciler implements KindReconciler<TopicEntity> {
    private static final ResourceKind<TopicEntity> RESOURCE = ResourceKind.insideInstance(Operations.TOPIC, "topic",
            TopicEntity.class, "topics", t -> t.instanceId, t -> t.name);

    @Override
    public ResourceKind<TopicEntity> resource() {
        return RESOURCE;
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
        return ctx.deleteOnCluster(t.instanceId, target -> ctx.admin.deleteTopic(target, Namespaces.wrap(t.instanceId, t.name)));
    }
}
