package io.gantry.isolation.acl;

/** What an ACL rule names. */
public enum AclResourceType {
    TOPIC, GROUP
}
