package io.gantry.dataplane.throttle;

import io.gantry.api.config.v1.Instance;
import io.gantry.api.config.v1.LimitKind;
import io.gantry.api.config.v1.TemporaryThrottle;
import io.gantry.api.config.v1.Throughput;
import io.gantry.dataplane.config.ConfigView;
import io.gantry.dataplane.config.ConfigView.InstanceEntry;
import io.gantry.isolation.throttle.ThroughputLimits;
import java.util.HashSet;
import java.util.Set;

/** Brings the {@link LimitTable} in line with the config: what instances bought and operators' throttles. */
final class LimitSync {
    private final LimitTable table;

    LimitSync(LimitTable table) {
        this.table = table;
    }

    /**
     * The limits of {@code view} at wall-clock time {@code nowMillis} (temporary throttles expire by it),
     * every bucket set to this replica's share. Buckets of limits that stay keep their tokens; limits that
     * went away are dropped.
     */
    synchronized void update(ConfigView view, long nowMillis) {
        Set<String> seen = new HashSet<>();
        long now = table.nanoClock.getAsLong();
        for (InstanceEntry entry : view.instances()) {
            seen.add(entry.id());
            Instance limits = entry.limits();
            Throughput t = limits.getThroughput();
            int send = t.getSendTps();
            int receive = t.getReceiveTps();
            if (t.hasTemporaryThrottle() && t.getTemporaryThrottle().getExpiresAtMillis() > nowMillis) {
                TemporaryThrottle temp = t.getTemporaryThrottle();
                send = lower(send, temp.getSendTps());
                receive = lower(receive, temp.getReceiveTps());
            }
            double burst = t.getBurstSeconds() > 0 ? t.getBurstSeconds() : ThroughputLimits.DEFAULT_BURST_SECONDS;
            InstanceLimits il = table.byInstance.computeIfAbsent(entry.id(), InstanceLimits::new);
            il.send = configure(il.send, entry.id(), LimitKind.LIMIT_KIND_INSTANCE_SEND, "", send, burst);
            il.receive = configure(il.receive, entry.id(), LimitKind.LIMIT_KIND_INSTANCE_RECEIVE, "", receive, burst);
            Set<String> topics = new HashSet<>();
            limits.getTopicsList().forEach(topic -> {
                topics.add(topic.getName());
                il.topicSend.put(topic.getName(), configure(il.topicSend.get(topic.getName()), entry.id(),
                        LimitKind.LIMIT_KIND_TOPIC_SEND, topic.getName(), topic.getMaxSendTps(), burst));
            });
            il.topicSend.keySet().retainAll(topics);
            Set<String> groups = new HashSet<>();
            limits.getConsumerGroupsList().forEach(group -> {
                groups.add(group.getName());
                il.groupReceive.put(group.getName(), configure(il.groupReceive.get(group.getName()), entry.id(),
                        LimitKind.LIMIT_KIND_GROUP_RECEIVE, group.getName(), group.getMaxReceiveTps(), burst));
            });
            il.groupReceive.keySet().retainAll(groups);
            il.reservations.expire(now);
        }
        table.byInstance.keySet().retainAll(seen);
        table.enforceShares(now);
    }

    /** The lower of two limits where 0 means "none". */
    private static int lower(int limit, int throttle) {
        if (throttle <= 0) {
            return limit;
        }
        return limit <= 0 ? throttle : Math.min(limit, throttle);
    }

    private Limit configure(Limit existing, String instanceId, LimitKind kind, String name, int rate, double burst) {
        if (rate <= 0) {
            return null;
        }
        if (existing == null) {
            return new Limit(instanceId, kind, name, rate, burst, table.nanoClock);
        }
        existing.configure(rate, burst);
        return existing;
    }
}
