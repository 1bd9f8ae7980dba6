package io.gantry.dataplane.pipeline;

import apache.rocketmq.v2.Code;
import io.gantry.dataplane.config.ConfigView;
import io.gantry.dataplane.config.ConfigView.AccountEntry;
import io.gantry.isolation.credentials.RequestSignature;
import io.grpc.Metadata;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Stage 1: who is calling. Verifies the SDK's MQv2-HMAC-SHA1 signature against the account's secret from
 * the config view. Refuses with {@code UNAUTHORIZED} a missing or malformed header, a date no client
 * clock could have written (more than 14 h 10 min from UTC: the Java SDK writes local time with a
 * {@code Z}), an unknown access key, a wrong signature, a date more than {@link #DEFAULT_WINDOW} behind
 * the clock this access key has signed with so far ({@link ClockOffsets}: a replayed signature); with
 * {@code FORBIDDEN} a disabled account (only after the signature checked out, so a forger learns nothing
 * about the account).
 */
public final class Authentication {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of(RequestSignature.AUTHORIZATION_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> DATE_TIME = Metadata.Key.of(RequestSignature.DATE_TIME_HEADER, Metadata.ASCII_STRING_MARSHALLER);

    /** How far behind its key's learned clock a date may be: network delay, drift, a clock stepped back. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
    /**
     * A key's clock is forgotten after this long without an accepted request; then its next request
     * teaches it anew (a client whose clock was set back, e.g. daylight saving time ending, is refused
     * until then). The SDKs heartbeat every few seconds, so a running client is never forgotten.
     */
    public static final Duration DEFAULT_FORGET_AFTER = Duration.ofMinutes(15);
    /**
     * How old the signed date of a long-lived stream (Telemetry) may grow before the stream is ended; the
     * SDKs open a new one (freshly signed) within a second.
     */
    public static final Duration DEFAULT_MAX_STREAM_AGE = Duration.ofHours(1);

    private final Clock clock;
    private final Duration maxSkew;
    private final Duration maxStreamAge;
    private final ClockOffsets offsets;

    public Authentication(Clock clock, Duration maxSkew) {
        this(clock, maxSkew, DEFAULT_WINDOW, DEFAULT_FORGET_AFTER, DEFAULT_MAX_STREAM_AGE);
    }

    public Authentication(Clock clock, Duration maxSkew, Duration window, Duration forgetAfter, Duration maxStreamAge) {
        this.clock = clock;
        this.maxSkew = maxSkew;
        this.maxStreamAge = maxStreamAge;
        this.offsets = new ClockOffsets(window.getSeconds(), forgetAfter.toMillis());
    }

    public AccountEntry authenticate(Metadata headers, ConfigView view) {
        return verify(headers, view, true);
    }

    /**
     * For long-lived streams (Telemetry): the same headers against the current view — the account still
     * exists, is enabled and its secret still matches — and the stream's signed date not older than
     * {@link #DEFAULT_MAX_STREAM_AGE} by the key's clock (by the wide window when the key's clock is not
     * known), so that one signature does not hold a stream open for ever.
     */
    public AccountEntry reverify(Metadata headers, ConfigView view) {
        return verify(headers, view, false);
    }

    private AccountEntry verify(Metadata headers, ConfigView view, boolean opening) {
        if (!view.loaded()) {
            throw new Refusal(Code.INTERNAL_SERVER_ERROR,
                    "the gateway has not received its configuration from the control plane yet; retry shortly");
        }
        String authorization = headers.get(AUTHORIZATION);
        if (authorization == null) {
            throw new Refusal(Code.UNAUTHORIZED,
                    "no credentials: set the access key and secret key of an account of the instance");
        }
        Optional<RequestSignature.Credential> credential = RequestSignature.parse(authorization);
        if (credential.isEmpty()) {
            throw new Refusal(Code.UNAUTHORIZED, "malformed authorization header (expected MQv2-HMAC-SHA1)");
        }
        String dateTime = headers.get(DATE_TIME);
        Optional<Instant> signedAt = RequestSignature.parseDateTime(dateTime);
        if (dateTime == null || signedAt.isEmpty()) {
            throw new Refusal(Code.UNAUTHORIZED, "missing or malformed x-mq-date-time header");
        }
        Instant now = clock.instant();
        long offsetSeconds = signedAt.get().getEpochSecond() - now.getEpochSecond();
        if (!RequestSignature.isPlausible(dateTime, now, maxSkew)) {
            throw new Refusal(Code.UNAUTHORIZED, "x-mq-date-time " + dateTime
                    + " is too far from the current time: check the client's clock");
        }
        String accessKey = credential.get().accessKey();
        AccountEntry account = view.account(accessKey);
        if (account == null) {
            throw new Refusal(Code.UNAUTHORIZED, "unknown access key '" + accessKey + "'");
        }
        if (!RequestSignature.verify(account.secretKey(), dateTime, credential.get().signatureHex())) {
            throw new Refusal(Code.UNAUTHORIZED, "signature mismatch for access key '" + account.accessKey()
                    + "': check the secret key");
        }
        if (!account.enabled()) {
            throw new Refusal(Code.FORBIDDEN, "account '" + account.username() + "' is disabled");
        }
        if (opening) {
            ClockOffsets.Verdict verdict = offsets.accept(accessKey, offsetSeconds, now.toEpochMilli());
            if (!verdict.accepted()) {
                throw new Refusal(Code.UNAUTHORIZED, "x-mq-date-time " + dateTime + " is " + verdict.behindSeconds()
                        + " s behind the clock access key '" + accessKey + "' signs with (offset "
                        + verdict.learnedOffsetSeconds() + " s from UTC): a replayed signature, or clients of one key"
                        + " signing in different time zones (sign in UTC, e.g. -Duser.timezone=UTC)");
            }
        } else {
            Long age = offsets.age(accessKey, offsetSeconds, now.toEpochMilli());
            if (age != null && age > maxStreamAge.getSeconds()) {
                throw new Refusal(Code.UNAUTHORIZED, "the stream's signature (x-mq-date-time " + dateTime + ") is older than "
                        + maxStreamAge.toMinutes() + " min: reconnect");
            }
        }
        return account;
    }
}
