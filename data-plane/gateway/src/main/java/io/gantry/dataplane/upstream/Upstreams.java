package io.gantry.dataplane.upstream;

import io.gantry.api.config.v1.Cluster;
import io.gantry.dataplane.config.ConfigView;
import io.gantry.dataplane.mapping.EndpointsFormat;
import apache.rocketmq.v2.Endpoints;
import io.grpc.ManagedChannel;
import io.netty.util.concurrent.EventExecutor;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The upstream clusters of the current config: channels created when a cluster (or a proxy endpoint)
 * appears, closed (gracefully: calls in flight finish) when it disappears. A cluster's
 * {@code proxy_endpoint} may list several proxies separated by commas.
 *
 * <p>{@link #prepare} (before a new view is visible) opens what is new, {@link #retire} (after) closes
 * what is gone. Lookups ({@link #cluster}) are lock-free.
 */
public final class Upstreams implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Upstreams.class.getName());

    private final Function<EventExecutor, Function<String, ManagedChannel>> channelFactory;
    private final List<EventExecutor> loops;
    private final Clock clock;
    private final Map<String, List<ManagedChannel>> channelsByEndpoint = new HashMap<>();
    private volatile Map<String, UpstreamCluster> clusters = Map.of();

    /**
     * @param loops          the gateway's event loops; each proxy gets one channel per loop (empty: one channel)
     * @param channelFactory for an event loop (null when {@code loops} is empty), builds a plaintext channel to one host:port
     */
    public Upstreams(List<EventExecutor> loops, Function<EventExecutor, Function<String, ManagedChannel>> channelFactory, Clock clock) {
        this.loops = List.copyOf(loops);
        this.channelFactory = channelFactory;
        this.clock = clock;
    }

    /** One channel to each endpoint, no event-loop affinity (tests). */
    public Upstreams(Function<String, ManagedChannel> channelFactory, Clock clock) {
        this(List.of(), loop -> channelFactory, clock);
    }

    private List<ManagedChannel> open(String endpoint) {
        if (loops.isEmpty()) {
            return List.of(channelFactory.apply(null).apply(endpoint));
        }
        List<ManagedChannel> out = new ArrayList<>();
        for (EventExecutor loop : loops) {
            out.add(channelFactory.apply(loop).apply(endpoint));
        }
        return out;
    }

    /** null when the cluster is unknown to this gateway. */
    public UpstreamCluster cluster(String clusterId) {
        return clusters.get(clusterId);
    }

    /** Opens channels for the clusters of the view that are new or changed; keeps the rest. */
    public synchronized void prepare(ConfigView view) {
        Map<String, UpstreamCluster> next = new ConcurrentHashMap<>();
        for (Cluster c : view.clusters()) {
            UpstreamCluster old = clusters.get(c.getClusterId());
            List<String> endpoints = endpoints(c.getProxyEndpoint());
            if (old != null && old.signer().sameCredentials(c.getAccessKey(), c.getSecretKey())
                    && old.proxies().stream().map(UpstreamCluster.Proxy::endpoint).toList().equals(endpoints)) {
                next.put(c.getClusterId(), old);
                continue;
            }
            List<UpstreamCluster.Proxy> proxies = new ArrayList<>();
            try {
                for (String endpoint : endpoints) {
                    Endpoints parsed = EndpointsFormat.parse(endpoint);
                    List<ManagedChannel> ch = channelsByEndpoint.computeIfAbsent(endpoint, this::open);
                    proxies.add(new UpstreamCluster.Proxy(endpoint, ch, loops, parsed));
                }
            } catch (IllegalArgumentException e) {
                LOG.warning("cluster " + c.getClusterId() + ": unusable proxy endpoint '" + c.getProxyEndpoint() + "': " + e.getMessage());
                continue;
            }
            if (proxies.isEmpty()) {
                continue;
            }
            next.put(c.getClusterId(), new UpstreamCluster(c.getClusterId(), proxies,
                    new UpstreamSigner(c.getAccessKey(), c.getSecretKey(), clock)));
            LOG.info("upstream cluster " + c.getClusterId() + " -> " + endpoints);
        }
        clusters = next;
    }

    /** Closes the channels no cluster of the current config uses any more. */
    public synchronized void retire() {
        Set<String> used = clusters.values().stream().flatMap(c -> c.proxies().stream())
                .map(UpstreamCluster.Proxy::endpoint).collect(Collectors.toSet());
        channelsByEndpoint.entrySet().removeIf(e -> {
            if (used.contains(e.getKey())) {
                return false;
            }
            LOG.info("upstream proxy " + e.getKey() + " no longer used: closing its channel");
            e.getValue().forEach(ManagedChannel::shutdown);
            return true;
        });
    }

    /** Several proxies are separated by ';' (RocketMQ's and the control plane's form) or ','. */
    static List<String> endpoints(String proxyEndpoint) {
        List<String> out = new ArrayList<>();
        for (String part : proxyEndpoint.split("[;,]")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        clusters = Map.of();
        for (List<ManagedChannel> chs : channelsByEndpoint.values()) {
            chs.forEach(ManagedChannel::shutdownNow);
        }
        channelsByEndpoint.clear();
    }
}
