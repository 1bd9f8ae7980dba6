package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.ClusterEntity;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.controlplane.model.ProvisionedEntity;
import java.util.Optional;

/**
 * Gantry's own records as the reconcilers see them. {@link DatabaseProvisioningStore} keeps them in
 * Postgres, inside the transaction of the resource being reconciled; unit tests keep them in memory,
 * so step chains are tested without a database or a cluster.
 */
public interface ProvisioningStore {
    Optional<NamespaceEntity> namespaceOf(String instanceId);

    /**
     * A cluster with room for the instance, chosen under the placement lock (held to the end of the
     * transaction, so two provisioners cannot both take the last room on a cluster); empty: none.
     */
    Optional<ClusterEntity> choosePlacement(InstanceEntity instance);

    void savePlacement(NamespaceEntity namespace);

    void dropPlacement(NamespaceEntity namespace);

    ClusterTarget target(String clusterId);

    /** Topics and consumer groups the instance still has (in any status). */
    long childrenOf(String instanceId);

    String tenantOf(String instanceId);

    /** Removes the row of a resource whose delete the cluster has completed. */
    void remove(ProvisionedEntity resource);

    /** Marks open operations of a resource done once the generation they asked for is applied. */
    void completeOperations(String instanceId, String kind, String name, long appliedGeneration);

    /** Shows on the open operations of a resource why it waits (written only when it changed). */
    void progressOperations(String instanceId, String kind, String name, String message);

    void audit(String tenantId, String action, String kind, String resourceId, Object before);
}
