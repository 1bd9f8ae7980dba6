package io.gantry.controlplane.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.controlplane.model.AuditEventEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/**
 * Records every change in the same transaction as the change itself, so there is no change
 * without its audit event. Callers pass API views (never secrets) as before/after.
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
