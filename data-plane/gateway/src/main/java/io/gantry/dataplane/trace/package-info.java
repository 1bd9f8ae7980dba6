/**
 * Message trace capture: what the relay sees of each message becomes
 * {@code gantry.trace.v1.TraceEvent}s, published in batches to the trace topic ({@code GANTRY_TRACE_EVENTS})
 * of the cluster the instance lives on, for the trace service to index.
 *
 * <p>The relay calls {@link io.gantry.dataplane.trace.TraceTap} on its event loops;
 * {@link io.gantry.dataplane.trace.TraceRecorder} fills an event builder per message there and offers it
 * to a bounded lock-free buffer with a fair share per instance (full: dropped and counted, never waited
 * for). One publisher thread ({@code gantry-trace-publisher}) drains the instances round robin, gives ids,
 * builds, serializes and batches (per cluster, at most 1,000 events, 1 MiB or 100 ms), and sends each batch as one message through the gateway's own upstream
 * channel with the cluster's credentials, retrying a few times before dropping it, counted. Nothing
 * on this path can fail or delay a client's call: answers from the proxy arrive on the event loops and
 * only count or schedule a retry.
 */
package io.gantry.dataplane.trace;
