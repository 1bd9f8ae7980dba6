package io.gantry.controlplane.model;

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
    public String instanceId;

    public String tenantId;

    public String name;

    public String regionId;

    public String edition;

    public int tpsSpec;

    public int retentionHours;

    public String remark;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> tags = new HashMap<>();

    /** CIDRs that may connect with the instance's accounts; empty = any address. */
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> ipAllowlist = new ArrayList<>();
}
