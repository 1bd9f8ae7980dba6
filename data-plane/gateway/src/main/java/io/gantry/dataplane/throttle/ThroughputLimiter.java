package io.gantry.dataplane.throttle;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.SendMessageRequest;
import io.gantry.api.config.v1.Grant;
import io.gantry.api.config.v1.Instance;
import io.gantry.api.config.v1.LimitKey;
import io.gantry.api.config.v1.LimitKind;
import io.gantry.api.config.v1.LimitUsage;
import io.gantry.api.config.v1.TemporaryThrottle;
import io.gantry.api.config.v1.Throughput;
import io.gantry.api.config.v1.ThroughputGrants;
import io.gantry.api.config.v1.UsageReport;
import io.gantry.dataplane.config.ConfigView;
import io.gantry.dataplane.config.ConfigView.InstanceEntry;
import io.gantry.dataplane.pipeline.Refusal;
import io.gantry.isolation.throttle.LimitCounter;
import io.gantry.isolation.throttle.MessageWeights;
import io.gantry.isolation.throttle.ThroughputLimits;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
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
 * retries. A refused send books its cost (within {@link #RESERVATION_HORIZON_SECONDS} of debt)
 * so that its retry passes: see {@link SendReservations}. A booking belongs to the sender that was
 * refused and to what its send cost; a retry costing more pays the difference from the buckets.
 */
public final class ThroughputLimiter {
    /**
     * How much debt (in seconds of the rate) refused sends may book for their retries: the SDKs' retry
     * window at the backoff the gateway hands producers ({@code relay.ProducerBackoff}: 100 ms, then
     * 200 ms), so a booked send is admitted by its last attempt with its cost repaid, or at most this early.
     */
    static final double RESERVATION_HORIZON_SECONDS = 0.3;
    /** Longer than the SDK's three attempts with any backoff the gateway hands out. */
    static final long RESERVATION_TTL_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** A limit (or cap) of 0 means "none". */
    private static final InstanceLimits NONE = new InstanceLimits("");

    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, InstanceLimits> byInstance = new ConcurrentHashMap<>();
    private volatile int liveGateways = 1;

    public ThroughputLimiter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    // ------------------------------------------------------------------ config

    /**
     * Brings the limits in line with a config view at wall-clock time {@code nowMillis} (temporary
     * throttles expire by it) and sets every bucket to this replica's share. Buckets of limits that
     * stay keep their tokens; limits that went away are dropped.
     */
    public synchronized void update(ConfigView view, long nowMillis) {
        Set<String> seen = new HashSet<>();
        long now = nanoClock.getAsLong();
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
            InstanceLimits il = byInstance.computeIfAbsent(entry.id(), InstanceLimits::new);
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
        byInstance.keySet().retainAll(seen);
        enforceShares(now);
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
            return new Limit(instanceId, kind, name, rate, burst, nanoClock);
        }
        existing.configure(rate, burst);
        return existing;
    }

    private void enforceShares(long now) {
        int live = liveGateways;
        forEachLimit((il, limit) -> limit.enforce(limit.localRate(now, live)));
    }

    // ------------------------------------------------------------------ admission

    /**
     * Who sends, as {@link #admitSend} binds a booking to it: the account and the client id (the SDK's
     * per-process id), so that a booking is used only by the producer that was refused.
     */
    public static String sender(String accessKey, String clientId) {
        return accessKey + "\u0000" + (clientId == null ? "" : clientId);
    }

    /**
     * Before a send is forwarded: its messages fit the instance's size limit, and the instance (and the
     * topic, if capped) has room for their cost. Throws {@link Refusal} otherwise. {@code sender} is
     * {@link #sender}'s key of the caller.
     */
    public void admitSend(InstanceEntry instance, String sender, SendMessageRequest request) {
        long cost = 0;
        for (int i = 0; i < request.getMessagesCount(); i++) {
            Message m = request.getMessages(i);
            int size = m.getBody().size();
            if (size > instance.maxMessageBytes()) {
                throw new Refusal(Code.MESSAGE_BODY_TOO_LARGE, "message body of " + size + " bytes is over the "
                        + (instance.maxMessageBytes() / 1024) + " KiB limit of instance " + instance.id());
            }
            cost += MessageWeights.cost(size, instance.weight(m.getTopic().getName()));
        }
        InstanceLimits il = byInstance.getOrDefault(instance.id(), NONE);
        Limit send = il.send;
        String topicName = request.getMessagesCount() == 0 ? "" : request.getMessages(0).getTopic().getName();
        Limit topic = request.getMessagesCount() == 0 || il.topicSend.isEmpty() ? null : il.topicSend.get(topicName);
        if (send == null && topic == null) {
            return;
        }
        String id = request.getMessagesCount() == 0 ? "" : request.getMessages(0).getSystemProperties().getMessageId();
        String key = SendReservations.key(sender, id);
        long now = nanoClock.getAsLong();
        SendReservations.Entry earlier = il.reservations.find(key);
        if (earlier != null && earlier.booked() && earlier.topic.equals(topicName)
                && retry(instance, il, key, earlier, send, topic, cost, now)) {
            return;
        }
        demanded(send, cost);
        demanded(topic, cost);
        Limit refusing = take(send, topic, cost);
        if (refusing == null) {
            if (earlier != null) {
                il.reservations.admitted(key);
            }
            admitted(send, cost);
            admitted(topic, cost);
            return;
        }
        refusing.throttled();
        book(il, key, topicName, send, topic, cost, now);
        throw tooMany(refusing, instance);
    }

    /**
     * A retry of a booked send: the booked cost is paid, and it waits only for the debt it booked to be
     * repaid. The retry is bound to the booking's cost, not only its message id: what it costs beyond the
     * booking is taken from the buckets like a fresh send's (and refused when they cannot give it), what it
     * costs less is given back — otherwise a 1-byte send could book a retry that carries megabytes. A
     * booking admits one retry; false when it already did (the caller then charges the send in full).
     */
    private boolean retry(InstanceEntry instance, InstanceLimits il, String key, SendReservations.Entry booking,
            Limit send, Limit topic, long cost, long now) {
        synchronized (booking) {
            if (booking.settled) {
                // a concurrent copy of the retry was admitted on this booking: this one pays like a fresh send
                return false;
            }
            if (now - booking.admitFromNanos >= 0 || booking.lastAttempt()) {
                long excess = cost - booking.bookedCost;
                if (excess > 0) {
                    demanded(send, excess);
                    demanded(topic, excess);
                }
                if (excess <= 0 || take(send, topic, excess) == null) {
                    if (excess < 0) {
                        refund(send, -excess);
                        refund(topic, -excess);
                    }
                    booking.settled = true;
                    il.reservations.admitted(key);
                    admitted(send, cost);
                    admitted(topic, cost);
                    return true;
                }
            }
            booking.refusals++;
        }
        Limit waiting = send != null ? send : topic;
        waiting.throttled();
        throw tooMany(waiting, instance);
    }

    /** Takes {@code cost} from both limits (either may be null) or from neither: null, or the one that refused. */
    private static Limit take(Limit send, Limit topic, long cost) {
        if (send != null && !send.bucket.tryTake(cost)) {
            return send;
        }
        if (topic == null || topic.bucket.tryTake(cost)) {
            return null;
        }
        refund(send, cost);
        return topic;
    }

    private static void refund(Limit limit, long cost) {
        if (limit != null) {
            limit.bucket.refund(cost);
        }
    }

    /**
     * Books a refused send's cost for its retry (see {@link SendReservations}) when this is not the
     * SDK's last attempt and the buckets may go that much further into debt.
     */
    private void book(InstanceLimits il, String key, String topicName, Limit send, Limit topic, long cost, long now) {
        SendReservations.Entry entry = il.reservations.refused(key, now + RESERVATION_TTL_NANOS);
        if (entry == null || !canBook(send, cost) || !canBook(topic, cost)) {
            return;
        }
        synchronized (entry) {
            if (entry.booked() || entry.refusals >= SendReservations.ATTEMPTS) {
                return;
            }
            long admitFrom = now;
            for (Limit limit : new Limit[] {send, topic}) {
                if (limit != null) {
                    limit.bucket.charge(cost);
                    double debt = -limit.bucket.tokens();
                    if (debt > 0 && limit.bucket.rate() > 0) {
                        admitFrom = Math.max(admitFrom, now + (long) (debt / limit.bucket.rate() * 1e9));
                    }
                }
            }
            entry.bookedCost = cost;
            entry.topic = topicName;
            entry.admitFromNanos = admitFrom;
        }
    }

    /** Before a receive (or pull) is forwarded: the instance and the group are not in debt. */
    public void admitReceive(InstanceEntry instance, String group) {
        InstanceLimits il = byInstance.get(instance.id());
        if (il == null) {
            return;
        }
        Limit receive = il.receive;
        if (receive != null && !receive.bucket.available()) {
            receive.counter.demanded(1);
            receive.throttled();
            throw tooMany(receive, instance);
        }
        Limit g = il.groupReceive.isEmpty() ? null : il.groupReceive.get(group);
        if (g != null && !g.bucket.available()) {
            g.counter.demanded(1);
            g.throttled();
            throw tooMany(g, instance);
        }
    }

    /** A message delivered to a consumer of {@code group}: charged to the receive limits. */
    public void received(InstanceEntry instance, String group, String topic, int bodyBytes) {
        InstanceLimits il = byInstance.get(instance.id());
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

    private static boolean canBook(Limit limit, long cost) {
        if (limit == null) {
            return true;
        }
        return limit.bucket.tokens() - cost >= -limit.bucket.rate() * RESERVATION_HORIZON_SECONDS;
    }

    private static void demanded(Limit limit, long cost) {
        if (limit != null) {
            limit.counter.demanded(cost);
        }
    }

    private static void admitted(Limit limit, long cost) {
        if (limit != null) {
            limit.counter.admitted(cost);
        }
    }

    private static Refusal tooMany(Limit limit, InstanceEntry instance) {
        String what = switch (limit.kind) {
            case LIMIT_KIND_INSTANCE_SEND -> "send limit of instance " + instance.id();
            case LIMIT_KIND_INSTANCE_RECEIVE -> "receive limit of instance " + instance.id();
            case LIMIT_KIND_TOPIC_SEND -> "send limit of topic '" + limit.name + "' of instance " + instance.id();
            case LIMIT_KIND_GROUP_RECEIVE -> "receive limit of consumer group '" + limit.name + "' of instance " + instance.id();
            default -> "limit of instance " + instance.id();
        };
        return new Refusal(Code.TOO_MANY_REQUESTS, "over the " + what + " (" + (long) limit.configuredRate()
                + " weighted messages/s); retry later");
    }

    // ------------------------------------------------------------------ coordination

    /** What was asked of every limit since the last report; counters restart. */
    public UsageReport drainUsage(String gatewayId, long periodMillis) {
        UsageReport.Builder report = UsageReport.newBuilder().setGatewayId(gatewayId).setPeriodMillis(periodMillis);
        forEachLimit((il, limit) -> {
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
    public void grant(ThroughputGrants grants) {
        long now = nanoClock.getAsLong();
        long validUntil = now + TimeUnit.MILLISECONDS.toNanos(grants.getValidForMillis());
        if (grants.getLiveGateways() > 0) {
            liveGateways = grants.getLiveGateways();
        }
        for (Grant g : grants.getGrantsList()) {
            Limit limit = find(g.getKey());
            if (limit != null) {
                limit.grant(g.getRate(), validUntil);
            }
        }
        enforceShares(now);
    }

    /** Without a coordinator (or after losing it): the replica count to divide limits by. */
    public void assumeLiveGateways(int n) {
        liveGateways = Math.max(1, n);
        enforceShares(nanoClock.getAsLong());
    }

    private Limit find(LimitKey key) {
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

    private static LimitKey key(Limit limit) {
        return LimitKey.newBuilder().setInstanceId(limit.instanceId).setKind(limit.kind).setName(limit.name).build();
    }

    private void forEachLimit(BiConsumer<InstanceLimits, Limit> action) {
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

    // ------------------------------------------------------------------ metrics

    /** Requests refused per limit since start: (instance, kind, name) → count. */
    public Map<List<String>, Long> throttledTotals() {
        Map<List<String>, Long> out = new java.util.TreeMap<>((a, b) -> String.join("\u0000", a).compareTo(String.join("\u0000", b)));
        forEachLimit((il, limit) -> {
            long n = limit.throttledTotal.sum();
            if (n > 0) {
                out.put(List.of(limit.instanceId, limit.kind.name().substring("LIMIT_KIND_".length()), limit.name), n);
            }
        });
        return out;
    }

    /** The rate this replica currently enforces for a limit; NaN when there is none (tests, metrics). */
    public double localRate(String instanceId, LimitKind kind, String name) {
        Limit limit = find(LimitKey.newBuilder().setInstanceId(instanceId).setKind(kind).setName(name).build());
        return limit == null ? Double.NaN : limit.bucket.rate();
    }
}
