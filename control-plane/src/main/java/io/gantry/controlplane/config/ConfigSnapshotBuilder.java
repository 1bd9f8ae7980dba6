package io.gantry.controlplane.config;

import io.gantry.api.config.v1.Account;
import io.gantry.api.config.v1.Cluster;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.api.config.v1.ConsumerGroup;
import io.gantry.api.config.v1.Instance;
import io.gantry.api.config.v1.InstanceStatus;
import io.gantry.api.config.v1.MessageType;
import io.gantry.api.config.v1.Topic;
import io.gantry.controlplane.model.AccountEntity;
import io.gantry.controlplane.model.ClusterEntity;
import io.gantry.controlplane.model.ConsumerGroupEntity;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.controlplane.model.Status;
import io.gantry.controlplane.model.TopicEntity;
import io.gantry.controlplane.secrets.SecretCipher;
import io.gantry.isolation.quota.Editions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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
        for (NamespaceEntity ns : NamespaceEntity.<NamespaceEntity>listAll()) {
            InstanceEntity i = instances.get(ns.instanceId);
            if (i == null) {
                continue;
            }
            Instance.Builder b = Instance.newBuilder().setInstanceId(i.instanceId).setTenantId(i.tenantId)
                    .setNamespace(ns.namespace).setClusterId(ns.clusterId).setStatus(status(i.status))
                    .setEdition(i.edition).setTpsSpec(i.tpsSpec)
                    .setMaxMessageSizeKib(Editions.byCode(i.edition).map(e -> e.maxMessageSizeKiB()).orElse(4096));
            for (TopicEntity t : topics.getOrDefault(i.instanceId, List.of())) {
                b.addTopics(Topic.newBuilder().setName(t.name).setMessageType(MessageType.valueOf("MESSAGE_TYPE_" + t.messageType.name())));
            }
            for (ConsumerGroupEntity g : groups.getOrDefault(i.instanceId, List.of())) {
                b.addConsumerGroups(ConsumerGroup.newBuilder().setName(g.name)
                        .setOrderly(g.deliveryOrder == ConsumerGroupEntity.DeliveryOrder.ORDERLY)
                        .setMaxRetryTimes(g.maxRetries));
            }
            // Accounts of an instance being deleted are already gone; their credentials stop at once.
            for (AccountEntity a : accounts.getOrDefault(i.instanceId, List.of())) {
                b.addAccounts(Account.newBuilder().setUsername(a.username).setAccessKey(a.accessKey)
                        .setSecretKey(cipher.decrypt(a.secretEnc)).setEnabled(a.enabled));
            }
            snapshot.addInstances(b);
        }
        return snapshot.build();
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
