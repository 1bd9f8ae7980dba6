package io.gantry.isolation.acl;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); a plain
 * address is a network of one ({@code /32} or {@code /128}).
 *
 * <p>Parsed from the text alone: host names are refused rather than resolved, because an allowlist
 * entry that depends on DNS changes meaning without anyone editing it (and a lookup on the request
 * path would block). Zone ids ({@code fe80::1%eth0}) and brackets are refused too. An address with
 * bits set beyond the prefix ({@code 10.0.0.1/8}) is refused: the author meant either the network or
 * the host, and guessing wrong opens or closes a hole.
 *
 * <p>An IPv4 client reaching a dual-stack socket appears as the IPv4-mapped IPv6 address
 * {@code ::ffff:a.b.c.d}; it matches IPv4 networks as its IPv4 address, and IPv6 networks (such as
 * {@code ::ffff:0:0/96}) in its mapped form.
 */
public final class Cidr {
    private static final byte[] V4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    private final byte[] network;
    private final int prefixLength;
    /** For IPv4 networks: the network and mask as ints, for a branch-light {@link #contains}. */
    private final int v4Network;
    private final int v4Mask;

    private Cidr(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
        if (network.length == 4) {
            this.v4Mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
            this.v4Network = toInt(network, 0) & v4Mask;
        } else {
            this.v4Mask = 0;
            this.v4Network = 0;
        }
    }

    /** Parses {@code address/prefix} or a plain address; throws naming the text when it is neither. */
    public static Cidr parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("null is not an IP address or CIDR");
        }
        String s = text.strip();
        int slash = s.indexOf('/');
        String addressPart = slash < 0 ? s : s.substring(0, slash);
        byte[] address = addressPart.indexOf(':') >= 0 ? parseV6(addressPart) : parseV4(addressPart);
        if (address == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address or CIDR"
                    + " (host names are not accepted)");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            prefix = parsePrefix(s.substring(slash + 1), bits);
            if (prefix < 0) {
                throw new IllegalArgumentException("'" + text + "' has a bad prefix length: expected /0 to /" + bits);
            }
        }
        byte[] masked = mask(address, prefix);
        if (!Arrays.equals(masked, address)) {
            Cidr network = new Cidr(masked, prefix);
            throw new IllegalArgumentException("'" + text + "' has host bits set beyond /" + prefix
                    + ": write the network " + network + " or the address " + new Cidr(address, bits));
        }
        return new Cidr(address, prefix);
    }

    public boolean contains(InetAddress address) {
        if (address == null) {
            return false;
        }
        if (address instanceof Inet4Address) {
            if (network.length == 4) {
                return (toInt(address.getAddress(), 0) & v4Mask) == v4Network;
            }
            return matchesBytes(mapToV6(address.getAddress()));
        }
        if (address instanceof Inet6Address) {
            byte[] bytes = address.getAddress();
            if (network.length == 4) {
                return isV4Mapped(bytes) && (toInt(bytes, 12) & v4Mask) == v4Network;
            }
            return matchesBytes(bytes);
        }
        return false;
    }

    public boolean isIpv4() {
        return network.length == 4;
    }

    public int prefixLength() {
        return prefixLength;
    }

    /** Canonical form: dotted quad, or RFC 5952 IPv6 text; the prefix length always written. */
    @Override
    public String toString() {
        return (network.length == 4 ? formatV4(network, 0) : formatV6(network)) + "/" + prefixLength;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && prefixLength == other.prefixLength && Arrays.equals(network, other.network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    private boolean matchesBytes(byte[] bytes) {
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (bytes[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int m = (0xff << (8 - rest)) & 0xff;
        return (bytes[full] & m) == (network[full] & m);
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & ((0xff << (8 - bitsHere)) & 0xff));
        }
        return out;
    }

    private static boolean isV4Mapped(byte[] v6) {
        for (int i = 0; i < 12; i++) {
            if (v6[i] != V4_MAPPED_PREFIX[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] mapToV6(byte[] v4) {
        byte[] out = new byte[16];
        System.arraycopy(V4_MAPPED_PREFIX, 0, out, 0, 12);
        System.arraycopy(v4, 0, out, 12, 4);
        return out;
    }

    private static int toInt(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    private static int parsePrefix(String s, int max) {
        if (s.isEmpty() || s.length() > 3 || (s.length() > 1 && s.charAt(0) == '0')) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= max ? v : -1;
    }

    /** Four decimal octets; leading zeros refused (some parsers read {@code 010} as octal 8). */
    private static byte[] parseV4(String s) {
        byte[] out = new byte[4];
        int part = 0;
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == '.') {
                if (part > 3) {
                    return null;
                }
                int octet = parseOctet(s, start, i);
                if (octet < 0) {
                    return null;
                }
                out[part++] = (byte) octet;
                start = i + 1;
            }
        }
        return part == 4 ? out : null;
    }

    private static int parseOctet(String s, int from, int to) {
        int len = to - from;
        if (len < 1 || len > 3 || (len > 1 && s.charAt(from) == '0')) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= 255 ? v : -1;
    }

    /** RFC 4291 text: eight groups of 1–4 hex digits, one optional {@code ::}, an optional IPv4 tail. */
    private static byte[] parseV6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        int[] head = new int[8];
        int[] tail = new int[8];
        int headCount;
        int tailCount = 0;
        if (gap < 0) {
            headCount = parseGroups(s, head, true);
            if (headCount != 8) {
                return null;
            }
        } else {
            headCount = gap == 0 ? 0 : parseGroups(s.substring(0, gap), head, false);
            String after = s.substring(gap + 2);
            tailCount = after.isEmpty() ? 0 : parseGroups(after, tail, true);
            // "::" stands for at least one group of zeros.
            if (headCount < 0 || tailCount < 0 || headCount + tailCount > 7) {
                return null;
            }
        }
        byte[] out = new byte[16];
        for (int i = 0; i < headCount; i++) {
            out[2 * i] = (byte) (head[i] >> 8);
            out[2 * i + 1] = (byte) head[i];
        }
        for (int i = 0; i < tailCount; i++) {
            int g = 8 - tailCount + i;
            out[2 * g] = (byte) (tail[i] >> 8);
            out[2 * g + 1] = (byte) tail[i];
        }
        return out;
    }

    /**
     * Parses colon-separated hex groups into {@code groups}; an IPv4 tail (allowed only at the end of
     * the address) counts as two groups. Returns the number of groups, or -1.
     */
    private static int parseGroups(String s, int[] groups, boolean mayEndWithV4) {
        String[] parts = s.split(":", -1);
        int count = 0;
        for (int p = 0; p < parts.length; p++) {
            String part = parts[p];
            boolean last = p == parts.length - 1;
            if (last && mayEndWithV4 && part.indexOf('.') >= 0) {
                byte[] v4 = parseV4(part);
                if (v4 == null || count + 2 > 8) {
                    return -1;
                }
                groups[count++] = (v4[0] & 0xff) << 8 | (v4[1] & 0xff);
                groups[count++] = (v4[2] & 0xff) << 8 | (v4[3] & 0xff);
                continue;
            }
            if (part.isEmpty() || part.length() > 4 || count >= 8) {
                return -1;
            }
            int v = 0;
            for (int i = 0; i < part.length(); i++) {
                int d = hexDigit(part.charAt(i));
                if (d < 0) {
                    return -1;
                }
                v = v << 4 | d;
            }
            groups[count++] = v;
        }
        return count;
    }

    /** ASCII only: {@link Character#digit} would also accept other scripts' digits. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static String formatV4(byte[] b, int off) {
        return (b[off] & 0xff) + "." + (b[off + 1] & 0xff) + "." + (b[off + 2] & 0xff) + "." + (b[off + 3] & 0xff);
    }

    private static String formatV6(byte[] b) {
        if (isV4Mapped(b)) {
            return "::ffff:" + formatV4(b, 12);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        // RFC 5952: compress the longest run of two or more zero groups, the first on a tie.
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
