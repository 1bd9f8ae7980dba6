package io.gantry.dataplane.limits;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * Open connections per remote address, over all listeners of a gateway. Sits in each listening
 * channel's pipeline ahead of Netty's acceptor: a connection over the limit is closed as it is accepted,
 * before its TLS handshake or HTTP/2 preface cost anything.
 *
 * <p>The limit is per address, not per tenant: nothing is known of the caller before its first call.
 * Many SDK clients behind one NAT share an address, hence a generous default.
 */
@ChannelHandler.Sharable
public final class ConnectionsPerAddress extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(ConnectionsPerAddress.class.getName());

    private final int max;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();

    public ConnectionsPerAddress(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max connections per address must be at least 1");
        }
        this.max = max;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Channel child) || !(child.remoteAddress() instanceof InetSocketAddress remote)) {
            ctx.fireChannelRead(msg);
            return;
        }
        InetAddress address = remote.getAddress();
        boolean[] admitted = new boolean[1];
        open.compute(address, (a, n) -> {
            int current = n == null ? 0 : n;
            admitted[0] = current < max;
            return admitted[0] ? current + 1 : n;
        });
        if (!admitted[0]) {
            refused.increment();
            if (refused.sum() % 1000 == 1) {
                LOG.warning(address.getHostAddress() + " has " + max + " connections open (the limit per address, "
                        + "GANTRY_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS): further connections are closed at once");
            }
            // not registered with an event loop yet: Netty's acceptor closes such a child the same way
            child.unsafe().closeForcibly();
            return;
        }
        child.closeFuture().addListener(f -> open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1));
        ctx.fireChannelRead(msg);
    }

    public int open(InetAddress address) {
        return open.getOrDefault(address, 0);
    }

    /** Connections closed at accept because their address was at the limit. */
    public long refused() {
        return refused.sum();
    }
}
