package io.gantry.controlplane.api;

import io.gantry.api.ErrorCode;
import io.gantry.controlplane.audit.AuditLog;
import io.gantry.controlplane.model.ChildKey;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.OperationEntity;
import io.gantry.controlplane.model.Status;
import io.gantry.controlplane.model.TopicEntity;
import io.gantry.controlplane.provisioning.Operations;
import io.gantry.controlplane.provisioning.ProvisioningRequested;
import io.gantry.controlplane.security.Caller;
import io.gantry.controlplane.security.Roles;
import io.gantry.isolation.quota.Edition;
import io.gantry.isolation.quota.Editions;
import io.gantry.isolation.quota.QuotaCheck;
import io.gantry.isolation.throttle.ThroughputLimits;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.Map;

@Path("/api/v1/instances/{instanceId}/topics")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TopicsResource {
    private static final int DEFAULT_QUEUES = 8;

    @Inject
    Caller caller;
    @Inject
    TenantInstances instances;
    @Inject
    Views views;
    @Inject
    Operations operations;
    @Inject
    AuditLog audit;
    @Inject
    Event<ProvisioningRequested> provisioning;
    @Inject
    ThrottleCounters throttleCounters;

    @GET
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER})
    public Dtos.Page<Dtos.TopicView> list(@PathParam("instanceId") String instanceId,
                                          @QueryParam("pageSize") String pageSize,
                                          @QueryParam("pageToken") String pageToken) {
        instances.get(caller.tenant(), instanceId);
        Map<String, Long> throttled = throttleCounters.byName(instanceId, ThrottleCounters.TOPIC_SEND);
        return PageTokens.page(pageSize, pageToken,
                after -> TopicEntity.<TopicEntity>find("instanceId = ?1 and name > ?2 order by name", instanceId, after),
                t -> t.name, t -> views.topic(t, null, throttled.getOrDefault(t.name, 0L)));
    }

    @GET
    @Path("{topic}")
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER})
    public Dtos.TopicView get(@PathParam("instanceId") String instanceId, @PathParam("topic") String topic) {
        instances.get(caller.tenant(), instanceId);
        return views.topic(find(instanceId, topic), null);
    }

    @POST
    @Path("{topic}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    public Response create(@PathParam("instanceId") String instanceId, @PathParam("topic") String topic,
                           Dtos.TopicCreate body) {
        Validation.body(body);
        String tenant = caller.tenant();
        InstanceEntity instance = instances.getForWrite(tenant, instanceId);
        Validation.resourceName(topic, instance.instanceId, "topic");
        Edition edition = Editions.byCode(instance.edition).orElseThrow();
        TopicEntity.MessageType type = Validation.oneOf(TopicEntity.MessageType.class, body.messageType(), "messageType");
        int queues = body.queueCount() == null ? Math.min(DEFAULT_QUEUES, edition.maxQueuesPerTopic())
                : Validation.range(body.queueCount(), "queueCount", 1, edition.maxQueuesPerTopic());
        Integer maxSendTps = body.maxSendTps() == null ? null : maxSendTps(instance, body.maxSendTps());
        if (TopicEntity.findById(new ChildKey(instanceId, topic)) != null) {
            throw new ApiException(ErrorCode.ALREADY_EXISTS,
                    "topic '" + topic + "' already exists in instance '" + instanceId + "'", "name");
        }
        QuotaCheck.admitOneMore("topics", edition.maxTopics(), TopicEntity.count("instanceId", instanceId))
                .ifPresent(q -> {
                    throw new ApiException(ErrorCode.QUOTA_EXCEEDED, "instance '" + instanceId + "': " + q.message());
                });
        Instant now = Instant.now();
        TopicEntity t = new TopicEntity();
        t.instanceId = instanceId;
        t.name = topic;
        t.messageType = type;
        t.queueCount = queues;
        t.remark = Validation.remark(body.remark(), "remark");
        t.maxSendTps = maxSendTps;
        t.createdAt = now;
        t.requestChange(Status.CREATING, now);
        t.setCondition("Ready", false, "Provisioning", "waiting to be created on the cluster", now);
        t.persist();
        OperationEntity op = operations.open(tenant, instanceId, Operations.TOPIC, topic, "CREATE", t.generation);
        Dtos.TopicView view = views.topic(t, op.operationId);
        audit.record(caller.actor(), tenant, "topic.create", Operations.TOPIC, instanceId + "/" + topic, null, view);
        provisioning.fire(new ProvisioningRequested(instanceId));
        return Response.accepted(view).location(URI.create("/api/v1/instances/" + instanceId + "/topics/" + topic)).build();
    }

    @PATCH
    @Path("{topic}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    public Response update(@PathParam("instanceId") String instanceId, @PathParam("topic") String topic,
                           Dtos.TopicUpdate body) {
        Validation.body(body);
        String tenant = caller.tenant();
        InstanceEntity instance = instances.getForWrite(tenant, instanceId);
        TopicEntity t = find(instanceId, topic);
        if (t.status == Status.DELETING) {
            throw new ApiException(ErrorCode.INVALID_STATE, "topic '" + topic + "' is being deleted");
        }
        if (body.messageType() != null && !body.messageType().equals(t.messageType.name())) {
            throw new ApiException(ErrorCode.IMMUTABLE_FIELD,
                    "topic '" + topic + "': messageType cannot change after creation", "messageType");
        }
        Dtos.TopicView before = views.topic(t, null);
        Instant now = Instant.now();
        boolean provisioned = false;
        if (body.queueCount() != null && body.queueCount() != t.queueCount) {
            int max = Editions.byCode(instance.edition).orElseThrow().maxQueuesPerTopic();
            int queues = Validation.range(body.queueCount(), "queueCount", 1, max);
            if (queues < t.queueCount) {
                throw ApiException.invalid("queueCount", "cannot decrease (from " + t.queueCount
                        + "): messages in removed queues would be stranded");
            }
            t.queueCount = queues;
            provisioned = true;
        }
        if (body.remark() != null) {
            t.remark = Validation.remark(body.remark(), "remark");
        }
        if (body.maxSendTps() != null) {
            // Not provisioned: the cap lives in the gateways, which get it from the next config snapshot.
            t.maxSendTps = maxSendTps(instance, body.maxSendTps());
        }
        String operationId = null;
        if (provisioned) {
            t.requestChange(Status.UPDATING, now);
            operationId = operations.open(tenant, instanceId, Operations.TOPIC, topic, "UPDATE", t.generation).operationId;
            provisioning.fire(new ProvisioningRequested(instanceId));
        } else {
            t.updatedAt = now;
        }
        Dtos.TopicView after = views.topic(t, operationId);
        audit.record(caller.actor(), tenant, "topic.update", Operations.TOPIC, instanceId + "/" + topic, before, after);
        return provisioned ? Response.accepted(after).build() : Response.ok(after).build();
    }

    @DELETE
    @Path("{topic}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    public Response delete(@PathParam("instanceId") String instanceId, @PathParam("topic") String topic) {
        String tenant = caller.tenant();
        instances.get(tenant, instanceId);
        TopicEntity t = find(instanceId, topic);
        if (t.status == Status.DELETING) {
            return Response.accepted(views.topic(t, null)).build();
        }
        Dtos.TopicView before = views.topic(t, null);
        t.requestChange(Status.DELETING, Instant.now());
        OperationEntity op = operations.open(tenant, instanceId, Operations.TOPIC, topic, "DELETE", t.generation);
        Dtos.TopicView after = views.topic(t, op.operationId);
        audit.record(caller.actor(), tenant, "topic.delete", Operations.TOPIC, instanceId + "/" + topic, before, after);
        provisioning.fire(new ProvisioningRequested(instanceId));
        return Response.accepted(after).build();
    }

    /** 1 up to the instance's send limit; 0 means no cap of its own (stored as null), as in the gateway config. */
    private static Integer maxSendTps(InstanceEntity instance, int requested) {
        if (requested == 0) {
            return null;
        }
        if (requested < 0) {
            throw ApiException.invalid("maxSendTps", "must be 0 (no cap) or more");
        }
        return InstanceQuotas.admitValue(instance.instanceId, "sendTps", "maxSendTps",
                ThroughputLimits.forSpec(instance.tpsSpec).sendTps(), null, requested);
    }

    private static TopicEntity find(String instanceId, String topic) {
        TopicEntity t = TopicEntity.findById(new ChildKey(instanceId, topic));
        if (t == null) {
            throw ApiException.notFound("topic", topic);
        }
        return t;
    }
}
