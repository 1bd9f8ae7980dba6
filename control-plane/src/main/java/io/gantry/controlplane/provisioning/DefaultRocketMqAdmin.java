package io.gantry.controlplane.provisioning;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.QueryResult;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.constant.PermName;
import org.apache.rocketmq.common.message.MessageClientIDSetter;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.remoting.protocol.body.ClusterInfo;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.subscription.CustomizedRetryPolicy;
import org.apache.rocketmq.remoting.protocol.subscription.GroupRetryPolicy;
import org.apache.rocketmq.remoting.protocol.subscription.GroupRetryPolicyType;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** {@link RocketMqAdmin} over RocketMQ's own admin client, one started client per cluster and credential. */
@ApplicationScoped
public class DefaultRocketMqAdmin implements RocketMqAdmin {
    private static final Logger LOG = Logger.getLogger(DefaultRocketMqAdmin.class);
    static final String MESSAGE_TYPE_ATTRIBUTE = "message.type";
    private static final int FIXED_RETRY_LEVELS = 32;
    /** Index hits read per message-id lookup; more than one only on a hash collision. */
    private static final int MAX_INDEX_HITS = 32;

    private final Map<ClusterTarget, DefaultMQAdminExt> clients = new ConcurrentHashMap<>();
    private final long timeoutMillis;

    public DefaultRocketMqAdmin(@ConfigProperty(name = "gantry.provisioner.admin-timeout") Duration timeout) {
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public void ping(ClusterTarget cluster) throws ClusterUnavailableException {
        if (masterBrokers(cluster).isEmpty()) {
            throw new ClusterUnavailableException("no master broker is registered with " + cluster.nameServerAddress(), null);
        }
    }

    @Override
    public Outcome upsertTopic(ClusterTarget cluster, BrokerTopic topic) throws ClusterUnavailableException {
        TopicConfig config = new TopicConfig(topic.name(), topic.readQueues(), topic.writeQueues(),
                PermName.PERM_READ | PermName.PERM_WRITE, 0);
        Map<String, String> attributes = new HashMap<>();
        attributes.put("+" + MESSAGE_TYPE_ATTRIBUTE, topic.messageType());
        config.setAttributes(attributes);
        Changes changes = new Changes();
        for (String broker : masterBrokers(cluster)) {
            TopicConfig current = call(cluster, "read topic " + topic.name(), () -> {
                try {
                    return admin(cluster).examineTopicConfig(broker, topic.name());
                } catch (MQBrokerException e) {
                    if (e.getResponseCode() == ResponseCode.TOPIC_NOT_EXIST) {
                        return null;
                    }
                    throw e;
                }
            });
            if (current != null && current.getReadQueueNums() == config.getReadQueueNums()
                    && current.getWriteQueueNums() == config.getWriteQueueNums() && current.getPerm() == config.getPerm()
                    && current.getAttributes() != null
                    && topic.messageType().equals(current.getAttributes().get(MESSAGE_TYPE_ATTRIBUTE))) {
                changes.unchanged();
                continue;
            }
            call(cluster, "create topic " + topic.name(), () -> {
                admin(cluster).createAndUpdateTopicConfig(broker, config);
                return null;
            });
            changes.wrote(current == null);
        }
        return changes.outcome();
    }

    @Override
    public void deleteTopic(ClusterTarget cluster, String name) throws ClusterUnavailableException {
        Set<String> brokers = new HashSet<>(masterBrokers(cluster));
        call(cluster, "delete topic " + name, () -> {
            admin(cluster).deleteTopicInBroker(brokers, name);
            return null;
        });
        call(cluster, "delete route of topic " + name, () -> {
            try {
                admin(cluster).deleteTopicInNameServer(new HashSet<>(Arrays.asList(cluster.nameServerAddress().split(";"))), name);
            } catch (MQBrokerException e) {
                // The route may already be gone: deleting it twice is success.
                if (e.getResponseCode() != ResponseCode.TOPIC_NOT_EXIST) {
                    throw e;
                }
            }
            return null;
        });
    }

    @Override
    public Outcome upsertGroup(ClusterTarget cluster, BrokerGroup group) throws ClusterUnavailableException {
        SubscriptionGroupConfig config = new SubscriptionGroupConfig();
        config.setGroupName(group.name());
        config.setRetryMaxTimes(group.retryMaxTimes());
        config.setConsumeMessageOrderly(group.orderly());
        if (group.fixedRetryIntervalMillis() != null) {
            long[] next = new long[FIXED_RETRY_LEVELS];
            Arrays.fill(next, group.fixedRetryIntervalMillis());
            GroupRetryPolicy policy = new GroupRetryPolicy();
            policy.setType(GroupRetryPolicyType.CUSTOMIZED);
            policy.setCustomizedRetryPolicy(new CustomizedRetryPolicy(next));
            config.setGroupRetryPolicy(policy);
        }
        Changes changes = new Changes();
        for (String broker : masterBrokers(cluster)) {
            // A broker with autoCreateSubscriptionGroup answers a missing group with a new default one: then
            // the group reads as present, and is patched (or left, when the default is what was asked).
            SubscriptionGroupConfig current = call(cluster, "read group " + group.name(), () -> {
                try {
                    return admin(cluster).examineSubscriptionGroupConfig(broker, group.name());
                } catch (MQBrokerException e) {
                    if (e.getResponseCode() == ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST) {
                        return null;
                    }
                    throw e;
                }
            });
            if (current != null && group.equals(asBrokerGroup(current))) {
                changes.unchanged();
                continue;
            }
            call(cluster, "create group " + group.name(), () -> {
                admin(cluster).createAndUpdateSubscriptionGroupConfig(broker, config);
                return null;
            });
            changes.wrote(current == null);
        }
        return changes.outcome();
    }

    /** Tallies per broker what an upsert had to do. */
    private static final class Changes {
        private int created;
        private int patched;
        private int unchanged;

        void unchanged() {
            unchanged++;
        }

        void wrote(boolean wasMissing) {
            if (wasMissing) {
                created++;
            } else {
                patched++;
            }
        }

        Outcome outcome() {
            if (created == 0 && patched == 0) {
                return Outcome.NOOP;
            }
            return patched == 0 && unchanged == 0 ? Outcome.CREATED : Outcome.PATCHED;
        }
    }

    @Override
    public void deleteGroup(ClusterTarget cluster, String name) throws ClusterUnavailableException {
        for (String broker : masterBrokers(cluster)) {
            call(cluster, "delete group " + name, () -> {
                admin(cluster).deleteSubscriptionGroup(broker, name, true);
                return null;
            });
        }
    }

    @Override
    public Optional<BrokerTopic> describeTopic(ClusterTarget cluster, String name) throws ClusterUnavailableException {
        for (String broker : masterBrokers(cluster)) {
            TopicConfig config = call(cluster, "read topic " + name,
                    () -> admin(cluster).getAllTopicConfig(broker, timeoutMillis).getTopicConfigTable().get(name));
            if (config != null) {
                String type = config.getAttributes() == null ? null : config.getAttributes().get(MESSAGE_TYPE_ATTRIBUTE);
                return Optional.of(new BrokerTopic(name, config.getWriteQueueNums(), config.getReadQueueNums(), type));
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<BrokerGroup> describeGroup(ClusterTarget cluster, String name) throws ClusterUnavailableException {
        for (String broker : masterBrokers(cluster)) {
            SubscriptionGroupConfig config = call(cluster, "read group " + name,
                    () -> admin(cluster).getAllSubscriptionGroup(broker, timeoutMillis).getSubscriptionGroupTable().get(name));
            if (config != null) {
                return Optional.of(asBrokerGroup(config));
            }
        }
        return Optional.empty();
    }

    private static BrokerGroup asBrokerGroup(SubscriptionGroupConfig config) {
        Long fixed = null;
        GroupRetryPolicy policy = config.getGroupRetryPolicy();
        if (policy != null && policy.getType() == GroupRetryPolicyType.CUSTOMIZED
                && policy.getCustomizedRetryPolicy() != null
                && policy.getCustomizedRetryPolicy().getNext() != null
                && Arrays.stream(policy.getCustomizedRetryPolicy().getNext()).distinct().count() == 1) {
            fixed = policy.getCustomizedRetryPolicy().getNext()[0];
        }
        return new BrokerGroup(config.getGroupName(), config.getRetryMaxTimes(), config.isConsumeMessageOrderly(), fixed);
    }

    @Override
    public Set<String> topicNames(ClusterTarget cluster) throws ClusterUnavailableException {
        Set<String> names = new HashSet<>();
        for (String broker : masterBrokers(cluster)) {
            names.addAll(call(cluster, "list topics",
                    () -> admin(cluster).getAllTopicConfig(broker, timeoutMillis).getTopicConfigTable().keySet()));
        }
        return names;
    }

    @Override
    public Set<String> groupNames(ClusterTarget cluster) throws ClusterUnavailableException {
        Set<String> names = new HashSet<>();
        for (String broker : masterBrokers(cluster)) {
            names.addAll(call(cluster, "list groups",
                    () -> admin(cluster).getAllSubscriptionGroup(broker, timeoutMillis).getSubscriptionGroupTable().keySet()));
        }
        return names;
    }

    @Override
    public Optional<BrokerMessage> findMessage(ClusterTarget cluster, String brokerTopicName, String messageId,
                                               long notBeforeMillis) throws ClusterUnavailableException {
        QueryResult result;
        try {
            result = admin(cluster).queryMessageByUniqKey(null, brokerTopicName, messageId, MAX_INDEX_HITS,
                    notBeforeMillis, Long.MAX_VALUE);
        } catch (MQClientException e) {
            // No index entry, or the topic is gone from the cluster: either way the broker has no such message.
            if (e.getResponseCode() == ResponseCode.NO_MESSAGE || e.getResponseCode() == ResponseCode.TOPIC_NOT_EXIST) {
                return Optional.empty();
            }
            throw new ClusterUnavailableException("cluster '" + cluster.clusterId() + "': find message " + messageId
                    + " failed: " + rootMessage(e), e);
        } catch (Exception e) {
            throw new ClusterUnavailableException("cluster '" + cluster.clusterId() + "': find message " + messageId
                    + " failed: " + rootMessage(e), e);
        }
        // The index is a hash: a hit may be another key's message, or a copy under another topic.
        for (MessageExt m : result.getMessageList()) {
            if (brokerTopicName.equals(m.getTopic()) && messageId.equals(MessageClientIDSetter.getUniqID(m))) {
                Map<String, String> user = new HashMap<>();
                m.getProperties().forEach((k, v) -> {
                    if (!MessageConst.STRING_HASH_SET.contains(k)) {
                        user.put(k, v);
                    }
                });
                return Optional.of(new BrokerMessage(m.getTopic(), user, m.getBody(), m.getStoreTimestamp(),
                        m.getQueueId(), m.getQueueOffset(), m.getReconsumeTimes()));
            }
        }
        return Optional.empty();
    }

    @Override
    public void ensureSystemTopic(ClusterTarget cluster, BrokerTopic topic) throws ClusterUnavailableException {
        for (String broker : masterBrokers(cluster)) {
            boolean present = call(cluster, "read topic " + topic.name(),
                    () -> admin(cluster).getAllTopicConfig(broker, timeoutMillis).getTopicConfigTable().containsKey(topic.name()));
            if (!present) {
                TopicConfig config = new TopicConfig(topic.name(), topic.readQueues(), topic.writeQueues(),
                        PermName.PERM_READ | PermName.PERM_WRITE, 0);
                config.setAttributes(Map.of("+" + MESSAGE_TYPE_ATTRIBUTE, topic.messageType()));
                call(cluster, "create topic " + topic.name(), () -> {
                    admin(cluster).createAndUpdateTopicConfig(broker, config);
                    return null;
                });
            }
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        clients.values().forEach(DefaultMQAdminExt::shutdown);
        clients.clear();
    }

    private List<String> masterBrokers(ClusterTarget cluster) throws ClusterUnavailableException {
        ClusterInfo info = call(cluster, "read cluster info", () -> admin(cluster).examineBrokerClusterInfo());
        List<String> masters = new ArrayList<>();
        for (BrokerData broker : info.getBrokerAddrTable().values()) {
            String master = broker.getBrokerAddrs().get(MixAll.MASTER_ID);
            if (master != null) {
                masters.add(master);
            }
        }
        if (masters.isEmpty()) {
            throw new ClusterUnavailableException("cluster '" + cluster.clusterId() + "' has no master broker registered", null);
        }
        return masters;
    }

    @Override
    public Set<String> consumedTopics(ClusterTarget cluster, String group) throws ClusterUnavailableException {
        try {
            Set<String> topics = new java.util.TreeSet<>();
            admin(cluster).examineConsumeStats(group).getOffsetTable().keySet().forEach(q -> topics.add(q.getTopic()));
            return topics;
        } catch (MQClientException | MQBrokerException e) {
            // The broker answered: a group that never committed an offset has no consume stats (and no
            // retry topic route) at all, which is not a failure of the cluster.
            LOG.debugf("no consume stats of %s on %s: %s", group, cluster.clusterId(), rootMessage(e));
            return Set.of();
        } catch (Exception e) {
            throw new ClusterUnavailableException("cluster '" + cluster.clusterId() + "': consume stats of " + group
                    + " failed: " + rootMessage(e), e);
        }
    }

    /**
     * {@code resetOffsetByTimestamp}, which fails when a broker fails, rather than
     * {@code resetOffsetNewConcurrent}, which counts a broker's SYSTEM_ERROR as success.
     */
    @Override
    public List<QueueOffset> resetOffsets(ClusterTarget cluster, String topic, String group, long timestampMillis)
            throws ClusterUnavailableException {
        Map<org.apache.rocketmq.common.message.MessageQueue, Long> offsets = call(cluster,
                "reset offsets of " + group + " on " + topic,
                () -> admin(cluster).resetOffsetByTimestamp(topic, group, timestampMillis, true));
        List<QueueOffset> result = new ArrayList<>();
        offsets.forEach((q, offset) -> result.add(new QueueOffset(q.getTopic(), q.getBrokerName(), q.getQueueId(), offset)));
        result.sort(java.util.Comparator.comparing(QueueOffset::brokerName).thenComparingInt(QueueOffset::queueId));
        return result;
    }

    private DefaultMQAdminExt admin(ClusterTarget cluster) {
        return clients.computeIfAbsent(cluster, c -> {
            // A changed address or credential is a new key; retire clients of the same cluster.
            clients.entrySet().removeIf(e -> {
                if (e.getKey().clusterId().equals(c.clusterId())) {
                    e.getValue().shutdown();
                    return true;
                }
                return false;
            });
            DefaultMQAdminExt admin = new DefaultMQAdminExt(
                    new AclClientRPCHook(new SessionCredentials(c.accessKey(), c.secretKey())), timeoutMillis);
            admin.setNamesrvAddr(c.nameServerAddress());
            admin.setInstanceName("gantry-provisioner-" + c.clusterId() + "-" + System.nanoTime());
            admin.setVipChannelEnabled(false);
            try {
                admin.start();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the admin client for " + c, e);
            }
            return admin;
        });
    }

    private interface AdminCall<T> {
        T run() throws Exception;
    }

    private <T> T call(ClusterTarget cluster, String what, AdminCall<T> call) throws ClusterUnavailableException {
        try {
            return call.run();
        } catch (Exception e) {
            LOG.debugf(e, "%s on %s failed", what, cluster);
            throw new ClusterUnavailableException("cluster '" + cluster.clusterId() + "': " + what + " failed: "
                    + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 200 ? m.substring(0, 200) : m));
    }
}
