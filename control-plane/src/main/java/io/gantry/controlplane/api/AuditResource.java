package io.gantry.controlplane.api;

import io.gantry.controlplane.model.AuditEventEntity;
import io.gantry.controlplane.security.Caller;
import io.gantry.controlplane.security.Roles;
import io.quarkus.panache.common.Parameters;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The audit log, newest first: a tenant admin reads its tenant's events, an operator reads all. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {
    @Inject
    Caller caller;

    @GET
    @Path("audit-events")
    @RolesAllowed(Roles.TENANT_ADMIN)
    public Dtos.Page<Dtos.AuditEventView> tenantEvents(@QueryParam("pageSize") String pageSize,
                                                       @QueryParam("pageToken") String pageToken) {
        return page(caller.tenant(), pageSize, pageToken);
    }

    @GET
    @Path("admin/audit-events")
    @RolesAllowed(Roles.PLATFORM_OPERATOR)
    public Dtos.Page<Dtos.AuditEventView> allEvents(@QueryParam("tenantId") String tenantId,
                                                    @QueryParam("pageSize") String pageSize,
                                                    @QueryParam("pageToken") String pageToken) {
        return page(tenantId, pageSize, pageToken);
    }

    private static Dtos.Page<Dtos.AuditEventView> page(String tenantId, String pageSize, String pageToken) {
        int size = PageTokens.pageSize(pageSize);
        String token = PageTokens.decode(pageToken);
        long before;
        try {
            before = token.isEmpty() ? Long.MAX_VALUE : Long.parseLong(token);
        } catch (NumberFormatException e) {
            throw new ApiException(io.gantry.api.ErrorCode.INVALID_PAGE_TOKEN, "pageToken is not a token this list issued", "pageToken");
        }
        String query = (tenantId == null ? "" : "tenantId = :tenant and ") + "eventId < :before order by eventId desc";
        Parameters params = Parameters.with("before", before);
        if (tenantId != null) {
            params.and("tenant", tenantId);
        }
        List<AuditEventEntity> rows = AuditEventEntity.<AuditEventEntity>find(query, params).range(0, size - 1).list();
        String next = rows.size() == size ? PageTokens.encode(String.valueOf(rows.get(size - 1).eventId)) : null;
        return new Dtos.Page<>(rows.stream().map(e -> new Dtos.AuditEventView(e.eventId, e.occurredAt, e.actor,
                e.tenantId, e.action, e.resourceType, e.resourceId, e.before, e.after)).toList(), next);
    }
}
