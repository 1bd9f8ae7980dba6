package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.ClusterEntity;
import io.gantry.controlplane.secrets.SecretCipher;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Topics Gantry itself uses on every cluster, outside every tenant namespace: {@link #TRACE_EVENTS}, where
 * gateways publish message trace events ({@code api-spec/.../gantry/trace/v1/trace_event.proto}) for the
 * trace service. The provisioner's loop sees to them on each ACTIVE cluster the first time this control
 * plane meets the cluster (just after it is registered, and for every cluster after a restart); a
 * cluster that does not answer is tried again {@link #RETRY} later. A topic a broker already has is left
 * as it is.
 */
@ApplicationScoped
public class SystemTopics {
    private static final Logger LOG = Logger.getLogger(SystemTopics.class);
    public static final BrokerTopic TRACE_EVENTS = new BrokerTopic("GANTRY_TRACE_EVENTS", 8, 8, "NORMAL");
    static final List<BrokerTopic> ALL = List.of(TRACE_EVENTS);
    static final Duration RETRY = Duration.ofSeconds(30);

    @Inject
    RocketMqAdmin admin;
    @Inject
    SecretCipher cipher;

    /** Clusters (by address and credentials: a changed one is seen to again) that have them. */
    private final Set<ClusterTarget> done = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> nextTry = new ConcurrentHashMap<>();

    /** Every ACTIVE cluster not seen to yet. Runs on the provisioner's thread; never throws. */
    void ensureOnActiveClusters() {
        List<ClusterTarget> targets;
        try {
            targets = QuarkusTransaction.requiringNew().call(() -> ClusterEntity.<ClusterEntity>list("state", ClusterEntity.State.ACTIVE)
                    .stream().map(c -> new ClusterTarget(c.clusterId, c.nameServerAddress, c.adminAccessKey,
                            cipher.decrypt(c.adminSecretEnc))).toList());
        } catch (RuntimeException e) {
            LOG.warnf("system topics: cannot list clusters: %s", e.toString());
            return;
        }
        Instant now = Instant.now();
        for (ClusterTarget target : targets) {
            if (done.contains(target) || now.isBefore(nextTry.getOrDefault(target.clusterId(), Instant.MIN))) {
                continue;
            }
            try {
                for (BrokerTopic topic : ALL) {
                    admin.ensureSystemTopic(target, topic);
                }
                done.add(target);
                nextTry.remove(target.clusterId());
                LOG.infof("cluster %s has the system topics %s", target.clusterId(), ALL.stream().map(BrokerTopic::name).toList());
            } catch (ClusterUnavailableException | RuntimeException e) {
                nextTry.put(target.clusterId(), now.plus(RETRY));
                LOG.warnf("cluster %s: system topics not in place yet (trying again in %d s): %s", target.clusterId(),
                        RETRY.toSeconds(), e.getMessage());
            }
        }
    }
}
