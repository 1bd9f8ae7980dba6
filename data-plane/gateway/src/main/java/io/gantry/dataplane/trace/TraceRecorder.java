package io.gantry.dataplane.trace;

import apache.rocketmq.v2.AckMessageEntry;
import apache.rocketmq.v2.AckMessageRequest;
import apache.rocketmq.v2.AckMessageResponse;
import apache.rocketmq.v2.AckMessageResultEntry;
import apache.rocketmq.v2.ChangeInvisibleDurationRequest;
import apache.rocketmq.v2.ChangeInvisibleDurationResponse;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.EndTransactionRequest;
import apache.rocketmq.v2.EndTransactionResponse;
import apache.rocketmq.v2.ForwardMessageToDeadLetterQueueRequest;
import apache.rocketmq.v2.ForwardMessageToDeadLetterQueueResponse;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.PullMessageRequest;
import apache.rocketmq.v2.PullMessageResponse;
import apache.rocketmq.v2.ReceiveMessageRequest;
import apache.rocketmq.v2.ReceiveMessageResponse;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.SendResultEntry;
import apache.rocketmq.v2.Status;
import apache.rocketmq.v2.SystemProperties;
import apache.rocketmq.v2.TransactionSource;
import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import io.gantry.api.trace.v1.MessageType;
import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventType;
import io.gantry.dataplane.metrics.GatewayMetrics;
import io.gantry.dataplane.pipeline.CallContext;
import io.gantry.dataplane.upstream.Upstreams;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns what the relay sees into {@link TraceEvent}s (schema: {@code gantry/trace/v1/trace_event.proto})
 * and hands them to the {@link TracePublisher} through a bounded {@link TraceBuffer}.
 *
 * <table>
 *   <caption>what becomes an event</caption>
 *   <tr><th>RPC</th><th>when</th><th>event (one per message or entry)</th></tr>
 *   <tr><td>SendMessage</td><td>response, messages the proxy accepted</td><td>SEND (the proxy's message id, the
 *       request's time) then STORE</td></tr>
 *   <tr><td>SendMessage</td><td>response, messages refused</td><td>STORE with the refusal's code</td></tr>
 *   <tr><td>ReceiveMessage, PullMessage</td><td>each message of the stream</td><td>DELIVER</td></tr>
 *   <tr><td>AckMessage</td><td>response, entries with OK</td><td>ACK</td></tr>
 *   <tr><td>ChangeInvisibleDuration</td><td>response OK</td><td>NACK</td></tr>
 *   <tr><td>ForwardMessageToDeadLetterQueue</td><td>response OK</td><td>DLQ (source CLIENT)</td></tr>
 *   <tr><td>EndTransaction</td><td>response OK</td><td>COMMIT / ROLLBACK / CHECK_UNKNOWN (source CLIENT or
 *       SERVER_CHECK: the SDK answers the Telemetry orphan-transaction check with an EndTransaction)</td></tr>
 * </table>
 *
 * <p>Cost on the event loop: a builder per event filled with references to strings the (immutable)
 * request already holds, one bounded copy of user properties, one offer to a lock-free queue. Ids,
 * {@code build()}, serialization and batching happen on the publisher's thread. Nothing here throws
 * into the relay: a failure to capture loses the event, never the call.
 */
public final class TraceRecorder implements TraceTap, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TraceRecorder.class.getName());
    static final int MAX_PROPERTIES = 32;
    static final int MAX_CHARS = 256;
    static final int MAX_KEYS = 32;
    /**
     * Characters of keys and user properties one event may carry: what is beyond is left out (counted in
     * {@code gantry_gateway_trace_events_truncated_total}), so that no event grows into a batch of its own.
     */
    static final int MAX_VARIABLE_CHARS = 16 * 1024;
    /** The longest invisible duration traced; longer ones (the proxy refuses them) are cut, never overflow. */
    private static final long MAX_INVISIBLE_MILLIS = 366L * 24 * 3600 * 1000;
    /** What an event costs in the buffer before its variable-length parts (strings are shared, so an estimate). */
    private static final int BASE_WEIGHT = 256;
    static final String SERVER_CHECK = "SERVER_CHECK";
    static final String CLIENT = "CLIENT";

    private final TraceBuffer buffer;
    private final TracePublisher publisher;
    private volatile boolean failureLogged;
    private final java.util.concurrent.atomic.LongAdder truncated = new java.util.concurrent.atomic.LongAdder();

    TraceRecorder(TraceBuffer buffer, TracePublisher publisher) {
        this.buffer = buffer;
        this.publisher = publisher;
    }

    /**
     * A recorder publishing to the trace topic of each instance's cluster through {@code upstreams},
     * with its publisher thread started.
     */
    public static TraceRecorder start(TraceSettings settings, String gatewayId, Upstreams upstreams, GatewayMetrics metrics) {
        TraceBuffer buffer = new TraceBuffer(settings.bufferEvents(), settings.bufferBytes());
        TraceTopicSender sender = new TraceTopicSender(upstreams, gatewayId);
        TracePublisher publisher = new TracePublisher(gatewayId, buffer, sender, metrics, TracePublisher.Limits.DEFAULT);
        publisher.start();
        metrics.gauge("gantry_gateway_trace_buffered_events", "Trace events waiting to be published.", buffer::size);
        TraceRecorder recorder = new TraceRecorder(buffer, publisher);
        metrics.section(out -> out.append("# HELP gantry_gateway_trace_events_truncated_total Trace events whose keys or user ")
                .append("properties were cut to the event size limit.\n")
                .append("# TYPE gantry_gateway_trace_events_truncated_total counter\n")
                .append("gantry_gateway_trace_events_truncated_total ").append(recorder.truncated()).append('\n'));
        return recorder;
    }

    /**
     * Nothing: a SEND is recorded from the proxy's answer ({@link #onResponse}), so that only messages
     * the proxy took, under the id it answered, become messages in the trace store.
     */
    @Override
    public void onRequest(String rpc, Object clientRequest, CallContext context, long startNanos) {
    }

    @Override
    public void onResponse(String rpc, Object clientRequest, Object clientResponse, CallContext context, long startNanos) {
        try {
            switch (rpc) {
                case "SendMessage" -> stored((SendMessageRequest) clientRequest, (SendMessageResponse) clientResponse,
                        context, startNanos);
                case "ReceiveMessage" -> received((ReceiveMessageRequest) clientRequest, (ReceiveMessageResponse) clientResponse,
                        context, startNanos);
                case "PullMessage" -> pulled((PullMessageRequest) clientRequest, (PullMessageResponse) clientResponse,
                        context, startNanos);
                case "AckMessage" -> acked((AckMessageRequest) clientRequest, (AckMessageResponse) clientResponse, context);
                case "ChangeInvisibleDuration" -> nacked((ChangeInvisibleDurationRequest) clientRequest,
                        (ChangeInvisibleDurationResponse) clientResponse, context);
                case "ForwardMessageToDeadLetterQueue" -> deadLettered((ForwardMessageToDeadLetterQueueRequest) clientRequest,
                        (ForwardMessageToDeadLetterQueueResponse) clientResponse, context);
                case "EndTransaction" -> ended((EndTransactionRequest) clientRequest, (EndTransactionResponse) clientResponse,
                        context);
                default -> {
                }
            }
        } catch (RuntimeException e) {
            captureFailed(rpc, e);
        }
    }

    // ------------------------------------------------------------------ producer side

    /** One SEND per accepted message, then a STORE per message whatever its status. */
    private void stored(SendMessageRequest request, SendMessageResponse response, CallContext ctx, long startNanos) {
        long now = System.currentTimeMillis();
        long latency = micros(startNanos);
        long requestedAt = now - latency / 1000;
        int n = request.getMessagesCount();
        boolean perEntry = response.getEntriesCount() == n;
        String clientId = null;
        for (int i = 0; i < n; i++) {
            Message m = request.getMessages(i);
            String requestId = m.getSystemProperties().getMessageId();
            TraceEvent.Builder e = event(TraceEventType.STORE, ctx, now)
                    .setTopic(m.getTopic().getName())
                    .setLatencyMicros(latency);
            String messageId;
            Code code;
            if (perEntry) {
                SendResultEntry entry = response.getEntries(i);
                code = entry.getStatus().getCode();
                messageId = entry.getMessageId().isEmpty() ? requestId : entry.getMessageId();
                e.setStatus(code.name())
                        .setMessageId(messageId)
                        .setQueueOffset(entry.getOffset())
                        .setTransactionId(entry.getTransactionId());
            } else {
                code = response.getStatus().getCode();
                messageId = requestId;
                e.setStatus(code.name()).setMessageId(messageId);
            }
            if (code == Code.OK) {
                if (clientId == null) {
                    clientId = ownClientId(ctx);
                }
                sent(m, messageId, clientId, ctx, requestedAt);
            }
            buffer.offer(ctx.instance().clusterId(), e, BASE_WEIGHT);
        }
    }

    private void sent(Message m, String messageId, String clientId, CallContext ctx, long requestedAt) {
        SystemProperties sp = m.getSystemProperties();
        TraceEvent.Builder e = event(TraceEventType.SEND, ctx, requestedAt)
                .setTopic(m.getTopic().getName())
                .setMessageId(messageId)
                .setMessageType(messageType(sp.getMessageType()))
                .setBodySize(m.getBody().size())
                .setProducerClientId(clientId);
        int weight = BASE_WEIGHT;
        if (sp.hasTag()) {
            e.setTag(bounded(sp.getTag()));
        }
        int budget = MAX_VARIABLE_CHARS;
        boolean cut = false;
        int keys = sp.getKeysCount();
        for (int i = 0; i < keys && i < MAX_KEYS; i++) {
            String k = bounded(sp.getKeys(i));
            if (k.length() > budget) {
                cut = true;
                break;
            }
            budget -= k.length();
            e.addKeys(k);
            weight += 2 * k.length();
        }
        if (sp.hasMessageGroup()) {
            e.setMessageGroup(bounded(sp.getMessageGroup()));
        }
        if (sp.hasBornTimestamp()) {
            e.setBornTimestampMillis(millis(sp.getBornTimestamp()));
        }
        if (sp.hasDeliveryTimestamp()) {
            e.setDeliveryTimestampMillis(millis(sp.getDeliveryTimestamp()));
        }
        if (m.getUserPropertiesCount() > 0) {
            weight += boundedProperties(m.getUserPropertiesMap(), e, budget);
            cut |= e.getPropertiesCount() < Math.min(MAX_PROPERTIES, m.getUserPropertiesCount());
        }
        if (cut) {
            truncated.increment();
        }
        buffer.offer(ctx.instance().clusterId(), e, weight);
    }

    private void ended(EndTransactionRequest request, EndTransactionResponse response, CallContext ctx) {
        if (!ok(response.getStatus())) {
            return;
        }
        TraceEventType type = switch (request.getResolution()) {
            case COMMIT -> TraceEventType.COMMIT;
            case ROLLBACK -> TraceEventType.ROLLBACK;
            default -> TraceEventType.CHECK_UNKNOWN;
        };
        TraceEvent.Builder e = event(type, ctx, System.currentTimeMillis())
                .setTopic(request.getTopic().getName())
                .setMessageId(request.getMessageId())
                .setTransactionId(request.getTransactionId())
                .setTransactionSource(request.getSource() == TransactionSource.SOURCE_SERVER_CHECK ? SERVER_CHECK : CLIENT)
                .setProducerClientId(ownClientId(ctx));
        buffer.offer(ctx.instance().clusterId(), e, BASE_WEIGHT);
    }

    // ------------------------------------------------------------------ consumer side

    private void received(ReceiveMessageRequest request, ReceiveMessageResponse response, CallContext ctx, long startNanos) {
        if (!response.hasMessage()) {
            return;
        }
        long now = System.currentTimeMillis();
        Message m = response.getMessage();
        SystemProperties sp = m.getSystemProperties();
        TraceEvent.Builder e = delivered(m, request.getGroup().getName(), ctx, now, startNanos);
        Duration invisible = request.hasInvisibleDuration() ? request.getInvisibleDuration()
                : sp.hasInvisibleDuration() ? sp.getInvisibleDuration() : null;
        if (invisible != null) {
            e.setInvisibleUntilMillis(now + invisibleMillis(invisible));
        }
        buffer.offer(ctx.instance().clusterId(), e, BASE_WEIGHT);
    }

    private void pulled(PullMessageRequest request, PullMessageResponse response, CallContext ctx, long startNanos) {
        if (response.hasMessage()) {
            TraceEvent.Builder e = delivered(response.getMessage(), request.getGroup().getName(), ctx,
                    System.currentTimeMillis(), startNanos);
            buffer.offer(ctx.instance().clusterId(), e, BASE_WEIGHT);
        }
    }

    /** DELIVER also carries the queue and offset the message was read from (a received message names them). */
    private TraceEvent.Builder delivered(Message m, String group, CallContext ctx, long now, long startNanos) {
        SystemProperties sp = m.getSystemProperties();
        TraceEvent.Builder e = event(TraceEventType.DELIVER, ctx, now)
                .setTopic(m.getTopic().getName())
                .setMessageId(sp.getMessageId())
                .setConsumerGroup(group)
                .setConsumerClientId(ownClientId(ctx))
                .setDeliveryAttempt(sp.getDeliveryAttempt())
                .setQueueId(sp.getQueueId())
                .setQueueOffset(sp.getQueueOffset())
                .setLatencyMicros(micros(startNanos));
        if (sp.hasMessageGroup()) {
            e.setMessageGroup(bounded(sp.getMessageGroup()));
        }
        return e;
    }

    private void acked(AckMessageRequest request, AckMessageResponse response, CallContext ctx) {
        long now = System.currentTimeMillis();
        String topic = request.getTopic().getName();
        String group = request.getGroup().getName();
        String clientId = ownClientId(ctx);
        List<AckMessageResultEntry> results = response.getEntriesList();
        if (results.isEmpty()) {
            if (!ok(response.getStatus())) {
                return;
            }
            for (AckMessageEntry entry : request.getEntriesList()) {
                ack(entry.getMessageId(), topic, group, clientId, ctx, now);
            }
            return;
        }
        boolean sameOrder = results.size() == request.getEntriesCount();
        for (int i = 0; i < results.size(); i++) {
            AckMessageResultEntry r = results.get(i);
            if (ok(r.getStatus())) {
                String id = !r.getMessageId().isEmpty() ? r.getMessageId() : sameOrder ? request.getEntries(i).getMessageId() : "";
                ack(id, topic, group, clientId, ctx, now);
            }
        }
    }

    private void ack(String messageId, String topic, String group, String clientId, CallContext ctx, long now) {
        TraceEvent.Builder e = event(TraceEventType.ACK, ctx, now)
                .setTopic(topic).setMessageId(messageId).setConsumerGroup(group).setConsumerClientId(clientId);
        buffer.offer(ctx.instance().clusterId(), e, BASE_WEIGHT);
    }

    private void nacked(ChangeInvisibleDurationRequest request, ChangeInvisibleDurationResponse response, CallContext ctx) {
        if (!ok(response.getStatus())) {
            return;
        }
        long now = System.currentTimeMillis();
        TraceEvent.Builder e = event(TraceEventType.NACK, ctx, now)
                .setTopic(request.getTopic().getName())
                .setMessageId(request.getMessageId())
                .setConsumerGroup(request.getGroup().getName())
                .setConsumerClientId(ownClientId(ctx))
                .setInvisibleUntilMillis(now + invisibleMillis(request.getInvisibleDuration()));
        buffer.offer(ctx.instance().clusterId(), e, BASE_WEIGHT);
    }

    private void deadLettered(ForwardMessageToDeadLetterQueueRequest request, ForwardMessageToDeadLetterQueueResponse response,
            CallContext ctx) {
        if (!ok(response.getStatus())) {
            return;
        }
        TraceEvent.Builder e = event(TraceEventType.DLQ, ctx, System.currentTimeMillis())
                .setTopic(request.getTopic().getName())
                .setMessageId(request.getMessageId())
                .setConsumerGroup(request.getGroup().getName())
                .setConsumerClientId(ownClientId(ctx))
                .setDeliveryAttempt(request.getDeliveryAttempt())
                .setDlqSource(CLIENT);
        buffer.offer(ctx.instance().clusterId(), e, BASE_WEIGHT);
    }

    // ------------------------------------------------------------------ pieces

    private static TraceEvent.Builder event(TraceEventType type, CallContext ctx, long nowMillis) {
        return TraceEvent.newBuilder()
                .setType(type)
                .setTimestampMillis(nowMillis)
                .setInstanceId(ctx.instance().id())
                .setAccount(ctx.account().username());
    }

    /**
     * The client id the application chose: the relay prefixes it with the instance
     * ({@code <instanceId>!<clientId>}) for the proxy; the trace shows it as the client sent it.
     */
    static String ownClientId(CallContext ctx) {
        String upstream = ctx.upstreamClientId();
        if (upstream == null) {
            return "";
        }
        String prefix = ctx.instance().clientIdPrefix();
        return upstream.startsWith(prefix) ? upstream.substring(prefix.length()) : upstream;
    }

    /**
     * Copies at most {@link #MAX_PROPERTIES} entries, each key and value cut to {@link #MAX_CHARS}, while
     * they fit in {@code budget} characters; answers their weight.
     */
    static int boundedProperties(Map<String, String> properties, TraceEvent.Builder e, int budget) {
        int weight = 0;
        int n = 0;
        for (Map.Entry<String, String> p : properties.entrySet()) {
            if (n++ == MAX_PROPERTIES) {
                break;
            }
            String k = bounded(p.getKey());
            String v = bounded(p.getValue());
            if (k.length() + v.length() > budget) {
                continue;
            }
            budget -= k.length() + v.length();
            e.putProperties(k, v);
            weight += 2 * (k.length() + v.length()) + 64;
        }
        return weight;
    }

    static String bounded(String s) {
        return s.length() <= MAX_CHARS ? s : s.substring(0, MAX_CHARS);
    }

    private static MessageType messageType(apache.rocketmq.v2.MessageType t) {
        return switch (t) {
            case NORMAL -> MessageType.NORMAL;
            case FIFO -> MessageType.FIFO;
            case DELAY -> MessageType.DELAY;
            case TRANSACTION -> MessageType.TRANSACTION;
            default -> MessageType.MESSAGE_TYPE_UNSPECIFIED;
        };
    }

    private static boolean ok(Status status) {
        return status.getCode() == Code.OK;
    }

    private static long millis(Timestamp t) {
        return t.getSeconds() * 1000L + t.getNanos() / 1_000_000;
    }

    private static long millis(Duration d) {
        return d.getSeconds() * 1000L + d.getNanos() / 1_000_000;
    }

    private static long invisibleMillis(Duration d) {
        if (d.getSeconds() < 0) {
            return 0;
        }
        return d.getSeconds() >= MAX_INVISIBLE_MILLIS / 1000 ? MAX_INVISIBLE_MILLIS : millis(d);
    }

    private static long micros(long startNanos) {
        return (System.nanoTime() - startNanos) / 1000;
    }

    private void captureFailed(String rpc, RuntimeException e) {
        if (!failureLogged) {
            failureLogged = true;
            LOG.log(Level.WARNING, "trace capture failed for " + rpc + " (logged once; the call itself goes on)", e);
        }
    }

    /** Events whose keys or properties were cut to {@link #MAX_VARIABLE_CHARS}. */
    long truncated() {
        return truncated.sum();
    }

    TraceBuffer buffer() {
        return buffer;
    }

    /** Publishes what is buffered, waiting at most {@code deadlineMillis}, then stops the publisher. */
    public void close(long deadlineMillis) {
        if (publisher != null) {
            publisher.close(deadlineMillis);
        }
    }

    @Override
    public void close() {
        close(2_000);
    }
}
