package io.gantry.trace.store;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Creates and upgrades the trace schema: PostgreSQL schema {@code trace} with its own Flyway history
 * table ({@code trace.flyway_schema_history}), so that it can live in the control plane's database
 * beside the control plane's own migrations (schema {@code public}).
 */
public final class TraceSchema {
    public static final String SCHEMA = "trace";

    private TraceSchema() {
    }

    /** Applies pending migrations; safe to call from several processes at once (Flyway locks). */
    public static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(SCHEMA)
                .defaultSchema(SCHEMA)
                .createSchemas(true)
                .table("flyway_schema_history")
                .locations("classpath:db/trace")
                .load()
                .migrate();
    }
}
