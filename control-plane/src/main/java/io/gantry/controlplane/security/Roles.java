package io.gantry.controlplane.security;

/** Role names as they appear in the token's realm roles. */
public final class Roles {
    public static final String TENANT_ADMIN = "tenant-admin";
    public static final String TENANT_VIEWER = "tenant-viewer";
    public static final String PLATFORM_OPERATOR = "platform-operator";

    private Roles() {
    }
}
