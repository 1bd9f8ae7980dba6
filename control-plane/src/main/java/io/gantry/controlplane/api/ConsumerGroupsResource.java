package io.gantry.controlplane.api;

import static io.gantry.controlplane.api.InstanceScoped.Access.WRITE;

import io.gantry.api.ErrorCode;
import io.gantry.controlplane.audit.AuditSubject;
import io.gantry.controlplane.audit.Audited;
import io.gantry.controlplane.audit.AuditedResource;
import io.gantry.controlplane.model.ChildKey;
import io.gantry.controlplane.model.ConsumerGroupEntity;
import io.gantry.controlplane.model.ConsumerGroupEntity.DeliveryOrder;
import io.gantry.controlplane.model.ConsumerGroupEntity.RetryPolicy;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.Status;
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
import java.util.Objects;

@Path("/api/v1/instances/{instanceId}/consumer-groups")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ConsumerGroupsResource implements AuditedResource {
    /** RocketMQ's own default for retryMaxTimes. */
    static final int DEFAULT_MAX_RETRIES = 16;
    static final int MAX_RETRIES_LIMIT = 1000;
    static final int DEFAULT_FIXED_INTERVAL_SECONDS = 10;

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
    public Dtos.Page<Dtos.ConsumerGroupView> list(@PathParam("instanceId") String instanceId,
                                                  @QueryParam("pageSize") String pageSize,
                                                  @QueryParam("pageToken") String pageToken) {
        Map<String, Long> throttled = throttleCounters.byName(instanceId, ThrottleCounters.GROUP_RECEIVE);
        return PageTokens.page(pageSize, pageToken,
                after -> ConsumerGroupEntity.<ConsumerGroupEntity>find("instanceId = ?1 and name > ?2 order by name", instanceId, after),
                g -> g.name, g -> views.group(g, null, throttled.getOrDefault(g.name, 0L)));
    }

    @GET
    @Path("{group}")
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER})
    @InstanceScoped
    public Dtos.ConsumerGroupView get(@PathParam("instanceId") String instanceId, @PathParam("group") String group) {
        return views.group(find(instanceId, group), null);
    }

    @POST
    @Path("{group}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @InstanceScoped(WRITE)
    @Audited(kind = "consumer-group", verb = Audited.CREATE)
    public Response create(@PathParam("instanceId") String instanceId, @PathParam("group") String group,
                           Dtos.ConsumerGroupCreate body) {
        Validation.body(body);
        InstanceEntity instance = scoped.get();
        Validation.resourceName(group, instanceId, "consumer group");
        Edition edition = Editions.byCode(instance.edition).orElseThrow();
        ConsumerGroupEntity g = new ConsumerGroupEntity();
        g.deliveryOrder = body.deliveryOrderType() == null ? DeliveryOrder.CONCURRENTLY
                : Validation.oneOf(DeliveryOrder.class, body.deliveryOrderType(), "deliveryOrderType");
        applyRetryPolicy(g, body.consumeRetryPolicy(), null);
        g.maxReceiveTps = body.maxReceiveTps() == null ? null : maxReceiveTps(instance, body.maxReceiveTps());
        if (ConsumerGroupEntity.findById(new ChildKey(instanceId, group)) != null) {
            throw ApiException.alreadyExists("consumer group", group, instanceId, "name");
        }
        InstanceQuotas.admitOneMore(instanceId, "consumerGroups", edition.maxConsumerGroups(),
                ConsumerGroupEntity.count("instanceId", instanceId));
        g.instanceId = instanceId;
        g.name = group;
        g.remark = Validation.remark(body.remark(), "remark");
        return writes.create(instance, g, Operations.CONSUMER_GROUP, group, "waiting to be created on the cluster",
                operationId -> views.group(g, operationId), "/api/v1/instances/" + instanceId + "/consumer-groups/" + group);
    }

    @PATCH
    @Path("{group}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @InstanceScoped(WRITE)
    @Audited(kind = "consumer-group", verb = Audited.UPDATE)
    public Response update(@PathParam("instanceId") String instanceId, @PathParam("group") String group,
                           Dtos.ConsumerGroupUpdate body) {
        Validation.body(body);
        InstanceEntity instance = scoped.get();
        ConsumerGroupEntity g = find(instanceId, group);
        ProvisioningWrites.requireNotDeleting(g, "consumer group", group);
        DeliveryOrder order = g.deliveryOrder;
        RetryPolicy policy = g.retryPolicy;
        int retries = g.maxRetries;
        Integer interval = g.fixedIntervalSeconds;
        if (body.deliveryOrderType() != null) {
            g.deliveryOrder = Validation.oneOf(DeliveryOrder.class, body.deliveryOrderType(), "deliveryOrderType");
        }
        if (body.consumeRetryPolicy() != null) {
            applyRetryPolicy(g, body.consumeRetryPolicy(), g);
        }
        if (body.remark() != null) {
            g.remark = Validation.remark(body.remark(), "remark");
        }
        if (body.maxReceiveTps() != null) {
            // Not provisioned: the cap lives in the gateways, which get it from the next config snapshot.
            g.maxReceiveTps = maxReceiveTps(instance, body.maxReceiveTps());
        }
        boolean provisioned = order != g.deliveryOrder || policy != g.retryPolicy || retries != g.maxRetries
                || !Objects.equals(interval, g.fixedIntervalSeconds);
        return writes.update(instance, g, provisioned, Operations.CONSUMER_GROUP, group,
                operationId -> views.group(g, operationId));
    }

    @DELETE
    @Path("{group}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @InstanceScoped
    @Audited(kind = "consumer-group", verb = Audited.DELETE)
    public Response delete(@PathParam("instanceId") String instanceId, @PathParam("group") String group) {
        ConsumerGroupEntity g = find(instanceId, group);
        return writes.delete(scoped.get(), g, Operations.CONSUMER_GROUP, group, operationId -> views.group(g, operationId));
    }

    @Override
    public AuditSubject auditView(String kind, Map<String, String> path) {
        ConsumerGroupEntity g = ConsumerGroupEntity.findById(new ChildKey(path.get("instanceId"), path.get("group")));
        return g == null ? null : views.group(g, null);
    }

    /** Applies a retry policy body; fields left out keep {@code current}'s values (or defaults on create). */
    private static void applyRetryPolicy(ConsumerGroupEntity g, Dtos.ConsumeRetryPolicy p, ConsumerGroupEntity current) {
        RetryPolicy policy = current == null ? RetryPolicy.DEFAULT : current.retryPolicy;
        int retries = current == null ? DEFAULT_MAX_RETRIES : current.maxRetries;
        Integer interval = current == null ? null : current.fixedIntervalSeconds;
        if (p != null) {
            if (p.retryPolicy() != null) {
                policy = Validation.oneOf(RetryPolicy.class, p.retryPolicy(), "consumeRetryPolicy.retryPolicy");
            }
            if (p.maxRetryTimes() != null) {
                retries = Validation.range(p.maxRetryTimes(), "consumeRetryPolicy.maxRetryTimes", 0, MAX_RETRIES_LIMIT);
            }
            if (p.fixedIntervalSeconds() != null) {
                if (policy != RetryPolicy.FIXED) {
                    throw ApiException.invalid("consumeRetryPolicy.fixedIntervalSeconds",
                            "applies only to retryPolicy FIXED");
                }
                interval = Validation.range(p.fixedIntervalSeconds(), "consumeRetryPolicy.fixedIntervalSeconds", 1, 7200);
            }
        }
        if (policy == RetryPolicy.FIXED && interval == null) {
            interval = DEFAULT_FIXED_INTERVAL_SECONDS;
        }
        if (policy == RetryPolicy.DEFAULT) {
            interval = null;
        }
        g.retryPolicy = policy;
        g.maxRetries = retries;
        g.fixedIntervalSeconds = interval;
    }

    /** 1 up to the instance's receive limit; 0 means no cap of its own (stored as null), as in the gateway config. */
    private static Integer maxReceiveTps(InstanceEntity instance, int requested) {
        if (requested == 0) {
            return null;
        }
        if (requested < 0) {
            throw ApiException.invalid("maxReceiveTps", "must be 0 (no cap) or more");
        }
        return InstanceQuotas.admitValue(instance.instanceId, "receiveTps", "maxReceiveTps",
                ThroughputLimits.forSpec(instance.tpsSpec).receiveTps(), null, requested);
    }

    private static ConsumerGroupEntity find(String instanceId, String group) {
        return ApiException.requireFound(ConsumerGroupEntity.findById(new ChildKey(instanceId, group)), "consumer group", group);
    }
}
