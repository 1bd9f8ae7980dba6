package io.gantry.isolation.throttle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShareAllocatorTest {
    private static final double EPS = 1e-9;

    @Test
    void noReplicasNoShares() {
        assertEquals(Map.of(), ShareAllocator.allocate(1000, Map.of(), 0.1));
    }

    @Test
    void aSingleReplicaGetsTheWholeLimitWhateverItsDemand() {
        assertEquals(Map.of("g1", 1000.0), ShareAllocator.allocate(1000, Map.of("g1", 5.0), 0.1));
        assertEquals(Map.of("g1", 1000.0), ShareAllocator.allocate(1000, Map.of("g1", 0.0), 0.1));
        assertEquals(Map.of("g1", 1000.0), ShareAllocator.allocate(1000, Map.of("g1", 1e6), 0.1));
    }

    @Test
    void busyReplicasSplitEquallyWhenAllWantMore() {
        Map<String, Double> shares = ShareAllocator.allocate(900, Map.of("a", 1000.0, "b", 2000.0, "c", 5000.0), 0.1);
        shares.values().forEach(s -> assertEquals(300, s, EPS));
    }

    @Test
    void aSmallReplicaGetsItsDemandWithHeadroomAndTheRestGoesToTheBusyOnes() {
        Map<String, Double> shares = ShareAllocator.allocate(1000, Map.of("small", 100.0, "big1", 900.0, "big2", 2000.0), 0);
        assertEquals(110, shares.get("small"), EPS);
        assertEquals(445, shares.get("big1"), EPS);
        assertEquals(445, shares.get("big2"), EPS);
    }

    @Test
    void headroomIsCappedAtTheEqualShare() {
        // 320 < 1000/3 but 320 × 1.1 > 1000/3: the small one gets exactly the equal share.
        Map<String, Double> shares = ShareAllocator.allocate(1000, Map.of("a", 320.0, "b", 5000.0, "c", 5000.0), 0);
        assertEquals(1000 / 3.0, shares.get("a"), EPS);
        assertEquals(1000 / 3.0, shares.get("b"), EPS);
    }

    @Test
    void idleReplicasShareTheReserve() {
        Map<String, Double> shares = ShareAllocator.allocate(1000,
                Map.of("busy1", 5000.0, "busy2", 5000.0, "idle1", 0.0, "idle2", 0.0), 0.1);
        assertEquals(50, shares.get("idle1"), EPS);
        assertEquals(50, shares.get("idle2"), EPS);
        assertEquals(450, shares.get("busy1"), EPS);
        assertEquals(450, shares.get("busy2"), EPS);
    }

    @Test
    void allIdleSplitTheWholeLimit() {
        Map<String, Double> shares = ShareAllocator.allocate(1000, Map.of("a", 0.0, "b", 0.0, "c", 0.0, "d", 0.0), 0.1);
        shares.values().forEach(s -> assertEquals(250, s, EPS));
    }

    @Test
    void whatLightDemandLeavesIsSpreadOverTheBusyReplicas() {
        Map<String, Double> shares = ShareAllocator.allocate(1000, Map.of("a", 10.0, "b", 20.0), 0.1);
        assertEquals(11 + 483.5, shares.get("a"), EPS);
        assertEquals(22 + 483.5, shares.get("b"), EPS);
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> ShareAllocator.allocate(-1, Map.of("a", 1.0), 0.1));
        assertThrows(IllegalArgumentException.class, () -> ShareAllocator.allocate(Double.NaN, Map.of("a", 1.0), 0.1));
        assertThrows(IllegalArgumentException.class, () -> ShareAllocator.allocate(10, Map.of("a", 1.0), 1.0));
        assertThrows(IllegalArgumentException.class, () -> ShareAllocator.allocate(10, Map.of("a", -1.0), 0.1));
        assertThrows(IllegalArgumentException.class, () -> ShareAllocator.allocate(10, Map.of("a", Double.NaN, "b", 1.0), 0.1));
    }

    /** Random fleets: a mix of idle, small and busy replicas, limits across orders of magnitude. */
    @Test
    void invariantsHoldForRandomFleets() {
        for (int run = 0; run < 20_000; run++) {
            checkInvariants(new Random(0x5eed_0000L + run));
        }
    }

    private static void checkInvariants(Random random) {
        int replicas = 1 + random.nextInt(random.nextBoolean() ? 4 : 40);
        double limit = random.nextInt(10) == 0 ? 0 : Math.pow(10, random.nextDouble() * 7);
        double reserve = List.of(0.0, 0.05, 0.1, 0.3, 0.99).get(random.nextInt(5));
        Map<String, Double> demand = new HashMap<>();
        for (int i = 0; i < replicas; i++) {
            double d = switch (random.nextInt(4)) {
                case 0 -> 0.0;
                case 1 -> random.nextDouble() * limit / replicas;
                case 2 -> random.nextDouble() * limit * 3;
                default -> Math.pow(10, random.nextDouble() * 8);
            };
            demand.put("gw-" + i, d);
        }
        String context = "limit " + limit + ", reserve " + reserve + ", demand " + demand;

        Map<String, Double> shares = ShareAllocator.allocate(limit, demand, reserve);
        assertEquals(demand.keySet(), shares.keySet(), context);
        double tolerance = EPS * Math.max(1, limit);
        double sum = shares.values().stream().mapToDouble(Double::doubleValue).sum();
        shares.values().forEach(s -> assertTrue(s >= 0 && Double.isFinite(s), context));
        assertTrue(sum <= limit + tolerance, "sum " + sum + " over " + context);

        long idle = demand.values().stream().filter(d -> d == 0).count();
        long busy = replicas - idle;
        double totalDemand = demand.values().stream().mapToDouble(Double::doubleValue).sum();
        double pool = replicas > 1 && idle > 0 && busy > 0 ? limit * (1 - reserve) : limit;
        double busySum = demand.entrySet().stream().filter(e -> e.getValue() > 0)
                .mapToDouble(e -> shares.get(e.getKey())).sum();
        if (totalDemand >= limit && busy > 0) {
            assertEquals(pool, busySum, tolerance, "busy replicas waste nothing: " + context);
        }
        if (replicas == 1) {
            assertEquals(limit, sum, 0, context);
            return;
        }
        // Spare capacity is handed out too: the whole limit is always assigned.
        assertEquals(limit, sum, tolerance, context);
        if (busy > 0) {
            assertEquals(pool, busySum, tolerance, context);
        }
        for (Map.Entry<String, Double> e : demand.entrySet()) {
            double share = shares.get(e.getKey());
            double d = e.getValue();
            if (d == 0 && busy > 0) {
                assertEquals(reserve * limit / idle, share, tolerance, "idle reserve: " + context);
            } else if (d > 0) {
                // Max-min fairness: at least what it asked for, or an equal part of the pool.
                assertTrue(share >= Math.min(d, pool / busy) - tolerance, e + " got " + share + ": " + context);
                for (Map.Entry<String, Double> other : demand.entrySet()) {
                    if (other.getValue() > d) {
                        assertTrue(shares.get(other.getKey()) >= share - tolerance,
                                "more demand never gets less: " + other + " vs " + e + ": " + context);
                    }
                }
            }
        }
    }
}
