package io.gantry.isolation.acl;

/**
 * A rule that cannot be compiled, naming the offending field (as the management API spells it) so
 * that the control plane can answer 400 with that {@code field}.
 */
public final class InvalidAclRuleException extends IllegalArgumentException {
    private final String field;

    public InvalidAclRuleException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** One of {@code resourceType}, {@code resourceName}, {@code pattern}, {@code actions}, {@code decision}, {@code sourceCidrs}. */
    public String field() {
        return field;
    }
}
