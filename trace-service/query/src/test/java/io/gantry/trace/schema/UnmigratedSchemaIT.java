package io.gantry.trace.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.localstack.PostgresServer;
import io.gantry.localstack.SharedComponents;
import io.gantry.trace.query.PageRequest;
import io.gantry.trace.query.TraceQueries;
import io.gantry.trace.query.TraceSchemaNotReadyException;
import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Queries over a real PostgreSQL the trace service has not migrated: they say so, as a typed condition,
 * before touching a trace table. (A schema at an older version, from the trace service's own Flyway:
 * trace-service's TraceSchemaIT.)
 */
class UnmigratedSchemaIT {

    @Test
    void aDatabaseWithoutTheTraceSchemaIsNotMigrated() {
        DataSource empty = database("trace_query_empty_" + ProcessHandle.current().pid());
        try (TraceQueries queries = TraceQueries.create(empty, null)) {
            TraceSchemaNotReadyException e = assertThrows(TraceSchemaNotReadyException.class,
                    () -> queries.lifecycle("rmq-aaaaaaaaaaaa", "01AB"));
            assertTrue(e.neverMigrated());
            assertEquals("trace schema not migrated: found none, need V" + SchemaVersionCheck.QUERIES_NEED, e.getMessage());
        }
    }

    @Test
    void aTraceSchemaWithoutMigrationHistoryIsNotMigratedEvenIfItsTablesExist() throws Exception {
        DataSource handMade = database("trace_query_handmade_" + ProcessHandle.current().pid());
        try (Connection c = handMade.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS trace");
            st.execute("CREATE TABLE IF NOT EXISTS trace.message_keys (instance_id text, key text, sent_at timestamptz, message_id text)");
        }
        try (TraceQueries queries = TraceQueries.create(handMade, null)) {
            TraceSchemaNotReadyException e = assertThrows(TraceSchemaNotReadyException.class,
                    () -> queries.byKey("rmq-aaaaaaaaaaaa", "k", PageRequest.first(20)));
            assertTrue(e.neverMigrated(), e.getMessage());
        }
    }

    private static DataSource database(String name) {
        PostgresServer pg = SharedComponents.postgres();
        pg.createDatabase(name);
        return pg.dataSource(name);
    }
}
