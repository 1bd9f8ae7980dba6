package io.gantry.controlplane.audit;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A resource method whose successful answer is a change to record: {@link AuditedInterceptor} writes
 * one audit event {@code <kind>.<verb>} (for example {@code topic.create}) in the method's transaction,
 * with the resource's view before (from {@link AuditedResource#auditView}) and after (the answer's
 * entity). A change that leaves the view as it was (a repeated delete) is not recorded.
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Audited {
    /** The resource kind, lower-case with dashes: {@code instance}, {@code topic}, {@code acl-rule}. */
    @Nonbinding
    String kind() default "";

    /** {@code create}, {@code update}, {@code delete} or an action's name ({@code rotate-secret}). */
    @Nonbinding
    String verb() default "";

    String CREATE = "create";
    String UPDATE = "update";
    String DELETE = "delete";
}
