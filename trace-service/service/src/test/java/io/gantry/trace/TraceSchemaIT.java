package io.gantry.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.localstack.PostgresServer;
import io.gantry.localstack.SharedComponents;
import io.gantry.trace.query.TraceQueries;
import io.gantry.trace.query.TraceSchemaNotReadyException;
import io.gantry.trace.schema.SchemaVersionCheck;
import io.gantry.trace.store.TraceSchema;
import java.sql.Connection;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;

/**
 * The queries' schema-version check against the history this service's Flyway really writes: what the
 * trace service migrates is what the query library reads.
 */
class TraceSchemaIT {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @Test
    void theMigrationsReachTheVersionTheQueriesNeedAndTheQueriesThenAnswer() throws Exception {
        DataSource ds = database();
        TraceSchema.migrate(ds);
        MigrationVersion flywayCurrent = TraceSchema.configure(ds).load().info().current().getVersion();
        try (Connection c = ds.getConnection()) {
            assertEquals(OptionalInt.of(Integer.parseInt(flywayCurrent.getMajorAsString())), SchemaVersionCheck.installedVersion(c));
            assertTrue(SchemaVersionCheck.installedVersion(c).getAsInt() >= SchemaVersionCheck.QUERIES_NEED,
                    "no migration creates what the queries read (V" + SchemaVersionCheck.QUERIES_NEED + ")");
        }
        try (TraceQueries queries = TraceQueries.create(ds, null)) {
            assertEquals(Optional.empty(), queries.lifecycle("rmq-aaaaaaaaaaaa", "01AB"));
        }
    }

    @Test
    void aSchemaOlderThanNeededIsReportedWithBothVersions() throws Exception {
        DataSource ds = database();
        TraceSchema.configure(ds).target("1").load().migrate();
        try (Connection c = ds.getConnection()) {
            assertEquals(OptionalInt.of(1), SchemaVersionCheck.installedVersion(c));
            TraceSchemaNotReadyException e = assertThrows(TraceSchemaNotReadyException.class,
                    () -> new SchemaVersionCheck(2).verify(c));
            assertEquals("trace schema not migrated: found V1, need V2", e.getMessage());
            assertFalse(e.neverMigrated());
            new SchemaVersionCheck(1).verify(c);
        }
        TraceSchema.migrate(ds);
        try (Connection c = ds.getConnection()) {
            new SchemaVersionCheck(2).verify(c);
        }
    }

    private static DataSource database() {
        PostgresServer pg = SharedComponents.postgres();
        String name = "trace_schema_it_" + DATABASES.incrementAndGet() + "_" + ProcessHandle.current().pid();
        pg.createDatabase(name);
        return pg.dataSource(name);
    }
}
