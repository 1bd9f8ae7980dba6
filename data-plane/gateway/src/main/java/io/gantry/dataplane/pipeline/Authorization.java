package io.gantry.dataplane.pipeline;

import apache.rocketmq.v2.Code;
import io.gantry.dataplane.config.ConfigView.AccountEntry;
import io.gantry.dataplane.config.ConfigView.InstanceEntry;
import io.gantry.isolation.acl.AccountPermissions;
import io.gantry.isolation.acl.AclAction;
import io.gantry.isolation.acl.AclResourceType;
import java.net.InetAddress;

/**
 * Stage 3: may this account make this call? Per call, the instance's IP allowlist ({@link #check});
 * per request, the account's ACL on each topic and group the request names ({@link #require}, called
 * by each RPC's admission in {@link io.gantry.dataplane.relay.Rpcs}). Names are the tenant's own:
 * nothing outside the instance is reachable anyway, since every name is mapped into its namespace.
 * Refuses with {@code FORBIDDEN}.
 */
public final class Authorization {
    public void check(AccountEntry account, InstanceEntry instance, InetAddress remote) {
        if (!instance.allowlist().isEmpty() && (remote == null || !instance.allowlist().allows(remote))) {
            throw new Refusal(Code.FORBIDDEN, "client address " + (remote == null ? "(unknown)" : remote.getHostAddress())
                    + " is not in the IP allowlist of instance " + instance.id());
        }
    }

    /** The account may take {@code action} on the named topic or group, from the call's address. */
    public static void require(CallContext context, AclResourceType type, String name, AclAction action) {
        AccountPermissions permissions = context.account().permissions();
        if (permissions == AccountPermissions.ADMIN || permissions.allows(type, name, action, context.remote())) {
            return;
        }
        throw new Refusal(Code.FORBIDDEN, "account '" + context.account().username() + "' may not "
                + action.name() + " " + type.name().toLowerCase(java.util.Locale.ROOT) + " '" + name + "' of instance "
                + context.instance().id());
    }

    /** Either action suffices (a route lookup serves producers and consumers alike). */
    public static void requireAny(CallContext context, AclResourceType type, String name, AclAction a, AclAction b) {
        AccountPermissions permissions = context.account().permissions();
        if (permissions == AccountPermissions.ADMIN || permissions.allows(type, name, a, context.remote())
                || permissions.allows(type, name, b, context.remote())) {
            return;
        }
        throw new Refusal(Code.FORBIDDEN, "account '" + context.account().username() + "' may neither " + a.name()
                + " nor " + b.name() + " " + type.name().toLowerCase(java.util.Locale.ROOT) + " '" + name + "' of instance "
                + context.instance().id());
    }
}
