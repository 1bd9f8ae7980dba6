package io.gantry.isolation.throttle;

import java.util.Map;

/**
 * How much of a throughput limit one message uses: its size in 4 KiB units times a weight for its
 * type.
 *
 * <p>A 4 KiB unit is the granularity a TPS spec is sold in, so a 1 MiB message costs as much as 256
 * small ones.
 */
public final class MessageWeights {
    public static final int BYTES_PER_UNIT = 4096;

    /**
     * Weights by message type, reflecting the extra broker work each type causes: FIFO pins a queue
     * per message group (less parallelism for everyone on that queue); DELAY is written twice (to the
     * timer log, then to the commit log at delivery time); TRANSACTION writes the half message, the
     * op record that settles it and the real message.
     */
    public static final Map<String, Integer> DEFAULT = Map.of("NORMAL", 1, "FIFO", 2, "DELAY", 2, "TRANSACTION", 3);

    private MessageWeights() {
    }

    /** Size units of a body: at least one, so an empty message still costs something. */
    public static int units(int bodyBytes) {
        if (bodyBytes <= BYTES_PER_UNIT) {
            return 1;
        }
        return (bodyBytes - 1) / BYTES_PER_UNIT + 1;
    }

    /** The weight of a message type; an unknown or absent type weighs 1 (as a normal message). */
    public static int weight(Map<String, Integer> weights, String messageType) {
        if (messageType == null || weights == null) {
            return 1;
        }
        Integer w = weights.get(messageType);
        return w == null ? 1 : w;
    }

    public static long cost(int bodyBytes, int weight) {
        return (long) units(bodyBytes) * weight;
    }
}
