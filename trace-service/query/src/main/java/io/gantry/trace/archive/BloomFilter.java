package io.gantry.trace.archive;

import java.nio.charset.StandardCharsets;

/**
 * The Bloom filter of a segment over its message ids ({@code "m:" + id}) and keys ({@code "k:" + key}),
 * kept in the catalog so that a lookup tests every segment of an instance inside PostgreSQL (see
 * {@link #sqlPredicate}) and fetches only the segments that may hold the value. About 10 bits per entry
 * and 7 probes: ~1 % false positives.
 */
public final class BloomFilter {
    public static final int PROBES = 7;
    private static final int BITS_PER_ENTRY = 10;

    private final byte[] bits;
    private final long bitCount;

    public BloomFilter(long expectedEntries) {
        long wanted = Math.max(1024, expectedEntries * BITS_PER_ENTRY);
        int bytes = (int) Math.min(Integer.MAX_VALUE - 8, (wanted + 7) / 8);
        this.bits = new byte[bytes];
        this.bitCount = bytes * 8L;
    }

    public static String messageEntry(String messageId) {
        return "m:" + messageId;
    }

    public static String keyEntry(String key) {
        return "k:" + key;
    }

    public void add(String entry) {
        long[] h = hashes(entry);
        for (int i = 0; i < PROBES; i++) {
            long bit = (h[0] + i * h[1]) % bitCount;
            bits[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
        }
    }

    public boolean mightContain(String entry) {
        return mightContain(bits, bitCount, entry);
    }

    static boolean mightContain(byte[] bits, long bitCount, String entry) {
        long[] h = hashes(entry);
        for (int i = 0; i < PROBES; i++) {
            long bit = (h[0] + i * h[1]) % bitCount;
            if ((bits[(int) (bit >>> 3)] & (1 << (bit & 7))) == 0) {
                return false;
            }
        }
        return true;
    }

    public byte[] bytes() {
        return bits;
    }

    public long bitCount() {
        return bitCount;
    }

    /**
     * An SQL condition on columns {@code bloom} and {@code bloom_bits} that holds when the filter may
     * contain the entry; it reads one byte per probe (the column is stored out of line uncompressed).
     * Takes two parameters per probe, set by {@link #sqlParameters}.
     */
    public static String sqlPredicate() {
        StringBuilder sql = new StringBuilder("(");
        for (int i = 0; i < PROBES; i++) {
            if (i > 0) {
                sql.append(" AND ");
            }
            // bit = (h1 + i*h2) mod bloom_bits; byte bit/8 (1-based for substring), bit bit%8 within it
            String bit = "((?::bigint) % bloom_bits)";
            sql.append("(get_byte(substring(bloom from (").append(bit).append(" / 8 + 1)::int for 1), 0) >> (")
                    .append(bit).append(" % 8)::int) & 1 = 1");
        }
        return sql.append(")").toString();
    }

    /** The values for {@link #sqlPredicate}'s parameters, in order. */
    public static long[] sqlParameters(String entry) {
        long[] h = hashes(entry);
        long[] params = new long[PROBES * 2];
        for (int i = 0; i < PROBES; i++) {
            long sum = h[0] + i * h[1];
            params[2 * i] = sum;
            params[2 * i + 1] = sum;
        }
        return params;
    }

    /** Two 40-bit hashes: small enough that h1 + 6 * h2 never overflows a bigint. */
    private static long[] hashes(String entry) {
        long h = 0xcbf29ce484222325L;
        for (byte b : entry.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return new long[] {mix(h) >>> 24, (mix(h ^ 0x9e3779b97f4a7c15L) >>> 24) | 1};
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
