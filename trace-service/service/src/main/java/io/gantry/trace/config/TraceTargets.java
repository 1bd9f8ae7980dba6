package io.gantry.trace.config;

import io.gantry.isolation.naming.Namespaces;
import io.gantry.api.config.v1.Cluster;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.api.config.v1.ConsumerGroup;
import io.gantry.api.config.v1.Instance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the trace service reads, from a config snapshot: per cluster, its access and its DLQ topics. */
public final class TraceTargets {
    /** A cluster's NameServers and Gantry's admin credentials on it. */
    public record ClusterAccess(String clusterId, String nameServerAddress, String accessKey, String secretKey) {
        @Override
        public String toString() {
            return "ClusterAccess[" + clusterId + " @ " + nameServerAddress + "]";
        }
    }

    /** The dead-letter topic of one consumer group of one instance: {@code %DLQ%<namespace>%<group>}. */
    public record DeadLetterTopic(String topic, String instanceId, String namespace, String group) {
    }

    private TraceTargets() {
    }

    public static Map<String, ClusterAccess> clusters(ConfigSnapshot snapshot) {
        Map<String, ClusterAccess> clusters = new LinkedHashMap<>();
        for (Cluster c : snapshot.getClustersList()) {
            if (!c.getNameServerAddress().isBlank()) {
                clusters.put(c.getClusterId(), new ClusterAccess(c.getClusterId(), c.getNameServerAddress(), c.getAccessKey(), c.getSecretKey()));
            }
        }
        return clusters;
    }

    public static List<DeadLetterTopic> deadLetterTopics(ConfigSnapshot snapshot, String clusterId) {
        List<DeadLetterTopic> topics = new ArrayList<>();
        for (Instance i : snapshot.getInstancesList()) {
            if (!i.getClusterId().equals(clusterId) || i.getNamespace().isEmpty()) {
                continue;
            }
            for (ConsumerGroup g : i.getConsumerGroupsList()) {
                topics.add(new DeadLetterTopic(dlqTopic(i.getNamespace(), g.getName()), i.getInstanceId(), i.getNamespace(), g.getName()));
            }
        }
        return topics;
    }

    /** RocketMQ's name of a namespaced group's dead-letter topic (NamespaceUtil's form). */
    public static String dlqTopic(String namespace, String group) {
        return Namespaces.deadLetterTopic(namespace, group);
    }
}
