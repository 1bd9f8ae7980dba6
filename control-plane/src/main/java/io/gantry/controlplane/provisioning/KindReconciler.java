package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.ProvisionedEntity;
import java.time.Instant;
import java.util.List;

/**
 * Brings one kind of provisioned resource to its desired state as a named chain of small idempotent
 * steps. The loop ({@link Reconciler}) finds due resources, locks each, runs its chain through
 * {@link Reconciliation} and saves what came of it; a new kind is one more implementation registered
 * in {@link Reconciler#KINDS}, with its table and its two step lists.
 *
 * <p>Steps change the resource object (conditions of their own, like Placed) and call the cluster
 * and {@link ProvisioningStore}; the Ready condition, status, {@code observedGeneration}, backoff,
 * operations and audit are the loop's.
 */
public interface KindReconciler<E extends ProvisionedEntity> {
    /** The resource type of operations and audit events, e.g. {@code TOPIC}. */
    String kind();

    /** The first part of audit actions, {@code <auditKind>.create|update|delete}, as the REST resources write them. */
    String auditKind();

    Class<E> entityType();

    /** The table of its rows, which has {@code status} and {@code next_attempt_at} columns. */
    String table();

    /** The primary-key columns, in the order {@link #entityKey} takes them. */
    List<String> keyColumns();

    Object entityKey(Object[] keyColumns);

    /** Resources picked per pass. */
    default int batchSize() {
        return 200;
    }

    String instanceId(E resource);

    /** The resource name its operations carry. */
    String name(E resource);

    /** The resource id its audit events carry, as the REST resources write it. */
    String auditId(E resource);

    /** Brings a CREATING or UPDATING resource's generation onto the cluster. */
    List<Step<E>> applySteps();

    /** Removes a DELETING resource from the cluster; the loop then removes its row. */
    List<Step<E>> deleteSteps();

    /** A step found the cluster unreachable: conditions beyond Ready=False that say so. */
    default void onClusterUnavailable(E resource, String message, Instant now) {
    }
}
