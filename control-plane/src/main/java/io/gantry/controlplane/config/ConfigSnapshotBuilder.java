package io.gantry.controlplane.config;

import io.gantry.api.config.v1.Account;
import io.gantry.api.config.v1.AccountType;
import io.gantry.api.config.v1.AclAction;
import io.gantry.api.config.v1.AclDecision;
import io.gantry.api.config.v1.AclPattern;
import io.gantry.api.config.v1.AclResourceType;
import io.gantry.api.config.v1.AclRule;
import io.gantry.api.config.v1.Cluster;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.api.config.v1.ConsumerGroup;
import io.gantry.api.config.v1.Instance;
import io.gantry.api.config.v1.InstanceStatus;
import io.gantry.api.config.v1.MessageType;
import io.gantry.api.config.v1.TemporaryThrottle;
import io.gantry.api.config.v1.Throughput;
import io.gantry.api.config.v1.Topic;
import io.gantry.controlplane.model.AccountEntity;
import io.gantry.controlplane.model.AclRuleEntity;
import io.gantry.controlplane.model.ClusterEntity;
import io.gantry.controlplane.model.ConsumerGroupEntity;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.InstanceThrottleEntity;
import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.controlplane.model.Status;
import io.gantry.controlplane.model.TopicEntity;
import io.gantry.controlplane.secrets.SecretCipher;
import io.gantry.isolation.quota.Editions;
import io.gantry.isolation.throttle.MessageWeights;
import io.gantry.isolation.throttle.ThroughputLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Builds the gateways' view of desired state from the database: placed instances with what they hold. */
@ApplicationScoped
public class ConfigSnapshotBuilder {
    @Inject
    SecretCipher cipher;

    /** Call inside a transaction; {@code version} is the config_state version read in the same one. */
    public ConfigSnapshot build(long version) {
        ConfigSnapshot.Builder snapshot = ConfigSnapshot.newBuilder()
                .setVersion(version)
                .setProducedAtMillis(System.currentTimeMillis())
                .setReceiptHandleKey(com.google.protobuf.ByteString.copyFrom(cipher.derivedKey("gantry/receipt-handle/v1")));
        for (ClusterEntity c : ClusterEntity.<ClusterEntity>listAll()) {
            snapshot.addClusters(Cluster.newBuilder().setClusterId(c.clusterId).setRegionId(c.regionId)
                    .setProxyEndpoint(c.proxyEndpoint).setNameServerAddress(c.nameServerAddress).setAccessKey(c.adminAccessKey)
                    .setSecretKey(cipher.decrypt(c.adminSecretEnc)));
        }
        Map<String, List<TopicEntity>> topics = TopicEntity.<TopicEntity>listAll().stream()
                .filter(t -> t.status != Status.DELETING)
                .collect(Collectors.groupingBy(t -> t.instanceId));
        Map<String, List<ConsumerGroupEntity>> groups = ConsumerGroupEntity.<ConsumerGroupEntity>listAll().stream()
                .filter(g -> g.status != Status.DELETING)
                .collect(Collectors.groupingBy(g -> g.instanceId));
        Map<String, List<AccountEntity>> accounts = AccountEntity.<AccountEntity>listAll().stream()
                .collect(Collectors.groupingBy(a -> a.instanceId));
        Map<String, InstanceEntity> instances = InstanceEntity.<InstanceEntity>listAll().stream()
                .collect(Collectors.toMap(i -> i.instanceId, i -> i));
        Map<String, List<AclRuleEntity>> aclRules = AclRuleEntity.<AclRuleEntity>list("order by ruleId").stream()
                .collect(Collectors.groupingBy(r -> r.instanceId + "/" + r.username));
        // Expired throttles are left out; gateways also compare expires_at, since no change marks an expiry.
        Instant now = Instant.now();
        Map<String, InstanceThrottleEntity> throttles = InstanceThrottleEntity.<InstanceThrottleEntity>listAll().stream()
                .filter(t -> t.activeAt(now))
                .collect(Collectors.toMap(t -> t.instanceId, t -> t));
        for (NamespaceEntity ns : NamespaceEntity.<NamespaceEntity>listAll()) {
            InstanceEntity i = instances.get(ns.instanceId);
            if (i == null) {
                continue;
            }
            Instance.Builder b = Instance.newBuilder().setInstanceId(i.instanceId).setTenantId(i.tenantId)
                    .setNamespace(ns.namespace).setClusterId(ns.clusterId).setStatus(status(i.status))
                    .setEdition(i.edition).setTpsSpec(i.tpsSpec)
                    .setMaxMessageSizeKib(Editions.byCode(i.edition).map(e -> e.maxMessageSizeKiB()).orElse(4096))
                    .setThroughput(throughput(i, throttles.get(i.instanceId)))
                    .setClientLimits(clientLimits(i.edition))
                    .addAllIpAllowlist(i.ipAllowlist);
            for (TopicEntity t : topics.getOrDefault(i.instanceId, List.of())) {
                b.addTopics(Topic.newBuilder().setName(t.name).setMessageType(MessageType.valueOf("MESSAGE_TYPE_" + t.messageType.name()))
                        .setMaxSendTps(t.maxSendTps == null ? 0 : t.maxSendTps));
            }
            for (ConsumerGroupEntity g : groups.getOrDefault(i.instanceId, List.of())) {
                b.addConsumerGroups(ConsumerGroup.newBuilder().setName(g.name)
                        .setOrderly(g.deliveryOrder == ConsumerGroupEntity.DeliveryOrder.ORDERLY)
                        .setMaxRetryTimes(g.maxRetries)
                        .setMaxReceiveTps(g.maxReceiveTps == null ? 0 : g.maxReceiveTps));
            }
            // Accounts of an instance being deleted are already gone; their credentials stop at once.
            for (AccountEntity a : accounts.getOrDefault(i.instanceId, List.of())) {
                Account.Builder account = Account.newBuilder().setUsername(a.username).setAccessKey(a.accessKey)
                        .setSecretKey(cipher.decrypt(a.secretEnc)).setEnabled(a.enabled)
                        .setType(AccountType.valueOf("ACCOUNT_TYPE_" + a.accountType.name()));
                for (AclRuleEntity r : aclRules.getOrDefault(a.instanceId + "/" + a.username, List.of())) {
                    account.addAclRules(aclRule(r));
                }
                b.addAccounts(account);
            }
            snapshot.addInstances(b);
        }
        return snapshot.build();
    }

    /** An edition retired from the price book: the gateway falls back to its own defaults (field absent). */
    private static io.gantry.api.config.v1.ClientLimits clientLimits(String edition) {
        return Editions.byCode(edition).map(e -> io.gantry.api.config.v1.ClientLimits.newBuilder()
                        .setTelemetryStreams(e.clientLimits().telemetryStreams()).setReceives(e.clientLimits().receives())
                        .setClientIds(e.clientLimits().clientIds()).build())
                .orElse(io.gantry.api.config.v1.ClientLimits.getDefaultInstance());
    }

    private static Throughput throughput(InstanceEntity i, InstanceThrottleEntity throttle) {
        ThroughputLimits limits = ThroughputLimits.forSpec(i.tpsSpec);
        Throughput.Builder t = Throughput.newBuilder().setSendTps(limits.sendTps()).setReceiveTps(limits.receiveTps())
                .putAllMessageTypeWeights(MessageWeights.DEFAULT)
                .setBurstSeconds(ThroughputLimits.DEFAULT_BURST_SECONDS);
        if (throttle != null) {
            t.setTemporaryThrottle(TemporaryThrottle.newBuilder().setSendTps(throttle.sendTps)
                    .setReceiveTps(throttle.receiveTps).setExpiresAtMillis(throttle.expiresAt.toEpochMilli())
                    .setReason(throttle.reason));
        }
        return t.build();
    }

    /** Stored values are the names of tenant-isolation's enums, which the proto enums repeat with a prefix. */
    private static AclRule aclRule(AclRuleEntity r) {
        AclRule.Builder rule = AclRule.newBuilder()
                .setResourceType(AclResourceType.valueOf("ACL_RESOURCE_TYPE_" + r.resourceType))
                .setResourceName(r.resourceName)
                .setPattern(AclPattern.valueOf("ACL_PATTERN_" + r.pattern))
                .setDecision(AclDecision.valueOf("ACL_DECISION_" + r.decision))
                .addAllSourceCidrs(r.sourceCidrs);
        for (String action : r.actions) {
            rule.addActions(AclAction.valueOf("ACL_ACTION_" + action));
        }
        return rule.build();
    }

    private static InstanceStatus status(Status s) {
        return switch (s) {
            case CREATING -> InstanceStatus.INSTANCE_STATUS_CREATING;
            case RUNNING -> InstanceStatus.INSTANCE_STATUS_RUNNING;
            case UPDATING -> InstanceStatus.INSTANCE_STATUS_UPDATING;
            case DELETING -> InstanceStatus.INSTANCE_STATUS_DELETING;
            case FAILED -> InstanceStatus.INSTANCE_STATUS_UNSPECIFIED;
        };
    }
}
