package io.gantry.controlplane.audit;

import java.util.Map;

/**
 * A resource class whose {@link Audited} updates and deletes have a "before": the view of the resource
 * that the method's path parameters name, read before the method runs, or null if there is none.
 */
public interface AuditedResource {
    AuditSubject auditView(String kind, Map<String, String> pathParams);
}
