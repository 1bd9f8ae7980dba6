package io.gantry.isolation.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
    static InetAddress ip(String literal) throws Exception {
        // Literals only, so getByName never resolves anything.
        return InetAddress.getByName(literal);
    }

    /** An IPv4-mapped address as a dual-stack socket may report it: still an Inet6Address. */
    static InetAddress mapped(int a, int b, int c, int d) throws Exception {
        byte[] bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) a, (byte) b, (byte) c, (byte) d};
        return Inet6Address.getByAddress(null, bytes, -1);
    }

    @Test
    void ipv4NetworksContainTheirAddresses() throws Exception {
        Cidr net = Cidr.parse("10.1.0.0/16");
        assertTrue(net.contains(ip("10.1.0.0")));
        assertTrue(net.contains(ip("10.1.255.255")));
        assertFalse(net.contains(ip("10.2.0.0")));
        assertFalse(net.contains(ip("9.255.255.255")));
        assertTrue(net.isIpv4());
        assertEquals(16, net.prefixLength());

        Cidr odd = Cidr.parse("192.168.1.128/25");
        assertTrue(odd.contains(ip("192.168.1.200")));
        assertFalse(odd.contains(ip("192.168.1.127")));

        assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("255.255.255.255")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("1.2.3.4")));
        assertFalse(Cidr.parse("0.0.0.0/0").contains(ip("::1")), "an IPv4 network never holds a real IPv6 client");
    }

    @Test
    void aPlainAddressIsANetworkOfOne() throws Exception {
        Cidr host = Cidr.parse("203.0.113.7");
        assertEquals("203.0.113.7/32", host.toString());
        assertTrue(host.contains(ip("203.0.113.7")));
        assertFalse(host.contains(ip("203.0.113.8")));

        Cidr v6host = Cidr.parse("2001:db8::1");
        assertEquals("2001:db8::1/128", v6host.toString());
        assertTrue(v6host.contains(ip("2001:db8:0:0:0:0:0:1")));
        assertFalse(v6host.contains(ip("2001:db8::2")));
    }

    @Test
    void ipv6NetworksContainTheirAddresses() throws Exception {
        Cidr net = Cidr.parse("2001:db8:abcd::/48");
        assertTrue(net.contains(ip("2001:db8:abcd:1::5")));
        assertFalse(net.contains(ip("2001:db8:abce::1")));
        assertFalse(net.contains(ip("10.0.0.1")));
        Cidr odd = Cidr.parse("fc00::/7");
        assertTrue(odd.contains(ip("fdff::1")));
        assertTrue(odd.contains(ip("fc00::1")));
        assertFalse(odd.contains(ip("fe00::1")));
        assertTrue(Cidr.parse("::/0").contains(ip("2001:db8::1")));
    }

    @Test
    void ipv4MappedClientsMatchIpv4Networks() throws Exception {
        Cidr net = Cidr.parse("10.0.0.0/8");
        InetAddress client = mapped(10, 1, 2, 3);
        assertInstanceOf(Inet6Address.class, client);
        assertTrue(net.contains(client));
        assertFalse(net.contains(mapped(11, 1, 2, 3)));
        // Not mapped, just the same low 32 bits: not an IPv4 client.
        assertFalse(net.contains(ip("::a01:203")));
        assertFalse(net.contains(ip("64:ff9b::a01:203")));
    }

    @Test
    void ipv4ClientsMatchIpv6NetworksInTheirMappedForm() throws Exception {
        Cidr allMapped = Cidr.parse("::ffff:0:0/96");
        assertTrue(allMapped.contains(ip("192.0.2.1")));
        assertTrue(allMapped.contains(mapped(192, 0, 2, 1)));
        assertFalse(allMapped.contains(ip("2001:db8::1")));
        Cidr one = Cidr.parse("::ffff:192.0.2.1");
        assertTrue(one.contains(ip("192.0.2.1")));
        assertFalse(one.contains(ip("192.0.2.2")));
    }

    @ParameterizedTest
    @CsvSource({
            "10.0.0.0/8, 10.0.0.0/8",
            "' 10.0.0.0/8 ', 10.0.0.0/8",
            "0.0.0.0/0, 0.0.0.0/0",
            "2001:0DB8:0000:0000:0000:0000:0000:0001, 2001:db8::1/128",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1/128",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1/128",
            "2001:0:0:1:0:0:0:1, 2001:0:0:1::1/128",
            "::, ::/128",
            "::1, ::1/128",
            "1::, 1::/128",
            "::/0, ::/0",
            "fe80::/10, fe80::/10",
            "::ffff:c000:0201, ::ffff:192.0.2.1/128",
            "::ffff:0:0/96, ::ffff:0.0.0.0/96",
            "::192.0.2.1, ::c000:201/128",
            "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0/128",
    })
    void printsTheCanonicalForm(String text, String canonical) {
        Cidr parsed = Cidr.parse(text);
        assertEquals(canonical, parsed.toString());
        assertEquals(parsed, Cidr.parse(canonical), "the canonical form parses back to the same network");
        assertEquals(parsed.hashCode(), Cidr.parse(canonical).hashCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", " ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "01.2.3.4", "1.2.3.04", "1..2.3", "1.2.3.4.",
            "0x7f.0.0.1", "2130706433", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/-1", "1.2.3.4/+8", "1.2.3.4/08",
            "1.2.3.4/8/8", "::1/129", "localhost", "example.com", "fe80::1%eth0", "[::1]", "[::1]/128",
            "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "12345::", "::g", "1:2:3:4:5:6:7", ":1::", "1::2:", "::1.2.3",
            "1.2.3.4::", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4", "١٢٣.1.1.1", "::١", "10.0.0.0 /8",
    })
    void refusesWhatIsNotANumericAddressNamingTheText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void refusesHostBitsBeyondThePrefixAndSaysWhatWasMeant() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.1.2.3/8"));
        assertTrue(e.getMessage().contains("10.0.0.0/8") && e.getMessage().contains("10.1.2.3/32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("2001:db8::1/64"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse(null));
    }

    @Test
    void anAllowlistOfNothingAllowsEverybody() throws Exception {
        assertTrue(IpAllowlist.of(List.of()).allows(ip("1.2.3.4")));
        assertTrue(IpAllowlist.of(List.of()).isEmpty());
        assertTrue(IpAllowlist.of(null).allows(ip("::1")));
    }

    @Test
    void anAllowlistAllowsOnlyItsNetworks() throws Exception {
        IpAllowlist list = IpAllowlist.of(List.of("10.0.0.0/8", "2001:db8::/32", "198.51.100.7"));
        assertFalse(list.isEmpty());
        assertTrue(list.allows(ip("10.9.9.9")));
        assertTrue(list.allows(mapped(10, 9, 9, 9)));
        assertTrue(list.allows(ip("2001:db8:1::1")));
        assertTrue(list.allows(ip("198.51.100.7")));
        assertFalse(list.allows(ip("198.51.100.8")));
        assertFalse(list.allows(ip("2001:db9::1")));
        assertFalse(list.allows(null));
        assertEquals(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32"), Cidr.parse("198.51.100.7/32")),
                list.cidrs());
    }

    @Test
    void anAllowlistNamesItsBadEntry() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IpAllowlist.of(List.of("10.0.0.0/8", "office.example.com")));
        assertTrue(e.getMessage().contains("'office.example.com'"), e.getMessage());
    }
}
