package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.OperationEntity;
import io.gantry.isolation.naming.InstanceIds;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Opens operations for asynchronous writes and closes them when the provisioner catches up. */
@ApplicationScoped
public class Operations {
    public static final String INSTANCE = "INSTANCE";
    public static final String TOPIC = "TOPIC";
    public static final String CONSUMER_GROUP = "CONSUMER_GROUP";
    public static final String OFFSET_RESET = "OFFSET_RESET";

    public OperationEntity open(String tenantId, String instanceId, String resourceType, String resourceName,
                                String action, long generation) {
        Instant now = Instant.now();
        OperationEntity op = new OperationEntity();
        op.operationId = "op-" + InstanceIds.randomBase32(16);
        op.tenantId = tenantId;
        op.instanceId = instanceId;
        op.resourceType = resourceType;
        op.resourceName = resourceName;
        op.action = action;
        op.generation = generation;
        op.status = OperationEntity.State.PENDING;
        op.createdAt = now;
        op.updatedAt = now;
        op.persist();
        return op;
    }

    /** Marks open operations of a resource done once the generation they asked for is applied. */
    public void complete(String instanceId, String resourceType, String resourceName, long appliedGeneration) {
        Instant now = Instant.now();
        for (OperationEntity op : open(instanceId, resourceType, resourceName)) {
            if (op.generation <= appliedGeneration) {
                op.status = OperationEntity.State.SUCCEEDED;
                op.message = null;
                op.updatedAt = now;
                op.doneAt = now;
            }
        }
    }

    /** Shows progress (or why it waits) on the open operations of a resource; unchanged progress is not rewritten. */
    public void progress(String instanceId, String resourceType, String resourceName, String message) {
        Instant now = Instant.now();
        for (OperationEntity op : open(instanceId, resourceType, resourceName)) {
            if (op.status == OperationEntity.State.RUNNING && Objects.equals(op.message, message)) {
                continue;
            }
            op.status = OperationEntity.State.RUNNING;
            op.message = message;
            op.updatedAt = now;
        }
    }

    /** Ends open operations of a resource that no longer exists in the way they expected. */
    public void supersede(String instanceId, String resourceType, String resourceName, String message) {
        Instant now = Instant.now();
        for (OperationEntity op : open(instanceId, resourceType, resourceName)) {
            if (!"DELETE".equals(op.action)) {
                op.status = OperationEntity.State.FAILED;
                op.message = message;
                op.updatedAt = now;
                op.doneAt = now;
            }
        }
    }

    private List<OperationEntity> open(String instanceId, String resourceType, String resourceName) {
        return OperationEntity.list("instanceId = ?1 and resourceType = ?2 and resourceName = ?3 and status in ?4",
                instanceId, resourceType, resourceName,
                List.of(OperationEntity.State.PENDING, OperationEntity.State.RUNNING));
    }
}
