package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.NamespaceEntity;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** What the steps of one reconciliation share: the clock reading, the cluster's admin API, Gantry's records. */
public final class StepContext {
    public final Instant now;
    public final RocketMqAdmin admin;
    public final ProvisioningStore store;
    private final Map<String, Optional<NamespaceEntity>> placements = new HashMap<>();
    private final Map<String, ClusterTarget> targets = new HashMap<>();

    public StepContext(Instant now, RocketMqAdmin admin, ProvisioningStore store) {
        this.now = now;
        this.admin = admin;
        this.store = store;
    }

    /** The instance's placement, read once per reconciliation and kept current by the steps that change it. */
    public Optional<NamespaceEntity> placement(String instanceId) {
        return placements.computeIfAbsent(instanceId, store::namespaceOf);
    }

    void placed(String instanceId, Optional<NamespaceEntity> namespace) {
        placements.put(instanceId, namespace);
    }

    public ClusterTarget target(NamespaceEntity namespace) {
        return targets.computeIfAbsent(namespace.clusterId, store::target);
    }

    /** Removes something from the instance's cluster; nothing to do when the instance was never placed. */
    StepResult deleteOnCluster(String instanceId, ClusterChange delete) throws ClusterUnavailableException {
        Optional<NamespaceEntity> ns = placement(instanceId);
        if (ns.isEmpty()) {
            return StepResult.done(Outcome.NOOP);
        }
        delete.apply(target(ns.get()));
        return StepResult.done(Outcome.DELETED);
    }

    @FunctionalInterface
    interface ClusterChange {
        void apply(ClusterTarget target) throws ClusterUnavailableException;
    }
}
