package io.gantry.controlplane.provisioning;

/** A RocketMQ cluster did not answer an admin call: the step is retried, the resource waits. */
public class ClusterUnavailableException extends Exception {
    public ClusterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
