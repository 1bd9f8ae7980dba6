package io.gantry.dataplane.pipeline;

import apache.rocketmq.v2.AckMessageRequest;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SystemProperties;
import com.google.protobuf.Timestamp;

/**
 * Admission stage for the message fields a client writes and the gateway hands on to the proxy and to
 * the trace store: message ids and the producer's timestamps. The proxy accepts ids and times the trace
 * store cannot index (a 3 KB id overflows a btree entry, a year past 9999 is no {@code timestamptz}), and
 * one such event used to stop trace indexing for a whole cluster; so they are refused here, before
 * anything is forwarded or traced.
 *
 * <ul>
 *   <li>message ids: 1–128 characters of {@code [0-9A-Za-z_-]}, the ids the REST API answers for (the
 *       SDKs make 34 hex digits) → {@code ILLEGAL_MESSAGE_ID};</li>
 *   <li>born time: a valid timestamp from {@link #EARLIEST_SECONDS} (2000-01-01) to a day after the
 *       gateway's clock → {@code BAD_REQUEST};</li>
 *   <li>delivery time (delay messages): from 2000-01-01 to {@link #MAX_DELAY_SECONDS} ahead →
 *       {@code ILLEGAL_DELIVERY_TIME}.</li>
 * </ul>
 * Stateless; any thread.
 */
public final class MessageFields {
    public static final int MAX_MESSAGE_ID_CHARS = 128;
    /** 2000-01-01T00:00:00Z: no producer of this service sent earlier. */
    static final long EARLIEST_SECONDS = 946_684_800L;
    /** How far ahead of the gateway's clock a producer's clock may be. */
    static final long BORN_SKEW_SECONDS = 24 * 3600L;
    /** Beyond any broker's timer limit (RocketMQ's default is 3 days). */
    static final long MAX_DELAY_SECONDS = 400 * 24 * 3600L;
    private static final int SHOWN_CHARS = 32;

    private MessageFields() {
    }

    /** Every message of a send: its id, born and delivery time. */
    public static void checkSend(SendMessageRequest request, CallContext ctx) {
        checkSend(request, ctx, System.currentTimeMillis() / 1000);
    }

    static void checkSend(SendMessageRequest request, CallContext ctx, long nowSeconds) {
        for (int i = 0; i < request.getMessagesCount(); i++) {
            Message m = request.getMessages(i);
            SystemProperties sp = m.getSystemProperties();
            String topic = m.getTopic().getName();
            checkMessageId(sp.getMessageId(), ctx, topic);
            if (sp.hasBornTimestamp() && !within(sp.getBornTimestamp(), EARLIEST_SECONDS, nowSeconds + BORN_SKEW_SECONDS)) {
                throw new Refusal(Code.BAD_REQUEST, "born timestamp " + shown(sp.getBornTimestamp()) + " of message "
                        + sp.getMessageId() + " to topic '" + topic + "' in instance " + instanceId(ctx)
                        + " is not plausible: it must lie between 2000-01-01 and a day after now");
            }
            if (sp.hasDeliveryTimestamp()
                    && !within(sp.getDeliveryTimestamp(), EARLIEST_SECONDS, nowSeconds + MAX_DELAY_SECONDS)) {
                throw new Refusal(Code.ILLEGAL_DELIVERY_TIME, "delivery timestamp " + shown(sp.getDeliveryTimestamp())
                        + " of message " + sp.getMessageId() + " to topic '" + topic + "' in instance " + instanceId(ctx)
                        + " is out of range: at most " + MAX_DELAY_SECONDS / 86_400 + " days ahead");
            }
        }
    }

    /** Every entry of an ack. */
    public static void checkAck(AckMessageRequest request, CallContext ctx) {
        for (int i = 0; i < request.getEntriesCount(); i++) {
            checkMessageId(request.getEntries(i).getMessageId(), ctx, request.getTopic().getName());
        }
    }

    /**
     * A message id a consumer or producer names (ack, change invisible duration, forward to the DLQ, end
     * a transaction).
     */
    public static void checkMessageId(String id, CallContext ctx, String topic) {
        if (!validMessageId(id)) {
            throw new Refusal(Code.ILLEGAL_MESSAGE_ID, "message id " + shown(id) + " for topic '" + topic + "' in instance "
                    + instanceId(ctx) + " is not valid: 1 to " + MAX_MESSAGE_ID_CHARS + " characters of [0-9A-Za-z_-]");
        }
    }

    /** {@code ^[0-9A-Za-z_-]{1,128}$}, without a regex on the event loop. */
    public static boolean validMessageId(String id) {
        int n = id.length();
        if (n == 0 || n > MAX_MESSAGE_ID_CHARS) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean within(Timestamp t, long fromSeconds, long toSeconds) {
        return t.getNanos() >= 0 && t.getNanos() <= 999_999_999 && t.getSeconds() >= fromSeconds && t.getSeconds() <= toSeconds;
    }

    /** Never echo a client's megabytes back in an error text. */
    private static String shown(String id) {
        if (id.isEmpty()) {
            return "(empty)";
        }
        String head = id.length() <= SHOWN_CHARS ? id : id.substring(0, SHOWN_CHARS) + "… (" + id.length() + " characters)";
        return "'" + head + "'";
    }

    private static String shown(Timestamp t) {
        return t.getSeconds() + "s+" + t.getNanos() + "ns";
    }

    private static String instanceId(CallContext ctx) {
        return ctx == null || ctx.instance() == null ? "?" : ctx.instance().id();
    }
}
