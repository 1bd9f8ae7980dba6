package io.gantry.sdktests.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * TCP ports free on every interface right now, from 20000-31999: below Linux's ephemeral range, so
 * outgoing connections do not take them between the pick and the child's bind (as local-stack does).
 */
public final class FreePorts {

    private static final int LOW = 20_000;
    private static final int HIGH = 32_000;
    private static final Random RANDOM = new SecureRandom();
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts() {
    }

    /** A port no earlier call of this JVM handed out and that can be bound now. */
    public static synchronized int pick() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = LOW + RANDOM.nextInt(HIGH - LOW);
            if (!HANDED_OUT.contains(port) && isFree(port)) {
                HANDED_OUT.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free TCP port in " + LOW + "-" + HIGH);
    }

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
