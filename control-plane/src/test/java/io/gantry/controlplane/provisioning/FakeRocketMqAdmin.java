package io.gantry.controlplane.provisioning;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A RocketMQ cluster in memory, for reconciler tests without one: holds topics and groups by their
 * namespaced names, records every call ({@code "upsertTopic rmq-x%orders"}), and fails on demand —
 * unreachable (as a broker that does not answer) or with a bug-like runtime exception.
 */
final class FakeRocketMqAdmin implements RocketMqAdmin {
    final Map<String, BrokerTopic> topics = new TreeMap<>();
    final Map<String, BrokerGroup> groups = new TreeMap<>();
    final List<String> calls = new ArrayList<>();
    private String unreachable;
    private RuntimeException failure;

    /** Every later call throws {@link ClusterUnavailableException} with this message, until {@link #heal}. */
    void unreachable(String message) {
        unreachable = message;
    }

    /** Every later call throws this, until {@link #heal}. */
    void failWith(RuntimeException e) {
        failure = e;
    }

    void heal() {
        unreachable = null;
        failure = null;
    }

    /** The calls that changed the cluster. */
    List<String> writes() {
        return calls.stream().filter(c -> c.startsWith("upsert") || c.startsWith("delete")).toList();
    }

    private void call(String call) throws ClusterUnavailableException {
        calls.add(call);
        if (failure != null) {
            throw failure;
        }
        if (unreachable != null) {
            throw new ClusterUnavailableException(unreachable, null);
        }
    }

    @Override
    public void ping(ClusterTarget cluster) throws ClusterUnavailableException {
        call("ping " + cluster.clusterId());
    }

    @Override
    public Outcome upsertTopic(ClusterTarget cluster, BrokerTopic topic) throws ClusterUnavailableException {
        call("readTopic " + topic.name());
        BrokerTopic current = topics.get(topic.name());
        if (topic.equals(current)) {
            return Outcome.NOOP;
        }
        calls.add("upsertTopic " + topic.name());
        topics.put(topic.name(), topic);
        return current == null ? Outcome.CREATED : Outcome.PATCHED;
    }

    @Override
    public void deleteTopic(ClusterTarget cluster, String name) throws ClusterUnavailableException {
        call("deleteTopic " + name);
        topics.remove(name);
    }

    @Override
    public Outcome upsertGroup(ClusterTarget cluster, BrokerGroup group) throws ClusterUnavailableException {
        call("readGroup " + group.name());
        BrokerGroup current = groups.get(group.name());
        if (group.equals(current)) {
            return Outcome.NOOP;
        }
        calls.add("upsertGroup " + group.name());
        groups.put(group.name(), group);
        return current == null ? Outcome.CREATED : Outcome.PATCHED;
    }

    @Override
    public void deleteGroup(ClusterTarget cluster, String name) throws ClusterUnavailableException {
        call("deleteGroup " + name);
        groups.remove(name);
    }

    @Override
    public Optional<BrokerTopic> describeTopic(ClusterTarget cluster, String name) throws ClusterUnavailableException {
        call("describeTopic " + name);
        return Optional.ofNullable(topics.get(name));
    }

    @Override
    public Optional<BrokerGroup> describeGroup(ClusterTarget cluster, String name) throws ClusterUnavailableException {
        call("describeGroup " + name);
        return Optional.ofNullable(groups.get(name));
    }

    @Override
    public Set<String> topicNames(ClusterTarget cluster) throws ClusterUnavailableException {
        call("topicNames");
        return new HashSet<>(topics.keySet());
    }

    @Override
    public Set<String> groupNames(ClusterTarget cluster) throws ClusterUnavailableException {
        call("groupNames");
        return new HashSet<>(groups.keySet());
    }

    @Override
    public void ensureSystemTopic(ClusterTarget cluster, BrokerTopic topic) throws ClusterUnavailableException {
        call("ensureSystemTopic " + topic.name());
        topics.putIfAbsent(topic.name(), topic);
    }

    @Override
    public Optional<BrokerMessage> findMessage(ClusterTarget cluster, String brokerTopicName, String messageId,
                                               long notBeforeMillis) throws ClusterUnavailableException {
        call("findMessage " + brokerTopicName + " " + messageId);
        return Optional.empty();
    }

    /** Topics each group has offsets on, as a test sets them. */
    final Map<String, Set<String>> consumed = new TreeMap<>();
    /** Queues per topic the fake answers a reset with. */
    int queuesPerTopic = 2;

    @Override
    public Set<String> consumedTopics(ClusterTarget cluster, String brokerGroupName) throws ClusterUnavailableException {
        call("consumedTopics " + brokerGroupName);
        return consumed.getOrDefault(brokerGroupName, Set.of());
    }

    @Override
    public List<QueueOffset> resetOffsets(ClusterTarget cluster, String brokerTopicName, String brokerGroupName,
                                          long timestampMillis) throws ClusterUnavailableException {
        call("resetOffsets " + brokerTopicName + " " + brokerGroupName + " " + timestampMillis);
        List<QueueOffset> offsets = new ArrayList<>();
        for (int q = 0; q < queuesPerTopic; q++) {
            offsets.add(new QueueOffset(brokerTopicName, "broker-a", q, timestampMillis < 0 ? 100 : 10 + q));
        }
        return offsets;
    }
}
