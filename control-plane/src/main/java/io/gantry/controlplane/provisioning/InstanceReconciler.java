package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.ClusterEntity;
import io.gantry.controlplane.model.Conditions.Reason;
import io.gantry.controlplane.model.Conditions.Type;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.isolation.naming.Namespaces;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Instances: placed on a cluster that answers; deleted once their topics and groups are gone, then swept. */
final class InstanceReconciler implements KindReconciler<InstanceEntity> {
    private static final ResourceKind<InstanceEntity> RESOURCE = ResourceKind.keyedBy("instance_id", Operations.INSTANCE,
            "instance", InstanceEntity.class, "instances", i -> i.instanceId, i -> i.instanceId, i -> i.instanceId)
            .withBatchSize(100);

    @Override
    public ResourceKind<InstanceEntity> resource() {
        return RESOURCE;
    }

    @Override
    public List<Step<InstanceEntity>> applySteps() {
        return List.of(Step.of("place", InstanceReconciler::place), Step.of("check-cluster", InstanceReconciler::checkCluster));
    }

    @Override
    public List<Step<InstanceEntity>> deleteSteps() {
        return List.of(Step.of("await-children", InstanceReconciler::awaitChildren),
                Step.of("sweep", InstanceReconciler::sweep),
                Step.of("drop-placement", InstanceReconciler::dropPlacement));
    }

    @Override
    public void onClusterUnavailable(InstanceEntity i, String message, Instant now) {
        i.setCondition(Type.CLUSTER_REACHABLE, false, Reason.BROKER_UNAVAILABLE, message, now);
    }

    static StepResult place(InstanceEntity i, StepContext ctx) {
        if (ctx.placement(i.instanceId).isPresent()) {
            return StepResult.done(Outcome.NOOP);
        }
        Optional<ClusterEntity> cluster = ctx.store.choosePlacement(i);
        if (cluster.isEmpty()) {
            String message = "no ACTIVE cluster in region '" + i.regionId + "' has room for " + i.tpsSpec
                    + " TPS and the edition's topics; waiting for capacity";
            i.setCondition(Type.PLACED, false, Reason.NO_CLUSTER_WITH_CAPACITY, message, ctx.now);
            return StepResult.backOff(Reason.NO_CLUSTER_WITH_CAPACITY, message);
        }
        NamespaceEntity n = new NamespaceEntity();
        n.namespace = i.instanceId;
        n.instanceId = i.instanceId;
        n.tenantId = i.tenantId;
        n.clusterId = cluster.get().clusterId;
        n.createdAt = ctx.now;
        ctx.store.savePlacement(n);
        ctx.placed(i.instanceId, Optional.of(n));
        i.setCondition(Type.PLACED, true, Reason.PLACED, "placed on cluster " + n.clusterId, ctx.now);
        return StepResult.done(Outcome.CREATED);
    }

    static StepResult checkCluster(InstanceEntity i, StepContext ctx) throws ClusterUnavailableException {
        ctx.admin.ping(ctx.target(ctx.placement(i.instanceId).orElseThrow()));
        i.setCondition(Type.CLUSTER_REACHABLE, true, Reason.REACHABLE, "the cluster's brokers answer", ctx.now);
        return StepResult.done(Outcome.NOOP);
    }

    static StepResult awaitChildren(InstanceEntity i, StepContext ctx) {
        long children = ctx.store.childrenOf(i.instanceId);
        if (children > 0) {
            return StepResult.waitFor(Reason.DELETING, children + " topic(s) and group(s) left to remove");
        }
        return StepResult.done(Outcome.NOOP);
    }

    /** Anything left under the namespace, e.g. retry topics consumers created, or a group's leftovers. */
    static StepResult sweep(InstanceEntity i, StepContext ctx) throws ClusterUnavailableException {
        Optional<NamespaceEntity> ns = ctx.placement(i.instanceId);
        if (ns.isEmpty()) {
            return StepResult.done(Outcome.NOOP);
        }
        ClusterTarget target = ctx.target(ns.get());
        boolean deleted = false;
        for (String topic : ctx.admin.topicNames(target)) {
            if (Namespaces.belongsTo(topic, ns.get().namespace)) {
                ctx.admin.deleteTopic(target, topic);
                deleted = true;
            }
        }
        for (String group : ctx.admin.groupNames(target)) {
            if (Namespaces.belongsTo(group, ns.get().namespace)) {
                ctx.admin.deleteGroup(target, group);
                deleted = true;
            }
        }
        return StepResult.done(deleted ? Outcome.DELETED : Outcome.NOOP);
    }

    static StepResult dropPlacement(InstanceEntity i, StepContext ctx) {
        Optional<NamespaceEntity> ns = ctx.placement(i.instanceId);
        if (ns.isEmpty()) {
            return StepResult.done(Outcome.NOOP);
        }
        ctx.store.dropPlacement(ns.get());
        ctx.placed(i.instanceId, Optional.empty());
        return StepResult.done(Outcome.DELETED);
    }
}
