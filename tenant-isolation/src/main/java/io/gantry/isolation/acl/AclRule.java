package io.gantry.isolation.acl;

import io.gantry.isolation.naming.ResourceNames;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One ACL rule of an account: on which resources (a type and a literal name or a name prefix),
 * which actions, from which networks, allowed or denied.
 *
 * <p>Names are the tenant's own names, without the instance namespace, and matching is plain,
 * case-sensitive string comparison ({@link String#equals}, {@link String#startsWith}). That is safe
 * only because every name reaching it has already been validated ({@code naming.ResourceNames}: no
 * {@code %}, so no namespace, retry or dead-letter form can be expressed); {@link AccountPermissions}
 * additionally refuses any name containing {@code %} to a NORMAL account, so that a prefix rule can
 * never reach another namespace even if validation were skipped upstream.
 *
 * @param sourceCidrs empty: the rule applies from anywhere
 */
public record AclRule(
        AclResourceType resourceType,
        String resourceName,
        AclPattern pattern,
        Set<AclAction> actions,
        AclDecision decision,
        List<Cidr> sourceCidrs) {

    public AclRule {
        if (resourceType == null) {
            throw new InvalidAclRuleException("resourceType", "is required");
        }
        if (pattern == null) {
            throw new InvalidAclRuleException("pattern", "is required");
        }
        checkName(resourceName, pattern);
        if (actions == null || actions.isEmpty()) {
            throw new InvalidAclRuleException("actions", "must name at least one of " + List.of(AclAction.values()));
        }
        if (decision == null) {
            throw new InvalidAclRuleException("decision", "is required");
        }
        actions = Collections.unmodifiableSet(EnumSet.copyOf(actions));
        sourceCidrs = sourceCidrs == null ? List.of() : List.copyOf(sourceCidrs);
    }

    /**
     * Builds a rule from the management API's strings (enum values case-insensitive); throws
     * {@link InvalidAclRuleException} (an {@link IllegalArgumentException}) naming the bad field.
     *
     * @param decision absent means ALLOW
     * @param sourceCidrs absent or empty means from anywhere
     */
    public static AclRule of(String resourceType, String resourceName, String pattern, List<String> actions,
            String decision, List<String> sourceCidrs) {
        AclResourceType type = parseEnum(AclResourceType.class, "resourceType", resourceType);
        AclPattern pat = parseEnum(AclPattern.class, "pattern", pattern);
        if (actions == null || actions.isEmpty()) {
            throw new InvalidAclRuleException("actions", "must name at least one of " + List.of(AclAction.values()));
        }
        EnumSet<AclAction> acts = EnumSet.noneOf(AclAction.class);
        for (String a : actions) {
            acts.add(parseEnum(AclAction.class, "actions", a));
        }
        AclDecision dec = decision == null ? AclDecision.ALLOW : parseEnum(AclDecision.class, "decision", decision);
        List<Cidr> cidrs = new ArrayList<>();
        if (sourceCidrs != null) {
            for (String c : sourceCidrs) {
                try {
                    cidrs.add(Cidr.parse(c));
                } catch (IllegalArgumentException e) {
                    throw new InvalidAclRuleException("sourceCidrs", e.getMessage());
                }
            }
        }
        return new AclRule(type, resourceName, pat, acts, dec, cidrs);
    }

    /**
     * Whether this rule speaks about the request. A rule limited to source networks does not match
     * an unknown ({@code null}) source if it allows, but does if it denies: an unknown source must
     * not gain access, nor escape a denial.
     */
    public boolean matches(AclResourceType type, String name, AclAction action, InetAddress source) {
        return resourceType == type && actions.contains(action) && matchesName(name) && matchesSource(source);
    }

    boolean matchesName(String name) {
        return pattern == AclPattern.LITERAL ? resourceName.equals(name) : name.startsWith(resourceName);
    }

    boolean matchesSource(InetAddress source) {
        if (sourceCidrs.isEmpty()) {
            return true;
        }
        if (source == null) {
            return decision == AclDecision.DENY;
        }
        for (int i = 0, n = sourceCidrs.size(); i < n; i++) {
            if (sourceCidrs.get(i).contains(source)) {
                return true;
            }
        }
        return false;
    }

    private static void checkName(String name, AclPattern pattern) {
        if (name == null) {
            throw new InvalidAclRuleException("resourceName", "is required (use pattern PREFIX with \"\" for every name)");
        }
        if (name.isEmpty() && pattern == AclPattern.LITERAL) {
            throw new InvalidAclRuleException("resourceName", "must not be empty for a LITERAL rule"
                    + " (use pattern PREFIX with \"\" for every name)");
        }
        if (name.length() > ResourceNames.ROCKETMQ_MAX_NAME_LENGTH) {
            throw new InvalidAclRuleException("resourceName", "must be at most "
                    + ResourceNames.ROCKETMQ_MAX_NAME_LENGTH + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            if (!ok) {
                throw new InvalidAclRuleException("resourceName", "may contain only letters, digits, '_' and '-'"
                        + (c == '%' ? " ('%' is reserved for RocketMQ namespaces)" : "") + ": '" + name + "'");
            }
        }
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String field, String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidAclRuleException(field, "is required, one of " + List.of(type.getEnumConstants()));
        }
        try {
            return Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidAclRuleException(field, "'" + text + "' is not one of " + List.of(type.getEnumConstants()));
        }
    }
}
