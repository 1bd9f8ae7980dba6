package io.gantry.controlplane.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.OffsetDateTime;
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
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT kind, name, throttled_requests, last_throttled_at "
                        + "FROM throttle_counters WHERE instance_id = ?1 ORDER BY kind, name")
                .setParameter(1, instanceId).getResultList();
        long total = 0;
        List<Dtos.ThrottledLimitView> byLimit = new java.util.ArrayList<>();
        for (Object[] r : rows) {
            long n = ((Number) r[2]).longValue();
            total += n;
            byLimit.add(new Dtos.ThrottledLimitView((String) r[0], (String) r[1], n, instant(r[3])));
        }
        return new Dtos.ThrottledView(total, byLimit);
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
