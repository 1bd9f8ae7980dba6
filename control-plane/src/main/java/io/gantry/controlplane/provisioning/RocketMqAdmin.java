package io.gantry.controlplane.provisioning;

import java.util.Optional;
import java.util.Set;

/**
 * The admin operations the provisioner applies to a physical cluster. Every write is an upsert
 * or an idempotent delete, applied to every master broker of the cluster, so a step can be
 * repeated after a crash without harm.
 */
public interface RocketMqAdmin {
    void ping(ClusterTarget cluster) throws ClusterUnavailableException;

    /**
     * Makes every master broker hold the topic as given, writing only to brokers where it differs:
     * CREATED when no broker had it, NOOP when all held it as given, PATCHED otherwise.
     */
    Outcome upsertTopic(ClusterTarget cluster, BrokerTopic topic) throws ClusterUnavailableException;

    void deleteTopic(ClusterTarget cluster, String brokerTopicName) throws ClusterUnavailableException;

    /** As {@link #upsertTopic} for a subscription group. */
    Outcome upsertGroup(ClusterTarget cluster, BrokerGroup group) throws ClusterUnavailableException;

    void deleteGroup(ClusterTarget cluster, String brokerGroupName) throws ClusterUnavailableException;

    Optional<BrokerTopic> describeTopic(ClusterTarget cluster, String brokerTopicName) throws ClusterUnavailableException;

    Optional<BrokerGroup> describeGroup(ClusterTarget cluster, String brokerGroupName) throws ClusterUnavailableException;

    /** Every topic name the cluster's brokers hold. */
    Set<String> topicNames(ClusterTarget cluster) throws ClusterUnavailableException;

    /** Every subscription group name the cluster's brokers hold. */
    Set<String> groupNames(ClusterTarget cluster) throws ClusterUnavailableException;

    /**
     * Creates a topic Gantry itself uses (outside every tenant namespace, see {@link SystemTopics}) on
     * each master broker that lacks it; a broker that has it keeps it as it is.
     */
    void ensureSystemTopic(ClusterTarget cluster, BrokerTopic topic) throws ClusterUnavailableException;

    /**
     * The message stored under {@code brokerTopicName} with this message id (RocketMQ's unique key, the
     * id the SDK shows), looked up in the brokers' index from {@code notBeforeMillis} on; empty when no
     * broker holds it (any more).
     */
    Optional<BrokerMessage> findMessage(ClusterTarget cluster, String brokerTopicName, String messageId,
                                        long notBeforeMillis) throws ClusterUnavailableException;
}
