package io.gantry.dataplane.throttle;

import io.gantry.api.config.v1.LimitKey;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * The limits of every instance on this replica and the replica count they are shared by: the state that
 * config sync ({@link LimitSync}), admission ({@link SendAdmission}, {@link ReceiveAdmission}), the
 * coordinator's grants ({@link Coordination}) and metrics ({@link LimitMetrics}) work on.
 */
final class LimitTable {
    /** A limit (or cap) of 0 means "none". */
    static final InstanceLimits NONE = new InstanceLimits("");

    final LongSupplier nanoClock;
    final ConcurrentHashMap<String, InstanceLimits> byInstance = new ConcurrentHashMap<>();
    volatile int liveGateways = 1;

    LimitTable(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** The instance's limits, or null when it has none. */
    InstanceLimits of(String instanceId) {
        return byInstance.get(instanceId);
    }

    Limit find(LimitKey key) {
        InstanceLimits il = byInstance.get(key.getInstanceId());
        if (il == null) {
            return null;
        }
        return switch (key.getKind()) {
            case LIMIT_KIND_INSTANCE_SEND -> il.send;
            case LIMIT_KIND_INSTANCE_RECEIVE -> il.receive;
            case LIMIT_KIND_TOPIC_SEND -> il.topicSend.get(key.getName());
            case LIMIT_KIND_GROUP_RECEIVE -> il.groupReceive.get(key.getName());
            default -> null;
        };
    }

    /** Sets every bucket to this replica's share: its grant while valid, else an equal share. */
    void enforceShares(long nowNanos) {
        int live = liveGateways;
        forEachLimit((il, limit) -> limit.enforce(limit.localRate(nowNanos, live)));
    }

    void forEachLimit(BiConsumer<InstanceLimits, Limit> action) {
        for (InstanceLimits il : byInstance.values()) {
            Limit s = il.send;
            if (s != null) {
                action.accept(il, s);
            }
            Limit r = il.receive;
            if (r != null) {
                action.accept(il, r);
            }
            il.topicSend.values().forEach(l -> action.accept(il, l));
            il.groupReceive.values().forEach(l -> action.accept(il, l));
        }
    }
}
