package io.gantry.controlplane.model;

/**
 * Every condition type and reason a provisioned resource can show. The API contract lists the same
 * names in the description of its {@code Condition} schema ({@code api-spec/openapi.yaml}), and
 * {@code ConditionsContractTest} fails when the two lists differ: clients branch on these strings.
 */
public final class Conditions {
    private Conditions() {
    }

    /** What a condition is about. */
    public static final class Type {
        /** The broker holds the desired state of the resource's current generation. */
        public static final String READY = "Ready";
        /** The instance has a physical cluster. */
        public static final String PLACED = "Placed";
        /** The instance's cluster answered the provisioner's last call. */
        public static final String CLUSTER_REACHABLE = "ClusterReachable";

        private Type() {
        }
    }

    /** Why a condition is as it is. */
    public static final class Reason {
        /** Accepted; the provisioner has not applied it yet. */
        public static final String PROVISIONING = "Provisioning";
        /** Being removed from the cluster. */
        public static final String DELETING = "Deleting";
        /** The cluster holds the desired state. */
        public static final String APPLIED = "Applied";
        /** A topic or group waits for its instance to be placed. */
        public static final String WAITING_FOR_INSTANCE = "WaitingForInstance";
        /** No ACTIVE cluster of the region has room; retried with backoff. */
        public static final String NO_CLUSTER_WITH_CAPACITY = "NoClusterWithCapacity";
        /** Placed on a cluster. */
        public static final String PLACED = "Placed";
        /** The cluster's brokers answer. */
        public static final String REACHABLE = "Reachable";
        /** The cluster did not answer; retried with backoff. */
        public static final String BROKER_UNAVAILABLE = "BrokerUnavailable";
        /** A provisioning step failed unexpectedly; retried with backoff, operators see the cause in the log. */
        public static final String STEP_FAILED = "StepFailed";

        private Reason() {
        }
    }
}
