package io.gantry.dataplane.pipeline;

import io.gantry.dataplane.config.ConfigView.AccountEntry;
import io.gantry.dataplane.config.ConfigView.InstanceEntry;
import io.gantry.dataplane.mapping.MappingScope;
import io.gantry.dataplane.upstream.UpstreamCluster;
import io.grpc.Metadata;
import io.gantry.dataplane.throttle.ThroughputLimiter;
import java.net.InetAddress;

/**
 * What the admission stages established for one call: who, which instance, which upstream proxy (pinned
 * by client id), how to map names, which headers go upstream, where the client is, which limits apply.
 */
public record CallContext(
        AccountEntry account,
        InstanceEntry instance,
        UpstreamCluster cluster,
        UpstreamCluster.Proxy proxy,
        MappingScope scope,
        String upstreamClientId,
        Metadata upstreamHeaders,
        InetAddress remote,
        ThroughputLimiter limiter) {

    /** The same call with the account's current entry (same instance: checked by the caller). */
    public CallContext withAccount(AccountEntry current) {
        return new CallContext(current, current.instance(), cluster, proxy, scope, upstreamClientId, upstreamHeaders, remote,
                limiter);
    }
}
