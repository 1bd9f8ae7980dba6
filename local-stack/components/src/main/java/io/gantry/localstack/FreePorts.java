package io.gantry.localstack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Picks TCP ports that are free on every interface right now.
 *
 * <p>Ports come from 20000–31999, below Linux's ephemeral range (32768+), so that outgoing
 * connections of the same machine do not take them between the pick and the bind. A port is only
 * known to be free at the moment it is checked: callers that can retry on "Address already in use"
 * should. One picker never hands out the same port twice; other test harnesses (sdk-tests) use it for
 * the processes they start.
 */
public final class FreePorts {

    private static final int LOW = 20_000;
    private static final int HIGH = 32_000;
    private static final Random RANDOM = new SecureRandom();

    private final Set<Integer> taken = new HashSet<>();

    public FreePorts() {
    }

    /** Marks a port as used, so that this picker does not hand it out. */
    public synchronized FreePorts reserve(int port) {
        taken.add(port);
        return this;
    }

    /** A free port. */
    public synchronized int pick() {
        return pick(0);
    }

    /**
     * A free port {@code p} such that {@code p - below} is free too (the RocketMQ broker also listens
     * on its port minus 2), both then reserved.
     */
    synchronized int pick(int below) {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = LOW + below + RANDOM.nextInt(HIGH - LOW - below);
            if (taken.contains(port) || (below > 0 && taken.contains(port - below))) {
                continue;
            }
            if (isFree(port) && (below == 0 || isFree(port - below))) {
                taken.add(port);
                if (below > 0) {
                    taken.add(port - below);
                }
                return port;
            }
        }
        throw new IllegalStateException("no free TCP port found in " + LOW + "-" + HIGH);
    }

    /** Whether the port can be bound on the wildcard address (so on every interface) right now. */
    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
