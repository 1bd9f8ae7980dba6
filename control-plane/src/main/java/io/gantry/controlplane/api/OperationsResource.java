package io.gantry.controlplane.api;

import io.gantry.controlplane.model.OperationEntity;
import io.gantry.controlplane.security.Caller;
import io.gantry.controlplane.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1/operations")
@Produces(MediaType.APPLICATION_JSON)
public class OperationsResource {
    @Inject
    Caller caller;
    @Inject
    Views views;

    @GET
    @Path("{operationId}")
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER})
    public Dtos.OperationView get(@PathParam("operationId") String operationId) {
        OperationEntity op = OperationEntity.findById(operationId);
        if (op == null || !op.tenantId.equals(caller.tenant())) {
            throw ApiException.notFound("operation", operationId);
        }
        return views.operation(op);
    }
}
