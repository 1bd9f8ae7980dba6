package io.gantry.controlplane.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One permission rule of an account. Values are the names of tenant-isolation's ACL enums, checked
 * through {@code AclRule.of} before they are stored. Rules are immutable: change = delete + create.
 */
@Entity
@Table(name = "acl_rules")
public class AclRuleEntity extends PanacheEntityBase {
    @Id
    public String ruleId;

    public String instanceId;

    public String username;

    public String resourceType;

    public String resourceName;

    public String pattern;

    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> actions = new ArrayList<>();

    public String decision;

    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> sourceCidrs = new ArrayList<>();

    public Instant createdAt;
}
