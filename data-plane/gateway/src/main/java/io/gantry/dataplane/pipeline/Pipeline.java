package io.gantry.dataplane.pipeline;

import io.gantry.dataplane.config.ConfigStore;
import io.gantry.dataplane.config.ConfigView;
import io.gantry.dataplane.config.ConfigView.AccountEntry;
import io.gantry.dataplane.limits.InstanceClients;
import io.gantry.dataplane.mapping.MappingScope;
import io.gantry.dataplane.upstream.HeaderPolicy;
import io.gantry.dataplane.upstream.UpstreamCluster;
import io.grpc.Metadata;
import io.gantry.dataplane.throttle.ThroughputLimiter;
import java.net.InetAddress;

/**
 * The order of the gateway's stages.
 *
 * <p>Per call, from its headers ({@link #admit}):
 * <ol>
 *   <li>{@link Authentication} — signature, date, account enabled;</li>
 *   <li>{@link InstanceResolution} — the account's instance and its cluster;</li>
 *   <li>{@link Authorization} — the instance's IP allowlist;</li>
 *   <li>{@link InstanceClients} — a new client id only while the instance is under its limit;</li>
 * </ol>
 * then per message, in {@link io.gantry.dataplane.relay.RelayCall}:
 * <ol start="4">
 *   <li>map names ({@link io.gantry.dataplane.mapping.NameMapper}, through the RPC's
 *       {@link io.gantry.dataplane.relay.Rpc#toUpstream()}) — first, so that a forged name is answered
 *       {@code ILLEGAL_*} whatever else is wrong with the request;</li>
 *   <li>admission of the request ({@link io.gantry.dataplane.relay.Rpc#admission()}, on the client's plain
 *       names): the account's ACL on the topics and groups it names ({@link Authorization#require}),
 *       message size and throughput ({@link ThroughputLimiter});</li>
 *   <li>forward to the pinned proxy with {@link HeaderPolicy}'s headers, relaying the answers back
 *       through the mapper;</li>
 *   <li>count ({@link io.gantry.dataplane.metrics.GatewayMetrics}).</li>
 * </ol>
 * Any stage refuses by throwing {@link Refusal}; the relay answers it in the RPC's own response type.
 */
public final class Pipeline {
    private final ConfigStore config;
    private final Authentication authentication;
    private final InstanceResolution resolution;
    private final Authorization authorization;
    private final ThroughputLimiter limiter;
    private final ClientTerminations terminations = new ClientTerminations();
    private final InstanceClients clients = new InstanceClients(System::nanoTime);

    public Pipeline(ConfigStore config, Authentication authentication, InstanceResolution resolution,
            Authorization authorization, ThroughputLimiter limiter) {
        this.config = config;
        this.limiter = limiter;
        this.authentication = authentication;
        this.resolution = resolution;
        this.authorization = authorization;
    }

    /** Stages 1–3 for a call arriving on {@code ingress}. */
    public CallContext admit(Metadata headers, String rpc, Ingress ingress, InetAddress remote) {
        ConfigView view = config.current();
        AccountEntry account = authentication.authenticate(headers, view);
        InstanceResolution.Resolved resolved = resolution.resolve(account);
        authorization.check(account, resolved.instance(), remote);

        String upstreamClientId = HeaderPolicy.upstreamClientId(resolved.instance().clientIdPrefix(),
                headers.get(HeaderPolicy.CLIENT_ID));
        clients.seen(resolved.instance(), upstreamClientId);
        UpstreamCluster.Proxy proxy = resolved.cluster().pick(upstreamClientId);
        MappingScope scope = new MappingScope(resolved.instance().names(), ingress.advertised(), proxy.endpoints(),
                resolved.instance().clientIdPrefix(), resolved.instance().id(), view.receiptHandles());
        Metadata upstreamHeaders = HeaderPolicy.upstreamHeaders(headers, upstreamClientId, resolved.cluster().signer());
        return new CallContext(account, resolved.instance(), resolved.cluster(), proxy, scope, upstreamClientId, upstreamHeaders,
                remote, limiter);
    }

    /** Per-instance caps on client state held on the proxies (see {@link InstanceClients}). */
    public InstanceClients clients() {
        return clients;
    }

    /** Client ids that sent NotifyClientTermination recently (see {@link ClientTerminations}). */
    public ClientTerminations terminations() {
        return terminations;
    }

    /**
     * Before each message of a long-lived stream: the account is still known and enabled with the same
     * secret, still on the same instance, and the client's address still allowed; answers the context
     * with the account's current rights (ACL rules changed since the stream opened apply to it).
     */
    public CallContext recheck(Metadata headers, CallContext context) {
        AccountEntry now = authentication.reverify(headers, config.current());
        if (!now.instance().id().equals(context.instance().id())) {
            throw new Refusal(apache.rocketmq.v2.Code.FORBIDDEN, "the account no longer belongs to this instance");
        }
        // an allowlist changed while the stream was open applies to it from its next message
        authorization.check(now, now.instance(), context.remote());
        return context.withAccount(now);
    }
}
