package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.audit.AuditLog;
import io.gantry.controlplane.model.ClusterEntity;
import io.gantry.controlplane.model.ConsumerGroupEntity;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.controlplane.model.ProvisionedEntity;
import io.gantry.controlplane.model.Status;
import io.gantry.controlplane.model.TopicEntity;
import io.gantry.controlplane.secrets.SecretCipher;
import io.gantry.isolation.naming.Namespaces;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Brings RocketMQ clusters to the desired state stored in Postgres.
 *
 * <p>One loop thread per control plane. Each pass picks resources whose status is CREATING,
 * UPDATING or DELETING and whose next attempt is due, and handles each in its own transaction
 * that first takes the resource's row lock with {@code FOR UPDATE SKIP LOCKED}: several control
 * planes can run side by side, and a resource is handled by one at a time. Every step is an upsert
 * or an idempotent delete, and status is written in the same transaction after the step: a crash
 * anywhere leaves the resource pending, and the next pass (here or after a restart) repeats the step.
 * A cluster that does not answer is not a failure: the resource waits with a condition saying so,
 * retried with exponential backoff.
 */
@ApplicationScoped
public class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    private static final List<Status> PENDING = List.of(Status.CREATING, Status.UPDATING, Status.DELETING);
    /** Key of the Postgres advisory lock that serializes placement decisions. */
    private static final long PLACEMENT_LOCK = 0x6761_6e74_7279_01L;

    @Inject
    EntityManager em;
    @Inject
    RocketMqAdmin admin;
    @Inject
    Placement placement;
    @Inject
    Operations operations;
    @Inject
    AuditLog audit;
    @Inject
    SecretCipher cipher;
    @Inject
    SystemTopics systemTopics;

    @ConfigProperty(name = "gantry.provisioner.enabled")
    boolean enabled;
    @ConfigProperty(name = "gantry.provisioner.poll-interval")
    Duration pollInterval;
    @ConfigProperty(name = "gantry.provisioner.max-backoff")
    Duration maxBackoff;
    /** Fault injection for the crash-recovery test: halt the JVM right after this step touched the broker. */
    @ConfigProperty(name = "gantry.provisioner.halt-after-step")
    Optional<String> haltAfterStep;

    private final Semaphore wakeUp = new Semaphore(0);
    private volatile boolean running;
    private Thread loop;

    void onStart(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        running = true;
        loop = new Thread(this::run, "gantry-provisioner");
        loop.setDaemon(true);
        loop.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        if (loop != null) {
            loop.interrupt();
        }
    }

    void onRequested(@Observes(during = TransactionPhase.AFTER_SUCCESS) ProvisioningRequested event) {
        wakeUp.release();
    }

    private void run() {
        while (running) {
            try {
                passOnce();
            } catch (RuntimeException e) {
                // Postgres down or similar: keep the loop alive, try again next poll.
                LOG.warnf("provisioner pass failed: %s", e.toString());
            }
            try {
                if (wakeUp.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS)) {
                    wakeUp.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One pass over everything that is due. Visible for tests that drive the loop themselves. */
    public void passOnce() {
        systemTopics.ensureOnActiveClusters();
        for (String id : due("instances", "instance_id")) {
            QuarkusTransaction.requiringNew().run(() -> reconcileInstance(id));
        }
        for (String[] key : dueChildren("topics")) {
            QuarkusTransaction.requiringNew().run(() -> reconcileTopic(key[0], key[1]));
        }
        for (String[] key : dueChildren("consumer_groups")) {
            QuarkusTransaction.requiringNew().run(() -> reconcileGroup(key[0], key[1]));
        }
        // Deleting instances wait for their topics and groups, which the passes above just removed.
        for (String id : due("instances", "instance_id")) {
            QuarkusTransaction.requiringNew().run(() -> reconcileInstance(id));
        }
    }

    @SuppressWarnings("unchecked")
    private List<String> due(String table, String key) {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("SELECT " + key + " FROM " + table
                        + " WHERE status IN ('CREATING','UPDATING','DELETING') AND next_attempt_at <= now()"
                        + " ORDER BY next_attempt_at LIMIT 100")
                .getResultList());
    }

    @SuppressWarnings("unchecked")
    private List<String[]> dueChildren(String table) {
        List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "SELECT instance_id, name FROM " + table
                                + " WHERE status IN ('CREATING','UPDATING','DELETING') AND next_attempt_at <= now()"
                                + " ORDER BY next_attempt_at LIMIT 200")
                .getResultList());
        return rows.stream().map(r -> new String[] {(String) r[0], (String) r[1]}).toList();
    }

    private boolean lock(String sql, Object... params) {
        var q = em.createNativeQuery(sql + " FOR UPDATE SKIP LOCKED");
        for (int i = 0; i < params.length; i++) {
            q.setParameter(i + 1, params[i]);
        }
        return !q.getResultList().isEmpty();
    }

    // ---------------------------------------------------------------- instances

    void reconcileInstance(String instanceId) {
        if (!lock("SELECT 1 FROM instances WHERE instance_id = ?1 AND status IN ('CREATING','UPDATING','DELETING')",
                instanceId)) {
            return;
        }
        InstanceEntity i = em.find(InstanceEntity.class, instanceId);
        Instant now = Instant.now();
        if (i.status == Status.DELETING) {
            deleteInstance(i, now);
            return;
        }
        Optional<NamespaceEntity> ns = NamespaceEntity.ofInstance(instanceId);
        if (ns.isEmpty()) {
            em.createNativeQuery("SELECT pg_advisory_xact_lock(?1)").setParameter(1, PLACEMENT_LOCK).getSingleResult();
            Optional<ClusterEntity> cluster = placement.choose(i);
            if (cluster.isEmpty()) {
                String message = "no ACTIVE cluster in region '" + i.regionId + "' has room for " + i.tpsSpec
                        + " TPS and the edition's topics; waiting for capacity";
                i.setCondition("Placed", false, "NoClusterWithCapacity", message, now);
                retryLater(i, now, Operations.INSTANCE, instanceId, message);
                return;
            }
            NamespaceEntity n = new NamespaceEntity();
            n.namespace = i.instanceId;
            n.instanceId = i.instanceId;
            n.tenantId = i.tenantId;
            n.clusterId = cluster.get().clusterId;
            n.createdAt = now;
            n.persist();
            ns = Optional.of(n);
            i.setCondition("Placed", true, "Placed", "placed on cluster " + n.clusterId, now);
        }
        ClusterTarget target = target(ns.get().clusterId);
        try {
            admin.ping(target);
        } catch (ClusterUnavailableException e) {
            i.setCondition("ClusterReachable", false, "BrokerUnavailable", e.getMessage(), now);
            i.setCondition("Ready", false, "BrokerUnavailable", "waiting for the cluster to answer", now);
            retryLater(i, now, Operations.INSTANCE, instanceId, e.getMessage());
            return;
        }
        i.setCondition("ClusterReachable", true, "Reachable", "the cluster's brokers answer", now);
        markApplied(i, now, Operations.INSTANCE, instanceId);
    }

    private void deleteInstance(InstanceEntity i, Instant now) {
        long children = TopicEntity.count("instanceId", i.instanceId) + ConsumerGroupEntity.count("instanceId", i.instanceId);
        if (children > 0) {
            i.setCondition("Ready", false, "Deleting", children + " topic(s) and group(s) left to remove", now);
            i.nextAttemptAt = now.plusSeconds(1);
            operations.progress(i.instanceId, Operations.INSTANCE, i.instanceId,
                    "waiting for " + children + " topic(s) and group(s) to be removed");
            return;
        }
        Optional<NamespaceEntity> ns = NamespaceEntity.ofInstance(i.instanceId);
        if (ns.isPresent()) {
            ClusterTarget target = target(ns.get().clusterId);
            try {
                // Sweep anything left under the namespace (e.g. retry topics created by consumers).
                for (String topic : admin.topicNames(target)) {
                    if (Namespaces.belongsTo(topic, ns.get().namespace)) {
                        admin.deleteTopic(target, topic);
                    }
                }
                for (String group : admin.groupNames(target)) {
                    if (Namespaces.belongsTo(group, ns.get().namespace)) {
                        admin.deleteGroup(target, group);
                    }
                }
            } catch (ClusterUnavailableException e) {
                i.setCondition("ClusterReachable", false, "BrokerUnavailable", e.getMessage(), now);
                retryLater(i, now, Operations.INSTANCE, i.instanceId, e.getMessage());
                return;
            }
            haltIfInjected("instance-swept");
            ns.get().delete();
        }
        operations.complete(i.instanceId, Operations.INSTANCE, i.instanceId, Long.MAX_VALUE);
        audit.record("provisioner", i.tenantId, "instance.deleted", Operations.INSTANCE, i.instanceId, null, null);
        i.delete();
    }

    // ---------------------------------------------------------------- topics

    void reconcileTopic(String instanceId, String name) {
        if (!lock("SELECT 1 FROM topics WHERE instance_id = ?1 AND name = ?2 AND status IN ('CREATING','UPDATING','DELETING')",
                instanceId, name)) {
            return;
        }
        TopicEntity t = em.find(TopicEntity.class, new io.gantry.controlplane.model.ChildKey(instanceId, name));
        Instant now = Instant.now();
        Optional<NamespaceEntity> ns = NamespaceEntity.ofInstance(instanceId);
        String brokerName = Namespaces.wrap(instanceId, name);
        if (t.status == Status.DELETING) {
            if (ns.isPresent()) {
                try {
                    admin.deleteTopic(target(ns.get().clusterId), brokerName);
                } catch (ClusterUnavailableException e) {
                    t.setCondition("Ready", false, "BrokerUnavailable", e.getMessage(), now);
                    retryLater(t, now, Operations.TOPIC, name, e.getMessage());
                    return;
                }
                haltIfInjected("topic-deleted");
            }
            operations.complete(instanceId, Operations.TOPIC, name, Long.MAX_VALUE);
            t.delete();
            return;
        }
        if (ns.isEmpty()) {
            t.setCondition("Ready", false, "WaitingForInstance", "the instance is not placed on a cluster yet", now);
            waitFor(t, now, Operations.TOPIC, name, "waiting for the instance to be placed");
            return;
        }
        try {
            admin.upsertTopic(target(ns.get().clusterId),
                    new BrokerTopic(brokerName, t.queueCount, t.queueCount, t.messageType.name()));
        } catch (ClusterUnavailableException e) {
            t.setCondition("Ready", false, "BrokerUnavailable", e.getMessage(), now);
            retryLater(t, now, Operations.TOPIC, name, e.getMessage());
            return;
        }
        haltIfInjected("topic-applied");
        markApplied(t, now, Operations.TOPIC, name);
    }

    // ---------------------------------------------------------------- consumer groups

    void reconcileGroup(String instanceId, String name) {
        if (!lock("SELECT 1 FROM consumer_groups WHERE instance_id = ?1 AND name = ?2 AND status IN ('CREATING','UPDATING','DELETING')",
                instanceId, name)) {
            return;
        }
        ConsumerGroupEntity g = em.find(ConsumerGroupEntity.class, new io.gantry.controlplane.model.ChildKey(instanceId, name));
        Instant now = Instant.now();
        Optional<NamespaceEntity> ns = NamespaceEntity.ofInstance(instanceId);
        String brokerName = Namespaces.wrap(instanceId, name);
        if (g.status == Status.DELETING) {
            if (ns.isPresent()) {
                ClusterTarget target = target(ns.get().clusterId);
                try {
                    admin.deleteGroup(target, brokerName);
                    admin.deleteTopic(target, Namespaces.retryTopic(instanceId, name));
                    admin.deleteTopic(target, Namespaces.deadLetterTopic(instanceId, name));
                } catch (ClusterUnavailableException e) {
                    g.setCondition("Ready", false, "BrokerUnavailable", e.getMessage(), now);
                    retryLater(g, now, Operations.CONSUMER_GROUP, name, e.getMessage());
                    return;
                }
            }
            operations.complete(instanceId, Operations.CONSUMER_GROUP, name, Long.MAX_VALUE);
            g.delete();
            return;
        }
        if (ns.isEmpty()) {
            g.setCondition("Ready", false, "WaitingForInstance", "the instance is not placed on a cluster yet", now);
            waitFor(g, now, Operations.CONSUMER_GROUP, name, "waiting for the instance to be placed");
            return;
        }
        Long fixedMillis = g.retryPolicy == ConsumerGroupEntity.RetryPolicy.FIXED ? g.fixedIntervalSeconds * 1000L : null;
        try {
            admin.upsertGroup(target(ns.get().clusterId), new BrokerGroup(brokerName, g.maxRetries,
                    g.deliveryOrder == ConsumerGroupEntity.DeliveryOrder.ORDERLY, fixedMillis));
        } catch (ClusterUnavailableException e) {
            g.setCondition("Ready", false, "BrokerUnavailable", e.getMessage(), now);
            retryLater(g, now, Operations.CONSUMER_GROUP, name, e.getMessage());
            return;
        }
        haltIfInjected("group-applied");
        markApplied(g, now, Operations.CONSUMER_GROUP, name);
    }

    // ---------------------------------------------------------------- shared steps

    private ClusterTarget target(String clusterId) {
        ClusterEntity c = ClusterEntity.findById(clusterId);
        return new ClusterTarget(c.clusterId, c.nameServerAddress, c.adminAccessKey, cipher.decrypt(c.adminSecretEnc));
    }

    private void markApplied(ProvisionedEntity e, Instant now, String type, String name) {
        e.setCondition("Ready", true, "Applied", "the cluster holds the desired state", now);
        e.status = Status.RUNNING;
        e.observedGeneration = e.generation;
        e.attempts = 0;
        e.updatedAt = now;
        String instanceId = e instanceof InstanceEntity i ? i.instanceId
                : e instanceof TopicEntity t ? t.instanceId : ((ConsumerGroupEntity) e).instanceId;
        operations.complete(instanceId, type, name, e.generation);
    }

    private void retryLater(ProvisionedEntity e, Instant now, String type, String name, String message) {
        e.attempts++;
        long seconds = Math.min(maxBackoff.toSeconds(), 1L << Math.min(e.attempts, 16));
        e.nextAttemptAt = now.plusSeconds(seconds);
        e.updatedAt = now;
        operations.progress(instanceIdOf(e), type, name, message + " (attempt " + e.attempts + ", next in " + seconds + " s)");
    }

    /** Waiting on another resource is not a failure: check again soon, without growing backoff. */
    private void waitFor(ProvisionedEntity e, Instant now, String type, String name, String message) {
        e.nextAttemptAt = now.plusSeconds(1);
        operations.progress(instanceIdOf(e), type, name, message);
    }

    private static String instanceIdOf(ProvisionedEntity e) {
        return e instanceof InstanceEntity i ? i.instanceId
                : e instanceof TopicEntity t ? t.instanceId : ((ConsumerGroupEntity) e).instanceId;
    }

    private void haltIfInjected(String step) {
        if (haltAfterStep.isPresent() && haltAfterStep.get().equals(step)) {
            LOG.errorf("fault injection: halting after step %s", step);
            Runtime.getRuntime().halt(86);
        }
    }
}
