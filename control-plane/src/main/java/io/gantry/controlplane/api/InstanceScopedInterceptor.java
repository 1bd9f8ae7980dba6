package io.gantry.controlplane.api;

import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.security.Caller;
import io.gantry.controlplane.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/**
 * Resolves the instance of an {@link InstanceScoped} method. Runs inside the method's transaction
 * (after {@code @Transactional}, whose priority is lower) so that a write lock lasts until commit.
 */
@InstanceScoped
@Interceptor
@Priority(Interceptor.Priority.APPLICATION)
public class InstanceScopedInterceptor {
    static final String PATH_PARAM = "instanceId";

    @Inject
    Caller caller;
    @Inject
    SecurityIdentity identity;
    @Inject
    TenantInstances instances;
    @Inject
    ScopedInstance scoped;

    @AroundInvoke
    Object resolve(InvocationContext ctx) throws Exception {
        String instanceId = PathParams.of(ctx).get(PATH_PARAM);
        if (instanceId == null) {
            throw new IllegalStateException(ctx.getMethod() + " is @InstanceScoped but has no @PathParam(\"instanceId\")");
        }
        InstanceScoped binding = ctx.getMethod().getAnnotation(InstanceScoped.class);
        if (binding == null) {
            binding = ctx.getMethod().getDeclaringClass().getAnnotation(InstanceScoped.class);
        }
        scoped.set(switch (binding.value()) {
            case READ -> instances.get(caller.tenant(), instanceId);
            case WRITE -> instances.getForWrite(caller.tenant(), instanceId);
            case READ_OR_OPERATOR -> identity.hasRole(Roles.PLATFORM_OPERATOR) ? anyTenants(instanceId)
                    : instances.get(caller.tenant(), instanceId);
        });
        return ctx.proceed();
    }

    private static InstanceEntity anyTenants(String instanceId) {
        InstanceEntity i = InstanceEntity.findById(instanceId);
        if (i == null) {
            throw ApiException.notFound("instance", instanceId);
        }
        return i;
    }
}
