package io.gantry.controlplane.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An asynchronous change: done when the provisioner has applied the resource's generation. */
@Entity
@Table(name = "operations")
public class OperationEntity extends PanacheEntityBase {
    public enum State { PENDING, RUNNING, SUCCEEDED, FAILED }

    @Id
    @Column(name = "operation_id")
    public String operationId;

    @Column(name = "tenant_id")
    public String tenantId;

    @Column(name = "instance_id")
    public String instanceId;

    @Column(name = "resource_type")
    public String resourceType;

    @Column(name = "resource_name")
    public String resourceName;

    public String action;

    public long generation;

    @Enumerated(EnumType.STRING)
    public State status;

    public String message;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    @Column(name = "done_at")
    public Instant doneAt;
}
