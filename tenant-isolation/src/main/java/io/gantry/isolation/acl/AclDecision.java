package io.gantry.isolation.acl;

/** The effect of a matching rule; a matching DENY wins over any ALLOW. */
public enum AclDecision {
    ALLOW, DENY
}
