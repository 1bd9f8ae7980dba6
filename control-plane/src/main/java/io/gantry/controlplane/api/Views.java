package io.gantry.controlplane.api;

import io.gantry.controlplane.model.AccountEntity;
import io.gantry.controlplane.model.AclRuleEntity;
import io.gantry.controlplane.model.ClusterEntity;
import io.gantry.controlplane.model.ConsumerGroupEntity;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.InstanceThrottleEntity;
import io.gantry.controlplane.model.OffsetResetEntity;
import io.gantry.controlplane.model.OperationEntity;
import io.gantry.controlplane.model.Status;
import io.gantry.controlplane.model.TopicEntity;
import io.gantry.isolation.quota.Edition;
import io.gantry.isolation.quota.Editions;
import io.gantry.isolation.throttle.MessageWeights;
import io.gantry.isolation.throttle.ThroughputLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Entity → API view. The only place that decides what a caller gets to see of a row. */
@ApplicationScoped
public class Views {
    @Inject
    ThrottleCounters throttleCounters;
    @Inject
    EntityManager em;
    @ConfigProperty(name = "gantry.endpoints.grpc")
    Optional<String> grpcEndpoint;
    @ConfigProperty(name = "gantry.endpoints.grpc-plaintext")
    Optional<String> grpcPlaintextEndpoint;

    public Dtos.InstanceView instance(InstanceEntity i, String operationId) {
        return instance(i, operationId, InstanceFacts.load(List.of(i.instanceId), throttleCounters, Instant.now())
                .get(i.instanceId));
    }

    /** A page of instances: what each view needs of other tables is read for the whole page at once. */
    public List<Dtos.InstanceView> instances(List<InstanceEntity> page) {
        Map<String, InstanceFacts> facts = InstanceFacts.load(page.stream().map(i -> i.instanceId).toList(),
                throttleCounters, Instant.now());
        return page.stream().map(i -> instance(i, null, facts.get(i.instanceId))).toList();
    }

    private Dtos.InstanceView instance(InstanceEntity i, String operationId, InstanceFacts facts) {
        List<Dtos.Endpoint> endpoints = new java.util.ArrayList<>();
        if (i.status == Status.RUNNING || i.status == Status.UPDATING) {
            grpcEndpoint.filter(s -> !s.isBlank()).ifPresent(a -> endpoints.add(new Dtos.Endpoint("GRPC", a)));
            grpcPlaintextEndpoint.filter(s -> !s.isBlank())
                    .ifPresent(a -> endpoints.add(new Dtos.Endpoint("GRPC_PLAINTEXT", a)));
        }
        // An edition retired from the price book keeps its instances readable, just without quotas.
        Edition edition = Editions.byCode(i.edition).orElse(null);
        List<Dtos.Quota> quotas = edition == null ? List.of() : InstanceQuotas.of(i, edition, facts);
        return new Dtos.InstanceView(i.instanceId, i.name, i.regionId, i.edition, i.tpsSpec, i.retentionHours,
                i.remark, i.tags, i.status.name(), i.conditions, i.generation, i.observedGeneration, facts.namespace(),
                endpoints, List.copyOf(i.ipAllowlist), throughput(i, facts.throttle()), quotas, facts.throttled(),
                i.createdAt, i.updatedAt, operationId);
    }

    /** The instance's limits as the gateways apply them: bought, and lowered by an operator's throttle while it lasts. */
    public Dtos.ThroughputView throughput(InstanceEntity i) {
        return throughput(i, InstanceThrottleEntity.activeFor(i.instanceId, Instant.now()));
    }

    private static Dtos.ThroughputView throughput(InstanceEntity i, Optional<InstanceThrottleEntity> throttle) {
        ThroughputLimits bought = ThroughputLimits.forSpec(i.tpsSpec);
        ThroughputLimits effective = throttle.map(t -> bought.lowerOf(new ThroughputLimits(t.sendTps, t.receiveTps)))
                .orElse(bought);
        return new Dtos.ThroughputView(bought.sendTps(), bought.receiveTps(), effective.sendTps(),
                effective.receiveTps(), ThroughputLimits.DEFAULT_BURST_SECONDS, MessageWeights.BYTES_PER_UNIT,
                new TreeMap<>(MessageWeights.DEFAULT),
                throttle.map(t -> new Dtos.TemporaryThrottleView(t.sendTps, t.receiveTps, t.reason, t.expiresAt))
                        .orElse(null));
    }

    public Dtos.TopicView topic(TopicEntity t, String operationId) {
        return topic(t, operationId, throttleCounters.of(t.instanceId, ThrottleCounters.TOPIC_SEND, t.name));
    }

    /** For lists: {@code throttled} comes from one query per page ({@link ThrottleCounters#byName}). */
    public Dtos.TopicView topic(TopicEntity t, String operationId, long throttled) {
        return new Dtos.TopicView(t.instanceId, t.name, t.messageType.name(), t.queueCount, t.remark, t.maxSendTps,
                throttled, t.status.name(), t.conditions, t.generation, t.observedGeneration, t.createdAt,
                t.updatedAt, operationId);
    }

    public Dtos.ConsumerGroupView group(ConsumerGroupEntity g, String operationId) {
        return group(g, operationId, throttleCounters.of(g.instanceId, ThrottleCounters.GROUP_RECEIVE, g.name));
    }

    public Dtos.ConsumerGroupView group(ConsumerGroupEntity g, String operationId, long throttled) {
        return new Dtos.ConsumerGroupView(g.instanceId, g.name, g.deliveryOrder.name(),
                new Dtos.ConsumeRetryPolicy(g.retryPolicy.name(), g.maxRetries, g.fixedIntervalSeconds), g.remark,
                g.maxReceiveTps, throttled, g.status.name(), g.conditions, g.generation, g.observedGeneration,
                g.createdAt, g.updatedAt, operationId);
    }

    public Dtos.OffsetResetView offsetReset(OffsetResetEntity r, String operationId) {
        return new Dtos.OffsetResetView(r.resetId, r.instanceId, r.groupName, r.topic, r.target.name(), r.resetTo,
                r.status.name(), r.conditions, r.queues.stream()
                        .map(q -> new Dtos.QueueOffsetView(q.topic(), q.brokerName(), q.queueId(), q.offset())).toList(),
                r.requestedBy, r.createdAt, r.updatedAt, operationId);
    }

    public Dtos.AccountView account(AccountEntity a, String secretKey) {
        return new Dtos.AccountView(a.instanceId, a.username, a.accessKey, secretKey, a.enabled, a.accountType.name(),
                a.remark, a.createdAt, a.updatedAt);
    }

    public Dtos.AclRuleView aclRule(AclRuleEntity r) {
        return new Dtos.AclRuleView(r.ruleId, r.instanceId, r.username, r.resourceType, r.resourceName, r.pattern,
                List.copyOf(r.actions), r.decision, List.copyOf(r.sourceCidrs), r.createdAt);
    }

    public Dtos.ThrottleView throttle(InstanceThrottleEntity t, String tenantId) {
        return new Dtos.ThrottleView(t.instanceId, tenantId, t.sendTps, t.receiveTps, t.reason, t.expiresAt, t.setBy,
                t.setAt);
    }

    public Dtos.OperationView operation(OperationEntity o) {
        return new Dtos.OperationView(o.operationId, o.instanceId, o.resourceType, o.resourceName, o.action,
                o.status.name(), o.message, o.createdAt, o.updatedAt, o.doneAt);
    }

    public Dtos.ClusterView cluster(ClusterEntity c) {
        return clusters(List.of(c)).get(0);
    }

    /** A page of clusters, with their usage read for the whole page in one query. */
    @SuppressWarnings("unchecked")
    public List<Dtos.ClusterView> clusters(List<ClusterEntity> page) {
        Map<String, Dtos.ClusterUsage> usage = new java.util.HashMap<>();
        if (!page.isEmpty()) {
            List<Object[]> rows = em.createNativeQuery("SELECT n.cluster_id, count(*), coalesce(sum(i.tps_spec), 0), "
                            + "coalesce(sum((SELECT count(*) FROM topics t WHERE t.instance_id = n.instance_id)), 0) "
                            + "FROM namespaces n JOIN instances i ON i.instance_id = n.instance_id "
                            + "WHERE n.cluster_id = ANY(?1) GROUP BY n.cluster_id")
                    .setParameter(1, page.stream().map(c -> c.clusterId).toArray(String[]::new)).getResultList();
            for (Object[] r : rows) {
                usage.put((String) r[0], new Dtos.ClusterUsage(((Number) r[1]).intValue(), ((Number) r[2]).intValue(),
                        ((Number) r[3]).longValue()));
            }
        }
        return page.stream().map(c -> new Dtos.ClusterView(c.clusterId, c.regionId, c.nameServerAddress, c.proxyEndpoint,
                c.adminAccessKey, c.capacityTps, c.capacityTopics, c.state.name(),
                usage.getOrDefault(c.clusterId, new Dtos.ClusterUsage(0, 0, 0)), c.createdAt, c.updatedAt)).toList();
    }
}
