package io.gantry.controlplane.model;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A request to move a consumer group's offsets. CREATING until the provisioner applied it on every
 * broker, then RUNNING (in effect: consumers read from the new offsets at their next poll); it is
 * applied once and never changes afterwards.
 */
@Entity
@Table(name = "offset_resets")
public class OffsetResetEntity extends ProvisionedEntity {
    /** Where the group starts reading: the first message stored at or after a time, the oldest kept, or after the newest. */
    public enum Target { TIMESTAMP, EARLIEST, LATEST }

    /** Where one queue's offset was set, as the broker answered. */
    public record QueueOffset(String topic, String brokerName, int queueId, long offset) {
    }

    @Id
    public String resetId;

    public String instanceId;

    public String groupName;

    /** The tenant's topic name; null: every topic the group has offsets on. */
    public String topic;

    @Enumerated(EnumType.STRING)
    public Target target;

    public Instant resetTo;

    @JdbcTypeCode(SqlTypes.JSON)
    public List<QueueOffset> queues = new ArrayList<>();

    public String requestedBy;

    /** What the broker's reset takes: a time in epoch millis, 0 for the oldest message kept, -1 for the queue's end. */
    public long brokerTimestamp() {
        return switch (target) {
            case TIMESTAMP -> resetTo.toEpochMilli();
            case EARLIEST -> 0L;
            case LATEST -> -1L;
        };
    }
}
