package io.gantry.trace.query;

import java.util.OptionalInt;

/**
 * The trace schema is not at the version these queries read: the trace service has never migrated this
 * database (nothing in its history), or migrated it to an older version than these queries need (the
 * trace service of this release has not started yet). Checked before a query touches the trace tables.
 */
public class TraceSchemaNotReadyException extends TraceStoreUnavailableException {
    private final boolean neverMigrated;

    /** {@code found}: the schema's version from the trace service's migration history, empty when it has none. */
    public TraceSchemaNotReadyException(OptionalInt found, int needed) {
        super("trace schema not migrated: found " + (found.isPresent() ? "V" + found.getAsInt() : "none")
                + ", need V" + needed, null);
        this.neverMigrated = found.isEmpty();
    }

    /** True when the trace service never ran against this database: there are no traces to find yet. */
    public boolean neverMigrated() {
        return neverMigrated;
    }
}
