package io.gantry.controlplane.api;

import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.security.Caller;
import io.gantry.controlplane.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/**
 * The instance whose message traces the caller may read: the caller tenant's own, or any for a
 * platform operator (who investigates on a tenant's behalf). Another tenant's instance answers 404
 * exactly like a missing one.
 */
@RequestScoped
public class ReadableInstances {
    @Inject
    SecurityIdentity identity;
    @Inject
    Caller caller;
    @Inject
    TenantInstances instances;

    public InstanceEntity get(String instanceId) {
        if (identity.hasRole(Roles.PLATFORM_OPERATOR)) {
            InstanceEntity i = InstanceEntity.findById(instanceId);
            if (i == null) {
                throw ApiException.notFound("instance", instanceId);
            }
            return i;
        }
        return instances.get(caller.tenant(), instanceId);
    }
}
