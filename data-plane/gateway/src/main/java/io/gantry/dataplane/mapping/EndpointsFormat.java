package io.gantry.dataplane.mapping;

import apache.rocketmq.v2.Address;
import apache.rocketmq.v2.AddressScheme;
import apache.rocketmq.v2.Endpoints;

/** host:port to RocketMQ's {@link Endpoints} (scheme from the host's form). */
public final class EndpointsFormat {
    private EndpointsFormat() {
    }

    public static Endpoints parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("not host:port: '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not host:port: '" + hostPort + "'", e);
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port out of range in '" + hostPort + "'");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        AddressScheme scheme = host.indexOf(':') >= 0 ? AddressScheme.IPv6
                : host.matches("\\d{1,3}(\\.\\d{1,3}){3}") ? AddressScheme.IPv4 : AddressScheme.DOMAIN_NAME;
        return Endpoints.newBuilder().setScheme(scheme)
                .addAddresses(Address.newBuilder().setHost(host).setPort(port)).build();
    }
}
