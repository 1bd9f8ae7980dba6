package io.gantry.trace.store;

import io.gantry.api.trace.v1.TraceEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * What makes a trace event storable: the limits of the columns it lands in. An event outside them would
 * fail its whole batch (a btree entry over 2,704 bytes, a {@code timestamptz} past 9999, a smallint
 * overflow), so {@link EventWriter} parks it instead. The gateways refuse such values where they enter;
 * this is the second check, for events from older gateways and for dead letters the broker made.
 */
final class StorableEvents {
    static final int MAX_MESSAGE_ID_CHARS = 128;
    static final int MAX_INSTANCE_ID_BYTES = 128;
    static final int MAX_EVENT_ID_BYTES = 512;
    static final int MAX_NAME_BYTES = 512;
    static final int MAX_KEY_BYTES = 1024;
    /** 9999-12-31T23:59:59.999Z: the last instant whose ISO text PostgreSQL reads as a timestamptz. */
    static final long MAX_MILLIS = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

    private StorableEvents() {
    }

    /** Why the event cannot be stored, or null when it can. */
    static String problem(TraceEvent e) {
        if (!validMessageId(e.getMessageId())) {
            return "message id of " + e.getMessageId().length() + " characters is not 1-" + MAX_MESSAGE_ID_CHARS
                    + " of [0-9A-Za-z_-]";
        }
        String tooLong = tooLong("instance id", e.getInstanceId(), MAX_INSTANCE_ID_BYTES);
        if (tooLong == null) {
            tooLong = tooLong("event id", e.getEventId(), MAX_EVENT_ID_BYTES);
        }
        if (tooLong == null) {
            tooLong = tooLong("topic", e.getTopic(), MAX_NAME_BYTES);
        }
        if (tooLong == null) {
            tooLong = tooLong("consumer group", e.getConsumerGroup(), MAX_NAME_BYTES);
        }
        for (int i = 0; tooLong == null && i < e.getKeysCount(); i++) {
            tooLong = tooLong("key", e.getKeys(i), MAX_KEY_BYTES);
        }
        if (tooLong != null) {
            return tooLong;
        }
        String time = time("time", e.getTimestampMillis());
        if (time == null) {
            time = time("born time", e.getBornTimestampMillis());
        }
        if (time == null) {
            time = time("delivery time", e.getDeliveryTimestampMillis());
        }
        if (time == null) {
            time = time("invisible-until time", e.getInvisibleUntilMillis());
        }
        if (time != null) {
            return time;
        }
        if (e.getMessageTypeValue() < Short.MIN_VALUE || e.getMessageTypeValue() > Short.MAX_VALUE) {
            return "message type " + e.getMessageTypeValue() + " is outside smallint";
        }
        return null;
    }

    static boolean validMessageId(String id) {
        int n = id.length();
        if (n == 0 || n > MAX_MESSAGE_ID_CHARS) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static String tooLong(String what, String value, int maxBytes) {
        // a char is at most 3 UTF-8 bytes: only long strings need counting
        if (value.length() * 3L <= maxBytes) {
            return null;
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        return bytes <= maxBytes ? null : what + " of " + bytes + " bytes is over " + maxBytes;
    }

    private static String time(String what, long millis) {
        return millis > MAX_MILLIS ? what + " " + millis + " ms is after 9999-12-31" : null;
    }

    /** The first {@code max} characters, without NUL (for the parked row's readable columns). */
    static String head(String value, int max) {
        String cut = value.length() <= max ? value : value.substring(0, max);
        return CopyText.clean(cut);
    }
}
