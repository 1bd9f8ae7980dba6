package io.gantry.trace.archive;

import io.gantry.api.trace.v1.TraceEvent;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

/**
 * Reads segments with ranged GETs: the directory (cached, segments never change once a query can see
 * them), then only the pages and blocks a lookup needs. Thread-safe.
 */
public final class SegmentReader {
    /** A table entry: its key and payload. */
    public record Entry(byte[] key, byte[] payload) {
        public SegmentFormat.Composite composite() {
            return SegmentFormat.parse(key);
        }

        public DeadLetterEntry deadLetter() {
            return DeadLetterEntry.decode(payload);
        }
    }

    private final ArchiveStore store;
    private final Map<String, SegmentDirectory> directories;

    public SegmentReader(ArchiveStore store, int cachedDirectories) {
        this.store = store;
        this.directories = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, SegmentDirectory> eldest) {
                return size() > cachedDirectories;
            }
        };
    }

    public SegmentDirectory directory(SegmentRef ref) {
        synchronized (directories) {
            SegmentDirectory cached = directories.get(ref.objectKey());
            if (cached != null) {
                return cached;
            }
        }
        try {
            SegmentDirectory d = SegmentDirectory.decode(store.read(ref.objectKey(), ref.directoryOffset(), ref.directoryLength()));
            synchronized (directories) {
                directories.put(ref.objectKey(), d);
            }
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException("segment " + ref.objectKey(), e);
        }
    }

    /** Entries of a table with keys in [{@code from}, {@code to}), in key order, at most {@code limit}. */
    public List<Entry> range(SegmentRef ref, SegmentFormat.Table table, byte[] from, byte[] to, int limit) {
        List<Entry> result = new ArrayList<>();
        for (SegmentDirectory.PageRef page : directory(ref).pagesCovering(table, from, to)) {
            for (Entry e : readPage(ref, page)) {
                if (SegmentFormat.compare(e.key(), from) >= 0 && SegmentFormat.compare(e.key(), to) < 0) {
                    result.add(e);
                    if (result.size() >= limit) {
                        return result;
                    }
                }
            }
        }
        return result;
    }

    /** All events the segment holds for these message ids, per id (ids it does not hold are absent). */
    public Map<String, List<TraceEvent>> events(SegmentRef ref, Collection<String> messageIds) {
        // id → block, reading each page of the ids table once
        Map<Long, Integer> blocks = new HashMap<>();
        Map<Long, List<String>> idsByBlock = new HashMap<>();
        SegmentDirectory dir = directory(ref);
        TreeSet<String> wanted = new TreeSet<>((a, b) -> SegmentFormat.compare(SegmentFormat.utf8(a), SegmentFormat.utf8(b)));
        wanted.addAll(messageIds);
        Map<SegmentDirectory.PageRef, List<Entry>> pages = new HashMap<>();
        for (String id : wanted) {
            byte[] key = SegmentFormat.utf8(id);
            for (SegmentDirectory.PageRef page : dir.pagesCovering(SegmentFormat.Table.IDS, key, successor(key))) {
                for (Entry e : pages.computeIfAbsent(page, p -> readPage(ref, p))) {
                    if (SegmentFormat.compare(e.key(), key) == 0) {
                        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(e.payload()))) {
                            long offset = in.readLong();
                            int length = in.readInt();
                            blocks.put(offset, length);
                            idsByBlock.computeIfAbsent(offset, o -> new ArrayList<>()).add(id);
                        } catch (IOException ex) {
                            throw new UncheckedIOException(ex);
                        }
                    }
                }
            }
        }
        Map<String, List<TraceEvent>> result = new HashMap<>();
        for (Map.Entry<Long, Integer> b : blocks.entrySet()) {
            List<String> ids = idsByBlock.get(b.getKey());
            for (TraceEvent e : readBlock(ref, b.getKey(), b.getValue())) {
                if (ids.contains(e.getMessageId())) {
                    result.computeIfAbsent(e.getMessageId(), k -> new ArrayList<>()).add(e);
                }
            }
        }
        return result;
    }

    /** Every event of the segment, block by block (for tests and re-exports). */
    public List<TraceEvent> allEvents(SegmentRef ref) {
        List<TraceEvent> all = new ArrayList<>();
        TreeSet<Long> offsets = new TreeSet<>();
        Map<Long, Integer> lengths = new HashMap<>();
        for (SegmentDirectory.PageRef page : directory(ref).pages(SegmentFormat.Table.IDS)) {
            for (Entry e : readPage(ref, page)) {
                try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(e.payload()))) {
                    long offset = in.readLong();
                    offsets.add(offset);
                    lengths.put(offset, in.readInt());
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
        }
        for (long offset : offsets) {
            all.addAll(readBlock(ref, offset, lengths.get(offset)));
        }
        return all;
    }

    private List<Entry> readPage(SegmentRef ref, SegmentDirectory.PageRef page) {
        byte[] raw = store.read(ref.objectKey(), page.offset(), page.length());
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(new ByteArrayInputStream(raw)))) {
            int n = in.readInt();
            List<Entry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                entries.add(new Entry(SegmentDirectory.readBytes(in), SegmentDirectory.readBytes(in)));
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException("segment " + ref.objectKey() + " page at " + page.offset(), e);
        }
    }

    private List<TraceEvent> readBlock(SegmentRef ref, long offset, int length) {
        byte[] raw = store.read(ref.objectKey(), offset, length);
        List<TraceEvent> events = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
            TraceEvent e;
            while ((e = TraceEvent.parseDelimitedFrom(in)) != null) {
                events.add(e);
            }
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException("segment " + ref.objectKey() + " block at " + offset, e);
        }
    }

    /** The smallest byte string after {@code key}: [key, successor(key)) holds exactly key. */
    private static byte[] successor(byte[] key) {
        return java.util.Arrays.copyOf(key, key.length + 1);
    }
}
