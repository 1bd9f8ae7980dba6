package io.gantry.isolation.credentials;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * RocketMQ 5's request signature ({@code MQv2-HMAC-SHA1}), as the official SDKs write it and the
 * RocketMQ proxy checks it.
 *
 * <pre>
 * x-mq-date-time: 20261121T101500Z
 * authorization:  MQv2-HMAC-SHA1 Credential=&lt;accessKey&gt;, SignedHeaders=x-mq-date-time, Signature=&lt;hex&gt;
 * </pre>
 *
 * <p>The signature is the hex HMAC-SHA1 of the {@code x-mq-date-time} value keyed with the secret
 * (the Java SDK writes it in upper case, others in lower case: both are accepted). Some SDKs append
 * scope to the credential ({@code Credential=ak//Rocketmq}): the access key is what precedes the first
 * {@code /}.
 *
 * <p>The Java SDK formats the date in the JVM's <em>local</em> time zone although it ends in {@code Z},
 * so a plausibility check must allow any zone offset: {@link #DEFAULT_MAX_SKEW} is 14 h (the widest
 * offset, UTC+14) plus ten minutes of clock drift. Only the date is signed, so a captured header can be
 * replayed within that window: transport security (TLS) protects it, and a verifier that keeps state
 * (the gateway learns each key's clock offset) narrows it.
 *
 * <p>Thread-safe; no state but a per-thread {@link Mac}.
 */
public final class RequestSignature {
    public static final String ALGORITHM = "MQv2-HMAC-SHA1";
    public static final String AUTHORIZATION_HEADER = "authorization";
    public static final String DATE_TIME_HEADER = "x-mq-date-time";
    /** Any zone offset (UTC-12 … UTC+14) plus ten minutes of drift. */
    public static final Duration DEFAULT_MAX_SKEW = Duration.ofHours(14).plusMinutes(10);

    private static final String HMAC = "HmacSHA1";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final int SIGNATURE_HEX_LENGTH = 40;
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance(HMAC);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is not available in this JVM", e);
        }
    });

    private RequestSignature() {
    }

    /** The two parts of an {@code authorization} header that matter. */
    public record Credential(String accessKey, String signatureHex) {
    }

    /**
     * Parses an {@code authorization} header; empty when it is absent or not of the MQv2 form (wrong
     * algorithm, no credential, a signature that is not 40 hex digits).
     */
    public static Optional<Credential> parse(String authorization) {
        if (authorization == null || !authorization.startsWith(ALGORITHM)
                || authorization.length() <= ALGORITHM.length() || authorization.charAt(ALGORITHM.length()) != ' ') {
            return Optional.empty();
        }
        String accessKey = null;
        String signature = null;
        for (String part : authorization.substring(ALGORITHM.length() + 1).split(",")) {
            String item = part.trim();
            int eq = item.indexOf('=');
            if (eq <= 0) {
                return Optional.empty();
            }
            String key = item.substring(0, eq);
            String value = item.substring(eq + 1).trim();
            if (key.equals("Credential")) {
                int slash = value.indexOf('/');
                accessKey = slash >= 0 ? value.substring(0, slash) : value;
            } else if (key.equals("Signature")) {
                signature = value;
            } else if (key.equals("SignedHeaders")) {
                if (!value.equalsIgnoreCase(DATE_TIME_HEADER)) {
                    return Optional.empty();
                }
            }
        }
        if (accessKey == null || accessKey.isEmpty() || signature == null || !isHex(signature, SIGNATURE_HEX_LENGTH)) {
            return Optional.empty();
        }
        return Optional.of(new Credential(accessKey, signature));
    }

    /** Upper-case hex HMAC-SHA1 of {@code dateTime} keyed with {@code secretKey} (what the Java SDK sends). */
    public static String sign(String secretKey, String dateTime) {
        byte[] mac = hmac(secretKey, dateTime);
        char[] out = new char[mac.length * 2];
        for (int i = 0; i < mac.length; i++) {
            out[2 * i] = HEX[(mac[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[mac[i] & 0xF];
        }
        return new String(out);
    }

    /** The whole {@code authorization} header value for a request dated {@code dateTime}. */
    public static String authorization(String accessKey, String secretKey, String dateTime) {
        return ALGORITHM + " Credential=" + accessKey + ", SignedHeaders=" + DATE_TIME_HEADER
                + ", Signature=" + sign(secretKey, dateTime);
    }

    /** True when {@code signatureHex} (either case) is the signature of {@code dateTime}; constant time. */
    public static boolean verify(String secretKey, String dateTime, String signatureHex) {
        if (secretKey == null || dateTime == null || signatureHex == null || !isHex(signatureHex, SIGNATURE_HEX_LENGTH)) {
            return false;
        }
        byte[] expected = hmac(secretKey, dateTime);
        byte[] given = new byte[expected.length];
        for (int i = 0; i < given.length; i++) {
            given[i] = (byte) ((Character.digit(signatureHex.charAt(2 * i), 16) << 4)
                    | Character.digit(signatureHex.charAt(2 * i + 1), 16));
        }
        return MessageDigest.isEqual(expected, given);
    }

    /** {@code yyyyMMdd'T'HHmmss'Z'} in UTC, as a signer should write it. */
    public static String formatDateTime(Instant instant) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
        char[] out = new char[16];
        put(out, 0, t.getYear(), 4);
        put(out, 4, t.getMonthValue(), 2);
        put(out, 6, t.getDayOfMonth(), 2);
        out[8] = 'T';
        put(out, 9, t.getHour(), 2);
        put(out, 11, t.getMinute(), 2);
        put(out, 13, t.getSecond(), 2);
        out[15] = 'Z';
        return new String(out);
    }

    /**
     * Reads {@code yyyyMMdd'T'HHmmss'Z'} (the trailing {@code Z} optional) as if it were UTC; empty when
     * malformed.
     */
    public static Optional<Instant> parseDateTime(String dateTime) {
        if (dateTime == null || (dateTime.length() != 16 && dateTime.length() != 15) || dateTime.charAt(8) != 'T'
                || (dateTime.length() == 16 && dateTime.charAt(15) != 'Z')) {
            return Optional.empty();
        }
        int year = digits(dateTime, 0, 4);
        int month = digits(dateTime, 4, 2);
        int day = digits(dateTime, 6, 2);
        int hour = digits(dateTime, 9, 2);
        int minute = digits(dateTime, 11, 2);
        int second = digits(dateTime, 13, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23
                || minute < 0 || minute > 59 || second < 0 || second > 60) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.of(year, month, day, hour, minute, Math.min(second, 59))
                    .toInstant(ZoneOffset.UTC));
        } catch (java.time.DateTimeException e) {
            return Optional.empty();
        }
    }

    /**
     * True when {@code dateTime} is well formed and within {@code maxSkew} of {@code now}, read as UTC
     * (with {@link #DEFAULT_MAX_SKEW} any client zone offset passes).
     */
    public static boolean isPlausible(String dateTime, Instant now, Duration maxSkew) {
        Optional<Instant> at = parseDateTime(dateTime);
        if (at.isEmpty()) {
            return false;
        }
        long skew = Math.abs(at.get().getEpochSecond() - now.getEpochSecond());
        return skew <= maxSkew.getSeconds();
    }

    private static byte[] hmac(String secretKey, String dateTime) {
        Mac mac = MACS.get();
        try {
            mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), HMAC));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unusable secret key", e);
        }
        return mac.doFinal(dateTime.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean isHex(String s, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static void put(char[] out, int at, int value, int width) {
        for (int i = width - 1; i >= 0; i--) {
            out[at + i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
