package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.ChildKey;
import io.gantry.controlplane.model.ProvisionedEntity;
import java.util.List;
import java.util.function.Function;

/**
 * What the loop needs to know of a kind besides its steps: where its rows are, how a row's key
 * becomes the entity's id, and the names its operations and audit events carry.
 *
 * @param kind the resource type of operations and audit events, e.g. {@code TOPIC}
 * @param auditKind the first part of audit actions, {@code <auditKind>.create|update|delete}, as the REST resources write them
 * @param table the table of its rows, which has {@code status} and {@code next_attempt_at} columns
 * @param keyColumns the primary-key columns, in the order {@code entityKey} takes them
 * @param batchSize resources picked per pass
 * @param name the resource name its operations carry
 * @param auditId the resource id its audit events carry, as the REST resources write it
 */
public record ResourceKind<E extends ProvisionedEntity>(String kind, String auditKind, Class<E> entityType, String table,
        List<String> keyColumns, Function<Object[], Object> entityKey, int batchSize, Function<E, String> instanceId,
        Function<E, String> name, Function<E, String> auditId) {

    private static final int DEFAULT_BATCH = 200;

    /** A kind keyed by one id column of its own (instances, resets). */
    static <E extends ProvisionedEntity> ResourceKind<E> keyedBy(String idColumn, String kind, String auditKind,
            Class<E> entityType, String table, Function<E, String> instanceId, Function<E, String> id,
            Function<E, String> auditId) {
        return new ResourceKind<>(kind, auditKind, entityType, table, List.of(idColumn), key -> key[0], DEFAULT_BATCH,
                instanceId, id, auditId);
    }

    /** A kind named inside its instance, keyed by {@link ChildKey}, audited as {@code instance/name} (topics, groups). */
    static <E extends ProvisionedEntity> ResourceKind<E> insideInstance(String kind, String auditKind, Class<E> entityType,
            String table, Function<E, String> instanceId, Function<E, String> name) {
        return new ResourceKind<>(kind, auditKind, entityType, table, List.of("instance_id", "name"),
                key -> new ChildKey((String) key[0], (String) key[1]), DEFAULT_BATCH, instanceId, name,
                e -> instanceId.apply(e) + "/" + name.apply(e));
    }

    ResourceKind<E> withBatchSize(int size) {
        return new ResourceKind<>(kind, auditKind, entityType, table, keyColumns, entityKey, size, instanceId, name, auditId);
    }
}
