package io.gantry.isolation.acl;

/** How an ACL rule's resource name is compared: equal, or a prefix of the name (the empty prefix matches every name). */
public enum AclPattern {
    LITERAL, PREFIX
}
