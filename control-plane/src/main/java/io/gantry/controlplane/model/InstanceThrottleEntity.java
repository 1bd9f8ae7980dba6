package io.gantry.controlplane.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;

/** An operator's temporary throttle of an instance: limits below what the tenant bought, until expiresAt. */
@Entity
@Table(name = "instance_throttles")
public class InstanceThrottleEntity extends PanacheEntityBase {
    @Id
    public String instanceId;

    public int sendTps;

    public int receiveTps;

    public String reason;

    public Instant expiresAt;

    public String setBy;

    public Instant setAt;

    public boolean activeAt(Instant now) {
        return expiresAt.isAfter(now);
    }

    /** The instance's throttle if one is set and has not expired (expired rows are left for the next PUT to replace). */
    public static Optional<InstanceThrottleEntity> activeFor(String instanceId, Instant now) {
        return Optional.ofNullable(InstanceThrottleEntity.<InstanceThrottleEntity>findById(instanceId))
                .filter(t -> t.activeAt(now));
    }
}
