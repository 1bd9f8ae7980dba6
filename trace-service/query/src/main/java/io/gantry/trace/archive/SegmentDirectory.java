package io.gantry.trace.archive;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Where each page of each table of a segment is (see {@link SegmentFormat}). Immutable. */
public final class SegmentDirectory {
    /** A page: its first and last keys, its position in the object and its entry count. */
    public record PageRef(byte[] firstKey, byte[] lastKey, long offset, int length, int count) {
    }

    private final Map<SegmentFormat.Table, List<PageRef>> pages;

    SegmentDirectory(Map<SegmentFormat.Table, List<PageRef>> pages) {
        this.pages = new EnumMap<>(pages);
    }

    public List<PageRef> pages(SegmentFormat.Table table) {
        return pages.getOrDefault(table, List.of());
    }

    /** The pages that may hold keys in [{@code from}, {@code to}), in order. */
    public List<PageRef> pagesCovering(SegmentFormat.Table table, byte[] from, byte[] to) {
        List<PageRef> result = new ArrayList<>();
        for (PageRef p : pages(table)) {
            if (SegmentFormat.compare(p.lastKey(), from) >= 0 && SegmentFormat.compare(p.firstKey(), to) < 0) {
                result.add(p);
            }
        }
        return result;
    }

    byte[] encode() throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes))) {
            out.writeInt(SegmentFormat.MAGIC);
            out.writeInt(SegmentFormat.VERSION);
            for (SegmentFormat.Table table : SegmentFormat.Table.values()) {
                List<PageRef> refs = pages(table);
                out.writeInt(refs.size());
                for (PageRef p : refs) {
                    writeBytes(out, p.firstKey());
                    writeBytes(out, p.lastKey());
                    out.writeLong(p.offset());
                    out.writeInt(p.length());
                    out.writeInt(p.count());
                }
            }
        }
        return bytes.toByteArray();
    }

    static SegmentDirectory decode(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(new ByteArrayInputStream(bytes)))) {
            if (in.readInt() != SegmentFormat.MAGIC) {
                throw new IOException("not a trace segment directory");
            }
            int version = in.readInt();
            if (version != SegmentFormat.VERSION) {
                throw new IOException("trace segment version " + version + " is not known here");
            }
            Map<SegmentFormat.Table, List<PageRef>> pages = new EnumMap<>(SegmentFormat.Table.class);
            for (SegmentFormat.Table table : SegmentFormat.Table.values()) {
                int n = in.readInt();
                List<PageRef> refs = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    refs.add(new PageRef(readBytes(in), readBytes(in), in.readLong(), in.readInt(), in.readInt()));
                }
                pages.put(table, List.copyOf(refs));
            }
            return new SegmentDirectory(pages);
        }
    }

    static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 16 * 1024 * 1024) {
            throw new IOException("corrupt segment: field of " + n + " bytes");
        }
        return in.readNBytes(n);
    }
}
