package io.gantry.dataplane.throttle;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Messages refused for the rate whose cost was booked against the bucket anyway, so that the SDK's
 * retry of the same message (same message id, after its backoff) passes without competing again.
 *
 * <p>Why: the Java SDK gives up on a send after 3 attempts, 20 and 40 ms apart when throttled. Under
 * sustained overload a retry competing with fresh sends fails again as often as not, and the producer
 * sees errors instead of slowing down. Booking the tokens at refusal makes the refusal a deferral: the
 * bucket goes into debt by at most {@link ThroughputLimiter#RESERVATION_HORIZON_SECONDS} of its rate,
 * which later sends repay, so the admitted rate over time is unchanged.
 */
final class SendReservations {
    /** Bounds memory per instance; past it, refusals are plain refusals. */
    static final int MAX_RESERVATIONS = 20_000;
    private final ConcurrentHashMap<String, Long> expiryByMessageId = new ConcurrentHashMap<>();
    /**
     * Messages refused before: their next attempt may be the SDK's last, and a booking nobody comes back
     * for wastes the instance's capacity, so only a message's first refusal books.
     */
    private final ConcurrentHashMap<String, Long> refusedBefore = new ConcurrentHashMap<>();

    boolean hasRoom(int messages) {
        return expiryByMessageId.size() + messages <= MAX_RESERVATIONS;
    }

    /**
     * Records a refusal; true when none of the messages was refused before (a first attempt, whose
     * retries are still to come).
     */
    boolean firstRefusal(List<String> messageIds, long expiresAtNanos) {
        boolean first = true;
        for (String id : messageIds) {
            if (refusedBefore.size() < MAX_RESERVATIONS) {
                first &= refusedBefore.put(id, expiresAtNanos) == null;
            } else {
                first &= !refusedBefore.containsKey(id);
            }
        }
        return first;
    }

    void reserve(List<String> messageIds, long expiresAtNanos) {
        for (String id : messageIds) {
            if (!id.isEmpty()) {
                expiryByMessageId.put(id, expiresAtNanos);
            }
        }
    }

    /** True, and the reservations are used up, when every message of the request holds one. */
    boolean claim(List<String> messageIds, long nowNanos) {
        if (expiryByMessageId.isEmpty()) {
            return false;
        }
        for (String id : messageIds) {
            Long expiry = expiryByMessageId.get(id);
            if (expiry == null || nowNanos - expiry > 0) {
                return false;
            }
        }
        boolean all = true;
        for (String id : messageIds) {
            all &= expiryByMessageId.remove(id) != null;
        }
        return all;
    }

    void expire(long nowNanos) {
        expiryByMessageId.values().removeIf(expiry -> nowNanos - expiry > 0);
        refusedBefore.values().removeIf(expiry -> nowNanos - expiry > 0);
    }

    int size() {
        return expiryByMessageId.size();
    }
}
