package io.gantry.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(RealComponentsExtension.class)
class PostgresServerIT {

    @Test
    void aPersistentServerKeepsItsRowsAcrossARestart(@TempDir Path dataDir) throws Exception {
        int port = new FreePorts().pick();
        try (PostgresServer first = PostgresServer.startPersistent(dataDir, port)) {
            first.createDatabase("gantry_it");
            first.createDatabase("gantry_it"); // idempotent
            try (Connection c = connect(first, "gantry_it"); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE tenants (id text PRIMARY KEY)");
                s.execute("INSERT INTO tenants VALUES ('acme'), ('globex')");
            }
        }
        assertTrue(Files.exists(dataDir.resolve("postgresql.conf")), "data directory kept");

        try (PostgresServer second = PostgresServer.startPersistent(dataDir, port)) {
            second.createDatabase("gantry_it");
            assertEquals(List.of("acme", "globex"), ids(second));
        }
    }

    @Test
    void aTemporaryServerDeletesItsData() throws Exception {
        Path dataDir;
        try (PostgresServer server = PostgresServer.startTemporary()) {
            dataDir = server.dataDirectory();
            assertTrue(server.isTemporary());
            try (Connection c = connect(server, "postgres"); Statement s = c.createStatement();
                 ResultSet rows = s.executeQuery("SHOW server_version")) {
                assertTrue(rows.next());
                System.out.println("PostgreSQL " + rows.getString(1) + " on port " + server.port());
            }
        }
        assertFalse(Files.exists(dataDir));
    }

    @Test
    void stopsThePostmasterOfAJvmThatWasKilled() throws Exception {
        Path dataDir;
        ProcessHandle postmaster;
        try (Orphans orphans = Orphans.startParent("postgres")) {
            dataDir = Path.of(orphans.awaitLine(OrphaningParent.DATA_DIR));
            postmaster = ProcessHandle.of(Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim()))
                .orElseThrow();
            orphans.killParent();
        }
        try {
            assertTrue(postmaster.isAlive(), "pg_ctl daemonizes the postmaster: it outlives its JVM");
            try (PostgresServer next = PostgresServer.startTemporary()) {
                assertFalse(postmaster.isAlive(), "the orphan was stopped");
                assertFalse(Files.exists(dataDir), "the orphan's data was deleted");
                assertTrue(next.isTemporary());
            }
        } finally {
            postmaster.destroyForcibly();
        }
    }

    @Test
    void theSharedServerCreatesDatabasesOnDemand(PostgresServer postgres) throws Exception {
        String name = "db_" + UUID.randomUUID().toString().replace('-', '_');
        postgres.createDatabase(name);
        postgres.createDatabase(name);
        try (Connection c = postgres.dataSource(name).getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT current_database()")) {
            assertTrue(rows.next());
            assertEquals(name, rows.getString(1));
        }
        assertTrue(postgres == SharedComponents.postgres());
        assertThrows(IllegalArgumentException.class, () -> postgres.createDatabase("x\"; DROP DATABASE postgres; --"));
    }

    private static Connection connect(PostgresServer server, String database) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(database), server.user(), server.password());
    }

    private static List<String> ids(PostgresServer server) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = connect(server, "gantry_it"); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT id FROM tenants ORDER BY id")) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }
}
