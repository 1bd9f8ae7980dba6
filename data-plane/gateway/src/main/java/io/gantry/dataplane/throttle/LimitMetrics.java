package io.gantry.dataplane.throttle;

import io.gantry.api.config.v1.LimitKey;
import io.gantry.api.config.v1.LimitKind;
import java.util.List;
import java.util.Map;

/** What the limits show to metrics and tests. */
final class LimitMetrics {
    private final LimitTable table;

    LimitMetrics(LimitTable table) {
        this.table = table;
    }

    /** Requests refused per limit since start: (instance, kind, name) → count. */
    Map<List<String>, Long> throttledTotals() {
        Map<List<String>, Long> out = new java.util.TreeMap<>((a, b) -> String.join("\u0000", a).compareTo(String.join("\u0000", b)));
        table.forEachLimit((il, limit) -> {
            long n = limit.throttledTotal.sum();
            if (n > 0) {
                out.put(List.of(limit.instanceId, limit.kind.name().substring("LIMIT_KIND_".length()), limit.name), n);
            }
        });
        return out;
    }

    /** The rate this replica currently enforces for a limit; NaN when there is none (tests, metrics). */
    double localRate(String instanceId, LimitKind kind, String name) {
        Limit limit = table.find(LimitKey.newBuilder().setInstanceId(instanceId).setKind(kind).setName(name).build());
        return limit == null ? Double.NaN : limit.bucket.rate();
    }
}
