package io.gantry.trace.archive;

import io.gantry.api.trace.v1.TraceEvent;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes one segment file (see {@link SegmentFormat}) from sorted input: {@link #addMessage} in message
 * id order, then each table's entries in key order (any table order). Sections go to temporary files
 * next to the target and are concatenated by {@link #finish}. Not thread-safe.
 */
public final class SegmentWriter implements AutoCloseable {
    /** What {@link #finish} wrote. */
    public record Written(long sizeBytes, long directoryOffset, int directoryLength, int messages, int events) {
    }

    private final Path target;
    private final Path blocksFile;
    private final OutputStream blocks;
    private final Map<SegmentFormat.Table, PagedTable> tables = new EnumMap<>(SegmentFormat.Table.class);
    private final ByteArrayOutputStream block = new ByteArrayOutputStream(SegmentFormat.BLOCK_BYTES + 4096);
    private final List<String> blockIds = new ArrayList<>();
    private long blocksWritten;
    private byte[] lastMessageId;
    private int messages;
    private int events;

    public SegmentWriter(Path target) throws IOException {
        this.target = target;
        this.blocksFile = Files.createTempFile(target.getParent(), "blocks", ".tmp");
        this.blocks = Files.newOutputStream(blocksFile);
        for (SegmentFormat.Table t : SegmentFormat.Table.values()) {
            tables.put(t, new PagedTable(Files.createTempFile(target.getParent(), t.name(), ".tmp")));
        }
    }

    /** All events of one message (sorted by time); message ids must come in increasing byte order. */
    public void addMessage(String messageId, List<TraceEvent> messageEvents) throws IOException {
        byte[] id = SegmentFormat.utf8(messageId);
        if (lastMessageId != null && SegmentFormat.compare(lastMessageId, id) >= 0) {
            throw new IllegalArgumentException("message ids out of order: " + messageId);
        }
        lastMessageId = id;
        if (block.size() >= SegmentFormat.BLOCK_BYTES) {
            flushBlock();
        }
        for (TraceEvent e : messageEvents) {
            e.writeDelimitedTo(block);
            events++;
        }
        blockIds.add(messageId);
        messages++;
    }

    public void addKey(String key, Instant sentAt, String messageId) throws IOException {
        tables.get(SegmentFormat.Table.KEYS).add(SegmentFormat.composite(key, sentAt, messageId), new byte[0]);
    }

    public void addTopic(String topic, Instant sentAt, String messageId) throws IOException {
        tables.get(SegmentFormat.Table.TOPICS).add(SegmentFormat.composite(topic, sentAt, messageId), new byte[0]);
    }

    public void addDeadLetter(String group, Instant at, String messageId, DeadLetterEntry entry) throws IOException {
        tables.get(SegmentFormat.Table.DEAD_LETTERS).add(SegmentFormat.composite(group, at, messageId), entry.encode());
    }

    public Written finish() throws IOException {
        flushBlock();
        blocks.close();
        long offset = Files.size(blocksFile);
        Map<SegmentFormat.Table, List<SegmentDirectory.PageRef>> pages = new EnumMap<>(SegmentFormat.Table.class);
        for (SegmentFormat.Table t : SegmentFormat.Table.values()) {
            PagedTable table = tables.get(t);
            table.finish();
            List<SegmentDirectory.PageRef> refs = new ArrayList<>();
            for (SegmentDirectory.PageRef p : table.pages) {
                refs.add(new SegmentDirectory.PageRef(p.firstKey(), p.lastKey(), p.offset() + offset, p.length(), p.count()));
            }
            pages.put(t, refs);
            offset += Files.size(table.file);
        }
        byte[] directory = new SegmentDirectory(pages).encode();
        try (OutputStream out = Files.newOutputStream(target)) {
            Files.copy(blocksFile, out);
            for (SegmentFormat.Table t : SegmentFormat.Table.values()) {
                Files.copy(tables.get(t).file, out);
            }
            out.write(directory);
        }
        return new Written(offset + directory.length, offset, directory.length, messages, events);
    }

    private void flushBlock() throws IOException {
        if (blockIds.isEmpty()) {
            return;
        }
        ByteArrayOutputStream zipped = new ByteArrayOutputStream(block.size() / 3 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
            block.writeTo(gz);
        }
        byte[] bytes = zipped.toByteArray();
        blocks.write(bytes);
        ByteArrayOutputStream ref = new ByteArrayOutputStream(12);
        try (DataOutputStream out = new DataOutputStream(ref)) {
            out.writeLong(blocksWritten);
            out.writeInt(bytes.length);
        }
        byte[] payload = ref.toByteArray();
        PagedTable ids = tables.get(SegmentFormat.Table.IDS);
        for (String id : blockIds) {
            ids.add(SegmentFormat.utf8(id), payload);
        }
        blocksWritten += bytes.length;
        block.reset();
        blockIds.clear();
    }

    @Override
    public void close() throws IOException {
        blocks.close();
        Files.deleteIfExists(blocksFile);
        for (PagedTable t : tables.values()) {
            t.close();
            Files.deleteIfExists(t.file);
        }
    }

    /** A table's pages, written gzip'd to a temporary file as they fill. */
    private static final class PagedTable implements AutoCloseable {
        final Path file;
        final OutputStream out;
        final List<SegmentDirectory.PageRef> pages = new ArrayList<>();
        final ByteArrayOutputStream page = new ByteArrayOutputStream(SegmentFormat.PAGE_BYTES + 4096);
        DataOutputStream pageOut = new DataOutputStream(page);
        byte[] first;
        byte[] last;
        int count;
        long written;

        PagedTable(Path file) throws IOException {
            this.file = file;
            this.out = Files.newOutputStream(file);
        }

        void add(byte[] key, byte[] payload) throws IOException {
            if (last != null && SegmentFormat.compare(last, key) > 0) {
                throw new IllegalArgumentException("table keys out of order: " + new String(key, java.nio.charset.StandardCharsets.UTF_8));
            }
            if (count == 0) {
                first = key;
            }
            last = key;
            SegmentDirectory.writeBytes(pageOut, key);
            SegmentDirectory.writeBytes(pageOut, payload);
            count++;
            if (page.size() >= SegmentFormat.PAGE_BYTES) {
                flush();
            }
        }

        void flush() throws IOException {
            if (count == 0) {
                return;
            }
            pageOut.flush();
            ByteArrayOutputStream zipped = new ByteArrayOutputStream(page.size() / 3 + 64);
            try (DataOutputStream gz = new DataOutputStream(new GZIPOutputStream(zipped))) {
                gz.writeInt(count);
                page.writeTo(gz);
            }
            byte[] bytes = zipped.toByteArray();
            out.write(bytes);
            pages.add(new SegmentDirectory.PageRef(first, last, written, bytes.length, count));
            written += bytes.length;
            page.reset();
            count = 0;
        }

        void finish() throws IOException {
            flush();
            out.close();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
