package io.gantry.controlplane.audit;

/** An API view that can stand for its resource in the audit log. */
public interface AuditSubject {
    /** The resource's id in the log: the path ids below the API root joined by '/' ({@code rmq-…/orders}). */
    String auditId();

    /**
     * The tenant whose log shows the event when no instance scope says it (an operator acting on a
     * tenant's instance); null for events of no tenant (a cluster).
     */
    default String auditTenant() {
        return null;
    }

    /** What the log keeps of the view; views that carry a secret answer a copy without it. */
    default Object auditView() {
        return this;
    }
}
