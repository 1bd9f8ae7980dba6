package io.gantry.controlplane.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.gantry.controlplane.audit.AuditSubject;
import io.gantry.controlplane.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Request and response bodies of the management API; their schemas are in api-spec/openapi.yaml. */
public final class Dtos {
    private Dtos() {
    }

    public record Page<T>(List<T> items, String nextPageToken) {
    }

    // --- instances

    public record InstanceCreate(String name, String regionId, String edition, Integer tpsSpec,
                                 Integer retentionHours, String remark, Map<String, String> tags,
                                 List<String> ipAllowlist) {
    }

    public record InstanceUpdate(String name, String regionId, String edition, Integer tpsSpec,
                                 Integer retentionHours, String remark, Map<String, String> tags,
                                 List<String> ipAllowlist) {
    }

    public record Endpoint(String type, String address) {
    }

    /** {@code used} is left out where nothing is counted (a per-message limit such as maxMessageSizeKiB). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Quota(String name, int limit, Long used) {
    }

    /** What an operator's throttle shows to the tenant: no operator identity. */
    public record TemporaryThrottleView(int sendTps, int receiveTps, String reason, Instant expiresAt) {
    }

    /** Limits in weighted messages per second; {@code temporaryThrottle} is null when none is active. */
    public record ThroughputView(int sendTps, int receiveTps, int effectiveSendTps, int effectiveReceiveTps,
                                 double burstSeconds, int bytesPerUnit, Map<String, Integer> messageTypeWeights,
                                 TemporaryThrottleView temporaryThrottle) {
    }

    public record ThrottledLimitView(String kind, String name, long throttledRequests, Instant lastThrottledAt) {
    }

    public record ThrottledView(long total, List<ThrottledLimitView> byLimit) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InstanceView(String instanceId, String name, String regionId, String edition, int tpsSpec,
                               int retentionHours, String remark, Map<String, String> tags, String status,
                               List<Condition> conditions, long generation, long observedGeneration,
                               String namespace, List<Endpoint> endpoints, List<String> ipAllowlist,
                               ThroughputView throughput, List<Quota> quotas, ThrottledView throttled,
                               Instant createdAt, Instant updatedAt, String operationId) implements AuditSubject {
        @Override
        public String auditId() {
            return instanceId;
        }
    }

    // --- topics

    public record TopicCreate(String messageType, Integer queueCount, String remark, Integer maxSendTps) {
    }

    public record TopicUpdate(String messageType, Integer queueCount, String remark, Integer maxSendTps) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TopicView(String instanceId, String topicName, String messageType, int queueCount, String remark,
                            Integer maxSendTps, long throttledRequests, String status, List<Condition> conditions,
                            long generation, long observedGeneration, Instant createdAt, Instant updatedAt,
                            String operationId) implements AuditSubject {
        @Override
        public String auditId() {
            return instanceId + "/" + topicName;
        }
    }

    // --- consumer groups

    public record ConsumeRetryPolicy(String retryPolicy, Integer maxRetryTimes, Integer fixedIntervalSeconds) {
    }

    public record ConsumerGroupCreate(String deliveryOrderType, ConsumeRetryPolicy consumeRetryPolicy, String remark,
                                      Integer maxReceiveTps) {
    }

    public record ConsumerGroupUpdate(String deliveryOrderType, ConsumeRetryPolicy consumeRetryPolicy, String remark,
                                      Integer maxReceiveTps) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ConsumerGroupView(String instanceId, String groupName, String deliveryOrderType,
                                    ConsumeRetryPolicy consumeRetryPolicy, String remark, Integer maxReceiveTps,
                                    long throttledRequests, String status, List<Condition> conditions,
                                    long generation, long observedGeneration, Instant createdAt, Instant updatedAt,
                                    String operationId) implements AuditSubject {
        @Override
        public String auditId() {
            return instanceId + "/" + groupName;
        }
    }

    // --- offset resets

    /** {@code timestamp} (RFC 3339) only with {@code to: TIMESTAMP}; no topic: every topic the group consumes. */
    public record OffsetResetCreate(String topic, String to, String timestamp) {
    }

    public record QueueOffsetView(String topic, String brokerName, int queueId, long offset) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OffsetResetView(String resetId, String instanceId, String groupName, String topic, String to,
                                  Instant timestamp, String status, List<Condition> conditions,
                                  List<QueueOffsetView> queues, String requestedBy, Instant createdAt,
                                  Instant updatedAt, String operationId) implements AuditSubject {
        @Override
        public String auditId() {
            return instanceId + "/" + groupName + "/" + resetId;
        }
    }

    // --- accounts

    public record AccountCreate(Boolean enabled, String remark, String accountType) {
    }

    public record AccountUpdate(Boolean enabled, String remark, String accountType) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AccountView(String instanceId, String username, String accessKey, String secretKey, boolean enabled,
                              String accountType, String remark, Instant createdAt, Instant updatedAt) implements AuditSubject {
        @Override
        public String auditId() {
            return instanceId + "/" + username;
        }

        /** Without the secret: it is shown once, to the caller, and never kept in the log. */
        @Override
        public Object auditView() {
            return secretKey == null ? this
                    : new AccountView(instanceId, username, accessKey, null, enabled, accountType, remark, createdAt, updatedAt);
        }
    }

    // --- ACL rules

    public record AclRuleCreate(String resourceType, String resourceName, String pattern, List<String> actions,
                                String decision, List<String> sourceCidrs) {
    }

    public record AclRuleView(String ruleId, String instanceId, String username, String resourceType,
                              String resourceName, String pattern, List<String> actions, String decision,
                              List<String> sourceCidrs, Instant createdAt) implements AuditSubject {
        @Override
        public String auditId() {
            return instanceId + "/" + username + "/" + ruleId;
        }
    }

    // --- operations

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OperationView(String operationId, String instanceId, String resourceType, String resourceName,
                                String action, String status, String message, Instant createdAt, Instant updatedAt,
                                Instant doneAt) {
    }

    // --- catalog

    public record RegionView(String regionId, boolean available) {
    }

    public record TpsSpecView(int tps, String hourlyPrice) {
    }

    public record EditionView(String edition, String displayName, String description, String currency,
                              List<TpsSpecView> tpsSpecs, int maxTopics, int maxConsumerGroups, int maxAccounts,
                              int maxRetentionHours, int defaultRetentionHours, int maxMessageSizeKiB,
                              int maxQueuesPerTopic) {
    }

    // --- operators

    /** expiresAt is RFC 3339 text, parsed by the resource so that a bad value names the field. */
    public record ThrottleSet(Integer sendTps, Integer receiveTps, String reason, String expiresAt) {
    }

    public record ThrottleView(String instanceId, String tenantId, int sendTps, int receiveTps, String reason,
                               Instant expiresAt, String setBy, Instant setAt) implements AuditSubject {
        @Override
        public String auditId() {
            return instanceId;
        }

        @Override
        public String auditTenant() {
            return tenantId;
        }
    }

    public record ClusterCreate(String clusterId, String regionId, String nameServerAddress, String proxyEndpoint,
                                String adminAccessKey, String adminSecretKey, Integer capacityTps,
                                Integer capacityTopics, String state) {
    }

    public record ClusterUpdate(String regionId, String nameServerAddress, String proxyEndpoint,
                                String adminAccessKey, String adminSecretKey, Integer capacityTps,
                                Integer capacityTopics, String state) {
    }

    public record ClusterUsage(int instances, int tps, long topics) {
    }

    public record ClusterView(String clusterId, String regionId, String nameServerAddress, String proxyEndpoint,
                              String adminAccessKey, int capacityTps, int capacityTopics, String state,
                              ClusterUsage usage, Instant createdAt, Instant updatedAt) implements AuditSubject {
        @Override
        public String auditId() {
            return clusterId;
        }
    }

    public record NamespaceView(String namespace, String instanceId, String tenantId, String clusterId,
                                String instanceStatus, Instant createdAt) {
    }

    public record BrokerTopicView(String name, String messageType, int queues) {
    }

    public record BrokerGroupView(String name, int retryMaxTimes, boolean orderly) {
    }

    public record BrokerResourcesView(String clusterId, String namespace, List<BrokerTopicView> topics,
                                      List<BrokerGroupView> groups) {
    }

    // --- audit

    public record AuditEventView(long eventId, Instant occurredAt, String actor, String tenantId, String action,
                                 String resourceType, String resourceId, Object before, Object after) {
    }
}
