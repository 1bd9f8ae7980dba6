package io.gantry.controlplane.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A physical RocketMQ cluster (NameServer + brokers + proxy) that instances are placed on. */
@Entity
@Table(name = "clusters")
public class ClusterEntity extends PanacheEntityBase {
    public enum State { ACTIVE, DRAINING }

    @Id
    public String clusterId;

    public String regionId;

    public String nameServerAddress;

    public String proxyEndpoint;

    public String adminAccessKey;

    public String adminSecretEnc;

    public int capacityTps;

    public int capacityTopics;

    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public State state;

    public Instant createdAt;

    public Instant updatedAt;
}
