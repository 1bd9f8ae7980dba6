package io.gantry.isolation.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.TimeZone;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.StaticSessionCredentialsProvider;
import org.apache.rocketmq.client.java.misc.ClientId;
import org.apache.rocketmq.client.java.rpc.Signature;
import org.apache.rocketmq.client.java.rpc.TLSHelper;
import org.apache.rocketmq.shaded.io.grpc.Metadata;
import org.junit.jupiter.api.Test;

class RequestSignatureTest {

    /** What the official Java SDK (rocketmq-client-java 5.2.0) puts on every call, as the gateway receives it. */
    private record SdkHeaders(String authorization, String dateTime) {
    }

    /**
     * Has the SDK's own header builder sign a call in a JVM whose default zone is {@code zone} (the SDK
     * formats the date in the default zone, so that is the variable that matters).
     */
    private static SdkHeaders signedBySdk(String accessKey, String secretKey, String zone) throws Exception {
        ClientConfiguration config = ClientConfiguration.newBuilder().setEndpoints("127.0.0.1:8081")
                .setCredentialProvider(new StaticSessionCredentialsProvider(accessKey, secretKey)).build();
        TimeZone previous = TimeZone.getDefault();
        Metadata headers;
        TimeZone.setDefault(TimeZone.getTimeZone(zone));
        try {
            headers = Signature.sign(config, new ClientId());
        } finally {
            TimeZone.setDefault(previous);
        }
        return new SdkHeaders(
                headers.get(Metadata.Key.of(RequestSignature.AUTHORIZATION_HEADER, Metadata.ASCII_STRING_MARSHALLER)),
                headers.get(Metadata.Key.of(RequestSignature.DATE_TIME_HEADER, Metadata.ASCII_STRING_MARSHALLER)));
    }

    @Test
    void acceptsWhatTheJavaSdkSendsInAnyZone() throws Exception {
        // UTC, the widest offsets either side, and a 45-minute one
        for (String zone : new String[] {"UTC", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kathmandu"}) {
            String accessKey = "AK" + zone.length();
            String secretKey = "secret-" + zone;
            Instant before = Instant.now();
            SdkHeaders sdk = signedBySdk(accessKey, secretKey, zone);
            Instant after = Instant.now();

            RequestSignature.Credential credential = RequestSignature.parse(sdk.authorization())
                    .orElseThrow(() -> new AssertionError(zone + ": the SDK's header did not parse: " + sdk.authorization()));
            assertEquals(accessKey, credential.accessKey(), zone);
            assertTrue(RequestSignature.verify(secretKey, sdk.dateTime(), credential.signatureHex()), zone);
            assertTrue(RequestSignature.isPlausible(sdk.dateTime(), before, RequestSignature.DEFAULT_MAX_SKEW)
                    && RequestSignature.isPlausible(sdk.dateTime(), after, RequestSignature.DEFAULT_MAX_SKEW), zone + ": " + sdk.dateTime());
            // the SDK's date, read as UTC, is off by the zone's offset: the skew window is what lets it in
            long offsetSeconds = TimeZone.getTimeZone(zone).getOffset(before.toEpochMilli()) / 1000;
            long signedAt = RequestSignature.parseDateTime(sdk.dateTime()).orElseThrow().getEpochSecond() - offsetSeconds;
            assertTrue(signedAt >= before.getEpochSecond() && signedAt <= after.getEpochSecond(), zone + ": " + sdk.dateTime());

            // what we write for the same date is byte for byte what the SDK wrote (the gateway signs upstream with it)
            assertEquals(sdk.authorization(), RequestSignature.authorization(accessKey, secretKey, sdk.dateTime()), zone);

            assertFalse(RequestSignature.verify(secretKey + "x", sdk.dateTime(), credential.signatureHex()), zone);
            String otherSecond = sdk.dateTime().substring(0, 14) + (sdk.dateTime().charAt(14) == '0' ? '1' : '0') + "Z";
            assertFalse(RequestSignature.verify(secretKey, otherSecond, credential.signatureHex()), zone);
        }
    }

    @Test
    void signsEveryDateAndSecretAsTheSdkDoes() throws Exception {
        String[] secrets = {"secret", "S3cr3t/+=", "sécret-ünïcode-密钥", "x".repeat(200)};
        String[] dates = {"20231227T194619Z", "20261121T101530Z", "19700101T000000Z", "not even a date"};
        for (String secret : secrets) {
            for (String date : dates) {
                String sdk = TLSHelper.sign(secret, date);
                assertEquals(sdk, RequestSignature.sign(secret, date), secret + " / " + date);
                assertTrue(RequestSignature.verify(secret, date, sdk), secret + " / " + date);
                assertTrue(RequestSignature.verify(secret, date, sdk.toLowerCase(Locale.ROOT)), secret + " / " + date);
            }
        }
        String sig = RequestSignature.sign("secret", "20231227T194619Z");
        assertFalse(RequestSignature.verify("other", "20231227T194619Z", sig));
        assertFalse(RequestSignature.verify("secret", "20231227T194620Z", sig));
        assertFalse(RequestSignature.verify("secret", "20231227T194619Z", "zz" + sig.substring(2)));
    }

    @Test
    void knownVector() throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec("key".getBytes(), "HmacSHA1"));
        byte[] expected = mac.doFinal("The quick brown fox jumps over the lazy dog".getBytes());
        assertEquals("DE7C9B85B8B78AA6BC8A7A36F70A90701C9DB4D9", hex(expected));
        assertEquals("DE7C9B85B8B78AA6BC8A7A36F70A90701C9DB4D9",
                RequestSignature.sign("key", "The quick brown fox jumps over the lazy dog"));
    }

    @Test
    void parsesTheSdkForms() {
        String java = "MQv2-HMAC-SHA1 Credential=ak1, SignedHeaders=x-mq-date-time, Signature=D18A9CBCDDBA9041D6693268FEF15A989E64430B";
        assertEquals(Optional.of(new RequestSignature.Credential("ak1", "D18A9CBCDDBA9041D6693268FEF15A989E64430B")),
                RequestSignature.parse(java));
        String dotnet = "MQv2-HMAC-SHA1 Credential=ak2//Rocketmq, SignedHeaders=x-mq-date-time, Signature=d18a9cbcddba9041d6693268fef15a989e64430b";
        assertEquals("ak2", RequestSignature.parse(dotnet).orElseThrow().accessKey());
        String built = RequestSignature.authorization("ak3", "s3", "20260101T000000Z");
        RequestSignature.Credential c = RequestSignature.parse(built).orElseThrow();
        assertEquals("ak3", c.accessKey());
        assertTrue(RequestSignature.verify("s3", "20260101T000000Z", c.signatureHex()));
    }

    @Test
    void refusesMalformedHeaders() {
        for (String bad : new String[] {null, "", "MQv2-HMAC-SHA1", "MQv2-HMAC-SHA1 ", "Bearer abc",
            "MQv1-HMAC-SHA1 Credential=a, SignedHeaders=x-mq-date-time, Signature=D18A9CBCDDBA9041D6693268FEF15A989E64430B",
            "MQv2-HMAC-SHA1 Credential=, SignedHeaders=x-mq-date-time, Signature=D18A9CBCDDBA9041D6693268FEF15A989E64430B",
            "MQv2-HMAC-SHA1 SignedHeaders=x-mq-date-time, Signature=D18A9CBCDDBA9041D6693268FEF15A989E64430B",
            "MQv2-HMAC-SHA1 Credential=a, SignedHeaders=x-mq-date-time",
            "MQv2-HMAC-SHA1 Credential=a, SignedHeaders=x-mq-date-time, Signature=XYZ",
            "MQv2-HMAC-SHA1 Credential=a, SignedHeaders=host, Signature=D18A9CBCDDBA9041D6693268FEF15A989E64430B",
            "MQv2-HMAC-SHA1 Credential=a, garbage, Signature=D18A9CBCDDBA9041D6693268FEF15A989E64430B"}) {
            assertTrue(RequestSignature.parse(bad).isEmpty(), String.valueOf(bad));
        }
    }

    @Test
    void datesRoundTripAndMalformedOnesAreRefused() {
        Instant t = Instant.parse("2026-11-21T10:15:30Z");
        assertEquals("20261121T101530Z", RequestSignature.formatDateTime(t));
        assertEquals(Optional.of(t), RequestSignature.parseDateTime("20261121T101530Z"));
        for (String bad : new String[] {null, "", "2026-11-21T10:15:30Z", "20261121101530Z", "20261321T101530Z",
            "20261121T251530Z", "20260231T101530Z", "2026112aT101530Z", "20261121T101530X"}) {
            assertTrue(RequestSignature.parseDateTime(bad).isEmpty(), String.valueOf(bad));
        }
    }

    @Test
    void anyZoneOffsetIsPlausibleButNotMore() {
        Instant now = Instant.parse("2026-11-21T10:15:30Z");
        DateTimeFormatter sdk = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
        for (int offsetHours = -12; offsetHours <= 14; offsetHours++) {
            // what the Java SDK writes in a JVM whose local zone has this offset
            String local = LocalDateTime.ofInstant(now, ZoneOffset.ofHours(offsetHours)).format(sdk);
            assertTrue(RequestSignature.isPlausible(local, now, RequestSignature.DEFAULT_MAX_SKEW), local);
        }
        String halfHour = LocalDateTime.ofInstant(now, ZoneOffset.ofHoursMinutes(5, 45)).format(sdk);
        assertTrue(RequestSignature.isPlausible(halfHour, now, RequestSignature.DEFAULT_MAX_SKEW));
        // a few minutes of drift on top of the widest offset
        String drifted = LocalDateTime.ofInstant(now.plusSeconds(14 * 3600 + 5 * 60), ZoneOffset.UTC).format(sdk);
        assertTrue(RequestSignature.isPlausible(drifted, now, RequestSignature.DEFAULT_MAX_SKEW));
        String tooLate = LocalDateTime.ofInstant(now.plusSeconds(15 * 3600), ZoneOffset.UTC).format(sdk);
        String tooEarly = LocalDateTime.ofInstant(now.minusSeconds(15 * 3600), ZoneOffset.UTC).format(sdk);
        String yesterday = LocalDateTime.ofInstant(now.minusSeconds(86_400), ZoneOffset.UTC).format(sdk);
        assertFalse(RequestSignature.isPlausible(tooLate, now, RequestSignature.DEFAULT_MAX_SKEW));
        assertFalse(RequestSignature.isPlausible(tooEarly, now, RequestSignature.DEFAULT_MAX_SKEW));
        assertFalse(RequestSignature.isPlausible(yesterday, now, RequestSignature.DEFAULT_MAX_SKEW));
        assertFalse(RequestSignature.isPlausible("garbage", now, RequestSignature.DEFAULT_MAX_SKEW));
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format("%02X", b));
        }
        return sb.toString();
    }
}
