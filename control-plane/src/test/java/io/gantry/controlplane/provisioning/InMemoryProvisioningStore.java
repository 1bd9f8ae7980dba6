package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.ClusterEntity;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.controlplane.model.ProvisionedEntity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Gantry's records for reconciler tests: placements, clusters with room, children, and what the loop wrote. */
final class InMemoryProvisioningStore implements ProvisioningStore {
    record Operation(String instanceId, String kind, String name, String event) {
    }

    record Audit(String actor, String tenantId, String action, String kind, String resourceId) {
    }

    final Map<String, NamespaceEntity> namespaces = new HashMap<>();
    /** Clusters with room, the first chosen. */
    final List<ClusterEntity> clustersWithRoom = new ArrayList<>();
    final Map<String, String> tenants = new HashMap<>();
    final Map<String, Long> children = new HashMap<>();
    final List<ProvisionedEntity> removed = new ArrayList<>();
    final List<Operation> operations = new ArrayList<>();
    final List<Audit> audits = new ArrayList<>();

    @Override
    public Optional<NamespaceEntity> namespaceOf(String instanceId) {
        return Optional.ofNullable(namespaces.get(instanceId));
    }

    @Override
    public Optional<ClusterEntity> choosePlacement(InstanceEntity instance) {
        return clustersWithRoom.stream().findFirst();
    }

    @Override
    public void savePlacement(NamespaceEntity namespace) {
        if (namespaces.putIfAbsent(namespace.instanceId, namespace) != null) {
            throw new IllegalStateException("instance " + namespace.instanceId + " placed twice");
        }
    }

    @Override
    public void dropPlacement(NamespaceEntity namespace) {
        namespaces.remove(namespace.instanceId);
    }

    @Override
    public ClusterTarget target(String clusterId) {
        return new ClusterTarget(clusterId, clusterId + ":9876", "ak", "sk");
    }

    @Override
    public long childrenOf(String instanceId) {
        return children.getOrDefault(instanceId, 0L);
    }

    @Override
    public String tenantOf(String instanceId) {
        return tenants.get(instanceId);
    }

    @Override
    public void remove(ProvisionedEntity resource) {
        removed.add(resource);
    }

    @Override
    public void completeOperations(String instanceId, String kind, String name, long appliedGeneration) {
        operations.add(new Operation(instanceId, kind, name, "complete " + appliedGeneration));
    }

    @Override
    public void progressOperations(String instanceId, String kind, String name, String message) {
        operations.add(new Operation(instanceId, kind, name, "progress " + message));
    }

    @Override
    public void audit(String tenantId, String action, String kind, String resourceId, Object before) {
        audits.add(new Audit(Reconciliation.ACTOR, tenantId, action, kind, resourceId));
    }

    static ClusterEntity cluster(String clusterId) {
        ClusterEntity c = new ClusterEntity();
        c.clusterId = clusterId;
        c.state = ClusterEntity.State.ACTIVE;
        return c;
    }
}
