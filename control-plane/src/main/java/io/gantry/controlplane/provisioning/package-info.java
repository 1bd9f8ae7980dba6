/**
 * The provisioner: brings RocketMQ clusters to the desired state stored in Postgres.
 *
 * <p>{@link io.gantry.controlplane.provisioning.Reconciler} is the loop (one thread per control plane);
 * each kind of resource is a {@link io.gantry.controlplane.provisioning.KindReconciler} with named chains
 * of {@link io.gantry.controlplane.provisioning.Step}s, and
 * {@link io.gantry.controlplane.provisioning.Reconciliation} turns a chain's end into status.
 *
 * <p>Contract for steps: a step is idempotent (a chain can be cut anywhere by a crash and is run again
 * from its first step), runs on the provisioner's thread inside the transaction that holds the
 * resource's row lock, may change its resource object and call {@link
 * io.gantry.controlplane.provisioning.RocketMqAdmin} and {@link
 * io.gantry.controlplane.provisioning.ProvisioningStore}, and leaves Ready, status, backoff,
 * operations and audit to the loop. A step signals an unreachable cluster by throwing {@link
 * io.gantry.controlplane.provisioning.ClusterUnavailableException}; anything else it throws is a
 * bug, saved as {@code Ready=False StepFailed} and retried with backoff.
 */
package io.gantry.controlplane.provisioning;
