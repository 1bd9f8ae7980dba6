package io.gantry.controlplane.config;

import io.gantry.api.config.v1.ConfigEvent;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.api.config.v1.GatewayConfigServiceGrpc;
import io.gantry.api.config.v1.Instance;
import io.gantry.api.config.v1.WatchRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import jakarta.inject.Inject;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/** Streams config snapshots to gateways: the current one at once, then each newer one. */
@GrpcService
@RegisterInterceptor(GatewayTokenInterceptor.class)
public class GatewayConfigGrpcService extends GatewayConfigServiceGrpc.GatewayConfigServiceImplBase {
    private static final Logger LOG = Logger.getLogger(GatewayConfigGrpcService.class);

    @Inject
    ConfigPublisher publisher;

    @Override
    @io.smallrye.common.annotation.Blocking
    public void watch(WatchRequest request, StreamObserver<ConfigEvent> responses) {
        ServerCallStreamObserver<ConfigEvent> observer = (ServerCallStreamObserver<ConfigEvent>) responses;
        Object lock = new Object();
        long[] sent = {0};
        java.util.function.Consumer<ConfigSnapshot> send = snapshot -> {
            synchronized (lock) {
                if (observer.isCancelled() || snapshot.getVersion() <= sent[0]) {
                    return;
                }
                observer.onNext(ConfigEvent.newBuilder().setSnapshot(forRegion(snapshot, request.getRegionId())).build());
                sent[0] = snapshot.getVersion();
            }
        };
        Runnable unsubscribe = publisher.subscribe(send);
        observer.setOnCancelHandler(unsubscribe::run);
        LOG.infof("gateway '%s' watches config (region '%s', known version %d)", request.getGatewayId(),
                request.getRegionId(), request.getKnownVersion());
        try {
            send.accept(publisher.current());
        } catch (RuntimeException e) {
            unsubscribe.run();
            observer.onError(Status.UNAVAILABLE.withDescription("config is not available yet: " + e.getMessage())
                    .asRuntimeException());
        }
    }

    private static ConfigSnapshot forRegion(ConfigSnapshot s, String region) {
        if (region.isEmpty()) {
            return s;
        }
        Set<String> clusters = s.getClustersList().stream().filter(c -> c.getRegionId().equals(region))
                .map(c -> c.getClusterId()).collect(Collectors.toSet());
        ConfigSnapshot.Builder b = s.toBuilder().clearClusters().clearInstances();
        s.getClustersList().stream().filter(c -> clusters.contains(c.getClusterId())).forEach(b::addClusters);
        for (Instance i : s.getInstancesList()) {
            if (clusters.contains(i.getClusterId())) {
                b.addInstances(i);
            }
        }
        return b.build();
    }
}
