package io.gantry.controlplane.provisioning;

/** What the admin client needs to reach one physical cluster. */
public record ClusterTarget(String clusterId, String nameServerAddress, String accessKey, String secretKey) {
    @Override
    public String toString() {
        return "ClusterTarget[" + clusterId + " @ " + nameServerAddress + "]";
    }
}
