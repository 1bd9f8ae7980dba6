package io.gantry.trace.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.TreeSet;

/**
 * The daily partitions of the hot tables ({@code messages}, {@code message_keys}, {@code events}),
 * named {@code <table>_pYYYYMMDD}. A day's three partitions are created and dropped together.
 */
public final class Partitions {
    public static final List<String> TABLES = List.of("messages", "message_keys", "events");
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.BASIC_ISO_DATE;

    private Partitions() {
    }

    public static String partitionName(String table, LocalDate day) {
        return table + "_p" + SUFFIX.format(day);
    }

    /** Creates the day's partitions unless they exist; commits. */
    public static void ensure(Connection connection, LocalDate day) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(true);
        try (Statement st = connection.createStatement()) {
            for (String table : TABLES) {
                // concurrent creators (two replicas at midnight) race on the catalog: the loser retries
                for (int attempt = 0; ; attempt++) {
                    try {
                        st.execute("CREATE TABLE IF NOT EXISTS trace." + partitionName(table, day) + " PARTITION OF trace." + table
                                + " FOR VALUES FROM ('" + day + "') TO ('" + day.plusDays(1) + "')");
                        break;
                    } catch (SQLException e) {
                        if (attempt >= 3 || !("42P07".equals(e.getSQLState()) || "23505".equals(e.getSQLState()) || "40P01".equals(e.getSQLState()))) {
                            throw e;
                        }
                    }
                }
            }
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Days that have a partition of {@code events} (the three tables always go together), oldest first. */
    public static TreeSet<LocalDate> days(Connection connection) throws SQLException {
        TreeSet<LocalDate> days = new TreeSet<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                        + "WHERE i.inhparent = 'trace.events'::regclass")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    int p = name.lastIndexOf("_p");
                    if (p > 0) {
                        days.add(LocalDate.parse(name.substring(p + 2), SUFFIX));
                    }
                }
            }
        }
        return days;
    }

    /** Drops the day's partitions (inside the caller's transaction). */
    public static void drop(Connection connection, LocalDate day) throws SQLException {
        try (Statement st = connection.createStatement()) {
            for (String table : TABLES) {
                st.execute("DROP TABLE IF EXISTS trace." + partitionName(table, day));
            }
        }
    }
}
