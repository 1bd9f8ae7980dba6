package io.gantry.trace.store;

import io.gantry.trace.schema.SchemaVersionCheck;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * Creates and upgrades the trace schema: PostgreSQL schema {@code trace} with its own Flyway history
 * table ({@code trace.flyway_schema_history}), so that it can live in the control plane's database
 * beside the control plane's own migrations (schema {@code public}). The trace service is the only one
 * that migrates it; the query library checks the history's version before it reads.
 */
public final class TraceSchema {
    public static final String SCHEMA = "trace";

    private TraceSchema() {
    }

    /** Applies pending migrations; safe to call from several processes at once (Flyway locks). */
    public static void migrate(DataSource dataSource) {
        configure(dataSource).load().migrate();
    }

    /**
     * Flyway over the trace schema and its history table, the one the queries' version check reads
     * ({@link SchemaVersionCheck#HISTORY_TABLE}); tests add a target to stop at an older version.
     */
    public static FluentConfiguration configure(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .schemas(SCHEMA)
                .defaultSchema(SCHEMA)
                .createSchemas(true)
                .table("flyway_schema_history")
                .locations("classpath:db/trace");
    }
}
