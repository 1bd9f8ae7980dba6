package io.gantry.isolation.quota;

import java.util.Optional;

/** Admission of one more resource against an edition's limit. */
public final class QuotaCheck {
    /** A refused admission: which quota, its limit, and how much is in use. */
    public record Exceeded(String quota, int limit, long used) {
        public String message() {
            return "quota '" + quota + "' is exhausted: limit " + limit + ", in use " + used;
        }
    }

    private QuotaCheck() {
    }

    public static Optional<Exceeded> admitOneMore(String quota, int limit, long used) {
        return used + 1 > limit ? Optional.of(new Exceeded(quota, limit, used)) : Optional.empty();
    }
}
