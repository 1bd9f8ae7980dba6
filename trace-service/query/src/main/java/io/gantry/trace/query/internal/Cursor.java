package io.gantry.trace.query.internal;

import io.gantry.trace.query.InvalidPageTokenException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The position after the last item of a page: its time and message id (lists are ordered by time
 * descending, then message id ascending). Encoded in a token together with a fingerprint of the query
 * that issued it, so that a token is refused by any other query.
 */
record Cursor(Instant at, String messageId) {
    private static final String VERSION = "t1";

    static String fingerprint(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                sha.update((p == null ? "\u0001" : p).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String encode(String fingerprint) {
        long micros = at.getEpochSecond() * 1_000_000L + at.getNano() / 1000;
        String raw = VERSION + "|" + fingerprint + "|" + micros + "|" + messageId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Null for the first page. */
    static Cursor decode(String token, String fingerprint) {
        if (token == null) {
            return null;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            String[] parts = raw.split("\\|", 4);
            if (parts.length == 4 && parts[0].equals(VERSION) && parts[1].equals(fingerprint)) {
                long micros = Long.parseLong(parts[2]);
                return new Cursor(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L), parts[3]);
            }
        } catch (IllegalArgumentException e) {
            // falls through
        }
        throw new InvalidPageTokenException("the page token was not issued for this list");
    }

    /** Ordering of lists: newer first, then message id (as UTF-8 bytes, PostgreSQL's "C" collation). */
    static int compare(Instant atA, String idA, Instant atB, String idB) {
        int c = atB.compareTo(atA);
        if (c != 0) {
            return c;
        }
        return java.util.Arrays.compareUnsigned(idA.getBytes(StandardCharsets.UTF_8), idB.getBytes(StandardCharsets.UTF_8));
    }
}
