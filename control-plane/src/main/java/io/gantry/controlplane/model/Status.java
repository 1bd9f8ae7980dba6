package io.gantry.controlplane.model;

/** Lifecycle of a provisioned resource, as the API shows it. */
public enum Status {
    CREATING, RUNNING, UPDATING, DELETING, FAILED;

    public boolean pending() {
        return this == CREATING || this == UPDATING || this == DELETING;
    }
}
