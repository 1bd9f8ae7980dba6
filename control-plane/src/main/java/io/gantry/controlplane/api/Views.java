package io.gantry.controlplane.api;

import io.gantry.controlplane.model.AccountEntity;
import io.gantry.controlplane.model.AclRuleEntity;
import io.gantry.controlplane.model.ClusterEntity;
import io.gantry.controlplane.model.ConsumerGroupEntity;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.InstanceThrottleEntity;
import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.controlplane.model.OperationEntity;
import io.gantry.controlplane.model.Status;
import io.gantry.controlplane.model.TopicEntity;
import io.gantry.isolation.quota.Edition;
import io.gantry.isolation.quota.Editions;
import io.gantry.isolation.throttle.MessageWeights;
import io.gantry.isolation.throttle.ThroughputLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Entity → API view. The only place that decides what a caller gets to see of a row. */
@ApplicationScoped
public class Views {
    @Inject
    ThrottleCounters throttleCounters;
    @ConfigProperty(name = "gantry.endpoints.grpc")
    Optional<String> grpcEndpoint;
    @ConfigProperty(name = "gantry.endpoints.grpc-plaintext")
    Optional<String> grpcPlaintextEndpoint;

    public Dtos.InstanceView instance(InstanceEntity i, String operationId) {
        String namespace = NamespaceEntity.ofInstance(i.instanceId).map(n -> n.namespace).orElse(null);
        List<Dtos.Endpoint> endpoints = new java.util.ArrayList<>();
        if (i.status == Status.RUNNING || i.status == Status.UPDATING) {
            grpcEndpoint.filter(s -> !s.isBlank()).ifPresent(a -> endpoints.add(new Dtos.Endpoint("GRPC", a)));
            grpcPlaintextEndpoint.filter(s -> !s.isBlank())
                    .ifPresent(a -> endpoints.add(new Dtos.Endpoint("GRPC_PLAINTEXT", a)));
        }
        // An edition retired from the price book keeps its instances readable, just without quotas.
        Edition edition = Editions.byCode(i.edition).orElse(null);
        List<Dtos.Quota> quotas = edition == null ? List.of() : InstanceQuotas.of(i, edition);
        return new Dtos.InstanceView(i.instanceId, i.name, i.regionId, i.edition, i.tpsSpec, i.retentionHours,
                i.remark, i.tags, i.status.name(), i.conditions, i.generation, i.observedGeneration, namespace,
                endpoints, List.copyOf(i.ipAllowlist), throughput(i), quotas, throttleCounters.ofInstance(i.instanceId),
                i.createdAt, i.updatedAt, operationId);
    }

    /** The instance's limits as the gateways apply them: bought, and lowered by an operator's throttle while it lasts. */
    public Dtos.ThroughputView throughput(InstanceEntity i) {
        ThroughputLimits bought = ThroughputLimits.forSpec(i.tpsSpec);
        Optional<InstanceThrottleEntity> throttle = InstanceThrottleEntity.activeFor(i.instanceId, Instant.now());
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
        List<String> instanceIds = NamespaceEntity.<NamespaceEntity>list("clusterId", c.clusterId).stream()
                .map(n -> n.instanceId).toList();
        int tps = instanceIds.isEmpty() ? 0 : InstanceEntity.<InstanceEntity>list("instanceId in ?1", instanceIds)
                .stream().mapToInt(i -> i.tpsSpec).sum();
        long topics = instanceIds.isEmpty() ? 0 : TopicEntity.count("instanceId in ?1", instanceIds);
        return new Dtos.ClusterView(c.clusterId, c.regionId, c.nameServerAddress, c.proxyEndpoint, c.adminAccessKey,
                c.capacityTps, c.capacityTopics, c.state.name(), new Dtos.ClusterUsage(instanceIds.size(), tps, topics),
                c.createdAt, c.updatedAt);
    }
}
