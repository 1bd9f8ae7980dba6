package io.gantry.controlplane.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A tenant's logical RocketMQ cluster. */
@Entity
@org.hibernate.annotations.DynamicUpdate
@Table(name = "instances")
public class InstanceEntity extends ProvisionedEntity {
    @Id
    @Column(name = "instance_id")
    public String instanceId;

    @Column(name = "tenant_id")
    public String tenantId;

    public String name;

    @Column(name = "region_id")
    public String regionId;

    public String edition;

    @Column(name = "tps_spec")
    public int tpsSpec;

    @Column(name = "retention_hours")
    public int retentionHours;

    public String remark;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> tags = new HashMap<>();

    /** CIDRs that may connect with the instance's accounts; empty = any address. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "ip_allowlist")
    public List<String> ipAllowlist = new ArrayList<>();
}
