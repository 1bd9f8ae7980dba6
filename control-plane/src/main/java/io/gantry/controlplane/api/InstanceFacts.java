package io.gantry.controlplane.api;

import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.InstanceThrottleEntity;
import io.gantry.controlplane.model.NamespaceEntity;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an instance's view needs from tables other than its own row. {@link #load} reads it for a
 * whole page of instances with one query per table, so a list costs the same few queries for one
 * row or a hundred.
 */
record InstanceFacts(String namespace, long topics, long consumerGroups, long accounts,
                     Optional<InstanceThrottleEntity> throttle, Dtos.ThrottledView throttled) {

    static Map<String, InstanceFacts> load(List<String> instanceIds, ThrottleCounters counters, Instant now) {
        Map<String, InstanceFacts> facts = new HashMap<>();
        if (instanceIds.isEmpty()) {
            return facts;
        }
        Map<String, String> namespaces = new HashMap<>();
        NamespaceEntity.<NamespaceEntity>list("instanceId in ?1", instanceIds)
                .forEach(n -> namespaces.put(n.instanceId, n.namespace));
        Map<String, InstanceThrottleEntity> throttles = new HashMap<>();
        InstanceThrottleEntity.<InstanceThrottleEntity>list("instanceId in ?1", instanceIds).stream()
                .filter(t -> t.activeAt(now)).forEach(t -> throttles.put(t.instanceId, t));
        Map<String, Long> topics = counts("topics", instanceIds);
        Map<String, Long> groups = counts("consumer_groups", instanceIds);
        Map<String, Long> accounts = counts("accounts", instanceIds);
        Map<String, Dtos.ThrottledView> throttled = counters.ofInstances(instanceIds);
        for (String id : instanceIds) {
            facts.put(id, new InstanceFacts(namespaces.get(id), topics.getOrDefault(id, 0L), groups.getOrDefault(id, 0L),
                    accounts.getOrDefault(id, 0L), Optional.ofNullable(throttles.get(id)), throttled.get(id)));
        }
        return facts;
    }

    /** Rows per instance of a table keyed by instance_id (a fixed table name of ours, never input). */
    @SuppressWarnings("unchecked")
    private static Map<String, Long> counts(String table, List<String> instanceIds) {
        EntityManager em = InstanceEntity.getEntityManager();
        List<Object[]> rows = em.createNativeQuery("SELECT instance_id, count(*) FROM " + table
                        + " WHERE instance_id = ANY(?1) GROUP BY instance_id")
                .setParameter(1, instanceIds.toArray(String[]::new)).getResultList();
        Map<String, Long> counts = new HashMap<>();
        for (Object[] r : rows) {
            counts.put((String) r[0], ((Number) r[1]).longValue());
        }
        return counts;
    }
}
