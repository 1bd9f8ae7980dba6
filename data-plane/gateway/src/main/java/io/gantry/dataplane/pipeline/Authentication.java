package io.gantry.dataplane.pipeline;

import apache.rocketmq.v2.Code;
import io.gantry.dataplane.config.ConfigView;
import io.gantry.dataplane.config.ConfigView.AccountEntry;
import io.gantry.isolation.credentials.RequestSignature;
import io.grpc.Metadata;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Stage 1: who is calling. Verifies the SDK's MQv2-HMAC-SHA1 signature against the account's secret from
 * the config view. Refuses with {@code UNAUTHORIZED} a missing or malformed header, a date no client
 * clock could have written (more than 14 h 10 min from UTC: the Java SDK writes local time with a
 * {@code Z}), an unknown access key, a wrong signature; with {@code FORBIDDEN} a disabled account (only
 * after the signature checked out, so a forger learns nothing about the account).
 */
public final class Authentication {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of(RequestSignature.AUTHORIZATION_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> DATE_TIME = Metadata.Key.of(RequestSignature.DATE_TIME_HEADER, Metadata.ASCII_STRING_MARSHALLER);

    private final Clock clock;
    private final Duration maxSkew;

    public Authentication(Clock clock, Duration maxSkew) {
        this.clock = clock;
        this.maxSkew = maxSkew;
    }

    public AccountEntry authenticate(Metadata headers, ConfigView view) {
        return verify(headers, view, true);
    }

    /**
     * For long-lived streams (Telemetry): the same headers against the current view — the account still
     * exists, is enabled and its secret still matches — without the date check (the stream was opened
     * when the date was fresh).
     */
    public AccountEntry reverify(Metadata headers, ConfigView view) {
        return verify(headers, view, false);
    }

    private AccountEntry verify(Metadata headers, ConfigView view, boolean checkDate) {
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
        if (dateTime == null || RequestSignature.parseDateTime(dateTime).isEmpty()) {
            throw new Refusal(Code.UNAUTHORIZED, "missing or malformed x-mq-date-time header");
        }
        if (checkDate && !RequestSignature.isPlausible(dateTime, clock.instant(), maxSkew)) {
            throw new Refusal(Code.UNAUTHORIZED, "x-mq-date-time " + dateTime
                    + " is too far from the current time: check the client's clock");
        }
        AccountEntry account = view.account(credential.get().accessKey());
        if (account == null) {
            throw new Refusal(Code.UNAUTHORIZED, "unknown access key '" + credential.get().accessKey() + "'");
        }
        if (!RequestSignature.verify(account.secretKey(), dateTime, credential.get().signatureHex())) {
            throw new Refusal(Code.UNAUTHORIZED, "signature mismatch for access key '" + account.accessKey()
                    + "': check the secret key");
        }
        if (!account.enabled()) {
            throw new Refusal(Code.FORBIDDEN, "account '" + account.username() + "' is disabled");
        }
        return account;
    }
}
