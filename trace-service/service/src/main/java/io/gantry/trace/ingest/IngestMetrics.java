package io.gantry.trace.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the readers, per cluster, rendered in Prometheus' text format by the service. */
public final class IngestMetrics {
    /** One cluster's counters. */
    public static final class Cluster {
        public final LongAdder eventsStored = new LongAdder();
        public final LongAdder eventsDuplicate = new LongAdder();
        public final LongAdder eventsRejected = new LongAdder();
        public final LongAdder eventsParked = new LongAdder();
        public final LongAdder batchesMalformed = new LongAdder();
        public final LongAdder deadLettersFound = new LongAdder();
        public final LongAdder errors = new LongAdder();
        public final LongAdder messagesSkipped = new LongAdder();
        public final AtomicLong lag = new AtomicLong(-1);
        public final AtomicLong lastCommitMillis = new AtomicLong();
    }

    private final Map<String, Cluster> clusters = new ConcurrentHashMap<>();

    public Cluster cluster(String clusterId) {
        return clusters.computeIfAbsent(clusterId, k -> new Cluster());
    }

    public Map<String, Cluster> clusters() {
        return clusters;
    }

    public void render(StringBuilder out) {
        counter(out, "gantry_trace_events_stored_total", "Trace events written to PostgreSQL (new rows)", c -> c.eventsStored.sum());
        counter(out, "gantry_trace_events_duplicate_total", "Trace events already stored (redelivered)", c -> c.eventsDuplicate.sum());
        counter(out, "gantry_trace_events_rejected_total", "Trace events without instance, message id, event id or type", c -> c.eventsRejected.sum());
        counter(out, "gantry_trace_events_parked_total", "Trace events the store could not hold, set aside in trace.parked_events",
                c -> c.eventsParked.sum());
        counter(out, "gantry_trace_batches_malformed_total", "Trace topic messages that were not a TraceEventBatch", c -> c.batchesMalformed.sum());
        counter(out, "gantry_trace_dead_letters_found_total", "Messages found in %DLQ% topics", c -> c.deadLettersFound.sum());
        counter(out, "gantry_trace_read_errors_total", "Failed read or write rounds (retried)", c -> c.errors.sum());
        counter(out, "gantry_trace_messages_skipped_total", "Messages the broker no longer had when read (offset moved past them)", c -> c.messagesSkipped.sum());
        gauge(out, "gantry_trace_ingest_lag_messages", "Trace topic messages not yet stored (-1: unknown)", c -> c.lag.get());
        gauge(out, "gantry_trace_last_commit_seconds", "When events were last committed (epoch seconds)", c -> c.lastCommitMillis.get() / 1000);
    }

    private void counter(StringBuilder out, String name, String help, java.util.function.ToLongFunction<Cluster> value) {
        series(out, name, help, "counter", value);
    }

    private void gauge(StringBuilder out, String name, String help, java.util.function.ToLongFunction<Cluster> value) {
        series(out, name, help, "gauge", value);
    }

    private void series(StringBuilder out, String name, String help, String type, java.util.function.ToLongFunction<Cluster> value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        new java.util.TreeMap<>(clusters).forEach((id, c) ->
                out.append(name).append("{cluster=\"").append(id.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"} ")
                        .append(value.applyAsLong(c)).append('\n'));
    }
}
