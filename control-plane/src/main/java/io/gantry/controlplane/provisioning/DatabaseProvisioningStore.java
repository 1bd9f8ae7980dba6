package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.audit.AuditLog;
import io.gantry.controlplane.model.ClusterEntity;
import io.gantry.controlplane.model.ConsumerGroupEntity;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.controlplane.model.ProvisionedEntity;
import io.gantry.controlplane.model.TopicEntity;
import io.gantry.controlplane.secrets.SecretCipher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Optional;

/** {@link ProvisioningStore} in Postgres; every call joins the transaction of the resource being reconciled. */
@ApplicationScoped
public class DatabaseProvisioningStore implements ProvisioningStore {
    /** Key of the Postgres advisory lock that serializes placement decisions. */
    private static final long PLACEMENT_LOCK = 0x6761_6e74_7279_01L;
    private static final String PENDING = "status IN ('CREATING','UPDATING','DELETING')";

    @Inject
    EntityManager em;
    @Inject
    Placement placement;
    @Inject
    Operations operations;
    @Inject
    AuditLog audit;
    @Inject
    SecretCipher cipher;

    /** Key columns of the kind's pending resources whose next attempt is due, the longest waiting first. */
    @SuppressWarnings("unchecked")
    List<Object[]> due(KindReconciler<?> kind) {
        List<Object> rows = em.createNativeQuery("SELECT " + String.join(", ", kind.resource().keyColumns()) + " FROM " + kind.resource().table()
                        + " WHERE " + PENDING + " AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT " + kind.resource().batchSize())
                .getResultList();
        return rows.stream().map(r -> r instanceof Object[] columns ? columns : new Object[] {r}).toList();
    }

    /**
     * The resource, its row locked to the end of the transaction; empty when another provisioner holds
     * the lock or it is no longer pending.
     */
    <E extends ProvisionedEntity> Optional<E> lock(KindReconciler<E> kind, Object[] key) {
        List<String> columns = kind.resource().keyColumns();
        StringBuilder sql = new StringBuilder("SELECT 1 FROM " + kind.resource().table() + " WHERE " + PENDING);
        for (int i = 0; i < columns.size(); i++) {
            sql.append(" AND ").append(columns.get(i)).append(" = ?").append(i + 1);
        }
        var q = em.createNativeQuery(sql + " FOR UPDATE SKIP LOCKED");
        for (int i = 0; i < key.length; i++) {
            q.setParameter(i + 1, key[i]);
        }
        if (q.getResultList().isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(em.find(kind.resource().entityType(), kind.resource().entityKey().apply(key)));
    }

    @Override
    public Optional<NamespaceEntity> namespaceOf(String instanceId) {
        return NamespaceEntity.ofInstance(instanceId);
    }

    @Override
    public Optional<ClusterEntity> choosePlacement(InstanceEntity instance) {
        em.createNativeQuery("SELECT pg_advisory_xact_lock(?1)").setParameter(1, PLACEMENT_LOCK).getSingleResult();
        return placement.choose(instance);
    }

    @Override
    public void savePlacement(NamespaceEntity namespace) {
        namespace.persist();
    }

    @Override
    public void dropPlacement(NamespaceEntity namespace) {
        namespace.delete();
    }

    @Override
    public ClusterTarget target(String clusterId) {
        ClusterEntity c = ClusterEntity.findById(clusterId);
        return new ClusterTarget(c.clusterId, c.nameServerAddress, c.adminAccessKey, cipher.decrypt(c.adminSecretEnc));
    }

    @Override
    public long childrenOf(String instanceId) {
        return TopicEntity.count("instanceId", instanceId) + ConsumerGroupEntity.count("instanceId", instanceId);
    }

    @Override
    public String tenantOf(String instanceId) {
        InstanceEntity i = InstanceEntity.findById(instanceId);
        return i == null ? null : i.tenantId;
    }

    @Override
    public void remove(ProvisionedEntity resource) {
        resource.delete();
    }

    @Override
    public void completeOperations(String instanceId, String kind, String name, long appliedGeneration) {
        operations.complete(instanceId, kind, name, appliedGeneration);
    }

    @Override
    public void progressOperations(String instanceId, String kind, String name, String message) {
        operations.progress(instanceId, kind, name, message);
    }

    @Override
    public void audit(String tenantId, String action, String kind, String resourceId, Object before) {
        audit.record(Reconciliation.ACTOR, tenantId, action, kind, resourceId, before, null);
    }
}
