package io.gantry.isolation.naming;

/** Why a name was refused; {@link Kind} tells invalid characters/length apart from reserved forms. */
public record NameViolation(Kind kind, String message) {
    public enum Kind { INVALID, RESERVED }
}
