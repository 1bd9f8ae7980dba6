package io.gantry.trace.archive;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The layout of a trace segment: everything one instance's trace held for one ingest day, as one S3
 * object.
 *
 * <pre>
 * [blocks]        gzip members of ~64 KiB of length-delimited TraceEvent protobufs, sorted by message id;
 *                 all events of one message id are in one block
 * [ids table]     pages: message id                         → block offset (long), block length (int)
 * [keys table]    pages: key ␀ inv(sent) ␀ message id          (no payload)
 * [topics table]  pages: topic ␀ inv(sent) ␀ message id        (no payload)
 * [dead letters]  pages: group ␀ inv(at) ␀ message id          → topic, dlq source, attempts, tag, keys
 * [directory]     gzip: magic, version, per table its pages (first key, last key, offset, length, count)
 * </pre>
 *
 * A page is one gzip member: an entry count, then per entry the key's UTF-8 bytes and the payload, each
 * length-prefixed. Keys are compared as unsigned UTF-8 bytes (PostgreSQL's "C" collation, in which the
 * writer's queries sort them); inv(t) is 16 hex digits of {@code Long.MAX_VALUE - micros(t)}, so that a
 * table reads newest first, ties by message id. The catalog row keeps the directory's offset and length:
 * a lookup is three ranged GETs (directory, page, block), and directories are cached.
 */
public final class SegmentFormat {
    static final int MAGIC = 0x47545331; // "GTS1"
    static final int VERSION = 1;
    static final int BLOCK_BYTES = 64 * 1024;
    static final int PAGE_BYTES = 32 * 1024;

    /** The sorted tables of a segment, in file order. */
    public enum Table {
        IDS, KEYS, TOPICS, DEAD_LETTERS
    }

    private SegmentFormat() {
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    /** {@code prefix ␀ inv(at) ␀ messageId}. */
    public static byte[] composite(String prefix, Instant at, String messageId) {
        return utf8(prefix + '\u0000' + inverted(at) + '\u0000' + messageId);
    }

    /** Before every composite of {@code prefix}. */
    public static byte[] prefixStart(String prefix) {
        return utf8(prefix + '\u0000');
    }

    /** Just past every composite of {@code prefix}. */
    public static byte[] prefixEnd(String prefix) {
        return utf8(prefix + '\u0001');
    }

    /** The first composite of {@code prefix} whose time is at or before {@code at}. */
    public static byte[] atOrBefore(String prefix, Instant at) {
        return utf8(prefix + '\u0000' + inverted(at) + '\u0000');
    }

    /** Just past every composite of {@code prefix} whose time is at or after {@code at}. */
    public static byte[] pastAtOrAfter(String prefix, Instant at) {
        return utf8(prefix + '\u0000' + inverted(at) + '\u0001');
    }

    /** Splits a composite key into prefix, time and message id. */
    public static Composite parse(byte[] key) {
        String s = new String(key, StandardCharsets.UTF_8);
        int second = s.lastIndexOf('\u0000');
        int first = s.lastIndexOf('\u0000', second - 1);
        long micros = Long.MAX_VALUE - HexFormat.fromHexDigitsToLong(s.substring(first + 1, second));
        Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1000L);
        return new Composite(s.substring(0, first), at, s.substring(second + 1));
    }

    public record Composite(String prefix, Instant at, String messageId) {
    }

    static String inverted(Instant at) {
        long micros = Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1000);
        return HexFormat.of().toHexDigits(Long.MAX_VALUE - micros);
    }
}
