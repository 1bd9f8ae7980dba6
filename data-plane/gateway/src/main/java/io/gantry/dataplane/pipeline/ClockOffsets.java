package io.gantry.dataplane.pipeline;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Per access key, how far the clock that signs its requests is from ours ("offset", in seconds; the
 * Java SDK signs its local time with a {@code Z}, so a client in UTC+8 has an offset of about +8 h).
 *
 * <p>Why: only the date is signed, so a captured header verifies again for as long as its date passes.
 * A client's offset is stable (its zone plus drift), while a replayed date falls further behind it every
 * second. So the first accepted request of a key teaches its offset, and later dates must lie within
 * {@code window} of it. A date <em>ahead</em> of the learned offset cannot be an old signature and is
 * followed (daylight saving time starting, a clock corrected forward); a date behind by more than the
 * window is refused — a replay, or a clock set back (daylight saving time ending: the key is relearned
 * once it has had no accepted request for {@code forgetAfter}).
 *
 * <p>Learned only from requests whose signature verified, so nobody without the secret can move a key's
 * offset. Bounded by the number of keys that signed correctly (accounts in the config); entries unused
 * for {@code forgetAfter} are dropped. State is per gateway replica: a replica that has not seen a key
 * yet accepts its first request within the wide window ({@code RequestSignature.DEFAULT_MAX_SKEW}).
 */
final class ClockOffsets {
    /** Past this many keys the stale ones are swept; if none are, new keys are checked by the wide window only. */
    static final int MAX_KEYS = 200_000;

    /** What a key's clock looked like: the highest offset accepted, and when a request last passed. */
    private static final class Entry {
        long offsetSeconds;
        long lastAcceptedMillis;

        Entry(long offsetSeconds, long lastAcceptedMillis) {
            this.offsetSeconds = offsetSeconds;
            this.lastAcceptedMillis = lastAcceptedMillis;
        }
    }

    /** The answer for one request: accepted, or refused with how far its date is behind the key's clock. */
    record Verdict(boolean accepted, long behindSeconds, long learnedOffsetSeconds) {
        static final Verdict ACCEPTED = new Verdict(true, 0, 0);
    }

    private final long windowSeconds;
    private final long forgetAfterMillis;
    private final ConcurrentHashMap<String, Entry> byKey = new ConcurrentHashMap<>();
    private volatile long lastSweepMillis;

    ClockOffsets(long windowSeconds, long forgetAfterMillis) {
        this.windowSeconds = windowSeconds;
        this.forgetAfterMillis = forgetAfterMillis;
    }

    /**
     * A request of {@code accessKey}, signature verified, dated {@code offsetSeconds} from our clock at
     * {@code nowMillis}: accepted (and learned) or refused.
     */
    Verdict accept(String accessKey, long offsetSeconds, long nowMillis) {
        Entry e = byKey.get(accessKey);
        if (e == null) {
            if (nowMillis - lastSweepMillis > forgetAfterMillis) {
                // keys of accounts deleted since, or of clients gone, are dropped when new keys come
                lastSweepMillis = nowMillis;
                sweep(nowMillis);
            }
            if (byKey.size() >= MAX_KEYS) {
                sweep(nowMillis);
                if (byKey.size() >= MAX_KEYS) {
                    return Verdict.ACCEPTED;
                }
            }
            e = byKey.computeIfAbsent(accessKey, k -> new Entry(offsetSeconds, nowMillis));
        }
        synchronized (e) {
            if (nowMillis - e.lastAcceptedMillis > forgetAfterMillis) {
                e.offsetSeconds = offsetSeconds;
            } else if (offsetSeconds < e.offsetSeconds - windowSeconds) {
                return new Verdict(false, e.offsetSeconds - offsetSeconds, e.offsetSeconds);
            }
            e.offsetSeconds = Math.max(e.offsetSeconds, offsetSeconds);
            e.lastAcceptedMillis = nowMillis;
            return Verdict.ACCEPTED;
        }
    }

    /**
     * How old (seconds, by the key's clock) a date {@code offsetSeconds} from our clock is; null when the
     * key's clock is not known (never seen, or forgotten).
     */
    Long age(String accessKey, long offsetSeconds, long nowMillis) {
        Entry e = byKey.get(accessKey);
        if (e == null) {
            return null;
        }
        synchronized (e) {
            if (nowMillis - e.lastAcceptedMillis > forgetAfterMillis) {
                return null;
            }
            return e.offsetSeconds - offsetSeconds;
        }
    }

    private void sweep(long nowMillis) {
        byKey.values().removeIf(e -> {
            synchronized (e) {
                return nowMillis - e.lastAcceptedMillis > forgetAfterMillis;
            }
        });
    }

    int size() {
        return byKey.size();
    }
}
