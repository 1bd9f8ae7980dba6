package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.ConsumerGroupEntity;
import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.isolation.naming.Namespaces;
import java.util.List;

/** Consumer groups: a subscription group per master broker; deleted with the retry and dead-letter topics RocketMQ made for them. */
final class ConsumerGroupReconciler implements KindReconciler<ConsumerGroupEntity> {
    private static final ResourceKind<ConsumerGroupEntity> RESOURCE = ResourceKind.insideInstance(Operations.CONSUMER_GROUP,
            "consumer-group", ConsumerGroupEntity.class, "consumer_groups", g -> g.instanceId, g -> g.name);

    @Override
    public ResourceKind<ConsumerGroupEntity> resource() {
        return RESOURCE;
    }

    @Override
    public List<Step<ConsumerGroupEntity>> applySteps() {
        return List.of(Step.of("await-placement", (g, ctx) -> TopicReconciler.awaitPlacement(g.instanceId, ctx)),
                Step.of("apply", ConsumerGroupReconciler::apply));
    }

    @Override
    public List<Step<ConsumerGroupEntity>> deleteSteps() {
        return List.of(Step.of("delete", ConsumerGroupReconciler::delete),
                Step.of("delete-retry-topic", (g, ctx) -> deleteTopic(g, Namespaces.retryTopic(g.instanceId, g.name), ctx)),
                Step.of("delete-dead-letter-topic",
                        (g, ctx) -> deleteTopic(g, Namespaces.deadLetterTopic(g.instanceId, g.name), ctx)));
    }

    static BrokerGroup desired(ConsumerGroupEntity g) {
        Long fixedMillis = g.retryPolicy == ConsumerGroupEntity.RetryPolicy.FIXED ? g.fixedIntervalSeconds * 1000L : null;
        return new BrokerGroup(Namespaces.wrap(g.instanceId, g.name), g.maxRetries,
                g.deliveryOrder == ConsumerGroupEntity.DeliveryOrder.ORDERLY, fixedMillis);
    }

    static StepResult apply(ConsumerGroupEntity g, StepContext ctx) throws ClusterUnavailableException {
        NamespaceEntity ns = ctx.placement(g.instanceId).orElseThrow();
        return StepResult.done(ctx.admin.upsertGroup(ctx.target(ns), desired(g)));
    }

    static StepResult delete(ConsumerGroupEntity g, StepContext ctx) throws ClusterUnavailableException {
        return ctx.deleteOnCluster(g.instanceId, target -> ctx.admin.deleteGroup(target, Namespaces.wrap(g.instanceId, g.name)));
    }

    private static StepResult deleteTopic(ConsumerGroupEntity g, String brokerTopic, StepContext ctx)
            throws ClusterUnavailableException {
        return ctx.deleteOnCluster(g.instanceId, target -> ctx.admin.deleteTopic(target, brokerTopic));
    }
}
