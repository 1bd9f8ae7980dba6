package io.gantry.controlplane.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the requests gateways refused with TOO_MANY_REQUESTS (table throttle_counters, written by the
 * throughput coordinator from the gateways' reports). Counts since the instance was created.
 */
@ApplicationScoped
public class ThrottleCounters {
    public static final String TOPIC_SEND = "TOPIC_SEND";
    public static final String GROUP_RECEIVE = "GROUP_RECEIVE";

    @Inject
    EntityManager em;

    /** Every limit of the instance that refused something, ordered by kind then name. */
    public Dtos.ThrottledView ofInstance(String instanceId) {
        return ofInstances(List.of(instanceId)).get(instanceId);
    }

    /** {@link #ofInstance} for a page of instances, in one query; every id given has an entry. */
    public Map<String, Dtos.ThrottledView> ofInstances(Collection<String> instanceIds) {
        Map<String, Dtos.ThrottledView> views = new HashMap<>();
        if (instanceIds.isEmpty()) {
            return views;
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT instance_id, kind, name, throttled_requests, last_throttled_at "
                        + "FROM throttle_counters WHERE instance_id = ANY(?1) ORDER BY instance_id, kind, name")
                .setParameter(1, instanceIds.toArray(String[]::new)).getResultList();
        Map<String, List<Dtos.ThrottledLimitView>> byInstance = new HashMap<>();
        for (Object[] r : rows) {
            byInstance.computeIfAbsent((String) r[0], k -> new java.util.ArrayList<>()).add(
                    new Dtos.ThrottledLimitView((String) r[1], (String) r[2], ((Number) r[3]).longValue(), instant(r[4])));
        }
        for (String id : instanceIds) {
            List<Dtos.ThrottledLimitView> byLimit = byInstance.getOrDefault(id, List.of());
            views.put(id, new Dtos.ThrottledView(byLimit.stream().mapToLong(Dtos.ThrottledLimitView::throttledRequests).sum(),
                    byLimit));
        }
        return views;
    }

    /** Throttled requests by topic or group name for one kind of limit, in one query (for lists). */
    public Map<String, Long> byName(String instanceId, String kind) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT name, throttled_requests FROM throttle_counters "
                        + "WHERE instance_id = ?1 AND kind = ?2")
                .setParameter(1, instanceId).setParameter(2, kind).getResultList();
        Map<String, Long> counts = new HashMap<>();
        for (Object[] r : rows) {
            counts.put((String) r[0], ((Number) r[1]).longValue());
        }
        return counts;
    }

    public long of(String instanceId, String kind, String name) {
        @SuppressWarnings("unchecked")
        List<Number> rows = em.createNativeQuery("SELECT throttled_requests FROM throttle_counters "
                        + "WHERE instance_id = ?1 AND kind = ?2 AND name = ?3")
                .setParameter(1, instanceId).setParameter(2, kind).setParameter(3, name).getResultList();
        return rows.isEmpty() ? 0 : rows.get(0).longValue();
    }

    private static Instant instant(Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        return null;
    }
}
