package io.gantry.controlplane.api;

import io.gantry.api.ErrorCode;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.isolation.quota.Edition;
import io.gantry.isolation.quota.QuotaCheck;
import io.gantry.isolation.throttle.ThroughputLimits;
import java.util.List;

/**
 * The limits an instance is admitted against, and the quota list its view shows. Every refusal is
 * QUOTA_EXCEEDED with a message naming the quota, its limit and the current use, so a tenant can
 * tell which purchase or clean-up would let the change through.
 */
public final class InstanceQuotas {
    /** Entries of an instance's IP allowlist; the same for every edition (a gateway checks each per connection). */
    public static final int MAX_IP_ALLOWLIST_ENTRIES = 50;
    /** ACL rules per account; the same for every edition (the gateway evaluates them per RPC). */
    public static final int MAX_ACL_RULES_PER_ACCOUNT = 100;

    private InstanceQuotas() {
    }

    /** One more resource of a counted kind (topics, consumerGroups, accounts, aclRulesPerAccount). */
    public static void admitOneMore(String instanceId, String quota, int limit, long used) {
        admit("instance '" + instanceId + "'", quota, limit, used);
    }

    /** One more resource of a tenant-wide counted kind (instances). */
    public static void admitTenant(String tenant, String quota, int limit, long used) {
        admit("tenant '" + tenant + "'", quota, limit, used);
    }

    private static void admit(String subject, String quota, int limit, long used) {
        QuotaCheck.admitOneMore(quota, limit, used).ifPresent(q -> {
            throw new ApiException(ErrorCode.QUOTA_EXCEEDED, subject + ": " + q.message());
        });
    }

    /**
     * A setting that must not exceed a limit: {@code requested} against {@code limit}; {@code used} is
     * the current setting, null where there is none yet (a new instance) or none applies;
     * {@code instanceId} is null for an instance being created.
     */
    public static int admitValue(String instanceId, String quota, String field, int limit, Long used, int requested) {
        if (requested > limit) {
            String subject = instanceId == null ? "new instance" : "instance '" + instanceId + "'";
            throw new ApiException(ErrorCode.QUOTA_EXCEEDED, subject + ": quota '" + quota
                    + "' would be exceeded: limit " + limit + (used == null ? "" : ", in use " + used)
                    + ", asked for " + requested, field);
        }
        return requested;
    }

    public static int largestSpec(Edition edition) {
        return edition.tpsSpecs().stream().mapToInt(Edition.TpsSpec::tps).max().orElseThrow();
    }

    /**
     * What the view lists. For counted kinds {@code used} is the count; for retentionHours and tpsSpec it
     * is what the instance is set to (the limit being the edition's maximum). sendTps and receiveTps are
     * the instance's bought limits, which topic and group caps must stay within; they and
     * maxMessageSizeKiB have no {@code used}.
     */
    static List<Dtos.Quota> of(InstanceEntity i, Edition edition, InstanceFacts facts) {
        ThroughputLimits bought = ThroughputLimits.forSpec(i.tpsSpec);
        return List.of(
                new Dtos.Quota("topics", edition.maxTopics(), facts.topics()),
                new Dtos.Quota("consumerGroups", edition.maxConsumerGroups(), facts.consumerGroups()),
                new Dtos.Quota("accounts", edition.maxAccounts(), facts.accounts()),
                new Dtos.Quota("ipAllowlistEntries", MAX_IP_ALLOWLIST_ENTRIES, (long) i.ipAllowlist.size()),
                new Dtos.Quota("retentionHours", edition.maxRetentionHours(), (long) i.retentionHours),
                new Dtos.Quota("maxMessageSizeKiB", edition.maxMessageSizeKiB(), null),
                new Dtos.Quota("tpsSpec", largestSpec(edition), (long) i.tpsSpec),
                new Dtos.Quota("sendTps", bought.sendTps(), null),
                new Dtos.Quota("receiveTps", bought.receiveTps(), null));
    }
}
