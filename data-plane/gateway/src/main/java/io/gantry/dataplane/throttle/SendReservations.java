package io.gantry.dataplane.throttle;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends refused for the rate, remembered by message id so that their retries are treated as retries.
 *
 * <p>Why: the SDKs retry a throttled send only twice, after the backoff the proxy's Settings give them
 * (20 ms, then 40 ms more). Under sustained overload a retry competing with fresh sends fails as often as
 * not, and the producer sees errors instead of slowing down. So a refused send may <em>book</em> its cost
 * against the bucket (the bucket goes into debt, which later sends repay) and is admitted at the first
 * retry that comes once that debt is repaid — or at its last attempt in any case, since a booking nobody
 * uses would waste the instance's capacity. Bookings are limited to {@link ThroughputLimiter#RESERVATION_HORIZON_SECONDS}
 * of debt, so the admitted rate over any window stays within that of the limit.
 *
 * <p>Keyed by the request's first message id (a batch is retried whole, with the same ids).
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

    private final ConcurrentHashMap<String, Entry> byMessageId = new ConcurrentHashMap<>();

    /** The entry of a send refused before, or null for a first attempt. */
    Entry find(String messageId) {
        return messageId.isEmpty() ? null : byMessageId.get(messageId);
    }

    /** Records a refusal of this attempt; null when there is no room to remember it. */
    Entry refused(String messageId, long expiresAtNanos) {
        if (messageId.isEmpty()) {
            return null;
        }
        Entry e = byMessageId.get(messageId);
        if (e == null) {
            if (byMessageId.size() >= MAX_ENTRIES) {
                return null;
            }
            e = byMessageId.computeIfAbsent(messageId, k -> new Entry(expiresAtNanos));
        }
        synchronized (e) {
            e.refusals++;
        }
        return e;
    }

    void admitted(String messageId) {
        byMessageId.remove(messageId);
    }

    void expire(long nowNanos) {
        byMessageId.values().removeIf(e -> nowNanos - e.expiresAtNanos > 0);
    }

    int size() {
        return byMessageId.size();
    }
}
