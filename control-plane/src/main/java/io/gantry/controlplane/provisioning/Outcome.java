package io.gantry.controlplane.provisioning;

/** What one step did to the cluster or to Gantry's own records (Strimzi's Created/Patched/Noop/Deleted). */
public enum Outcome {
    CREATED, PATCHED, NOOP, DELETED
}
