package io.gantry.dataplane.throttle;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends refused for the rate, remembered by sender and message id so that their retries are treated as retries.
 *
 * <p>Why: the SDKs retry a throttled send only twice, after the backoff the proxy's Settings give them
 * (20 ms, then 40 ms more). Under sustained overload a retry competing with fresh sends fails as often as
 * not, and the producer sees errors instead of slowing down. So a refused send may <em>book</em> its cost
 * against the bucket (the bucket goes into debt, which later sends repay) and is admitted at the first
 * retry that comes once that debt is repaid — or at its last attempt in any case, since a booking nobody
 * uses would waste the instance's capacity. Bookings are limited to {@link SendAdmission#RESERVATION_HORIZON_SECONDS}
 * of debt, so the admitted rate over any window stays within that of the limit.
 *
 * <p>Keyed by the sender ({@link ThroughputLimiter#sender}: account and client id) and the request's first
 * message id (a batch is retried whole, with the same ids); a booking also holds what it cost and on which
 * topic, so that a retry is charged what it costs beyond the booking.
 */
final class SendReservations {
    /** Bounds memory per instance; past it, refusals are plain refusals. */
    static final int MAX_ENTRIES = 20_000;
    /** The SDKs' attempts per send (the first and two retries). */
    static final int ATTEMPTS = 3;

    /** What is known of one refused send. */
    static final class Entry {
        final long expiresAtNanos;
        /** When its booked cost is repaid; {@link Long#MIN_VALUE} while not booked. */
        long admitFromNanos = Long.MIN_VALUE;
        /** Refusals so far (attempts made and refused). */
        int refusals;
        /** What the booking charged (weighted units), once booked. */
        long bookedCost;
        /** The topic whose limits the booking charged, once booked. */
        String topic = "";
        /** A retry was admitted on the booking: it admits no other. */
        boolean settled;

        Entry(long expiresAtNanos) {
            this.expiresAtNanos = expiresAtNanos;
        }

        boolean booked() {
            return admitFromNanos != Long.MIN_VALUE;
        }

        /** The attempt now arriving is the SDK's last. */
        boolean lastAttempt() {
            return refusals >= ATTEMPTS - 1;
        }
    }

    private final ConcurrentHashMap<String, Entry> byKey = new ConcurrentHashMap<>();

    /** The key of a send by {@code sender} whose first message id is {@code messageId}; "" when it has none. */
    static String key(String sender, String messageId) {
        return messageId.isEmpty() ? "" : sender + "\u0000" + messageId;
    }

    /** The entry of a send refused before, or null for a first attempt. */
    Entry find(String key) {
        return key.isEmpty() ? null : byKey.get(key);
    }

    /** Records a refusal of this attempt; null when there is no room to remember it. */
    Entry refused(String key, long expiresAtNanos) {
        if (key.isEmpty()) {
            return null;
        }
        Entry e = byKey.get(key);
        if (e == null) {
            if (byKey.size() >= MAX_ENTRIES) {
                return null;
            }
            e = byKey.computeIfAbsent(key, k -> new Entry(expiresAtNanos));
        }
        synchronized (e) {
            e.refusals++;
        }
        return e;
    }

    void admitted(String key) {
        byKey.remove(key);
    }

    void expire(long nowNanos) {
        byKey.values().removeIf(e -> nowNanos - e.expiresAtNanos > 0);
    }

    int size() {
        return byKey.size();
    }
}
