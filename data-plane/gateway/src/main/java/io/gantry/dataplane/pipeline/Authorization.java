package io.gantry.dataplane.pipeline;

import io.gantry.dataplane.config.ConfigView.AccountEntry;
import io.gantry.dataplane.config.ConfigView.InstanceEntry;

/**
 * Stage 3: may this account make this call? For now an account may use everything of its own instance,
 * and nothing else is reachable: every name is mapped into the instance's namespace by the next stage.
 * Finer ACLs (per topic/group, publish/subscribe) plug in here; refuse with {@code FORBIDDEN}.
 */
public final class Authorization {
    public void check(AccountEntry account, InstanceEntry instance, String rpc) {
        // own instance only: guaranteed by InstanceResolution + NameMapper
    }
}
