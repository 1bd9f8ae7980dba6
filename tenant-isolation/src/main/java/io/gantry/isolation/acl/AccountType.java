package io.gantry.isolation.acl;

/** An ADMIN account may do anything in its instance; a NORMAL account only what its rules allow. */
public enum AccountType {
    ADMIN, NORMAL
}
