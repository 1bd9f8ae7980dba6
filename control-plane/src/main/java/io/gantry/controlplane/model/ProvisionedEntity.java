package io.gantry.controlplane.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.MappedSuperclass;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * Desired state plus what the provisioner observed: {@code generation} counts changes of desired
 * state, {@code observedGeneration} the last one applied to RocketMQ.
 */
@MappedSuperclass
public abstract class ProvisionedEntity extends PanacheEntityBase {
    @Enumerated(EnumType.STRING)
    public Status status;

    @JdbcTypeCode(SqlTypes.JSON)
    public List<Condition> conditions = new ArrayList<>();

    public long generation;

    public long observedGeneration;

    public int attempts;

    public Instant nextAttemptAt;

    public Instant createdAt;

    public Instant updatedAt;

    /** Records a new desired state for the provisioner to apply. */
    public void requestChange(Status newStatus, Instant now) {
        status = newStatus;
        generation++;
        attempts = 0;
        nextAttemptAt = now;
        updatedAt = now;
    }

    /** What the API shows of the provisioner's progress; compared to write status only when it changes. */
    public record StatusSnapshot(Status status, List<Condition> conditions, long observedGeneration) {
    }

    public StatusSnapshot statusSnapshot() {
        return new StatusSnapshot(status, List.copyOf(conditions), observedGeneration);
    }

    /** Sets a condition, keeping its transition time when neither status nor reason changed. */
    public void setCondition(String type, boolean holds, String reason, String message, Instant now) {
        String value = holds ? "True" : "False";
        List<Condition> next = new ArrayList<>();
        boolean replaced = false;
        for (Condition c : conditions) {
            if (c.type().equals(type)) {
                boolean same = c.status().equals(value) && Objects.equals(c.reason(), reason);
                next.add(new Condition(type, value, reason, message, same ? c.lastTransitionTime() : now.toString()));
                replaced = true;
            } else {
                next.add(c);
            }
        }
        if (!replaced) {
            next.add(new Condition(type, value, reason, message, now.toString()));
        }
        conditions = next;
    }
}
