package io.gantry.isolation.throttle;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits one instance-wide limit among the gateway replicas that serve it, by what each replica's
 * clients demanded in the last report period (max-min fair, by water-filling).
 *
 * <p>Each replica then enforces only its share locally, so the sum of the shares is what the whole
 * fleet admits: it never exceeds the limit.
 */
public final class ShareAllocator {
    /**
     * Headroom over a small replica's own demand, so that a replica whose traffic grows a little
     * between reports is not throttled for it.
     */
    static final double HEADROOM = 1.1;

    private ShareAllocator() {
    }

    /**
     * Shares of {@code limit} per gateway replica.
     *
     * <ul>
     *   <li>No replicas: an empty map. One replica: the whole limit, whatever its demand.
     *   <li>Replicas with zero demand split {@code idleReserveFraction × limit} equally, so that a
     *       client that moves to an idle replica is not refused outright; when all replicas are idle
     *       they split the whole limit equally, as nobody's demand says otherwise.
     *   <li>The rest (all of it when no replica is idle) is water-filled over the replicas with
     *       demand: taken from the smallest demand up, a replica demanding less than an equal share
     *       of what is left gets its demand × {@value #HEADROOM}, capped at that equal share; the
     *       others split what is left equally.
     *   <li>What water-filling leaves unused (all demand satisfied) is split equally over the
     *       replicas with demand, so an instance far below its limit is not throttled at 110 % of its
     *       last period's traffic.
     * </ul>
     *
     * <p>So the shares always add up to the limit (up to floating point), and a replica with demand
     * gets at least the smaller of its demand and an equal share of the pool.
     *
     * @param idleReserveFraction in [0, 1)
     */
    public static Map<String, Double> allocate(double limit, Map<String, Double> demandPerSecondByGateway,
            double idleReserveFraction) {
        if (!(limit >= 0) || Double.isInfinite(limit)) {
            throw new IllegalArgumentException("limit must be a finite number >= 0: " + limit);
        }
        if (!(idleReserveFraction >= 0 && idleReserveFraction < 1)) {
            throw new IllegalArgumentException("idleReserveFraction must be in [0, 1): " + idleReserveFraction);
        }
        int n = demandPerSecondByGateway.size();
        if (n == 0) {
            return Map.of();
        }
        Map<String, Double> shares = new HashMap<>(n * 2);
        List<Map.Entry<String, Double>> busy = new ArrayList<>(n);
        List<String> idle = new ArrayList<>();
        for (Map.Entry<String, Double> e : demandPerSecondByGateway.entrySet()) {
            Double d = e.getValue();
            if (d == null || !(d >= 0) || d.isInfinite()) {
                throw new IllegalArgumentException("demand of gateway '" + e.getKey() + "' must be a finite number >= 0: " + d);
            }
            if (d > 0) {
                busy.add(e);
            } else {
                idle.add(e.getKey());
            }
        }
        if (n == 1) {
            shares.put(demandPerSecondByGateway.keySet().iterator().next(), limit);
            return Map.copyOf(shares);
        }
        if (busy.isEmpty()) {
            double equal = limit / n;
            idle.forEach(g -> shares.put(g, equal));
            return Map.copyOf(shares);
        }
        double pool = limit;
        if (!idle.isEmpty()) {
            double reserve = idleReserveFraction * limit;
            double each = reserve / idle.size();
            idle.forEach(g -> shares.put(g, each));
            pool = limit - reserve;
        }
        waterFill(pool, busy, shares);
        return Map.copyOf(shares);
    }

    private static void waterFill(double pool, List<Map.Entry<String, Double>> busy, Map<String, Double> shares) {
        busy.sort(Map.Entry.comparingByValue());
        double remaining = pool;
        int i = 0;
        int count = busy.size();
        for (; i < count; i++) {
            double demand = busy.get(i).getValue();
            double equal = remaining / (count - i);
            if (demand >= equal) {
                break;
            }
            double grant = Math.min(demand * HEADROOM, equal);
            shares.put(busy.get(i).getKey(), grant);
            remaining = Math.max(0, remaining - grant);
        }
        if (i < count) {
            // The rest are constrained: they split what is left. The last one takes the exact
            // remainder so that rounding never pushes the sum over the pool.
            double equal = remaining / (count - i);
            for (int j = i; j < count - 1; j++) {
                shares.put(busy.get(j).getKey(), equal);
                remaining -= equal;
            }
            shares.put(busy.get(count - 1).getKey(), Math.max(0, remaining));
            return;
        }
        if (remaining > 0) {
            double extra = remaining / count;
            for (Map.Entry<String, Double> e : busy) {
                shares.merge(e.getKey(), extra, Double::sum);
            }
        }
    }
}
