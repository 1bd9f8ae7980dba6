package io.gantry.controlplane.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "audit_events")
public class AuditEventEntity extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long eventId;

    public Instant occurredAt;

    public String actor;

    public String tenantId;

    public String action;

    public String resourceType;

    public String resourceId;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "before_state")
    public JsonNode before;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "after_state")
    public JsonNode after;
}
