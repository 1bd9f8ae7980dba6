package io.gantry.controlplane.api;

import io.gantry.controlplane.audit.AuditSubject;
import io.gantry.controlplane.audit.Audited;
import io.gantry.controlplane.audit.AuditedResource;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.InstanceThrottleEntity;
import io.gantry.controlplane.security.Caller;
import io.gantry.controlplane.security.Roles;
import io.gantry.isolation.throttle.ThroughputLimits;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * An operator's temporary throttle of an instance (docs/runbooks/throttling.md): limits below what
 * the tenant bought, with a reason the tenant sees on its instance and an expiry, so that a throttle
 * nobody remembers cannot outlive the incident it was set for.
 */
@Path("/api/v1/admin/instances/{instanceId}/throttle")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.PLATFORM_OPERATOR)
public class AdminThrottleResource implements AuditedResource {
    static final Duration MAX_DURATION = Duration.ofDays(7);
    static final int MAX_REASON_LENGTH = 512;

    @Inject
    Caller caller;
    @Inject
    Views views;

    @GET
    public Dtos.ThrottleView get(@PathParam("instanceId") String instanceId) {
        InstanceEntity i = instance(instanceId);
        return views.throttle(active(instanceId), i.tenantId);
    }

    /** Sets or replaces the throttle; a direction left out keeps the instance's own limit. */
    @PUT
    @Transactional
    @Audited(kind = "instance", verb = "throttle.set")
    public Dtos.ThrottleView set(@PathParam("instanceId") String instanceId, Dtos.ThrottleSet body) {
        Validation.body(body);
        InstanceEntity i = instance(instanceId);
        ThroughputLimits bought = ThroughputLimits.forSpec(i.tpsSpec);
        if (body.sendTps() == null && body.receiveTps() == null) {
            throw ApiException.invalid("sendTps", "or receiveTps is required");
        }
        int send = body.sendTps() == null ? bought.sendTps()
                : Validation.range(body.sendTps(), "sendTps", 1, bought.sendTps());
        int receive = body.receiveTps() == null ? bought.receiveTps()
                : Validation.range(body.receiveTps(), "receiveTps", 1, bought.receiveTps());
        String reason = Validation.required(body.reason(), "reason").strip();
        if (reason.length() > MAX_REASON_LENGTH) {
            throw ApiException.invalid("reason", "must be at most " + MAX_REASON_LENGTH + " characters");
        }
        Instant now = Instant.now();
        Instant expiresAt = expiresAt(body.expiresAt(), now);

        InstanceThrottleEntity t = InstanceThrottleEntity.findById(instanceId);
        if (t == null) {
            t = new InstanceThrottleEntity();
            t.instanceId = instanceId;
        }
        t.sendTps = send;
        t.receiveTps = receive;
        t.reason = reason;
        t.expiresAt = expiresAt;
        t.setBy = caller.actor();
        t.setAt = now;
        t.persist();
        // The view names the tenant, so the tenant's own audit log says who throttled it and why.
        return views.throttle(t, i.tenantId);
    }

    @DELETE
    @Transactional
    @Audited(kind = "instance", verb = "throttle.lift")
    public Response lift(@PathParam("instanceId") String instanceId) {
        instance(instanceId);
        active(instanceId).delete();
        return Response.noContent().build();
    }

    /** The throttle in force before a change, if any. */
    @Override
    public AuditSubject auditView(String kind, Map<String, String> path) {
        InstanceEntity i = InstanceEntity.findById(path.get("instanceId"));
        InstanceThrottleEntity t = InstanceThrottleEntity.findById(path.get("instanceId"));
        return i == null || t == null || !t.activeAt(Instant.now()) ? null : views.throttle(t, i.tenantId);
    }

    private static InstanceEntity instance(String instanceId) {
        InstanceEntity i = InstanceEntity.findById(instanceId);
        if (i == null) {
            throw ApiException.notFound("instance", instanceId);
        }
        return i;
    }

    private static InstanceThrottleEntity active(String instanceId) {
        return InstanceThrottleEntity.activeFor(instanceId, Instant.now())
                .orElseThrow(() -> ApiException.notFound("throttle of instance", instanceId));
    }

    private static Instant expiresAt(String text, Instant now) {
        Validation.required(text, "expiresAt");
        Instant at;
        try {
            at = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.invalid("expiresAt", "must be an RFC 3339 date-time with an offset, such as 2026-11-21T18:00:00Z");
        }
        if (!at.isAfter(now)) {
            throw ApiException.invalid("expiresAt", "must be in the future");
        }
        if (at.isAfter(now.plus(MAX_DURATION))) {
            throw ApiException.invalid("expiresAt", "must be at most " + MAX_DURATION.toDays()
                    + " days ahead; set a new throttle when it expires if it is still needed");
        }
        return at;
    }
}
