package io.gantry.trace.query;

/**
 * The trace store could not answer: PostgreSQL or the S3 archive failed or is unreachable, or the
 * trace schema does not exist yet (the trace service has never started against this database).
 */
public class TraceStoreUnavailableException extends RuntimeException {
    public TraceStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
