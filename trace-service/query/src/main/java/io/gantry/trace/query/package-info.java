/**
 * The trace query library: what the control plane's {@code /api/v1/instances/{id}/messages…}
 * endpoints call. {@link io.gantry.trace.query.TraceQueries#create} gives an implementation over
 * the trace schema in PostgreSQL and the S3 archive. This package only grows: types and methods are
 * added, never changed or removed. Records carry nulls for what the trace events did not say.
 */
package io.gantry.trace.query;
