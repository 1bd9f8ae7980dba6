package io.gantry.dataplane.config;

import io.gantry.isolation.acl.AccountPermissions;
import io.gantry.isolation.acl.AccountType;
import io.gantry.isolation.acl.AclRule;
import io.gantry.isolation.acl.IpAllowlist;
import io.gantry.isolation.throttle.MessageWeights;
import io.gantry.api.config.v1.Account;
import io.gantry.api.config.v1.Cluster;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.api.config.v1.Instance;
import io.gantry.api.config.v1.InstanceStatus;
import io.gantry.dataplane.mapping.TenantNames;
import io.gantry.isolation.naming.Namespaces;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable, indexed view of one {@link ConfigSnapshot}: access key to account and instance, instance
 * to cluster and namespace, cluster to its proxy. Built once per snapshot, then read without locks by
 * every call; a newer snapshot replaces the whole view ({@link ConfigStore}).
 *
 * <p>Entries that could break isolation are left out and listed in {@link #problems()}: an instance
 * without a usable namespace or with an unknown cluster, an access key held by two accounts.
 */
public final class ConfigView {
    /** Before the first snapshot: nothing is known, every call is refused as "not ready". */
    public static final ConfigView EMPTY = new ConfigView(-1, 0, Map.of(), Map.of(), Map.of(), List.of(),
            io.gantry.dataplane.mapping.ReceiptHandleSeal.NONE);

    private final long version;
    private final long producedAtMillis;
    private final Map<String, AccountEntry> accountsByAccessKey;
    private final Map<String, InstanceEntry> instancesById;
    private final Map<String, Cluster> clustersById;
    private final List<String> problems;
    private final io.gantry.dataplane.mapping.ReceiptHandleSeal receiptHandles;

    private ConfigView(long version, long producedAtMillis, Map<String, AccountEntry> accounts,
            Map<String, InstanceEntry> instances, Map<String, Cluster> clusters, List<String> problems,
            io.gantry.dataplane.mapping.ReceiptHandleSeal receiptHandles) {
        this.receiptHandles = receiptHandles;
        this.version = version;
        this.producedAtMillis = producedAtMillis;
        this.accountsByAccessKey = accounts;
        this.instancesById = instances;
        this.clustersById = clusters;
        this.problems = problems;
    }

    /** One account of an instance, as the authentication stage needs it. */
    public record AccountEntry(String accessKey, String secretKey, String username, boolean enabled, InstanceEntry instance,
            AccountPermissions permissions) {
        @Override
        public String toString() {
            return "AccountEntry[" + username + "/" + accessKey + " of " + instance.id() + "]";
        }
    }

    /** An instance placed on a cluster: its namespace (with the names' caches) and where it lives. */
    public record InstanceEntry(String id, String tenantId, String namespace, String clusterId, InstanceStatus status,
            TenantNames names, String clientIdPrefix, Set<String> topics, Set<String> groups,
            IpAllowlist allowlist, Map<String, Integer> topicWeights, int maxMessageBytes, Instance limits) {

        /** The weight of a message sent to this topic (its message type's weight; 1 when unknown). */
        public int weight(String topic) {
            Integer w = topicWeights.get(topic);
            return w == null ? 1 : w;
        }
    }

    public static ConfigView of(ConfigSnapshot snapshot) {
        List<String> problems = new ArrayList<>();
        Map<String, Cluster> clusters = new HashMap<>();
        for (Cluster c : snapshot.getClustersList()) {
            if (c.getClusterId().isEmpty() || c.getProxyEndpoint().isEmpty()) {
                problems.add("cluster '" + c.getClusterId() + "' without id or proxy endpoint: ignored");
                continue;
            }
            if (clusters.putIfAbsent(c.getClusterId(), c) != null) {
                problems.add("cluster '" + c.getClusterId() + "' listed twice: first kept");
            }
        }
        Map<String, InstanceEntry> instances = new HashMap<>();
        Map<String, AccountEntry> accounts = new HashMap<>();
        Set<String> ambiguousKeys = new HashSet<>();
        Set<String> usedNamespaces = new HashSet<>();
        for (Instance i : snapshot.getInstancesList()) {
            String ns = i.getNamespace();
            if (i.getInstanceId().isEmpty() || ns.isEmpty() || ns.indexOf(Namespaces.SEPARATOR) >= 0) {
                problems.add("instance '" + i.getInstanceId() + "' without a usable namespace ('" + ns + "'): ignored");
                continue;
            }
            if (!clusters.containsKey(i.getClusterId())) {
                problems.add("instance '" + i.getInstanceId() + "' placed on unknown cluster '" + i.getClusterId() + "': ignored");
                continue;
            }
            if (instances.containsKey(i.getInstanceId()) || !usedNamespaces.add(i.getClusterId() + "/" + ns)) {
                problems.add("instance '" + i.getInstanceId() + "' duplicates an instance id or a namespace on its cluster: ignored");
                continue;
            }
            Set<String> topics = new HashSet<>();
            i.getTopicsList().forEach(t -> topics.add(t.getName()));
            Set<String> groups = new HashSet<>();
            i.getConsumerGroupsList().forEach(g -> groups.add(g.getName()));
            IpAllowlist allowlist;
            try {
                allowlist = IpAllowlist.of(i.getIpAllowlistList());
            } catch (IllegalArgumentException e) {
                // refuse everyone rather than let everyone in: the control plane validates, so this is a bug
                problems.add("instance '" + i.getInstanceId() + "' has an unreadable IP allowlist (" + e.getMessage()
                        + "): all its calls are refused");
                allowlist = IpAllowlist.of(List.of("255.255.255.255/32"));
            }
            Map<String, Integer> weights = new HashMap<>();
            for (io.gantry.api.config.v1.Topic t : i.getTopicsList()) {
                String type = t.getMessageType().name().substring("MESSAGE_TYPE_".length());
                weights.put(t.getName(), MessageWeights.weight(i.getThroughput().getMessageTypeWeightsMap(), type));
            }
            int maxBytes = i.getMaxMessageSizeKib() > 0 ? i.getMaxMessageSizeKib() * 1024 : DEFAULT_MAX_MESSAGE_BYTES;
            InstanceEntry entry = new InstanceEntry(i.getInstanceId(), i.getTenantId(), ns, i.getClusterId(), i.getStatus(),
                    new TenantNames(ns), i.getInstanceId() + "!", Set.copyOf(topics), Set.copyOf(groups), allowlist,
                    Map.copyOf(weights), maxBytes, limitsOnly(i));
            instances.put(entry.id(), entry);
            for (Account a : i.getAccountsList()) {
                String key = a.getAccessKey();
                if (key.isEmpty() || a.getSecretKey().isEmpty()) {
                    problems.add("account '" + a.getUsername() + "' of " + entry.id() + " without key or secret: ignored");
                    continue;
                }
                if (ambiguousKeys.contains(key) || accounts.containsKey(key)) {
                    ambiguousKeys.add(key);
                    accounts.remove(key);
                    problems.add("access key '" + key + "' held by more than one account: refused for all of them");
                    continue;
                }
                AccountPermissions permissions;
                try {
                    permissions = permissions(a);
                } catch (IllegalArgumentException e) {
                    problems.add("account '" + a.getUsername() + "' of " + entry.id() + " has an unreadable ACL rule ("
                            + e.getMessage() + "): it may do nothing");
                    permissions = AccountPermissions.of(AccountType.NORMAL, List.of());
                }
                accounts.put(key, new AccountEntry(key, a.getSecretKey(), a.getUsername(), a.getEnabled(), entry, permissions));
            }
        }
        return new ConfigView(snapshot.getVersion(), snapshot.getProducedAtMillis(), Map.copyOf(accounts),
                Map.copyOf(instances), Map.copyOf(clusters), List.copyOf(problems),
                io.gantry.dataplane.mapping.ReceiptHandleSeal.of(snapshot.getReceiptHandleKey().toByteArray()));
    }

    /** 4 MiB: RocketMQ's own default, for snapshots that do not say. */
    static final int DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    /** The instance's limits without its lists (topics and groups keep only their names and caps). */
    private static Instance limitsOnly(Instance i) {
        Instance.Builder b = Instance.newBuilder().setInstanceId(i.getInstanceId()).setTpsSpec(i.getTpsSpec())
                .setThroughput(i.getThroughput()).setEdition(i.getEdition()).setClientLimits(i.getClientLimits());
        for (io.gantry.api.config.v1.Topic t : i.getTopicsList()) {
            if (t.getMaxSendTps() > 0) {
                b.addTopics(io.gantry.api.config.v1.Topic.newBuilder().setName(t.getName()).setMaxSendTps(t.getMaxSendTps()));
            }
        }
        for (io.gantry.api.config.v1.ConsumerGroup g : i.getConsumerGroupsList()) {
            if (g.getMaxReceiveTps() > 0) {
                b.addConsumerGroups(io.gantry.api.config.v1.ConsumerGroup.newBuilder().setName(g.getName())
                        .setMaxReceiveTps(g.getMaxReceiveTps()));
            }
        }
        return b.build();
    }

    /**
     * Only a type that says ADMIN is ADMIN. An unspecified or unknown type (a newer control plane's, a
     * damaged snapshot) is a NORMAL account: its rules apply and nothing else, so a mistake closes
     * access instead of opening the whole instance.
     */
    private static AccountPermissions permissions(Account a) {
        if (a.getType() == io.gantry.api.config.v1.AccountType.ACCOUNT_TYPE_ADMIN) {
            return AccountPermissions.ADMIN;
        }
        List<AclRule> rules = new ArrayList<>();
        for (io.gantry.api.config.v1.AclRule r : a.getAclRulesList()) {
            List<String> actions = new ArrayList<>();
            r.getActionsList().forEach(x -> actions.add(x.name().substring("ACL_ACTION_".length())));
            rules.add(AclRule.of(r.getResourceType().name().substring("ACL_RESOURCE_TYPE_".length()), r.getResourceName(),
                    r.getPattern().name().substring("ACL_PATTERN_".length()), actions,
                    r.getDecision().name().substring("ACL_DECISION_".length()), r.getSourceCidrsList()));
        }
        return AccountPermissions.of(AccountType.NORMAL, rules);
    }

    /** False until the first snapshot arrived. */
    public boolean loaded() {
        return version >= 0;
    }

    public long version() {
        return version;
    }

    public long producedAtMillis() {
        return producedAtMillis;
    }

    /** The account holding this access key; null when unknown (or held by several accounts). */
    public AccountEntry account(String accessKey) {
        return accountsByAccessKey.get(accessKey);
    }

    public InstanceEntry instance(String instanceId) {
        return instancesById.get(instanceId);
    }

    public Cluster cluster(String clusterId) {
        return clustersById.get(clusterId);
    }

    public Collection<Cluster> clusters() {
        return clustersById.values();
    }

    public Collection<InstanceEntry> instances() {
        return instancesById.values();
    }

    public int accountCount() {
        return accountsByAccessKey.size();
    }

    /** Seals receipt handles to instances; the same key on every replica, from the snapshot. */
    public io.gantry.dataplane.mapping.ReceiptHandleSeal receiptHandles() {
        return receiptHandles;
    }

    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }
}
