package io.gantry.trace.schema;

import io.gantry.api.trace.v1.MessageType;
import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventType;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Map;

/**
 * Reads the hot tables back into {@link TraceEvent}s: SEND events from {@code messages}, the others from
 * {@code events}, both selected with the same columns ({@link #MESSAGE_COLUMNS}, {@link #EVENT_COLUMNS})
 * so that one query can UNION them. The archive stores exactly these events.
 */
public final class EventRows {
    /** Columns of a SEND row, in the unified order ({@code m} = trace.messages or a partition of it). */
    public static final String MESSAGE_COLUMNS =
            "m.event_id, m.message_id, 1::smallint AS type, m.sent_at AS at, m.instance_id, m.topic, m.tag, m.keys, m.message_group,"
                    + " m.message_type, m.body_size, m.born_at, m.deliver_at, m.producer_client_id, m.transaction_id, m.account,"
                    + " m.properties::text AS properties, NULL::text AS status, NULL::integer AS queue_id, NULL::bigint AS queue_offset,"
                    + " NULL::bigint AS latency_micros, NULL::text AS consumer_group, NULL::text AS consumer_client_id,"
                    + " NULL::integer AS delivery_attempt, NULL::timestamptz AS invisible_until, NULL::text AS transaction_source,"
                    + " NULL::text AS dlq_source";
    /** Columns of any other event, in the unified order ({@code e} = trace.events or a partition of it). */
    public static final String EVENT_COLUMNS =
            "e.event_id, e.message_id, e.type, e.at, e.instance_id, e.topic, NULL::text AS tag, NULL::text[] AS keys,"
                    + " NULL::text AS message_group, NULL::smallint AS message_type, NULL::integer AS body_size,"
                    + " NULL::timestamptz AS born_at, NULL::timestamptz AS deliver_at, NULL::text AS producer_client_id,"
                    + " e.transaction_id, e.account, NULL::text AS properties, e.status, e.queue_id, e.queue_offset,"
                    + " e.latency_micros, e.consumer_group, e.consumer_client_id, e.delivery_attempt, e.invisible_until,"
                    + " e.transaction_source, e.dlq_source";

    private EventRows() {
    }

    /** The event on the current row of a result selected with the unified columns. */
    public static TraceEvent read(ResultSet rs) throws SQLException {
        TraceEvent.Builder b = TraceEvent.newBuilder()
                .setEventId(rs.getString("event_id"))
                .setMessageId(rs.getString("message_id"))
                .setType(typeOf(rs.getInt("type")))
                .setTimestampMillis(millis(rs, "at"))
                .setInstanceId(rs.getString("instance_id"));
        set(rs, "topic", b::setTopic);
        set(rs, "tag", b::setTag);
        Array keys = rs.getArray("keys");
        if (keys != null) {
            for (Object k : (Object[]) keys.getArray()) {
                b.addKeys((String) k);
            }
        }
        set(rs, "message_group", b::setMessageGroup);
        int messageType = rs.getInt("message_type");
        if (!rs.wasNull()) {
            MessageType t = MessageType.forNumber(messageType);
            b.setMessageType(t == null ? MessageType.MESSAGE_TYPE_UNSPECIFIED : t);
        }
        b.setBodySize(rs.getInt("body_size"));
        b.setBornTimestampMillis(millis(rs, "born_at"));
        b.setDeliveryTimestampMillis(millis(rs, "deliver_at"));
        set(rs, "producer_client_id", b::setProducerClientId);
        set(rs, "transaction_id", b::setTransactionId);
        set(rs, "account", b::setAccount);
        String properties = rs.getString("properties");
        if (properties != null) {
            b.putAllProperties(JsonObjects.parseStringMap(properties));
        }
        set(rs, "status", b::setStatus);
        b.setQueueId(rs.getInt("queue_id"));
        b.setQueueOffset(rs.getLong("queue_offset"));
        b.setLatencyMicros(rs.getLong("latency_micros"));
        set(rs, "consumer_group", b::setConsumerGroup);
        set(rs, "consumer_client_id", b::setConsumerClientId);
        b.setDeliveryAttempt(rs.getInt("delivery_attempt"));
        b.setInvisibleUntilMillis(millis(rs, "invisible_until"));
        set(rs, "transaction_source", b::setTransactionSource);
        set(rs, "dlq_source", b::setDlqSource);
        return b.build();
    }

    public static long millis(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? 0 : t.toInstant().toEpochMilli();
    }

    private static TraceEventType typeOf(int number) {
        TraceEventType t = TraceEventType.forNumber(number);
        return t == null ? TraceEventType.TRACE_EVENT_TYPE_UNSPECIFIED : t;
    }

    private static void set(ResultSet rs, String column, java.util.function.Consumer<String> setter) throws SQLException {
        String v = rs.getString(column);
        if (v != null) {
            setter.accept(v);
        }
    }

    /** Just enough JSON to read back the flat string maps {@link EventWriter} writes. */
    static final class JsonObjects {
        private JsonObjects() {
        }

        static Map<String, String> parseStringMap(String json) {
            Map<String, String> map = new java.util.LinkedHashMap<>();
            int[] pos = {skip(json, 0)};
            expect(json, pos, '{');
            if (peek(json, pos) == '}') {
                return map;
            }
            while (true) {
                String key = string(json, pos);
                expect(json, pos, ':');
                String value = string(json, pos);
                map.put(key, value);
                char c = next(json, pos);
                if (c == '}') {
                    return map;
                }
                if (c != ',') {
                    throw new IllegalArgumentException("bad properties JSON");
                }
            }
        }

        private static String string(String s, int[] pos) {
            expect(s, pos, '"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = s.charAt(pos[0]++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = s.charAt(pos[0]++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(s.substring(pos[0], pos[0] + 4), 16));
                        pos[0] += 4;
                    }
                    default -> out.append(e);
                }
            }
        }

        private static void expect(String s, int[] pos, char wanted) {
            if (next(s, pos) != wanted) {
                throw new IllegalArgumentException("bad properties JSON: expected " + wanted);
            }
        }

        private static char next(String s, int[] pos) {
            pos[0] = skip(s, pos[0]);
            return s.charAt(pos[0]++);
        }

        private static char peek(String s, int[] pos) {
            pos[0] = skip(s, pos[0]);
            return s.charAt(pos[0]);
        }

        private static int skip(String s, int i) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            return i;
        }
    }
}
