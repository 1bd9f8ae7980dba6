package io.gantry.dataplane.upstream;

import apache.rocketmq.v2.Endpoints;
import io.grpc.ManagedChannel;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;

/**
 * The proxies of one cluster as the gateway reaches them, and the cluster's signer. A client id is pinned
 * to one proxy ({@link #pick}: a stable hash of the client id over the endpoint list, the same in every
 * gateway replica), because the proxy keys settings, transaction checks and receipt handles by client id.
 */
public final class UpstreamCluster {
    private final String clusterId;
    private final List<Proxy> proxies;
    private final UpstreamSigner signer;

    /**
     * One proxy endpoint of a cluster, reached through one channel per gateway event loop:
     * {@link #channel()} answers the channel of the loop the caller runs on, so that a relayed call
     * stays on one thread from the client's connection to the proxy's and back (no hand-off between
     * event loops).
     */
    public record Proxy(String endpoint, List<ManagedChannel> channels, List<? extends EventExecutor> loops, Endpoints endpoints) {
        public Proxy {
            channels = List.copyOf(channels);
            loops = List.copyOf(loops);
            if (channels.isEmpty() || (loops.size() != channels.size() && !loops.isEmpty())) {
                throw new IllegalArgumentException("one channel per event loop");
            }
        }

        public Proxy(String endpoint, ManagedChannel channel, Endpoints endpoints) {
            this(endpoint, List.of(channel), List.of(), endpoints);
        }

        /** The channel of the current event loop (the first one off the event loops). */
        public ManagedChannel channel() {
            if (channels.size() == 1) {
                return channels.get(0);
            }
            for (int i = 0; i < loops.size(); i++) {
                if (loops.get(i).inEventLoop()) {
                    return channels.get(i);
                }
            }
            return channels.get(0);
        }
    }

    UpstreamCluster(String clusterId, List<Proxy> proxies, UpstreamSigner signer) {
        this.clusterId = clusterId;
        this.proxies = List.copyOf(proxies);
        this.signer = signer;
    }

    public String clusterId() {
        return clusterId;
    }

    public UpstreamSigner signer() {
        return signer;
    }

    public List<Proxy> proxies() {
        return proxies;
    }

    /** The proxy this client id is pinned to (any for a call without client id). */
    public Proxy pick(String clientId) {
        if (proxies.size() == 1 || clientId == null) {
            return proxies.get(0);
        }
        return proxies.get(Math.floorMod(clientId.hashCode(), proxies.size()));
    }
}
