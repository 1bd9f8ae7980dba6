package io.gantry.controlplane.model;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

@Entity
@org.hibernate.annotations.DynamicUpdate
@Table(name = "consumer_groups")
@IdClass(ChildKey.class)
public class ConsumerGroupEntity extends ProvisionedEntity {
    public enum DeliveryOrder { CONCURRENTLY, ORDERLY }

    /** DEFAULT: RocketMQ's stepped backoff (10 s, 30 s, 1 min, ...); FIXED: the same interval every time. */
    public enum RetryPolicy { DEFAULT, FIXED }

    @Id
    public String instanceId;

    @Id
    public String name;

    @Enumerated(EnumType.STRING)
    public DeliveryOrder deliveryOrder;

    @Enumerated(EnumType.STRING)
    public RetryPolicy retryPolicy;

    public int maxRetries;

    public Integer fixedIntervalSeconds;

    public String remark;

    /** Cap on the group's weighted receive rate below the instance's; null = none. */
    public Integer maxReceiveTps;
}
