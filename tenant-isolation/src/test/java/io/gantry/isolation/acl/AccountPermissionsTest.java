package io.gantry.isolation.acl;

import static io.gantry.isolation.acl.AclAction.PUB;
import static io.gantry.isolation.acl.AclAction.SUB;
import static io.gantry.isolation.acl.AclResourceType.GROUP;
import static io.gantry.isolation.acl.AclResourceType.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccountPermissionsTest {
    private static final InetAddress OFFICE = ip("10.1.2.3");
    private static final InetAddress HOME = ip("203.0.113.9");

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static AclRule rule(String type, String name, String pattern, List<String> actions, String decision,
            String... cidrs) {
        return AclRule.of(type, name, pattern, actions, decision, List.of(cidrs));
    }

    private static AccountPermissions normal(AclRule... rules) {
        return AccountPermissions.of(AccountType.NORMAL, List.of(rules));
    }

    @Test
    void nothingIsAllowedByDefault() {
        AccountPermissions none = normal();
        assertFalse(none.allows(TOPIC, "orders", PUB, OFFICE));
        assertFalse(none.allows(GROUP, "billing", SUB, OFFICE));
    }

    @Test
    void adminMayDoAnythingWhateverItsRules() {
        AccountPermissions admin = AccountPermissions.of(AccountType.ADMIN,
                List.of(rule("TOPIC", "", "PREFIX", List.of("PUB", "SUB"), "DENY")));
        assertSame(AccountPermissions.ADMIN, admin);
        assertTrue(admin.allows(TOPIC, "orders", PUB, OFFICE));
        assertTrue(admin.allows(GROUP, "g", SUB, null));
        assertEquals(AccountType.ADMIN, admin.type());
    }

    @Test
    void aLiteralRuleAllowsExactlyItsNameTypeAndActions() {
        AccountPermissions p = normal(rule("TOPIC", "orders", "LITERAL", List.of("PUB"), "ALLOW"));
        assertTrue(p.allows(TOPIC, "orders", PUB, OFFICE));
        assertTrue(p.allows(TOPIC, "orders", PUB, null), "no source networks: applies from anywhere");
        assertFalse(p.allows(TOPIC, "orders", SUB, OFFICE));
        assertFalse(p.allows(GROUP, "orders", PUB, OFFICE));
        assertFalse(p.allows(TOPIC, "orders2", PUB, OFFICE));
        assertFalse(p.allows(TOPIC, "order", PUB, OFFICE));
        assertFalse(p.allows(TOPIC, "Orders", PUB, OFFICE), "names are case-sensitive, as in RocketMQ");
    }

    @Test
    void aPrefixRuleAllowsEveryNameStartingWithIt() {
        AccountPermissions p = normal(rule("TOPIC", "orders-", "PREFIX", List.of("PUB", "SUB"), "ALLOW"));
        assertTrue(p.allows(TOPIC, "orders-eu", PUB, OFFICE));
        assertTrue(p.allows(TOPIC, "orders-", SUB, OFFICE));
        assertFalse(p.allows(TOPIC, "orders", PUB, OFFICE));
        assertFalse(p.allows(TOPIC, "xorders-eu", PUB, OFFICE));
    }

    @Test
    void theEmptyPrefixMatchesEveryName() {
        AccountPermissions p = normal(rule("GROUP", "", "PREFIX", List.of("SUB"), "ALLOW"));
        assertTrue(p.allows(GROUP, "any-group", SUB, OFFICE));
        assertTrue(p.allows(GROUP, "x", SUB, HOME));
        assertFalse(p.allows(TOPIC, "any-group", SUB, OFFICE));
    }

    @Test
    void aMatchingDenyWinsOverAnyAllow() {
        AccountPermissions p = normal(
                rule("TOPIC", "", "PREFIX", List.of("PUB", "SUB"), "ALLOW"),
                rule("TOPIC", "payroll", "LITERAL", List.of("SUB"), "DENY"),
                rule("TOPIC", "audit-", "PREFIX", List.of("PUB"), "DENY"),
                rule("TOPIC", "audit-log", "LITERAL", List.of("PUB"), "ALLOW"));
        assertTrue(p.allows(TOPIC, "orders", SUB, OFFICE));
        assertFalse(p.allows(TOPIC, "payroll", SUB, OFFICE));
        assertTrue(p.allows(TOPIC, "payroll", PUB, OFFICE), "the deny names SUB only");
        assertFalse(p.allows(TOPIC, "audit-log", PUB, OFFICE), "a literal allow does not beat a prefix deny");
        assertTrue(p.allows(TOPIC, "audit-log", SUB, OFFICE));
    }

    @Test
    void sourceNetworksLimitWhereARuleApplies() {
        AccountPermissions p = normal(
                rule("TOPIC", "orders", "LITERAL", List.of("PUB"), "ALLOW", "10.0.0.0/8", "2001:db8::/32"));
        assertTrue(p.allows(TOPIC, "orders", PUB, OFFICE));
        assertTrue(p.allows(TOPIC, "orders", PUB, ip("2001:db8::5")));
        assertFalse(p.allows(TOPIC, "orders", PUB, HOME));
        assertFalse(p.allows(TOPIC, "orders", PUB, null), "an unknown source gains nothing from a limited allow");
    }

    @Test
    void aDenyFromSomeNetworksLeavesTheOthersAllowed() {
        AccountPermissions p = normal(
                rule("TOPIC", "", "PREFIX", List.of("PUB"), "ALLOW"),
                rule("TOPIC", "", "PREFIX", List.of("PUB"), "DENY", "203.0.113.0/24"));
        assertTrue(p.allows(TOPIC, "orders", PUB, OFFICE));
        assertFalse(p.allows(TOPIC, "orders", PUB, HOME));
        assertFalse(p.allows(TOPIC, "orders", PUB, null), "an unknown source does not escape a limited deny");
    }

    @Test
    void aNameWithPercentNeverMatchesForANormalAccount() {
        // Valid names never contain '%'; if one got this far, a prefix rule must still not reach
        // another namespace (rmq-x%orders) or a retry / dead-letter topic (%RETRY%ns%g).
        AccountPermissions p = normal(
                rule("TOPIC", "", "PREFIX", List.of("PUB", "SUB"), "ALLOW"),
                rule("TOPIC", "rmq-", "PREFIX", List.of("PUB", "SUB"), "ALLOW"),
                rule("GROUP", "", "PREFIX", List.of("SUB"), "ALLOW"));
        assertFalse(p.allows(TOPIC, "rmq-abcdefghijkl%orders", PUB, OFFICE));
        assertFalse(p.allows(TOPIC, "%RETRY%rmq-abcdefghijkl%g", SUB, OFFICE));
        assertFalse(p.allows(TOPIC, "%DLQ%g", SUB, OFFICE));
        assertFalse(p.allows(GROUP, "g%", SUB, OFFICE));
        assertFalse(p.allows(TOPIC, null, PUB, OFFICE));
        assertTrue(p.allows(TOPIC, "rmq-abcdefghijkl-orders", PUB, OFFICE));
    }

    @Test
    void rulesWithSeveralActionsAndDuplicatesAreIndexedOnce() {
        AclRule r = rule("TOPIC", "t", "LITERAL", List.of("sub", "PUB", "SUB"), null);
        assertEquals(Set.of(PUB, SUB), r.actions());
        assertEquals(AclDecision.ALLOW, r.decision(), "absent decision means ALLOW");
        AccountPermissions p = normal(r, r);
        assertTrue(p.allows(TOPIC, "t", PUB, OFFICE));
        assertTrue(p.allows(TOPIC, "t", SUB, OFFICE));
        assertEquals(List.of(r, r), p.rules());
    }

    @Test
    void ruleMatchesSpeaksForItself() {
        AclRule r = rule("GROUP", "cg-", "PREFIX", List.of("SUB"), "ALLOW", "10.0.0.0/8");
        assertTrue(r.matches(GROUP, "cg-1", SUB, OFFICE));
        assertFalse(r.matches(GROUP, "cg-1", SUB, HOME));
        assertFalse(r.matches(GROUP, "cg-1", PUB, OFFICE));
        assertFalse(r.matches(TOPIC, "cg-1", SUB, OFFICE));
        assertFalse(r.matches(GROUP, "cg", SUB, OFFICE));
        assertEquals(List.of(Cidr.parse("10.0.0.0/8")), r.sourceCidrs());
    }

    @Test
    void badRulesNameTheirField() {
        assertField("resourceType", () -> AclRule.of("QUEUE", "t", "LITERAL", List.of("PUB"), "ALLOW", List.of()));
        assertField("resourceType", () -> AclRule.of(null, "t", "LITERAL", List.of("PUB"), "ALLOW", List.of()));
        assertField("resourceName", () -> AclRule.of("TOPIC", "", "LITERAL", List.of("PUB"), "ALLOW", List.of()));
        assertField("resourceName", () -> AclRule.of("TOPIC", null, "PREFIX", List.of("PUB"), "ALLOW", List.of()));
        assertField("resourceName", () -> AclRule.of("TOPIC", "a%b", "LITERAL", List.of("PUB"), "ALLOW", List.of()));
        assertField("resourceName", () -> AclRule.of("TOPIC", "rmq-x%", "PREFIX", List.of("PUB"), "ALLOW", List.of()));
        assertField("resourceName", () -> AclRule.of("TOPIC", "a*", "PREFIX", List.of("PUB"), "ALLOW", List.of()));
        assertField("resourceName", () -> AclRule.of("TOPIC", "a".repeat(128), "LITERAL", List.of("PUB"), "ALLOW", List.of()));
        assertField("pattern", () -> AclRule.of("TOPIC", "t", "REGEX", List.of("PUB"), "ALLOW", List.of()));
        assertField("actions", () -> AclRule.of("TOPIC", "t", "LITERAL", List.of(), "ALLOW", List.of()));
        assertField("actions", () -> AclRule.of("TOPIC", "t", "LITERAL", null, "ALLOW", List.of()));
        assertField("actions", () -> AclRule.of("TOPIC", "t", "LITERAL", List.of("PUB", "ALL"), "ALLOW", List.of()));
        assertField("decision", () -> AclRule.of("TOPIC", "t", "LITERAL", List.of("PUB"), "MAYBE", List.of()));
        assertField("sourceCidrs", () -> AclRule.of("TOPIC", "t", "LITERAL", List.of("PUB"), "ALLOW",
                List.of("10.0.0.0/8", "vpn.example.com")));
    }

    private static void assertField(String field, Runnable build) {
        InvalidAclRuleException e = assertThrows(InvalidAclRuleException.class, build::run);
        assertInstanceOf(IllegalArgumentException.class, e);
        assertEquals(field, e.field());
        assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
    }

    @Test
    void aRuleNamesItsBadSourceText() {
        InvalidAclRuleException e = assertThrows(InvalidAclRuleException.class, () -> AclRule.of("TOPIC", "t",
                "LITERAL", List.of("PUB"), "ALLOW", List.of("vpn.example.com")));
        assertTrue(e.getMessage().contains("'vpn.example.com'"), e.getMessage());
    }

    @Test
    void ruleListsAreImmutableCopies() {
        java.util.ArrayList<AclRule> rules = new java.util.ArrayList<>(
                List.of(rule("TOPIC", "t", "LITERAL", List.of("PUB"), "ALLOW")));
        AccountPermissions p = AccountPermissions.of(AccountType.NORMAL, rules);
        rules.clear();
        assertTrue(p.allows(TOPIC, "t", PUB, OFFICE));
        assertThrows(UnsupportedOperationException.class, () -> p.rules().clear());
    }
}
