package io.gantry.dataplane.throttle;

import apache.rocketmq.v2.SendMessageRequest;
import io.gantry.api.config.v1.LimitKind;
import io.gantry.api.config.v1.ThroughputGrants;
import io.gantry.api.config.v1.UsageReport;
import io.gantry.dataplane.config.ConfigView;
import io.gantry.dataplane.config.ConfigView.InstanceEntry;
import io.gantry.dataplane.pipeline.Refusal;
import io.gantry.isolation.throttle.MessageWeights;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Enforces instances' throughput limits on this replica: what the instance bought (send and receive
 * TPS, an operator's temporary throttle), and optional per-topic send and per-group receive caps.
 *
 * <p>Cost: a message weighs one unit per started 4 KiB of body times its topic's message-type weight
 * ({@link MessageWeights}). Sends are charged before they are forwarded; received messages after the
 * broker delivered them (their size is known only then), so a receive is refused only while the
 * bucket is in debt.
 *
 * <p>Several replicas: each enforces the share of every limit the coordinator granted it (see
 * {@link CoordinatorClient} and docs/adr/0002-throughput-limits-across-gateways.md); without a valid
 * grant, an equal share among the replicas last known live.
 *
 * <p>Refusals are RocketMQ's {@code TOO_MANY_REQUESTS}, answered at once; the SDK backs off and
 * retries. A refused send books its cost (within {@link SendAdmission#RESERVATION_HORIZON_SECONDS} of debt)
 * so that its retry passes: see {@link SendReservations}. A booking belongs to the sender that was
 * refused and to what its send cost; a retry costing more pays the difference from the buckets.
 *
 * <p>The parts, over one {@link LimitTable}: {@link LimitSync} (config), {@link SendAdmission} and
 * {@link ReceiveAdmission} (admission), {@link Coordination} (usage reports and grants), {@link LimitMetrics}.
 */
public final class ThroughputLimiter {
    private final LimitSync sync;
    private final SendAdmission sends;
    private final ReceiveAdmission receives;
    private final Coordination coordination;
    private final LimitMetrics metrics;

    public ThroughputLimiter(LongSupplier nanoClock) {
        LimitTable table = new LimitTable(nanoClock);
        this.sync = new LimitSync(table);
        this.sends = new SendAdmission(table);
        this.receives = new ReceiveAdmission(table);
        this.coordination = new Coordination(table);
        this.metrics = new LimitMetrics(table);
    }

    /**
     * Brings the limits in line with a config view at wall-clock time {@code nowMillis} (temporary
     * throttles expire by it) and sets every bucket to this replica's share. Buckets of limits that
     * stay keep their tokens; limits that went away are dropped.
     */
    public void update(ConfigView view, long nowMillis) {
        sync.update(view, nowMillis);
    }

    /**
     * Who sends, as {@link #admitSend} binds a booking to it: the account and the client id (the SDK's
     * per-process id), so that a booking is used only by the producer that was refused.
     */
    public static String sender(String accessKey, String clientId) {
        return SendAdmission.sender(accessKey, clientId);
    }

    /**
     * Before a send is forwarded: its messages fit the instance's size limit, and the instance (and the
     * topic, if capped) has room for their cost. Throws {@link Refusal} otherwise. {@code sender} is
     * {@link #sender}'s key of the caller.
     */
    public void admitSend(InstanceEntry instance, String sender, SendMessageRequest request) {
        sends.admitSend(instance, sender, request);
    }

    /** Before a receive (or pull) is forwarded: the instance and the group are not in debt. */
    public void admitReceive(InstanceEntry instance, String group) {
        receives.admitReceive(instance, group);
    }

    /** A message delivered to a consumer of {@code group}: charged to the receive limits. */
    public void received(InstanceEntry instance, String group, String topic, int bodyBytes) {
        receives.received(instance, group, topic, bodyBytes);
    }

    /** What was asked of every limit since the last report; counters restart. */
    public UsageReport drainUsage(String gatewayId, long periodMillis) {
        return coordination.drainUsage(gatewayId, periodMillis);
    }

    /** Applies the coordinator's grants to the buckets at once. */
    public void grant(ThroughputGrants grants) {
        coordination.grant(grants);
    }

    /** Without a coordinator (or after losing it): the replica count to divide limits by. */
    public void assumeLiveGateways(int n) {
        coordination.assumeLiveGateways(n);
    }

    /** Requests refused per limit since start: (instance, kind, name) → count. */
    public Map<List<String>, Long> throttledTotals() {
        return metrics.throttledTotals();
    }

    /** The rate this replica currently enforces for a limit; NaN when there is none (tests, metrics). */
    public double localRate(String instanceId, LimitKind kind, String name) {
        return metrics.localRate(instanceId, kind, name);
    }
}
