package io.gantry.isolation.acl;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An account's rules compiled for the request path: immutable, and a check is a hash lookup for
 * literal rules plus a scan of the (few) prefix rules of the requested type and action, without
 * allocation.
 *
 * <p>ADMIN: everything is allowed. NORMAL: nothing is allowed unless a matching rule allows it, and a
 * matching DENY wins over any ALLOW. A name containing {@code %} is never allowed to a NORMAL account
 * (see {@link AclRule}: valid names have none, and a prefix rule must not reach into another
 * namespace or a retry/dead-letter topic).
 */
public final class AccountPermissions {
    public static final AccountPermissions ADMIN = new AccountPermissions(AccountType.ADMIN, List.of());

    private static final AclRule[] NONE = new AclRule[0];
    // values() copies its array on every call: not on the request path.
    private static final int ACTION_COUNT = AclAction.values().length;

    private final AccountType type;
    private final List<AclRule> rules;
    /** Indexed by {@link #slot}: one per (resource type, action). */
    private final Map<String, AclRule[]>[] literals;
    private final AclRule[][] prefixes;

    @SuppressWarnings("unchecked")
    private AccountPermissions(AccountType type, List<AclRule> rules) {
        this.type = type;
        this.rules = List.copyOf(rules);
        int slots = AclResourceType.values().length * ACTION_COUNT;
        this.literals = new Map[slots];
        this.prefixes = new AclRule[slots][];
        List<Map<String, List<AclRule>>> literalLists = new ArrayList<>();
        List<List<AclRule>> prefixLists = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            literalLists.add(new HashMap<>());
            prefixLists.add(new ArrayList<>());
        }
        for (AclRule rule : this.rules) {
            for (AclAction action : rule.actions()) {
                int slot = slot(rule.resourceType(), action);
                if (rule.pattern() == AclPattern.LITERAL) {
                    literalLists.get(slot).computeIfAbsent(rule.resourceName(), k -> new ArrayList<>()).add(rule);
                } else {
                    prefixLists.get(slot).add(rule);
                }
            }
        }
        for (int i = 0; i < slots; i++) {
            Map<String, AclRule[]> m = new HashMap<>();
            literalLists.get(i).forEach((name, list) -> m.put(name, list.toArray(NONE)));
            literals[i] = m;
            prefixes[i] = prefixLists.get(i).toArray(NONE);
        }
    }

    public static AccountPermissions of(AccountType type, List<AclRule> rules) {
        if (type == AccountType.ADMIN) {
            return ADMIN;
        }
        return new AccountPermissions(type, rules == null ? List.of() : rules);
    }

    /**
     * Whether the account may perform {@code action} on the named resource from {@code source}.
     *
     * @param name the tenant's own (un-namespaced) name, already validated
     * @param source the client's address; {@code null} when unknown (then source-limited ALLOW rules
     *     do not apply and source-limited DENY rules do)
     */
    public boolean allows(AclResourceType resourceType, String name, AclAction action, InetAddress source) {
        if (type == AccountType.ADMIN) {
            return true;
        }
        if (name == null || name.indexOf('%') >= 0) {
            return false;
        }
        int slot = slot(resourceType, action);
        boolean allowed = false;
        AclRule[] literal = literals[slot].get(name);
        if (literal != null) {
            for (AclRule rule : literal) {
                if (rule.matchesSource(source)) {
                    if (rule.decision() == AclDecision.DENY) {
                        return false;
                    }
                    allowed = true;
                }
            }
        }
        for (AclRule rule : prefixes[slot]) {
            if (name.startsWith(rule.resourceName()) && rule.matchesSource(source)) {
                if (rule.decision() == AclDecision.DENY) {
                    return false;
                }
                allowed = true;
            }
        }
        return allowed;
    }

    public AccountType type() {
        return type;
    }

    /** The rules as given (empty for ADMIN, whose rules do not matter). */
    public List<AclRule> rules() {
        return rules;
    }

    private static int slot(AclResourceType resourceType, AclAction action) {
        return resourceType.ordinal() * ACTION_COUNT + action.ordinal();
    }
}
