package io.gantry.controlplane.config;

import io.gantry.api.config.v1.ThroughputCoordinatorGrpc;
import io.gantry.api.config.v1.ThroughputGrants;
import io.gantry.api.config.v1.UsageReport;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Gateways' usage reports in, throughput grants out ({@link ThroughputCoordinator}). Reports are handled
 * off the gRPC event loop, one at a time per stream, in arrival order; a report that arrives while the
 * previous one of the same stream is still being handled replaces nothing, it waits.
 */
@GrpcService
@RegisterInterceptor(GatewayTokenInterceptor.class)
public class ThroughputCoordinatorGrpcService extends ThroughputCoordinatorGrpc.ThroughputCoordinatorImplBase {
    private static final Logger LOG = Logger.getLogger(ThroughputCoordinatorGrpcService.class);

    @Inject
    ThroughputCoordinator coordinator;

    private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "gantry-throughput-coordinator");
        t.setDaemon(true);
        return t;
    });

    @PreDestroy
    void stop() {
        workers.shutdownNow();
    }

    @Override
    public StreamObserver<UsageReport> coordinate(StreamObserver<ThroughputGrants> responses) {
        ServerCallStreamObserver<ThroughputGrants> out = (ServerCallStreamObserver<ThroughputGrants>) responses;
        Object order = new Object();
        boolean[] ended = {false};
        return new StreamObserver<>() {
            @Override
            public void onNext(UsageReport report) {
                workers.execute(() -> {
                    synchronized (order) {
                        if (ended[0] || out.isCancelled()) {
                            return;
                        }
                        try {
                            ThroughputGrants grants = coordinator.onReport(report);
                            out.onNext(grants);
                        } catch (Exception e) {
                            LOG.warnf(e, "throughput report of gateway '%s' failed", report.getGatewayId());
                            ended[0] = true;
                            try {
                                out.onError(Status.UNAVAILABLE.withDescription("coordinator unavailable: " + e.getMessage())
                                        .asRuntimeException());
                            } catch (IllegalStateException alreadyClosed) {
                                // the stream ended meanwhile
                            }
                        }
                    }
                });
            }

            @Override
            public void onError(Throwable t) {
                // the gateway went away; its demand rows expire by themselves
            }

            @Override
            public void onCompleted() {
                workers.execute(() -> {
                    synchronized (order) {
                        if (!ended[0] && !out.isCancelled()) {
                            ended[0] = true;
                            out.onCompleted();
                        }
                    }
                });
            }
        };
    }
}
