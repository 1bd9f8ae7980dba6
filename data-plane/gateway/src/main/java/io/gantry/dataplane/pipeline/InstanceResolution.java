package io.gantry.dataplane.pipeline;

import apache.rocketmq.v2.Code;
import io.gantry.api.config.v1.InstanceStatus;
import io.gantry.dataplane.config.ConfigView.AccountEntry;
import io.gantry.dataplane.config.ConfigView.InstanceEntry;
import io.gantry.dataplane.upstream.UpstreamCluster;
import io.gantry.dataplane.upstream.Upstreams;

/**
 * Stage 2: the account decides the instance (nothing the client sends about namespaces is read), the
 * instance decides the cluster. Refuses an instance being deleted ({@code FORBIDDEN}) and one whose
 * cluster this gateway cannot reach ({@code INTERNAL_SERVER_ERROR}).
 */
public final class InstanceResolution {
    private final Upstreams upstreams;

    public InstanceResolution(Upstreams upstreams) {
        this.upstreams = upstreams;
    }

    /** The instance and its cluster. */
    public record Resolved(InstanceEntry instance, UpstreamCluster cluster) {
    }

    public Resolved resolve(AccountEntry account) {
        InstanceEntry instance = account.instance();
        if (instance.status() == InstanceStatus.INSTANCE_STATUS_DELETING) {
            throw new Refusal(Code.FORBIDDEN, "instance " + instance.id() + " is being deleted");
        }
        UpstreamCluster cluster = upstreams.cluster(instance.clusterId());
        if (cluster == null) {
            throw new Refusal(Code.INTERNAL_SERVER_ERROR, "instance " + instance.id()
                    + " is not reachable through this gateway at the moment (cluster unavailable)");
        }
        return new Resolved(instance, cluster);
    }
}
