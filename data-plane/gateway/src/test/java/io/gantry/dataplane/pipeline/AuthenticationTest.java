package io.gantry.dataplane.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import apache.rocketmq.v2.Code;
import io.gantry.dataplane.config.ConfigView;
import io.gantry.dataplane.support.Snapshots;
import io.gantry.isolation.credentials.RequestSignature;
import io.grpc.Metadata;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class AuthenticationTest {
    static final Instant NOW = Instant.parse("2026-11-21T10:15:30Z");
    static final DateTimeFormatter SDK = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    final Authentication auth = new Authentication(Clock.fixed(NOW, ZoneOffset.UTC), RequestSignature.DEFAULT_MAX_SKEW);
    final ConfigView view = ConfigView.of(Snapshots.snapshot(1, Snapshots.cluster("c", "127.0.0.1:8081", "a", "s"),
            Snapshots.instance("rmq-aaaaaaaaaaaa", "c")
                    .addAccounts(Snapshots.account("app", "AK", "SK", true))
                    .addAccounts(Snapshots.account("off", "AKOFF", "SKOFF", false)).build()));

    static Metadata headers(String ak, String sk, String date) {
        Metadata m = new Metadata();
        m.put(Authentication.DATE_TIME, date);
        m.put(Authentication.AUTHORIZATION, RequestSignature.authorization(ak, sk, date));
        return m;
    }

    static String sdkDate(Instant at, ZoneOffset zone) {
        return LocalDateTime.ofInstant(at, zone).format(SDK);
    }

    Refusal refused(Metadata h) {
        return assertThrows(Refusal.class, () -> auth.authenticate(h, view));
    }

    @Test
    void acceptsTheJavaSdkInAnyZone() {
        for (int offset = -12; offset <= 14; offset++) {
            Metadata h = headers("AK", "SK", sdkDate(NOW, ZoneOffset.ofHours(offset)));
            assertEquals("app", auth.authenticate(h, view).username());
        }
        Metadata lower = headers("AK", "SK", sdkDate(NOW, ZoneOffset.UTC));
        String upper = lower.get(Authentication.AUTHORIZATION);
        lower.removeAll(Authentication.AUTHORIZATION);
        lower.put(Authentication.AUTHORIZATION, upper.substring(0, upper.indexOf("Signature=") + 10)
                + upper.substring(upper.indexOf("Signature=") + 10).toLowerCase());
        assertEquals("app", auth.authenticate(lower, view).username(), "lower-case hex (Go/Rust/.NET SDKs)");
    }

    @Test
    void refusesClockSkewBeyondAnyZone() {
        Refusal r = refused(headers("AK", "SK", sdkDate(NOW.plusSeconds(15 * 3600), ZoneOffset.UTC)));
        assertEquals(Code.UNAUTHORIZED, r.code());
        assertTrue(r.getMessage().contains("clock"));
        assertEquals(Code.UNAUTHORIZED, refused(headers("AK", "SK", sdkDate(NOW.minusSeconds(2 * 86400), ZoneOffset.UTC))).code());
    }

    @Test
    void refusesUnknownForgedMalformedAndDisabled() {
        String date = sdkDate(NOW, ZoneOffset.UTC);
        assertEquals(Code.UNAUTHORIZED, refused(headers("NOPE", "SK", date)).code());
        Refusal forged = refused(headers("AK", "not-the-secret", date));
        assertEquals(Code.UNAUTHORIZED, forged.code());
        assertTrue(forged.getMessage().contains("signature"));
        assertEquals(Code.FORBIDDEN, refused(headers("AKOFF", "SKOFF", date)).code());
        // a forger of a disabled account learns nothing about it
        assertEquals(Code.UNAUTHORIZED, refused(headers("AKOFF", "wrong", date)).code());

        Metadata none = new Metadata();
        assertEquals(Code.UNAUTHORIZED, refused(none).code());
        Metadata noDate = headers("AK", "SK", date);
        noDate.removeAll(Authentication.DATE_TIME);
        assertEquals(Code.UNAUTHORIZED, refused(noDate).code());
        Metadata badDate = headers("AK", "SK", "yesterday");
        assertEquals(Code.UNAUTHORIZED, refused(badDate).code());
        Metadata otherDate = headers("AK", "SK", date);
        otherDate.removeAll(Authentication.DATE_TIME);
        otherDate.put(Authentication.DATE_TIME, sdkDate(NOW.plusSeconds(1), ZoneOffset.UTC));
        assertEquals(Code.UNAUTHORIZED, refused(otherDate).code(), "the date is what is signed");
        for (String bad : new String[] {"Basic abc", "MQv2-HMAC-SHA1", "MQv2-HMAC-SHA1 Credential=AK",
            "MQv2-HMAC-SHA1 Credential=AK, SignedHeaders=x-mq-date-time, Signature=12"}) {
            Metadata m = new Metadata();
            m.put(Authentication.DATE_TIME, date);
            m.put(Authentication.AUTHORIZATION, bad);
            Refusal r = refused(m);
            assertEquals(Code.UNAUTHORIZED, r.code(), bad);
            assertTrue(r.getMessage().contains("malformed"), bad);
        }
    }

    @Test
    void refusesEverythingBeforeTheFirstSnapshot() {
        Refusal r = assertThrows(Refusal.class,
                () -> auth.authenticate(headers("AK", "SK", sdkDate(NOW, ZoneOffset.UTC)), ConfigView.EMPTY));
        assertEquals(Code.INTERNAL_SERVER_ERROR, r.code());
    }

    @Test
    void reverifySkipsTheDateButNotTheAccount() {
        Metadata old = headers("AK", "SK", sdkDate(NOW.minusSeconds(3 * 86400), ZoneOffset.UTC));
        assertEquals("app", auth.reverify(old, view).username());
        ConfigView disabled = ConfigView.of(Snapshots.snapshot(2, Snapshots.cluster("c", "127.0.0.1:8081", "a", "s"),
                Snapshots.instance("rmq-aaaaaaaaaaaa", "c").addAccounts(Snapshots.account("app", "AK", "SK", false)).build()));
        assertEquals(Code.FORBIDDEN, assertThrows(Refusal.class, () -> auth.reverify(old, disabled)).code());
    }
}
