package io.gantry.controlplane.api;

import static io.gantry.controlplane.api.InstanceScoped.Access.WRITE;

import io.gantry.api.ErrorCode;
import io.gantry.controlplane.audit.AuditSubject;
import io.gantry.controlplane.audit.Audited;
import io.gantry.controlplane.audit.AuditedResource;
import io.gantry.controlplane.model.ChildKey;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.Status;
import io.gantry.controlplane.model.TopicEntity;
import io.gantry.controlplane.provisioning.Operations;
import io.gantry.controlplane.security.Roles;
import io.gantry.isolation.quota.Edition;
import io.gantry.isolation.quota.Editions;
import io.gantry.isolation.throttle.ThroughputLimits;
import jakarta.annotation.security.RolesAllowed;
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
public class TopicsResource implements AuditedResource {
    private static final int DEFAULT_QUEUES = 8;

    @Inject
    ScopedInstance scoped;
    @Inject
    Views views;
    @Inject
    ProvisioningWrites writes;
    @Inject
    ThrottleCounters throttleCounters;

    @GET
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER})
    @InstanceScoped
    public Dtos.Page<Dtos.TopicView> list(@PathParam("instanceId") String instanceId,
                                          @QueryParam("pageSize") String pageSize,
                                          @QueryParam("pageToken") String pageToken) {
        Map<String, Long> throttled = throttleCounters.byName(instanceId, ThrottleCounters.TOPIC_SEND);
        return PageTokens.page(pageSize, pageToken,
                after -> TopicEntity.<TopicEntity>find("instanceId = ?1 and name > ?2 order by name", instanceId, after),
                t -> t.name, t -> views.topic(t, null, throttled.getOrDefault(t.name, 0L)));
    }

    @GET
    @Path("{topic}")
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER})
    @InstanceScoped
    public Dtos.TopicView get(@PathParam("instanceId") String instanceId, @PathParam("topic") String topic) {
        return views.topic(find(instanceId, topic), null);
    }

    @POST
    @Path("{topic}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @InstanceScoped(WRITE)
    @Audited(kind = "topic", verb = Audited.CREATE)
    public Response create(@PathParam("instanceId") String instanceId, @PathParam("topic") String topic,
                           Dtos.TopicCreate body) {
        Validation.body(body);
        InstanceEntity instance = scoped.get();
        Validation.resourceName(topic, instanceId, "topic");
        Edition edition = Editions.byCode(instance.edition).orElseThrow();
        TopicEntity.MessageType type = Validation.oneOf(TopicEntity.MessageType.class, body.messageType(), "messageType");
        int queues = body.queueCount() == null ? Math.min(DEFAULT_QUEUES, edition.maxQueuesPerTopic())
                : Validation.range(body.queueCount(), "queueCount", 1, edition.maxQueuesPerTopic());
        Integer maxSendTps = body.maxSendTps() == null ? null : maxSendTps(instance, body.maxSendTps());
        if (TopicEntity.findById(new ChildKey(instanceId, topic)) != null) {
            throw ApiException.alreadyExists("topic", topic, instanceId, "name");
        }
        InstanceQuotas.admitOneMore(instanceId, "topics", edition.maxTopics(), TopicEntity.count("instanceId", instanceId));
        TopicEntity t = new TopicEntity();
        t.instanceId = instanceId;
        t.name = topic;
        t.messageType = type;
        t.queueCount = queues;
        t.remark = Validation.remark(body.remark(), "remark");
        t.maxSendTps = maxSendTps;
        return writes.create(instance, t, Operations.TOPIC, topic, "waiting to be created on the cluster",
                operationId -> views.topic(t, operationId), "/api/v1/instances/" + instanceId + "/topics/" + topic);
    }

    @PATCH
    @Path("{topic}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @InstanceScoped(WRITE)
    @Audited(kind = "topic", verb = Audited.UPDATE)
    public Response update(@PathParam("instanceId") String instanceId, @PathParam("topic") String topic,
                           Dtos.TopicUpdate body) {
        Validation.body(body);
        InstanceEntity instance = scoped.get();
        TopicEntity t = find(instanceId, topic);
        ProvisioningWrites.requireNotDeleting(t, "topic", topic);
        if (body.messageType() != null && !body.messageType().equals(t.messageType.name())) {
            throw new ApiException(ErrorCode.IMMUTABLE_FIELD,
                    "topic '" + topic + "': messageType cannot change after creation", "messageType");
        }
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
        return writes.update(instance, t, provisioned, Operations.TOPIC, topic, operationId -> views.topic(t, operationId));
    }

    @DELETE
    @Path("{topic}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @InstanceScoped
    @Audited(kind = "topic", verb = Audited.DELETE)
    public Response delete(@PathParam("instanceId") String instanceId, @PathParam("topic") String topic) {
        TopicEntity t = find(instanceId, topic);
        return writes.delete(scoped.get(), t, Operations.TOPIC, topic, operationId -> views.topic(t, operationId));
    }

    @Override
    public AuditSubject auditView(String kind, Map<String, String> path) {
        TopicEntity t = TopicEntity.findById(new ChildKey(path.get("instanceId"), path.get("topic")));
        return t == null ? null : views.topic(t, null);
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
        return ApiException.requireFound(TopicEntity.findById(new ChildKey(instanceId, topic)), "topic", topic);
    }
}
