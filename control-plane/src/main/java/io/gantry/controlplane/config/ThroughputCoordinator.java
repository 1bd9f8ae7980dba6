package io.gantry.controlplane.config;

import io.gantry.api.config.v1.Grant;
import io.gantry.api.config.v1.LimitKey;
import io.gantry.api.config.v1.LimitKind;
import io.gantry.api.config.v1.LimitUsage;
import io.gantry.api.config.v1.ThroughputGrants;
import io.gantry.api.config.v1.UsageReport;
import io.gantry.isolation.throttle.ShareAllocator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Splits each instance's throughput limits among the gateway replicas serving it, in proportion to what
 * clients ask of each (docs/adr/0002-throughput-limits-across-gateways.md).
 *
 * <p>State is in PostgreSQL, not in memory, so that every control-plane replica answers from the same
 * picture: each report replaces the reporting replica's demand rows and reads every replica's recent
 * ones in one transaction. Throttled-request counts are added to {@code throttle_counters} for the API.
 */
@ApplicationScoped
public class ThroughputCoordinator {
    /** A replica's demand counts for this long after its report (four report periods). */
    static final int FRESH_MILLIS = 2000;
    /** Grants outlive a missed report or two, not a lost coordinator. */
    static final long GRANT_VALID_MILLIS = 2000;
    private static final String LIVE = "LIVE";

    @Inject
    DataSource dataSource;

    public ThroughputGrants onReport(UsageReport report) throws SQLException {
        double periodSeconds = Math.max(50, report.getPeriodMillis()) / 1000.0;
        String gateway = report.getGatewayId();
        Map<LimitKey, Map<String, Double>> demands = new HashMap<>();
        int live;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM gateway_demand WHERE gateway_id = ?")) {
                delete.setString(1, gateway);
                delete.executeUpdate();
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO gateway_demand"
                    + " (gateway_id, instance_id, kind, name, demand_per_sec, reported_at) VALUES (?, ?, ?, ?, ?, now())")) {
                add(insert, gateway, "", LIVE, "", 0);
                for (LimitUsage u : report.getUsageList()) {
                    add(insert, gateway, u.getKey().getInstanceId(), u.getKey().getKind().name(), u.getKey().getName(),
                            u.getDemanded() / periodSeconds);
                }
                insert.executeBatch();
            }
            countThrottled(c, report);
            Set<String> instances = new HashSet<>();
            report.getUsageList().forEach(u -> instances.add(u.getKey().getInstanceId()));
            try (PreparedStatement select = c.prepareStatement("SELECT instance_id, kind, name, gateway_id, demand_per_sec"
                    + " FROM gateway_demand WHERE instance_id = ANY (?) AND kind <> '" + LIVE + "'"
                    + " AND reported_at > now() - make_interval(secs => ?)")) {
                Array ids = c.createArrayOf("text", instances.toArray());
                select.setArray(1, ids);
                select.setDouble(2, FRESH_MILLIS / 1000.0);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        LimitKey key = LimitKey.newBuilder().setInstanceId(rs.getString(1))
                                .setKind(LimitKind.valueOf(rs.getString(2))).setName(rs.getString(3)).build();
                        demands.computeIfAbsent(key, k -> new HashMap<>()).put(rs.getString(4), rs.getDouble(5));
                    }
                }
            }
            try (PreparedStatement count = c.prepareStatement("SELECT count(*) FROM gateway_demand WHERE kind = '" + LIVE
                    + "' AND reported_at > now() - make_interval(secs => ?)")) {
                count.setDouble(1, FRESH_MILLIS / 1000.0);
                try (ResultSet rs = count.executeQuery()) {
                    rs.next();
                    live = Math.max(1, rs.getInt(1));
                }
            }
            c.commit();
        }
        ThroughputGrants.Builder grants = ThroughputGrants.newBuilder().setValidForMillis(GRANT_VALID_MILLIS).setLiveGateways(live);
        for (LimitUsage u : report.getUsageList()) {
            Map<String, Double> byGateway = demands.getOrDefault(u.getKey(), Map.of(gateway, u.getDemanded() / periodSeconds));
            Double share = ShareAllocator.allocate(u.getLimit(), byGateway, 0.0).get(gateway);
            if (share != null) {
                grants.addGrants(Grant.newBuilder().setKey(u.getKey()).setRate(share));
            }
        }
        return grants.build();
    }

    private static void add(PreparedStatement insert, String gateway, String instance, String kind, String name, double demand)
            throws SQLException {
        insert.setString(1, gateway);
        insert.setString(2, instance);
        insert.setString(3, kind);
        insert.setString(4, name);
        insert.setDouble(5, demand);
        insert.addBatch();
    }

    private static void countThrottled(Connection c, UsageReport report) throws SQLException {
        List<LimitUsage> throttled = report.getUsageList().stream().filter(u -> u.getThrottledRequests() > 0).toList();
        if (throttled.isEmpty()) {
            return;
        }
        try (PreparedStatement upsert = c.prepareStatement("INSERT INTO throttle_counters"
                + " (instance_id, kind, name, throttled_requests, last_throttled_at) VALUES (?, ?, ?, ?, now())"
                + " ON CONFLICT (instance_id, kind, name) DO UPDATE SET throttled_requests ="
                + " throttle_counters.throttled_requests + EXCLUDED.throttled_requests, last_throttled_at = now()")) {
            for (LimitUsage u : throttled) {
                upsert.setString(1, u.getKey().getInstanceId());
                upsert.setString(2, u.getKey().getKind().name().substring("LIMIT_KIND_".length()));
                upsert.setString(3, u.getKey().getName());
                upsert.setLong(4, u.getThrottledRequests());
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
    }
}
