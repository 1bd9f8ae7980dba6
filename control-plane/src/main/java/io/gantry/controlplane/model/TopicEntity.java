package io.gantry.controlplane.model;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

@Entity
@org.hibernate.annotations.DynamicUpdate
@Table(name = "topics")
@IdClass(ChildKey.class)
public class TopicEntity extends ProvisionedEntity {
    public enum MessageType { NORMAL, FIFO, DELAY, TRANSACTION }

    @Id
    public String instanceId;

    @Id
    public String name;

    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public MessageType messageType;

    public int queueCount;

    public String remark;

    /** Cap on the topic's weighted send rate below the instance's; null = none. */
    public Integer maxSendTps;
}
