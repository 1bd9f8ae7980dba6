package io.gantry.controlplane.api;

import static io.gantry.controlplane.api.InstanceScoped.Access.WRITE;

import io.gantry.controlplane.audit.Audited;
import io.gantry.controlplane.model.ChildKey;
import io.gantry.controlplane.model.ConsumerGroupEntity;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.OffsetResetEntity;
import io.gantry.controlplane.model.OffsetResetEntity.Target;
import io.gantry.controlplane.model.TopicEntity;
import io.gantry.controlplane.provisioning.Operations;
import io.gantry.controlplane.security.Caller;
import io.gantry.controlplane.security.Roles;
import io.gantry.isolation.naming.InstanceIds;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;

/**
 * Offset resets ("backtrack"): a consumer group reads again from a point in time, from the oldest
 * message kept, or skips its backlog. The provisioner applies a reset on every broker with RocketMQ's
 * server-side reset, which consumers online or offline pick up at their next poll; messages delivered
 * and not yet acknowledged at that moment may arrive once more. The first resource written on the
 * shared pattern: one method per operation with {@link InstanceScoped} and {@link Audited}, and a
 * reconciler's step list in the provisioner.
 */
@Path("/api/v1/instances/{instanceId}/consumer-groups/{group}/offset-resets")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class OffsetResetsResource {
    @Inject
    ScopedInstance scoped;
    @Inject
    Caller caller;
    @Inject
    Views views;
    @Inject
    ProvisioningWrites writes;

    @GET
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER})
    @InstanceScoped
    public Dtos.Page<Dtos.OffsetResetView> list(@PathParam("instanceId") String instanceId,
                                                @PathParam("group") String group,
                                                @QueryParam("pageSize") String pageSize,
                                                @QueryParam("pageToken") String pageToken) {
        group(instanceId, group);
        return PageTokens.page(pageSize, pageToken,
                after -> OffsetResetEntity.<OffsetResetEntity>find(
                        "instanceId = ?1 and groupName = ?2 and resetId > ?3 order by resetId", instanceId, group, after),
                r -> r.resetId, r -> views.offsetReset(r, null));
    }

    @GET
    @Path("{resetId}")
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER})
    @InstanceScoped
    public Dtos.OffsetResetView get(@PathParam("instanceId") String instanceId, @PathParam("group") String group,
                                    @PathParam("resetId") String resetId) {
        group(instanceId, group);
        OffsetResetEntity r = OffsetResetEntity.findById(resetId);
        if (r == null || !r.instanceId.equals(instanceId) || !r.groupName.equals(group)) {
            throw ApiException.notFound("offset reset", resetId);
        }
        return views.offsetReset(r, null);
    }

    @POST
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @InstanceScoped(WRITE)
    @Audited(kind = "offset-reset", verb = Audited.CREATE)
    public Response create(@PathParam("instanceId") String instanceId, @PathParam("group") String group,
                           Dtos.OffsetResetCreate body) {
        Validation.body(body);
        InstanceEntity instance = scoped.get();
        group(instanceId, group);
        OffsetResetEntity r = new OffsetResetEntity();
        if (body.topic() != null) {
            if (TopicEntity.findById(new ChildKey(instanceId, body.topic())) == null) {
                throw ApiException.notFound("topic", body.topic());
            }
            r.topic = body.topic();
        }
        r.target = Validation.oneOf(Target.class, Validation.required(body.to(), "to"), "to");
        r.resetTo = resetTo(instance, r.target, body.timestamp());
        r.resetId = "rst-" + InstanceIds.randomBase32(12);
        r.instanceId = instanceId;
        r.groupName = group;
        r.requestedBy = caller.actor();
        return writes.create(instance, r, Operations.OFFSET_RESET, r.resetId, "waiting to be applied on the cluster's brokers",
                operationId -> views.offsetReset(r, operationId),
                "/api/v1/instances/" + instanceId + "/consumer-groups/" + group + "/offset-resets/" + r.resetId);
    }

    /** A time only with TIMESTAMP, and within what the instance keeps: older messages are gone, newer ones unwritten. */
    private static Instant resetTo(InstanceEntity instance, Target target, String timestamp) {
        if (target != Target.TIMESTAMP) {
            if (timestamp != null) {
                throw ApiException.invalid("timestamp", "applies only to to=TIMESTAMP");
            }
            return null;
        }
        Instant at = MessagesResource.instant(Validation.required(timestamp, "timestamp"), "timestamp");
        Instant now = Instant.now();
        if (at.isAfter(now)) {
            throw ApiException.invalid("timestamp", "is in the future (now " + now + ")");
        }
        Instant oldestKept = now.minus(Duration.ofHours(instance.retentionHours));
        if (at.isBefore(oldestKept)) {
            throw ApiException.invalid("timestamp", "is before the oldest message the instance keeps ("
                    + instance.retentionHours + " h ago, " + oldestKept + "); use to=EARLIEST");
        }
        return at;
    }

    private static void group(String instanceId, String group) {
        if (ConsumerGroupEntity.findById(new ChildKey(instanceId, group)) == null) {
            throw ApiException.notFound("consumer group", group);
        }
    }
}
