package io.gantry.isolation.acl;

/** What a client does with a resource: publish to a topic, subscribe to a topic or consume as a group. */
public enum AclAction {
    PUB, SUB
}
