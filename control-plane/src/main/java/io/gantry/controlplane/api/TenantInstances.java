package io.gantry.controlplane.api;

import io.gantry.api.ErrorCode;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.Status;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

/**
 * Finds a tenant's instance. Another tenant's instance is answered exactly like a missing one,
 * so ids cannot be probed across tenants.
 */
@ApplicationScoped
public class TenantInstances {
    public InstanceEntity get(String tenant, String instanceId) {
        InstanceEntity i = InstanceEntity.findById(instanceId);
        if (i == null || !i.tenantId.equals(tenant)) {
            throw ApiException.notFound("instance", instanceId);
        }
        return i;
    }

    /** The instance, locked for a write that changes what it holds (quota counts, deletion). */
    public InstanceEntity getForWrite(String tenant, String instanceId) {
        InstanceEntity i = InstanceEntity.findById(instanceId, LockModeType.PESSIMISTIC_WRITE);
        if (i == null || !i.tenantId.equals(tenant)) {
            throw ApiException.notFound("instance", instanceId);
        }
        if (i.status == Status.DELETING) {
            throw new ApiException(ErrorCode.INVALID_STATE, "instance '" + instanceId + "' is being deleted");
        }
        return i;
    }
}
