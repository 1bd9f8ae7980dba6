package io.gantry.controlplane.api;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A resource method that acts inside one instance of the caller's tenant, named by its
 * {@code @PathParam("instanceId")}. Before the method runs, {@link InstanceScopedInterceptor} resolves
 * the instance for the caller's tenant or answers {@code NOT_FOUND} (another tenant's instance is
 * answered exactly like a missing one, so ids cannot be probed), and puts it in {@link ScopedInstance}.
 * With {@link Access#WRITE} the instance row is locked for the transaction (quota counts are checked
 * and raised under it) and an instance being deleted is refused with {@code INVALID_STATE}. With
 * {@link Access#READ_OR_OPERATOR} a platform operator may read any instance (message traces, which an
 * operator investigates on a tenant's behalf).
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface InstanceScoped {
    @Nonbinding
    Access value() default Access.READ;

    enum Access {
        READ,
        WRITE,
        READ_OR_OPERATOR
    }
}
