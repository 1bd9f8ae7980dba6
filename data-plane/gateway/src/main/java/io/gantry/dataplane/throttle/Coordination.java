package io.gantry.dataplane.throttle;

import io.gantry.api.config.v1.Grant;
import io.gantry.api.config.v1.LimitKey;
import io.gantry.api.config.v1.LimitUsage;
import io.gantry.api.config.v1.ThroughputGrants;
import io.gantry.api.config.v1.UsageReport;
import io.gantry.isolation.throttle.LimitCounter;
import java.util.concurrent.TimeUnit;

/**
 * This replica's side of the coordinator protocol ({@link CoordinatorClient} carries it): usage reports
 * drained from the limits' counters, grants applied to their buckets, the replica count to share by.
 */
final class Coordination {
    private final LimitTable table;

    Coordination(LimitTable table) {
        this.table = table;
    }

    /** What was asked of every limit since the last report; counters restart. */
    UsageReport drainUsage(String gatewayId, long periodMillis) {
        UsageReport.Builder report = UsageReport.newBuilder().setGatewayId(gatewayId).setPeriodMillis(periodMillis);
        table.forEachLimit((il, limit) -> {
            LimitCounter.Snapshot s = limit.counter.drain();
            if (s.demanded() > 0 || s.throttledRequests() > 0) {
                report.addUsage(LimitUsage.newBuilder().setKey(key(limit)).setDemanded(s.demanded())
                        .setAdmitted(s.admitted()).setThrottledRequests(s.throttledRequests())
                        .setLimit(limit.configuredRate()));
            }
        });
        return report.build();
    }

    /** Applies the coordinator's grants to the buckets at once. */
    void grant(ThroughputGrants grants) {
        long now = table.nanoClock.getAsLong();
        long validUntil = now + TimeUnit.MILLISECONDS.toNanos(grants.getValidForMillis());
        if (grants.getLiveGateways() > 0) {
            table.liveGateways = grants.getLiveGateways();
        }
        for (Grant g : grants.getGrantsList()) {
            Limit limit = table.find(g.getKey());
            if (limit != null) {
                limit.grant(g.getRate(), validUntil);
            }
        }
        table.enforceShares(now);
    }

    /** Without a coordinator (or after losing it): the replica count to divide limits by. */
    void assumeLiveGateways(int n) {
        table.liveGateways = Math.max(1, n);
        table.enforceShares(table.nanoClock.getAsLong());
    }

    private static LimitKey key(Limit limit) {
        return LimitKey.newBuilder().setInstanceId(limit.instanceId).setKind(limit.kind).setName(limit.name).build();
    }
}
