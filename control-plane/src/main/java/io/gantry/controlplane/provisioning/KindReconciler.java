package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.ProvisionedEntity;
import java.time.Instant;
import java.util.List;

/**
 * Brings one kind of provisioned resource to its desired state as a named chain of small idempotent
 * steps. The loop ({@link Reconciler}) finds due resources, locks each, runs its chain through
 * {@link Reconciliation} and saves what came of it; a new kind is one more implementation registered
 * in {@link Reconciler#KINDS}, with its {@link ResourceKind} and its two step lists.
 *
 * <p>Steps change the resource object (conditions of their own, like Placed) and call the cluster
 * and {@link ProvisioningStore}; the Ready condition, status, {@code observedGeneration}, backoff,
 * operations and audit are the loop's.
 */
public interface KindReconciler<E extends ProvisionedEntity> {
    /** Its table, key and the names its operations and audit events carry. */
    ResourceKind<E> resource();

    /** Brings a CREATING or UPDATING resource's generation onto the cluster. */
    List<Step<E>> applySteps();

    /** Removes a DELETING resource from the cluster; the loop then removes its row. */
    List<Step<E>> deleteSteps();

    /** A step found the cluster unreachable: conditions beyond Ready=False that say so. */
    default void onClusterUnavailable(E resource, String message, Instant now) {
    }
}
