package io.gantry.controlplane.provisioning;

import java.util.List;
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

    /**
     * The topics a group has committed offsets on, by their broker names (its retry topics among them);
     * empty for a group that has consumed nothing yet.
     */
    Set<String> consumedTopics(ClusterTarget cluster, String brokerGroupName) throws ClusterUnavailableException;

    /**
     * Sets the group's offset in every queue of the topic, on every broker, with the brokers' server-side
     * reset (consumers pick it up at their next poll, online or not): to the first message stored at or
     * after {@code timestampMillis}, to the oldest kept for 0, to the queue's end for -1. Answers where each
     * queue now starts. Repeating it sets the same offsets.
     */
    List<QueueOffset> resetOffsets(ClusterTarget cluster, String brokerTopicName, String brokerGroupName,
                                   long timestampMillis) throws ClusterUnavailableException;

    /** A queue's new offset as a broker reported it. */
    record QueueOffset(String brokerTopicName, String brokerName, int queueId, long offset) {
    }
}
