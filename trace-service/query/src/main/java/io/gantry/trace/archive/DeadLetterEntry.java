package io.gantry.trace.archive;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The payload of a dead-letter table entry: what a dead-letter list shows without reading a block. */
public record DeadLetterEntry(String topic, String dlqSource, int deliveryAttempts, String tag, List<String> keys) {
    public DeadLetterEntry {
        topic = topic == null ? "" : topic;
        dlqSource = dlqSource == null ? "" : dlqSource;
        tag = tag == null ? "" : tag;
        keys = keys == null ? List.of() : List.copyOf(keys);
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            SegmentDirectory.writeBytes(out, SegmentFormat.utf8(topic));
            SegmentDirectory.writeBytes(out, SegmentFormat.utf8(dlqSource));
            out.writeInt(deliveryAttempts);
            SegmentDirectory.writeBytes(out, SegmentFormat.utf8(tag));
            out.writeInt(keys.size());
            for (String k : keys) {
                SegmentDirectory.writeBytes(out, SegmentFormat.utf8(k));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static DeadLetterEntry decode(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            String topic = string(in);
            String source = string(in);
            int attempts = in.readInt();
            String tag = string(in);
            int n = in.readInt();
            List<String> keys = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                keys.add(string(in));
            }
            return new DeadLetterEntry(topic, source, attempts, tag, keys);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String string(DataInputStream in) throws IOException {
        return new String(SegmentDirectory.readBytes(in), java.nio.charset.StandardCharsets.UTF_8);
    }
}
