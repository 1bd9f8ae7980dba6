package io.gantry.dataplane.support;

import io.gantry.api.config.v1.Account;
import io.gantry.api.config.v1.Cluster;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.api.config.v1.ConsumerGroup;
import io.gantry.api.config.v1.Instance;
import io.gantry.api.config.v1.InstanceStatus;
import io.gantry.api.config.v1.MessageType;
import io.gantry.api.config.v1.Topic;

/** Builds config snapshots for tests. */
public final class Snapshots {
    private Snapshots() {
    }

    public static Cluster cluster(String id, String proxyEndpoint, String ak, String sk) {
        return Cluster.newBuilder().setClusterId(id).setRegionId("local").setProxyEndpoint(proxyEndpoint)
                .setAccessKey(ak).setSecretKey(sk).build();
    }

    public static Account account(String username, String ak, String sk, boolean enabled) {
        return Account.newBuilder().setUsername(username).setAccessKey(ak).setSecretKey(sk).setEnabled(enabled)
                .setType(io.gantry.api.config.v1.AccountType.ACCOUNT_TYPE_ADMIN).build();
    }

    public static Instance.Builder instance(String id, String clusterId) {
        return Instance.newBuilder().setInstanceId(id).setTenantId("tenant-" + id).setNamespace(id).setClusterId(clusterId)
                .setStatus(InstanceStatus.INSTANCE_STATUS_RUNNING).setEdition("standard").setTpsSpec(1000)
                .setMaxMessageSizeKib(4096);
    }

    public static Topic topic(String name) {
        return Topic.newBuilder().setName(name).setMessageType(MessageType.MESSAGE_TYPE_NORMAL).build();
    }

    public static ConsumerGroup group(String name) {
        return ConsumerGroup.newBuilder().setName(name).setMaxRetryTimes(16).build();
    }

    /** A fixed key: integration tests then ack through the gateway with sealed handles. */
    public static final com.google.protobuf.ByteString RECEIPT_HANDLE_KEY =
            com.google.protobuf.ByteString.copyFromUtf8("0123456789abcdef0123456789abcdef");

    public static ConfigSnapshot snapshot(long version, Cluster cluster, Instance... instances) {
        ConfigSnapshot.Builder b = ConfigSnapshot.newBuilder().setVersion(version)
                .setProducedAtMillis(System.currentTimeMillis()).addClusters(cluster)
                .setReceiptHandleKey(RECEIPT_HANDLE_KEY);
        for (Instance i : instances) {
            b.addInstances(i);
        }
        return b.build();
    }
}
