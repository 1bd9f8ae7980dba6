package io.gantry.controlplane.api;

import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.Status;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Limits of a tenant as a whole. Every instance is state on shared clusters and in every gateway's
 * snapshot, so one tenant must not be able to create them without bound.
 */
@ApplicationScoped
public class TenantQuotas {
    @ConfigProperty(name = "gantry.quotas.instances-per-tenant", defaultValue = "20")
    int maxInstances;

    @Inject
    EntityManager em;

    /**
     * One more instance for {@code tenant}, or QUOTA_EXCEEDED. Two creates of one tenant are serialized
     * by a transaction-scoped advisory lock on the tenant, so they cannot both pass the count.
     */
    public void admitOneMoreInstance(String tenant) {
        em.createNativeQuery("select pg_advisory_xact_lock(hashtext('tenant-instances:' || ?1))")
                .setParameter(1, tenant).getSingleResult();
        long used = InstanceEntity.count("tenantId = ?1 and status <> ?2", tenant, Status.DELETING);
        InstanceQuotas.admitTenant(tenant, "instances", maxInstances, used);
    }

    public int maxInstances() {
        return maxInstances;
    }
}
