package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.ChildKey;
import io.gantry.controlplane.model.ConsumerGroupEntity;
import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.isolation.naming.Namespaces;
import java.util.List;
import java.util.Optional;

/** Consumer groups: a subscription group per master broker; deleted with the retry and dead-letter topics RocketMQ made for them. */
final class ConsumerGroupReconciler implements KindReconciler<ConsumerGroupEntity> {

    @Override
    public String kind() {
        return Operations.CONSUMER_GROUP;
    }

    @Override
    public String auditKind() {
        return "consumer-group";
    }

    @Override
    public Class<ConsumerGroupEntity> entityType() {
        return ConsumerGroupEntity.class;
    }

    @Override
    public String table() {
        return "consumer_groups";
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
    public String instanceId(ConsumerGroupEntity g) {
        return g.instanceId;
    }

    @Override
    public String name(ConsumerGroupEntity g) {
        return g.name;
    }

    @Override
    public String auditId(ConsumerGroupEntity g) {
        return g.instanceId + "/" + g.name;
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
        Optional<NamespaceEntity> ns = ctx.placement(g.instanceId);
        if (ns.isEmpty()) {
            return StepResult.done(Outcome.NOOP);
        }
        ctx.admin.deleteGroup(ctx.target(ns.get()), Namespaces.wrap(g.instanceId, g.name));
        return StepResult.done(Outcome.DELETED);
    }

    private static StepResult deleteTopic(ConsumerGroupEntity g, String brokerTopic, StepContext ctx)
            throws ClusterUnavailableException {
        Optional<NamespaceEntity> ns = ctx.placement(g.instanceId);
        if (ns.isEmpty()) {
            return StepResult.done(Outcome.NOOP);
        }
        ctx.admin.deleteTopic(ctx.target(ns.get()), brokerTopic);
        return StepResult.done(Outcome.DELETED);
    }
}
