package io.gantry.trace.query;

/**
 * The trace store could not answer: PostgreSQL or the S3 archive failed or is unreachable, or the trace
 * schema is not (yet) at the version the queries read ({@link TraceSchemaNotReadyException}).
 */
public class TraceStoreUnavailableException extends RuntimeException {
    public TraceStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
