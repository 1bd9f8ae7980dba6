package io.gantry.controlplane.provisioning;

/** Fired inside a write transaction; once it commits, the provisioner is woken instead of waiting for its next poll. */
public record ProvisioningRequested(String instanceId) {
}
