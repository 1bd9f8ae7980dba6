package io.gantry.controlplane.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
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
    @Column(name = "cluster_id")
    public String clusterId;

    @Column(name = "region_id")
    public String regionId;

    @Column(name = "name_server_address")
    public String nameServerAddress;

    @Column(name = "proxy_endpoint")
    public String proxyEndpoint;

    @Column(name = "admin_access_key")
    public String adminAccessKey;

    @Column(name = "admin_secret_enc")
    public String adminSecretEnc;

    @Column(name = "capacity_tps")
    public int capacityTps;

    @Column(name = "capacity_topics")
    public int capacityTopics;

    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public State state;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
