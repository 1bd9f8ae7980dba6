/**
 * Who may do what from where inside one instance: IP allowlists ({@link io.gantry.isolation.acl.Cidr},
 * {@link io.gantry.isolation.acl.IpAllowlist}) and account ACLs ({@link io.gantry.isolation.acl.AclRule}
 * compiled into {@link io.gantry.isolation.acl.AccountPermissions}).
 *
 * <p>Everything here works on the tenant's own resource names, before the namespace is applied, and
 * assumes those names were validated by {@code naming.ResourceNames}. Parsed values are immutable
 * and safe to share between threads. Checks never touch DNS and allocate nothing but the JDK's copy
 * of an address's bytes, which the JIT elides in practice (0 bytes per {@code allows} measured).
 */
package io.gantry.isolation.acl;
