package io.gantry.dataplane.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * The gateway's counters, rendered in Prometheus' text format. Lock-free on the data path: a counter
 * is found through nested maps keyed by the strings the call already has (no key objects).
 *
 * <ul>
 *   <li>{@code gantry_gateway_messages_sent_total}, {@code gantry_gateway_bytes_sent_total}
 *       {instance, topic}: messages (and body bytes) clients sent that the proxy accepted;</li>
 *   <li>{@code gantry_gateway_messages_received_total}, {@code gantry_gateway_bytes_received_total}
 *       {instance, topic, group}: messages delivered to consumers (ReceiveMessage, PullMessage);</li>
 *   <li>{@code gantry_gateway_calls_total} {instance, rpc, code}: finished calls by RocketMQ status code
 *       (or gRPC status for stream ends); instance empty when the caller was not authenticated;</li>
 *   <li>{@code gantry_gateway_foreign_names_dropped_total}: upstream answers left out because they named
 *       another namespace (should stay 0);</li>
 *   <li>{@code gantry_gateway_upstream_calls_in_flight} {rpc}: upstream calls open now;</li>
 *   <li>{@code gantry_gateway_trace_events_total} {outcome}: trace events {@code published} to a cluster's
 *       trace topic, {@code dropped_buffer_full} (the gateway's trace buffer had no room),
 *       {@code dropped_refused} (the cluster refused or failed the batch after retries);</li>
 *   <li>gauges registered with {@link #gauge}.</li>
 * </ul>
 * Labels are only ever values the config or the proxy confirmed (a topic is counted once the proxy
 * accepted or delivered it), so their number stays bounded by what tenants provisioned.
 */
public final class GatewayMetrics {
    private final List<java.util.function.Consumer<StringBuilder>> sections = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, ConcurrentHashMap<String, Traffic>>> traffic = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, ConcurrentHashMap<String, LongAdder>>> calls = new ConcurrentHashMap<>();
    private final LongAdder foreignDropped = new LongAdder();
    private final ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicLong> upstreamInFlight = new ConcurrentHashMap<>();
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> traceEvents = Map.of("published", new LongAdder(),
            "dropped_buffer_full", new LongAdder(), "dropped_refused", new LongAdder(),
            "dropped_instance_share", new LongAdder(), "dropped_oversized", new LongAdder());

    private record Gauge(String help, DoubleSupplier value) {
    }

    /** Counters of one (instance, topic, group). */
    public static final class Traffic {
        final LongAdder messagesSent = new LongAdder();
        final LongAdder bytesSent = new LongAdder();
        final LongAdder messagesReceived = new LongAdder();
        final LongAdder bytesReceived = new LongAdder();
    }

    public void sent(String instance, String topic, long bytes) {
        Traffic t = traffic(instance, topic, "");
        t.messagesSent.increment();
        t.bytesSent.add(bytes);
    }

    public void received(String instance, String topic, String group, long bytes) {
        Traffic t = traffic(instance, topic, group);
        t.messagesReceived.increment();
        t.bytesReceived.add(bytes);
    }

    public void call(String instance, String rpc, String code) {
        calls.computeIfAbsent(instance == null ? "" : instance, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(rpc, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    public void upstreamStarted(String rpc) {
        inFlight(rpc).incrementAndGet();
    }

    public void upstreamEnded(String rpc) {
        inFlight(rpc).decrementAndGet();
    }

    private java.util.concurrent.atomic.AtomicLong inFlight(String rpc) {
        java.util.concurrent.atomic.AtomicLong n = upstreamInFlight.get(rpc);
        return n != null ? n : upstreamInFlight.computeIfAbsent(rpc, k -> new java.util.concurrent.atomic.AtomicLong());
    }

    /** Upstream calls started and not yet closed, all RPCs (a leak shows here). */
    public long upstreamInFlight() {
        return upstreamInFlight.values().stream().mapToLong(java.util.concurrent.atomic.AtomicLong::get).sum();
    }

    /** The same for one RPC. */
    public long upstreamInFlight(String rpc) {
        java.util.concurrent.atomic.AtomicLong n = upstreamInFlight.get(rpc);
        return n == null ? 0 : n.get();
    }

    public void foreignDropped() {
        foreignDropped.increment();
    }

    /**
     * Trace events that reached {@code outcome}: published, dropped_buffer_full, dropped_refused,
     * dropped_instance_share (their instance held its share of the buffer) or dropped_oversized.
     */
    public void traceEvents(String outcome, long count) {
        LongAdder a = traceEvents.get(outcome);
        if (a == null) {
            throw new IllegalArgumentException("no trace outcome " + outcome);
        }
        a.add(count);
    }

    /** Current value of one trace outcome (tests). */
    public long traceEvents(String outcome) {
        LongAdder a = traceEvents.get(outcome);
        return a == null ? 0 : a.sum();
    }

    public void gauge(String name, String help, DoubleSupplier value) {
        gauges.put(name, new Gauge(help, value));
    }

    /** Current value of one call counter (tests). */
    public long calls(String instance, String rpc, String code) {
        var byRpc = calls.get(instance);
        var byCode = byRpc == null ? null : byRpc.get(rpc);
        LongAdder a = byCode == null ? null : byCode.get(code);
        return a == null ? 0 : a.sum();
    }

    /** Messages sent to (s) or received from (r) a topic (tests). */
    public long messages(String instance, String topic, String group, boolean sent) {
        var byTopic = traffic.get(instance);
        var byGroup = byTopic == null ? null : byTopic.get(topic);
        Traffic t = byGroup == null ? null : byGroup.get(group);
        return t == null ? 0 : sent ? t.messagesSent.sum() : t.messagesReceived.sum();
    }

    public long foreignDroppedCount() {
        return foreignDropped.sum();
    }

    private Traffic traffic(String instance, String topic, String group) {
        var byTopic = traffic.get(instance);
        if (byTopic == null) {
            byTopic = traffic.computeIfAbsent(instance, k -> new ConcurrentHashMap<>());
        }
        var byGroup = byTopic.get(topic);
        if (byGroup == null) {
            byGroup = byTopic.computeIfAbsent(topic, k -> new ConcurrentHashMap<>());
        }
        Traffic t = byGroup.get(group);
        if (t == null) {
            t = byGroup.computeIfAbsent(group, k -> new Traffic());
        }
        return t;
    }

    /** Adds lines another component renders (in the text exposition format) to every scrape. */
    public void section(java.util.function.Consumer<StringBuilder> renderer) {
        sections.add(renderer);
    }

    /** Prometheus text exposition format 0.0.4. */
    public String render() {
        StringBuilder out = new StringBuilder(4096);
        List<String[]> sentRows = new ArrayList<>();
        List<long[]> sentValues = new ArrayList<>();
        List<String[]> recvRows = new ArrayList<>();
        List<long[]> recvValues = new ArrayList<>();
        new TreeMap<>(traffic).forEach((instance, byTopic) -> new TreeMap<>(byTopic).forEach((topic, byGroup) ->
                new TreeMap<>(byGroup).forEach((group, t) -> {
                    long ms = t.messagesSent.sum();
                    long mr = t.messagesReceived.sum();
                    if (group.isEmpty() || ms > 0) {
                        sentRows.add(new String[] {instance, topic});
                        sentValues.add(new long[] {ms, t.bytesSent.sum()});
                    }
                    if (!group.isEmpty() || mr > 0) {
                        recvRows.add(new String[] {instance, topic, group});
                        recvValues.add(new long[] {mr, t.bytesReceived.sum()});
                    }
                })));
        counter(out, "gantry_gateway_messages_sent_total", "Messages clients sent that the proxy accepted.",
                new String[] {"instance", "topic"}, sentRows, sentValues, 0);
        counter(out, "gantry_gateway_bytes_sent_total", "Body bytes of the messages clients sent that the proxy accepted.",
                new String[] {"instance", "topic"}, sentRows, sentValues, 1);
        counter(out, "gantry_gateway_messages_received_total", "Messages delivered to consumers.",
                new String[] {"instance", "topic", "group"}, recvRows, recvValues, 0);
        counter(out, "gantry_gateway_bytes_received_total", "Body bytes of the messages delivered to consumers.",
                new String[] {"instance", "topic", "group"}, recvRows, recvValues, 1);
        List<String[]> callRows = new ArrayList<>();
        List<long[]> callValues = new ArrayList<>();
        new TreeMap<>(calls).forEach((instance, byRpc) -> new TreeMap<>(byRpc).forEach((rpc, byCode) ->
                new TreeMap<>(byCode).forEach((code, n) -> {
                    callRows.add(new String[] {instance, rpc, code});
                    callValues.add(new long[] {n.sum()});
                })));
        counter(out, "gantry_gateway_calls_total", "Finished calls by RPC and RocketMQ (or gRPC) status code.",
                new String[] {"instance", "rpc", "code"}, callRows, callValues, 0);
        out.append("# HELP gantry_gateway_foreign_names_dropped_total Upstream answers dropped because they named another namespace.\n")
                .append("# TYPE gantry_gateway_foreign_names_dropped_total counter\n")
                .append("gantry_gateway_foreign_names_dropped_total ").append(foreignDropped.sum()).append('\n');
        out.append("# HELP gantry_gateway_upstream_calls_in_flight Calls to the RocketMQ proxies started and not yet closed.\n")
                .append("# TYPE gantry_gateway_upstream_calls_in_flight gauge\n");
        new TreeMap<>(upstreamInFlight).forEach((rpc, n) -> out.append("gantry_gateway_upstream_calls_in_flight{rpc=\"")
                .append(escape(rpc)).append("\"} ").append(n.get()).append('\n'));
        out.append("# HELP gantry_gateway_trace_events_total Trace events by outcome: published to the cluster's trace topic or dropped.\n")
                .append("# TYPE gantry_gateway_trace_events_total counter\n");
        new TreeMap<>(traceEvents).forEach((outcome, n) -> out.append("gantry_gateway_trace_events_total{outcome=\"")
                .append(outcome).append("\"} ").append(n.sum()).append('\n'));
        new TreeMap<>(gauges).forEach((name, g) -> out.append("# HELP ").append(name).append(' ').append(g.help()).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(format(g.value().getAsDouble())).append('\n'));
        sections.forEach(section -> section.accept(out));
        return out.toString();
    }

    private static void counter(StringBuilder out, String name, String help, String[] labels, List<String[]> rows,
            List<long[]> values, int column) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" counter\n");
        for (int r = 0; r < rows.size(); r++) {
            out.append(name).append('{');
            for (int i = 0; i < labels.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"").append(escape(rows.get(r)[i])).append('"');
            }
            out.append("} ").append(values.get(r)[column]).append('\n');
        }
    }

    public static String escape(String v) {
        if (v.indexOf('\\') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0) {
            return v;
        }
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String format(double v) {
        return v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
