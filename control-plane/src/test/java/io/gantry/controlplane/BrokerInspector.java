package io.gantry.controlplane;

import io.gantry.localstack.RocketMqCluster;
import java.util.Optional;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/** Reads what the broker itself holds, independently of the control plane's own admin code. */
public final class BrokerInspector implements AutoCloseable {
    private final DefaultMQAdminExt admin;
    private final String broker;

    public BrokerInspector(RocketMqCluster mq) throws Exception {
        admin = new DefaultMQAdminExt(new AclClientRPCHook(new SessionCredentials(mq.adminAccessKey(), mq.adminSecretKey())), 5000);
        admin.setNamesrvAddr(mq.nameServerAddress());
        admin.setInstanceName("test-inspector-" + System.nanoTime());
        admin.start();
        broker = mq.brokerAddress();
    }

    public Optional<TopicConfig> topic(String name) throws Exception {
        return Optional.ofNullable(admin.getAllTopicConfig(broker, 5000).getTopicConfigTable().get(name));
    }

    public Optional<SubscriptionGroupConfig> group(String name) throws Exception {
        return Optional.ofNullable(admin.getAllSubscriptionGroup(broker, 5000).getSubscriptionGroupTable().get(name));
    }

    @Override
    public void close() {
        admin.shutdown();
    }
}
