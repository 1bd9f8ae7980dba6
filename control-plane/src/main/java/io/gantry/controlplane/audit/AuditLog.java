package io.gantry.controlplane.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.controlplane.model.AuditEventEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/**
 * Writes an audit event in the caller's transaction: the event is stored if and only if the change it
 * describes commits. Callers pass API views (never secrets) as before/after.
 *
 * <p>Who records what: every write of the REST API (create, update and delete of instances, topics,
 * consumer groups, accounts and their ACL rules, clusters, operator throttles) records one event with
 * the caller as actor. The provisioner records only the end of an instance's deletion
 * ({@code instance.deleted}, actor {@code provisioner}); its other steps (placing an instance, applying
 * or finally removing a topic or group after its API delete) write status and conditions, not events.
 */
@ApplicationScoped
public class AuditLog {
    @Inject
    ObjectMapper mapper;

    public void record(String actor, String tenantId, String action, String resourceType, String resourceId,
                       Object before, Object after) {
        AuditEventEntity e = new AuditEventEntity();
        e.occurredAt = Instant.now();
        e.actor = actor;
        e.tenantId = tenantId;
        e.action = action;
        e.resourceType = resourceType;
        e.resourceId = resourceId;
        e.before = before == null ? null : mapper.valueToTree(before);
        e.after = after == null ? null : mapper.valueToTree(after);
        e.persist();
    }
}
