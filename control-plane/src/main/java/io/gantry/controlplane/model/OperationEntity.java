package io.gantry.controlplane.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
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
    public String operationId;

    public String tenantId;

    public String instanceId;

    public String resourceType;

    public String resourceName;

    public String action;

    public long generation;

    @Enumerated(EnumType.STRING)
    public State status;

    public String message;

    public Instant createdAt;

    public Instant updatedAt;

    public Instant doneAt;
}
