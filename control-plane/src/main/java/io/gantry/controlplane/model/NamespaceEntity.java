package io.gantry.controlplane.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;

/** Where an instance lives: the physical cluster and the RocketMQ namespace of its resources. */
@Entity
@Table(name = "namespaces")
public class NamespaceEntity extends PanacheEntityBase {
    @Id
    public String namespace;

    public String instanceId;

    public String tenantId;

    public String clusterId;

    public Instant createdAt;

    public static Optional<NamespaceEntity> ofInstance(String instanceId) {
        return find("instanceId", instanceId).firstResultOptional();
    }
}
