package io.gantry.controlplane.api;

import com.fasterxml.jackson.annotation.JsonInclude;
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
                                 Integer retentionHours, String remark, Map<String, String> tags) {
    }

    public record InstanceUpdate(String name, String regionId, String edition, Integer tpsSpec,
                                 Integer retentionHours, String remark, Map<String, String> tags) {
    }

    public record Endpoint(String type, String address) {
    }

    public record Quota(String name, int limit, long used) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InstanceView(String instanceId, String name, String regionId, String edition, int tpsSpec,
                               int retentionHours, String remark, Map<String, String> tags, String status,
                               List<Condition> conditions, long generation, long observedGeneration,
                               String namespace, List<Endpoint> endpoints, List<Quota> quotas,
                               Instant createdAt, Instant updatedAt, String operationId) {
    }

    // --- topics

    public record TopicCreate(String messageType, Integer queueCount, String remark) {
    }

    public record TopicUpdate(String messageType, Integer queueCount, String remark) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TopicView(String instanceId, String topicName, String messageType, int queueCount, String remark,
                            String status, List<Condition> conditions, long generation, long observedGeneration,
                            Instant createdAt, Instant updatedAt, String operationId) {
    }

    // --- consumer groups

    public record ConsumeRetryPolicy(String retryPolicy, Integer maxRetryTimes, Integer fixedIntervalSeconds) {
    }

    public record ConsumerGroupCreate(String deliveryOrderType, ConsumeRetryPolicy consumeRetryPolicy, String remark) {
    }

    public record ConsumerGroupUpdate(String deliveryOrderType, ConsumeRetryPolicy consumeRetryPolicy, String remark) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ConsumerGroupView(String instanceId, String groupName, String deliveryOrderType,
                                    ConsumeRetryPolicy consumeRetryPolicy, String remark, String status,
                                    List<Condition> conditions, long generation, long observedGeneration,
                                    Instant createdAt, Instant updatedAt, String operationId) {
    }

    // --- accounts

    public record AccountCreate(Boolean enabled, String remark) {
    }

    public record AccountUpdate(Boolean enabled, String remark) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AccountView(String instanceId, String username, String accessKey, String secretKey, boolean enabled,
                              String remark, Instant createdAt, Instant updatedAt) {
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
                              ClusterUsage usage, Instant createdAt, Instant updatedAt) {
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
