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
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class AuthenticationTest {
    static final Instant NOW = Instant.parse("2026-11-21T10:15:30Z");
    static final DateTimeFormatter SDK = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    final MovableClock clock = new MovableClock(NOW);
    final Authentication auth = new Authentication(clock, RequestSignature.DEFAULT_MAX_SKEW);
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

    /** The gateway's clock, moved by the test. */
    static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void acceptsTheJavaSdkInAnyZone() {
        for (int offset = -12; offset <= 14; offset++) {
            // a key's first request: any zone passes (each gateway learns the key's offset from it)
            Authentication fresh = new Authentication(clock, RequestSignature.DEFAULT_MAX_SKEW);
            Metadata h = headers("AK", "SK", sdkDate(NOW, ZoneOffset.ofHours(offset)));
            assertEquals("app", fresh.authenticate(h, view).username(), "UTC" + offset);
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
    void reverifyChecksTheAccount() {
        Metadata h = headers("AK", "SK", sdkDate(NOW, ZoneOffset.UTC));
        assertEquals("app", auth.authenticate(h, view).username());
        assertEquals("app", auth.reverify(h, view).username());
        ConfigView disabled = ConfigView.of(Snapshots.snapshot(2, Snapshots.cluster("c", "127.0.0.1:8081", "a", "s"),
                Snapshots.instance("rmq-aaaaaaaaaaaa", "c").addAccounts(Snapshots.account("app", "AK", "SK", false)).build()));
        assertEquals(Code.FORBIDDEN, assertThrows(Refusal.class, () -> auth.reverify(h, disabled)).code());
    }

    @Test
    void aSignatureReplayedTenHoursLaterIsRefusedOnceTheKeysClockIsKnown() {
        Metadata captured = headers("AK", "SK", sdkDate(NOW, ZoneOffset.UTC));
        assertEquals("app", auth.authenticate(captured, view).username());
        clock.advance(Duration.ofHours(10));
        assertEquals("app", auth.authenticate(headers("AK", "SK", sdkDate(clock.instant(), ZoneOffset.UTC)), view).username());
        Refusal r = refused(captured);
        assertEquals(Code.UNAUTHORIZED, r.code());
        assertTrue(r.getMessage().contains("AK") && r.getMessage().contains("replayed"), r.getMessage());
    }

    @Test
    void aSignatureReplayedMinutesLaterIsRefusedPastTheWindow() {
        Metadata captured = headers("AK", "SK", sdkDate(NOW, ZoneOffset.UTC));
        assertEquals("app", auth.authenticate(captured, view).username());
        clock.advance(Duration.ofMinutes(4));
        assertEquals("app", auth.authenticate(captured, view).username(), "within the window: indistinguishable from a slow client");
        clock.advance(Duration.ofMinutes(2));
        assertEquals(Code.UNAUTHORIZED, refused(captured).code());
    }

    @Test
    void aClientInUtcPlusEightKeepsWorkingAndItsOldSignaturesDoNot() {
        ZoneOffset shanghai = ZoneOffset.ofHours(8);
        Metadata first = headers("AK", "SK", sdkDate(clock.instant(), shanghai));
        for (int minute = 0; minute < 180; minute++) {
            Instant sentAt = clock.instant().minusMillis(300); // a little network delay
            assertEquals("app", auth.authenticate(headers("AK", "SK", sdkDate(sentAt, shanghai)), view).username(), "minute " + minute);
            clock.advance(Duration.ofMinutes(1));
        }
        assertEquals(Code.UNAUTHORIZED, refused(first).code(), "its signature of three hours ago");
        assertEquals(Code.UNAUTHORIZED, refused(headers("AK", "SK", sdkDate(clock.instant(), ZoneOffset.UTC))).code(),
                "a date 8 h behind the key's clock looks like a replay");
    }

    @Test
    void aClockMovingForwardIsFollowed() {
        assertEquals("app", auth.authenticate(headers("AK", "SK", sdkDate(NOW, ZoneOffset.UTC)), view).username());
        // daylight saving time starts: the Java SDK's local time jumps an hour ahead; no replay can do that
        ZoneOffset summer = ZoneOffset.ofHours(1);
        assertEquals("app", auth.authenticate(headers("AK", "SK", sdkDate(clock.instant(), summer)), view).username());
        clock.advance(Duration.ofMinutes(30));
        assertEquals("app", auth.authenticate(headers("AK", "SK", sdkDate(clock.instant(), summer)), view).username());
        assertEquals(Code.UNAUTHORIZED, refused(headers("AK", "SK", sdkDate(NOW, ZoneOffset.UTC))).code());
    }

    @Test
    void aKeyIdleLongerThanItsEntryLivesIsLearnedAfresh() {
        assertEquals("app", auth.authenticate(headers("AK", "SK", sdkDate(NOW, ZoneOffset.ofHours(2))), view).username());
        clock.advance(Authentication.DEFAULT_FORGET_AFTER.plusSeconds(1));
        // e.g. daylight saving time ended while the client was idle
        assertEquals("app", auth.authenticate(headers("AK", "SK", sdkDate(clock.instant(), ZoneOffset.ofHours(1))), view).username());
    }

    @Test
    void onlyVerifiedSignaturesTeachAClock() {
        // a forger (or a disabled account) sends far-future dates: the key's real clock must still be accepted
        refused(headers("AK", "not-the-secret", sdkDate(NOW, ZoneOffset.ofHours(14))));
        refused(headers("AKOFF", "SKOFF", sdkDate(NOW, ZoneOffset.ofHours(14))));
        assertEquals("app", auth.authenticate(headers("AK", "SK", sdkDate(NOW, ZoneOffset.UTC)), view).username());
    }

    @Test
    void aLongLivedStreamIsRefusedOnceItsSignedDateIsOlderThanTheStreamLimit() {
        Metadata opened = headers("AK", "SK", sdkDate(NOW, ZoneOffset.ofHours(8)));
        assertEquals("app", auth.authenticate(opened, view).username());
        clock.advance(Authentication.DEFAULT_MAX_STREAM_AGE.minusMinutes(1));
        // the client's other calls keep its clock known
        auth.authenticate(headers("AK", "SK", sdkDate(clock.instant(), ZoneOffset.ofHours(8))), view);
        assertEquals("app", auth.reverify(opened, view).username());
        clock.advance(Duration.ofMinutes(2));
        auth.authenticate(headers("AK", "SK", sdkDate(clock.instant(), ZoneOffset.ofHours(8))), view);
        Refusal r = assertThrows(Refusal.class, () -> auth.reverify(opened, view));
        assertEquals(Code.UNAUTHORIZED, r.code());
        assertTrue(r.getMessage().contains("reconnect"), r.getMessage());
    }

    @Test
    void aStreamOfAKeyWhoseClockWasForgottenIsHeldToTheWideWindow() {
        Metadata opened = headers("AK", "SK", sdkDate(NOW, ZoneOffset.UTC));
        assertEquals("app", auth.authenticate(opened, view).username());
        clock.advance(Duration.ofHours(15));
        assertEquals(Code.UNAUTHORIZED, assertThrows(Refusal.class, () -> auth.reverify(opened, view)).code());
    }
}
