package io.gantry.isolation.acl;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** The networks clients may connect from; an empty list allows every address. */
public final class IpAllowlist {
    private static final IpAllowlist ANY = new IpAllowlist(List.of());

    private final List<Cidr> cidrs;
    private final Cidr[] array;

    private IpAllowlist(List<Cidr> cidrs) {
        this.cidrs = List.copyOf(cidrs);
        this.array = cidrs.toArray(new Cidr[0]);
    }

    /** Parses each entry with {@link Cidr#parse}; throws naming the first bad entry. */
    public static IpAllowlist of(List<String> cidrs) {
        if (cidrs == null || cidrs.isEmpty()) {
            return ANY;
        }
        List<Cidr> parsed = new ArrayList<>(cidrs.size());
        for (String c : cidrs) {
            parsed.add(Cidr.parse(c));
        }
        return new IpAllowlist(parsed);
    }

    public static IpAllowlist ofCidrs(List<Cidr> cidrs) {
        return cidrs.isEmpty() ? ANY : new IpAllowlist(cidrs);
    }

    public boolean allows(InetAddress address) {
        if (array.length == 0) {
            return true;
        }
        for (Cidr c : array) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return array.length == 0;
    }

    public List<Cidr> cidrs() {
        return cidrs;
    }

    @Override
    public String toString() {
        return cidrs.toString();
    }
}
