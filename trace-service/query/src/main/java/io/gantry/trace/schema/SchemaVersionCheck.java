package io.gantry.trace.schema;

import io.gantry.trace.query.TraceSchemaNotReadyException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalInt;

/**
 * Whether the trace schema is at least at the version a reader needs, from the migration history the
 * trace service's Flyway keeps in {@code trace.flyway_schema_history} (successful versioned migrations
 * only). The trace service owns and migrates the schema; readers only look at the history, so they
 * need neither Flyway nor the migration scripts.
 *
 * <p>Once the schema is found ready the answer is kept: a schema's version only goes up. Until then
 * every call looks again, so a reader started before the trace service sees the schema once it runs.
 * Thread-safe.
 */
public final class SchemaVersionCheck {
    /** The history table of the trace schema (its own, beside the control plane's in schema public). */
    public static final String HISTORY_TABLE = "trace.flyway_schema_history";
    /**
     * The version the queries of this build read: the newest migration whose tables or columns they use,
     * V1 (messages, message_keys, events, topic_groups, archive_segments). V2 added only
     * {@code parked_events}, which ingest alone writes. Raise it with the migration that adds something
     * the queries read; the trace service's {@code TraceSchemaIT} fails if no migration reaches it.
     */
    public static final int QUERIES_NEED = 1;

    private final int needed;
    private volatile boolean ready;

    public SchemaVersionCheck(int needed) {
        this.needed = needed;
    }

    /** @throws TraceSchemaNotReadyException when the schema is missing or older than needed */
    public void verify(Connection c) throws SQLException {
        if (ready) {
            return;
        }
        OptionalInt found = installedVersion(c);
        if (found.isEmpty() || found.getAsInt() < needed) {
            throw new TraceSchemaNotReadyException(found, needed);
        }
        ready = true;
    }

    /**
     * The highest version successfully migrated; empty without a history (no schema {@code trace}, or
     * never migrated). Versions of the trace schema are whole numbers ({@code V2__…}); a dotted one
     * counts by its first number.
     */
    public static OptionalInt installedVersion(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, HISTORY_TABLE);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return OptionalInt.empty();
                }
            }
        }
        OptionalInt highest = OptionalInt.empty();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT version FROM " + HISTORY_TABLE + " WHERE success AND version IS NOT NULL");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int v = Integer.parseInt(rs.getString(1).split("\\.", 2)[0]);
                if (highest.isEmpty() || v > highest.getAsInt()) {
                    highest = OptionalInt.of(v);
                }
            }
        }
        return highest;
    }
}
