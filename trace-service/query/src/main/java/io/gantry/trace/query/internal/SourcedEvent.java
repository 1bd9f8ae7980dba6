package io.gantry.trace.query.internal;

import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.trace.query.RecordSource;

/** An event and where the query found it. */
public record SourcedEvent(TraceEvent event, RecordSource source) {
}
