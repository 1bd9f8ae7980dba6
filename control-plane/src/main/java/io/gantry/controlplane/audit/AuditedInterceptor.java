package io.gantry.controlplane.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.controlplane.api.PathParams;
import io.gantry.controlplane.api.ScopedInstance;
import io.gantry.controlplane.security.Caller;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import java.util.Objects;

/**
 * Records the change an {@link Audited} method made. Runs inside the method's transaction and after
 * the instance was resolved (a foreign instance is a 404 and leaves no event), so the event commits
 * or rolls back with the change; a method that throws records nothing.
 */
@Audited
@Interceptor
@Priority(Interceptor.Priority.APPLICATION + 10)
public class AuditedInterceptor {
    @Inject
    AuditLog audit;
    @Inject
    Caller caller;
    @Inject
    ScopedInstance scoped;
    @Inject
    ObjectMapper mapper;

    @AroundInvoke
    Object record(InvocationContext ctx) throws Exception {
        Audited audited = ctx.getMethod().getAnnotation(Audited.class);
        AuditSubject before = null;
        if (!Audited.CREATE.equals(audited.verb()) && ctx.getTarget() instanceof AuditedResource resource) {
            before = resource.auditView(audited.kind(), PathParams.of(ctx));
        }
        Object beforeView = before == null ? null : before.auditView();
        // Taken now: the method changes the managed entity the view was read from.
        Object beforeTree = beforeView == null ? null : mapper.valueToTree(beforeView);
        Object result = ctx.proceed();
        AuditSubject after = subject(result);
        AuditSubject subject = after != null ? after : before;
        if (subject == null) {
            throw new IllegalStateException(ctx.getMethod() + " is @Audited but neither answers nor reads an AuditSubject");
        }
        Object afterView = after == null ? null : after.auditView();
        if (afterView != null && Objects.equals(beforeTree, mapper.valueToTree(afterView))) {
            return result;
        }
        var instance = scoped.orNull();
        String tenant = instance != null ? instance.tenantId
                : subject.auditTenant() != null ? subject.auditTenant() : caller.tenantIfAny().orElse(null);
        audit.record(caller.actor(), tenant, audited.kind() + "." + audited.verb(), resourceType(audited.kind()),
                subject.auditId(), beforeView, afterView);
        return result;
    }

    /** The kind as the log's resource type: {@code consumer-group} → {@code CONSUMER_GROUP}. */
    static String resourceType(String kind) {
        return kind.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    private static AuditSubject subject(Object result) {
        Object entity = result instanceof Response r ? r.getEntity() : result;
        return entity instanceof AuditSubject s ? s : null;
    }
}
