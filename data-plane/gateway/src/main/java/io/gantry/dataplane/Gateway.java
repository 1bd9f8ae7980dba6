package io.gantry.dataplane;

import apache.rocketmq.v2.Endpoints;
import io.gantry.api.config.ConfigWatchClient;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.dataplane.config.ConfigStore;
import io.gantry.dataplane.limits.ConnectionsPerAddress;
import io.gantry.dataplane.limits.RequestSizeLimits;
import io.gantry.dataplane.mapping.EndpointsFormat;
import io.gantry.dataplane.metrics.GatewayMetrics;
import io.gantry.dataplane.metrics.MetricsServer;
import io.gantry.dataplane.pipeline.Authentication;
import io.gantry.dataplane.pipeline.Authorization;
import io.gantry.dataplane.pipeline.Ingress;
import io.gantry.dataplane.pipeline.InstanceResolution;
import io.gantry.dataplane.pipeline.Pipeline;
import io.gantry.dataplane.relay.MessagingRelay;
import io.gantry.dataplane.throttle.CoordinatorClient;
import io.gantry.dataplane.throttle.ThroughputLimiter;
import io.gantry.dataplane.trace.TraceRecorder;
import io.gantry.dataplane.trace.TraceTap;
import io.gantry.dataplane.upstream.Upstreams;
import io.gantry.isolation.credentials.RequestSignature;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A running gateway: the SDK-facing gRPC listeners (TLS, optionally plaintext), the config watcher, the
 * upstream channels and the metrics endpoint, all on one small shared Netty event loop group with direct
 * executors (docs/facts.md: threading decides the cost of a second gRPC hop).
 *
 * <pre>
 * try (Gateway gateway = Gateway.start(GatewayConfig.fromEnv(System.getenv()))) { ... }
 * </pre>
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Gateway.class.getName());
    /** The RocketMQ proxy's own default limit (grpcMaxInboundMessageSize): what the gateway accepts from upstream. */
    static final int MAX_MESSAGE_BYTES = 130 * 1024 * 1024;

    private final GatewayConfig config;
    private final EventLoopGroup eventLoops;
    private final Class<? extends Channel> channelType;
    private final ScheduledExecutorService scheduler;
    private final ConfigStore store = new ConfigStore();
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final Upstreams upstreams;
    private final List<Server> servers = new ArrayList<>();
    private SelfSignedCertificate selfSigned;
    private Path certificate;
    private Server tlsServer;
    private Server plaintextServer;
    private ManagedChannel configChannel;
    private ConfigWatchClient watcher;
    private MetricsServer metricsServer;
    private TraceTap traceTap = TraceTap.NONE;
    private TraceRecorder traceRecorder;
    private final ThroughputLimiter limiter = new ThroughputLimiter(System::nanoTime);
    private CoordinatorClient coordinator;
    private ConnectionsPerAddress connectionsPerAddress;
    private RequestSizeLimits requestSizes;
    private Pipeline pipeline;

    private Gateway(GatewayConfig config) {
        this.config = config;
        boolean epoll = Epoll.isAvailable();
        DefaultThreadFactory threads = new DefaultThreadFactory("gantry-io", true);
        this.eventLoops = epoll ? new EpollEventLoopGroup(config.ioThreads(), threads) : new NioEventLoopGroup(config.ioThreads(), threads);
        this.channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gantry-config-watch");
            t.setDaemon(true);
            return t;
        });
        List<io.netty.util.concurrent.EventExecutor> loops = new ArrayList<>();
        eventLoops.forEach(loops::add);
        this.upstreams = new Upstreams(loops, loop -> endpoint -> upstreamChannel(endpoint, (io.netty.channel.EventLoop) loop),
                Clock.systemUTC());
    }

    /** Starts everything; on failure what was started is closed again. */
    public static Gateway start(GatewayConfig config) throws IOException {
        Gateway gateway = new Gateway(config);
        try {
            gateway.startAll();
            return gateway;
        } catch (IOException | RuntimeException e) {
            gateway.close();
            throw e;
        }
    }

    private void startAll() throws IOException {
        store.beforeSwap(upstreams::prepare);
        store.afterSwap(view -> upstreams.retire());
        pipeline = new Pipeline(store, new Authentication(Clock.systemUTC(), RequestSignature.DEFAULT_MAX_SKEW),
                new InstanceResolution(upstreams), new Authorization(), limiter);
        connectionsPerAddress = new ConnectionsPerAddress(config.connections().maxConnectionsPerAddress());
        requestSizes = new RequestSizeLimits(config.connections().maxSendRequestBytes(), config.connections().maxRequestBytes());
        boolean epoll = Epoll.isAvailable();
        ChannelFactory<ServerChannel> serverChannelType = () -> {
            ServerChannel listening = epoll ? new EpollServerSocketChannel() : new NioServerSocketChannel();
            // ahead of Netty's acceptor, which the server bootstrap adds later
            listening.pipeline().addLast(connectionsPerAddress);
            return listening;
        };
        if (config.trace().enabled()) {
            traceRecorder = TraceRecorder.start(config.trace(), config.gatewayId(), upstreams, metrics);
            traceTap = traceRecorder;
        }

        NettyServerBuilder tls = serverBuilder(config.tlsPort(), serverChannelType).sslContext(sslContext());
        tlsServer = startServer(tls, pipeline, "tls", config.advertisedEndpoint(), config.tlsPort());
        if (config.plaintextPort() != null) {
            String advertised = config.plaintextAdvertisedEndpoint();
            plaintextServer = startServer(serverBuilder(config.plaintextPort(), serverChannelType), pipeline, "plaintext",
                    advertised, config.plaintextPort());
        }
        if (config.metricsPort() >= 0) {
            metricsServer = new MetricsServer(config.metricsBindAddress(), config.metricsPort(), metrics, () -> store.current().loaded());
        }
        metrics.gauge("gantry_gateway_config_version", "Version of the config snapshot in use (-1: none yet).",
                () -> store.current().version());
        metrics.gauge("gantry_gateway_config_watch_connected", "1 while the watch on the control plane is open.",
                () -> watcher != null && watcher.connected() ? 1 : 0);
        if (config.configEndpoint() != null) {
            configChannel = NettyChannelBuilder.forTarget(config.configEndpoint()).usePlaintext()
                    .channelType(channelType).eventLoopGroup(eventLoops).directExecutor()
                    .keepAliveTime(30, TimeUnit.SECONDS).keepAliveTimeout(10, TimeUnit.SECONDS).keepAliveWithoutCalls(true)
                    .maxInboundMessageSize(MAX_MESSAGE_BYTES).build();
            watcher = new ConfigWatchClient(configChannel, scheduler, config.gatewayToken(), config.gatewayId(), config.regionId(),
                    () -> store.current().version(), store::apply);
            watcher.start();
        }
        coordinator = new CoordinatorClient(configChannel, limiter, store, scheduler, config.gatewayToken(), config.gatewayId());
        coordinator.start();
        metrics.gauge("gantry_gateway_throughput_coordinator_connected", "1 while the stream to the throughput coordinator is open.",
                () -> coordinator.connected() ? 1 : 0);
        metrics.section(this::renderThrottled);
        metrics.gauge("gantry_gateway_connections_refused_total",
                "Connections closed at accept because their address had GANTRY_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS open.",
                () -> connectionsPerAddress.refused());
        LOG.info("gateway " + config.gatewayId() + " listening: TLS " + config.bindAddress() + ":" + tlsPort()
                + (plaintextServer != null ? ", plaintext " + config.bindAddress() + ":" + plaintextPort() : "")
                + (metricsServer != null ? ", metrics :" + metricsServer.port() : "")
                + ", config " + (config.configEndpoint() == null ? "none (snapshots applied in-process only)" : "from " + config.configEndpoint())
                + ", " + config.ioThreads() + " io thread(s), " + (Epoll.isAvailable() ? "epoll" : "nio"));
    }

    private NettyServerBuilder serverBuilder(int port, ChannelFactory<ServerChannel> serverChannelType) {
        ConnectionLimits limits = config.connections();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(config.bindAddress(), port))
                .channelFactory(serverChannelType)
                .bossEventLoopGroup(eventLoops)
                .workerEventLoopGroup(eventLoops)
                .directExecutor()
                // refused by grpc-java from the length prefix, before buffering; smaller per-RPC limits in requestSizes
                .maxInboundMessageSize(requestSizes.largest())
                .maxConcurrentCallsPerConnection(limits.maxCallsPerConnection())
                .maxConnectionIdle(limits.maxConnectionIdle().toMillis(), TimeUnit.MILLISECONDS)
                .maxConnectionAge(limits.maxConnectionAge().toMillis(), TimeUnit.MILLISECONDS)
                .maxConnectionAgeGrace(limits.maxConnectionAgeGrace().toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveTime(1, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true);
        builder.addStreamTracerFactory(requestSizes);
        return builder;
    }

    private Server startServer(NettyServerBuilder builder, Pipeline pipeline, String name, String advertised, int port)
            throws IOException {
        Ingress ingress = new Ingress(name, Endpoints.getDefaultInstance());
        Server server = builder.addService(MessagingRelay.service(pipeline, ingress, metrics, traceTap)).build().start();
        servers.add(server);
        // with port 0 the bound port is known only now; nobody can have reached it before this returns
        String endpoint = advertised != null ? advertised : advertisedHost() + ":" + server.getPort();
        ingress.advertise(EndpointsFormat.parse(endpoint));
        LOG.info(name + " listener on " + config.bindAddress() + ":" + server.getPort() + " advertises " + endpoint);
        return server;
    }

    private String advertisedHost() {
        if (config.advertisedEndpoint() != null) {
            String a = config.advertisedEndpoint();
            return a.substring(0, a.lastIndexOf(':'));
        }
        return "0.0.0.0".equals(config.bindAddress()) || "::".equals(config.bindAddress()) ? "127.0.0.1" : config.bindAddress();
    }

    private SslContext sslContext() throws IOException {
        if (config.tlsCert() != null) {
            certificate = config.tlsCert();
            return GrpcSslContexts.forServer(config.tlsCert().toFile(), config.tlsKey().toFile()).build();
        }
        if (selfSigned == null) {
            try {
                selfSigned = new SelfSignedCertificate("localhost");
            } catch (java.security.cert.CertificateException e) {
                throw new IOException("cannot create a self-signed certificate", e);
            }
            certificate = selfSigned.certificate().toPath();
            LOG.info("no GANTRY_GATEWAY_TLS_CERT: serving TLS with a self-signed certificate for 'localhost' (" + certificate + ")");
        }
        return GrpcSslContexts.forServer(selfSigned.certificate(), selfSigned.privateKey()).build();
    }

    /** A plaintext channel to a proxy whose connection lives on one of the gateway's event loops. */
    private ManagedChannel upstreamChannel(String endpoint, EventLoopGroup loop) {
        return NettyChannelBuilder.forTarget(endpoint)
                .usePlaintext()
                .channelType(channelType)
                .eventLoopGroup(loop)
                .directExecutor()
                .disableRetry()
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .build();
    }

    /** Applies a snapshot directly (tests, or a gateway without control plane); true if it was newer. */
    public boolean apply(ConfigSnapshot snapshot) {
        return store.apply(snapshot);
    }

    public ConfigStore config() {
        return store;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public int tlsPort() {
        return tlsServer.getPort();
    }

    /** -1 without a plaintext listener. */
    public int plaintextPort() {
        return plaintextServer == null ? -1 : plaintextServer.getPort();
    }

    /** -1 without a metrics endpoint. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    /** The PEM certificate the TLS listener presents (the self-signed one when none was configured). */
    public Path certificate() {
        return certificate;
    }

    /** Blocks until the servers terminate (after {@link #close()} from another thread). */
    public void awaitTermination() throws InterruptedException {
        for (Server s : servers) {
            s.awaitTermination();
        }
    }

    /** Prometheus lines for requests refused by throughput limits. */
    private void renderThrottled(StringBuilder out) {
        out.append("# HELP gantry_gateway_throttled_requests_total Requests answered TOO_MANY_REQUESTS, by instance and limit.\n")
                .append("# TYPE gantry_gateway_throttled_requests_total counter\n");
        limiter.throttledTotals().forEach((key, n) -> out.append("gantry_gateway_throttled_requests_total{instance=\"")
                .append(GatewayMetrics.escape(key.get(0))).append("\",kind=\"").append(key.get(1)).append("\",name=\"")
                .append(GatewayMetrics.escape(key.get(2))).append("\"} ").append(n).append('\n'));
    }

    /** Connections per remote address over this gateway's listeners (tests). */
    public ConnectionsPerAddress connections() {
        return connectionsPerAddress;
    }

    /** This replica's per-instance counts of client state (tests). */
    public io.gantry.dataplane.limits.InstanceClients clients() {
        return pipeline.clients();
    }

    /** This replica's throughput limits (tests). */
    public ThroughputLimiter limiter() {
        return limiter;
    }

    @Override
    public void close() {
        if (coordinator != null) {
            coordinator.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        for (Server s : servers) {
            s.shutdown();
        }
        for (Server s : servers) {
            try {
                if (!s.awaitTermination(2, TimeUnit.SECONDS)) {
                    s.shutdownNow();
                    s.awaitTermination(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                s.shutdownNow();
            }
        }
        if (traceRecorder != null) {
            // after the listeners (no new events), before the upstream channels it publishes on
            traceRecorder.close(2_000);
        }
        upstreams.close();
        if (configChannel != null) {
            configChannel.shutdownNow();
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        scheduler.shutdownNow();
        eventLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (selfSigned != null) {
            selfSigned.delete();
        }
    }
}
