package io.gantry.dataplane.upstream;

import io.gantry.isolation.credentials.RequestSignature;
import java.time.Clock;
import java.time.Instant;

/**
 * Signs upstream calls with a cluster's own credentials (MQv2-HMAC-SHA1 over a fresh
 * {@code x-mq-date-time}, UTC). The date has a one-second resolution, so the pair is computed once per
 * second and shared; thread-safe.
 */
public final class UpstreamSigner {
    private final String accessKey;
    private final String secretKey;
    private final Clock clock;
    private volatile Signed last = new Signed(Long.MIN_VALUE, "", "");

    /** The two header values of one second. */
    public record Signed(long epochSecond, String dateTime, String authorization) {
    }

    public UpstreamSigner(String accessKey, String secretKey, Clock clock) {
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.clock = clock;
    }

    public String accessKey() {
        return accessKey;
    }

    boolean sameCredentials(String ak, String sk) {
        return accessKey.equals(ak) && secretKey.equals(sk);
    }

    public Signed current() {
        long now = clock.millis() / 1000;
        Signed s = last;
        if (s.epochSecond() != now) {
            String dateTime = RequestSignature.formatDateTime(Instant.ofEpochSecond(now));
            s = new Signed(now, dateTime, RequestSignature.authorization(accessKey, secretKey, dateTime));
            last = s;
        }
        return s;
    }
}
