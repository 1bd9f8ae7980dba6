package io.gantry.trace.config;

import io.gantry.api.config.ConfigWatchClient;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches the control plane's {@code GatewayConfigService} (as the gateways do, with the gateway
 * token; {@link ConfigWatchClient}) for the clusters to read trace events from and the consumer groups
 * whose dead letters to watch. Re-watches with backoff when the stream fails; meanwhile the service
 * keeps working from the last snapshot.
 */
public final class ConfigWatch implements AutoCloseable {
    private final ManagedChannel channel;
    private final ScheduledExecutorService scheduler;
    private final ConfigWatchClient client;
    private volatile long knownVersion;

    public ConfigWatch(String endpoint, String token, String serviceId, String regionId, Consumer<ConfigSnapshot> listener) {
        this.channel = NettyChannelBuilder.forTarget(endpoint).usePlaintext()
                .keepAliveTime(30, TimeUnit.SECONDS).keepAliveTimeout(10, TimeUnit.SECONDS).keepAliveWithoutCalls(true)
                .maxInboundMessageSize(64 * 1024 * 1024)
                .build();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gantry-trace-config-watch");
            t.setDaemon(true);
            return t;
        });
        this.client = new ConfigWatchClient(channel, scheduler, token, serviceId, regionId, () -> knownVersion, snapshot -> {
            knownVersion = snapshot.getVersion();
            listener.accept(snapshot);
        });
    }

    public void start() {
        client.start();
    }

    public boolean connected() {
        return client.connected();
    }

    @Override
    public void close() {
        client.close();
        scheduler.shutdownNow();
        channel.shutdownNow();
    }
}
