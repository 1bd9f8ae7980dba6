package io.gantry.dataplane.throttle;

import io.gantry.dataplane.config.ConfigView.InstanceEntry;
import io.gantry.isolation.throttle.MessageWeights;

/**
 * Admission of receives and pulls: a message's size is known only once the broker delivered it, so
 * delivered messages are charged afterwards and a receive is refused only while the bucket is in debt.
 */
final class ReceiveAdmission {
    private final LimitTable table;

    ReceiveAdmission(LimitTable table) {
        this.table = table;
    }

    /** Before a receive (or pull) is forwarded: the instance and the group are not in debt. */
    void admitReceive(InstanceEntry instance, String group) {
        InstanceLimits il = table.of(instance.id());
        if (il == null) {
            return;
        }
        Limit receive = il.receive;
        if (receive != null && !receive.bucket.available()) {
            receive.counter.demanded(1);
            receive.throttled();
            throw receive.tooMany(instance.id());
        }
        Limit g = il.groupReceive.isEmpty() ? null : il.groupReceive.get(group);
        if (g != null && !g.bucket.available()) {
            g.counter.demanded(1);
            g.throttled();
            throw g.tooMany(instance.id());
        }
    }

    /** A message delivered to a consumer of {@code group}: charged to the receive limits. */
    void received(InstanceEntry instance, String group, String topic, int bodyBytes) {
        InstanceLimits il = table.of(instance.id());
        if (il == null) {
            return;
        }
        long cost = MessageWeights.cost(bodyBytes, instance.weight(topic));
        charge(il.receive, cost);
        if (!il.groupReceive.isEmpty()) {
            charge(il.groupReceive.get(group), cost);
        }
    }

    private static void charge(Limit limit, long cost) {
        if (limit != null) {
            limit.bucket.charge(cost);
            limit.counter.demanded(cost);
            limit.counter.admitted(cost);
        }
    }
}
