package io.gantry.controlplane.api;

import io.gantry.api.ErrorCode;
import io.gantry.controlplane.model.Conditions;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.ProvisionedEntity;
import io.gantry.controlplane.model.Status;
import io.gantry.controlplane.provisioning.Operations;
import io.gantry.controlplane.provisioning.ProvisioningRequested;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;

/**
 * The one path by which the API asks the provisioner for a change: the new desired state is written
 * (a new generation), an operation is opened for the caller to follow, and the provisioner is woken
 * once the transaction commits. Whatever a write does before (validation, quotas) is the resource's.
 */
@ApplicationScoped
public class ProvisioningWrites {
    private static final Map<Status, String> ACTIONS = Map.of(Status.CREATING, "CREATE", Status.UPDATING, "UPDATE",
            Status.DELETING, "DELETE");

    @Inject
    Operations operations;
    @Inject
    Event<ProvisioningRequested> provisioning;

    /**
     * A new resource of {@code instance}: persisted as CREATING with Ready=False ({@code waitingFor} says
     * what for). Answers 202 with its view, which {@code view} builds from the operation id, at {@code location}.
     */
    public Response create(InstanceEntity instance, ProvisionedEntity resource, String resourceType, String name,
                           String waitingFor, Function<String, Object> view, String location) {
        Instant now = Instant.now();
        resource.createdAt = now;
        resource.requestChange(Status.CREATING, now);
        resource.setCondition(Conditions.Type.READY, false, Conditions.Reason.PROVISIONING, waitingFor, now);
        resource.persist();
        return Response.accepted(view.apply(open(instance, resource, resourceType, name))).location(URI.create(location))
                .build();
    }

    /**
     * An update: when it changed what lives on the cluster ({@code provisioned}) the resource turns
     * UPDATING and the answer is 202 with an operation; otherwise it is saved as it is and the answer is 200.
     */
    public Response update(InstanceEntity instance, ProvisionedEntity resource, boolean provisioned, String resourceType,
                           String name, Function<String, Object> view) {
        if (!provisioned) {
            resource.updatedAt = Instant.now();
            return Response.ok(view.apply(null)).build();
        }
        return Response.accepted(view.apply(change(instance, resource, Status.UPDATING, resourceType, name))).build();
    }

    /** A resource being deleted takes no other change. */
    public static void requireNotDeleting(ProvisionedEntity resource, String kind, String name) {
        if (resource.status == Status.DELETING) {
            throw new ApiException(ErrorCode.INVALID_STATE, kind + " '" + name + "' is being deleted");
        }
    }

    /** A change of desired state ({@link Status#UPDATING} or {@link Status#DELETING}). Answers the operation's id. */
    public String change(InstanceEntity instance, ProvisionedEntity resource, Status status, String resourceType,
                         String name) {
        resource.requestChange(status, Instant.now());
        return open(instance, resource, resourceType, name);
    }

    /**
     * A delete: the resource turns DELETING (a second delete of a resource already DELETING changes
     * nothing) and the answer is 202 with its view, which {@code view} builds from the operation id.
     */
    public Response delete(InstanceEntity instance, ProvisionedEntity resource, String resourceType, String name,
                           Function<String, Object> view) {
        if (resource.status == Status.DELETING) {
            return Response.accepted(view.apply(null)).build();
        }
        return Response.accepted(view.apply(change(instance, resource, Status.DELETING, resourceType, name))).build();
    }

    private String open(InstanceEntity instance, ProvisionedEntity resource, String resourceType, String name) {
        String operationId = operations.open(instance.tenantId, instance.instanceId, resourceType, name,
                ACTIONS.get(resource.status), resource.generation).operationId;
        provisioning.fire(new ProvisioningRequested(instance.instanceId));
        return operationId;
    }
}
