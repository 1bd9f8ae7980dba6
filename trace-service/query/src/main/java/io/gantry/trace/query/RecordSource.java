package io.gantry.trace.query;

/** Where a query found a record: PostgreSQL (the hot window) or an S3 segment (the archive). */
public enum RecordSource {
    HOT,
    ARCHIVE
}
