package io.gantry.dataplane.throttle;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.SendMessageRequest;
import io.gantry.dataplane.config.ConfigView.InstanceEntry;
import io.gantry.dataplane.pipeline.Refusal;
import io.gantry.isolation.throttle.MessageWeights;
import java.util.concurrent.TimeUnit;

/**
 * Admission of sends: the message size limit, then the instance's send limit and the topic's cap, charged
 * before the send is forwarded. A refused send books its cost for its retry ({@link SendReservations}).
 */
final class SendAdmission {
    /**
     * How much debt (in seconds of the rate) refused sends may book for their retries: the SDKs' retry
     * window at the backoff the gateway hands producers ({@code relay.ProducerBackoff}: 100 ms, then
     * 200 ms), so a booked send is admitted by its last attempt with its cost repaid, or at most this early.
     */
    static final double RESERVATION_HORIZON_SECONDS = 0.3;
    /** Longer than the SDK's three attempts with any backoff the gateway hands out. */
    static final long RESERVATION_TTL_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final LimitTable table;

    SendAdmission(LimitTable table) {
        this.table = table;
    }

    /**
     * Who sends, as {@link #admitSend} binds a booking to it: the account and the client id (the SDK's
     * per-process id), so that a booking is used only by the producer that was refused.
     */
    static String sender(String accessKey, String clientId) {
        return accessKey + "\u0000" + (clientId == null ? "" : clientId);
    }

    /**
     * Before a send is forwarded: its messages fit the instance's size limit, and the instance (and the
     * topic, if capped) has room for their cost. Throws {@link Refusal} otherwise. {@code sender} is
     * {@link ThroughputLimiter#sender}'s key of the caller.
     */
    void admitSend(InstanceEntry instance, String sender, SendMessageRequest request) {
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
        InstanceLimits il = table.byInstance.getOrDefault(instance.id(), LimitTable.NONE);
        Limit send = il.send;
        String topicName = request.getMessagesCount() == 0 ? "" : request.getMessages(0).getTopic().getName();
        Limit topic = request.getMessagesCount() == 0 || il.topicSend.isEmpty() ? null : il.topicSend.get(topicName);
        if (send == null && topic == null) {
            return;
        }
        String id = request.getMessagesCount() == 0 ? "" : request.getMessages(0).getSystemProperties().getMessageId();
        String key = SendReservations.key(sender, id);
        long now = table.nanoClock.getAsLong();
        SendReservations.Entry earlier = il.reservations.find(key);
        if (earlier != null && earlier.booked() && retry(instance, il, key, earlier, topicName, send, topic, cost, now)) {
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
        throw refusing.tooMany(instance.id());
    }

    /**
     * A retry of a booked send: the booked cost is paid, and it waits only for the debt it booked to be
     * repaid. The retry is bound to the booking's cost, not only its message id: what it costs beyond the
     * booking is taken from the buckets like a fresh send's (and refused when they cannot give it), what it
     * costs less is given back — otherwise a 1-byte send could book a retry that carries megabytes. A
     * booking admits one retry of its topic; false when it already did or the topic differs (the caller then
     * charges the send in full).
     */
    private boolean retry(InstanceEntry instance, InstanceLimits il, String key, SendReservations.Entry booking,
            String topicName, Limit send, Limit topic, long cost, long now) {
        synchronized (booking) {
            if (booking.settled || !booking.topic.equals(topicName)) {
                // a concurrent copy of the retry was admitted on this booking, or this is another topic's send
                // (whose limits the booking did not charge): it pays like a fresh send
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
        throw waiting.tooMany(instance.id());
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
}
