package io.gantry.isolation.naming;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Instance ids: {@code rmq-} and 12 lowercase base32 characters; the id is also the RocketMQ namespace. */
public final class InstanceIds {
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
    private static final Pattern FORM = Pattern.compile("^rmq-[a-z2-7]{12}$");
    private static final SecureRandom RANDOM = new SecureRandom();

    private InstanceIds() {
    }

    public static String newId() {
        return "rmq-" + randomBase32(12);
    }

    public static boolean isWellFormed(String id) {
        return id != null && FORM.matcher(id).matches();
    }

    /** Random lowercase base32; also used for other opaque ids with their own prefix. */
    public static String randomBase32(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
