package io.gantry.dataplane.trace;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Message ids for trace batches in the layout of the RocketMQ 5 SDK's {@code MessageIdCodec} (version
 * 1): {@code 01}, 6 bytes of host identity, 2 bytes of process id, 4 bytes of seconds since
 * 2021-01-01T00:00:00Z, 4 bytes of sequence, as 34 upper-case hex digits. The host part is random
 * per gateway start instead of a MAC address, so two replicas on one host never collide.
 */
final class TraceMessageIds {
    private static final long EPOCH_SECONDS = Instant.parse("2021-01-01T00:00:00Z").getEpochSecond();
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private final String prefix;
    private final AtomicInteger sequence = new AtomicInteger();

    TraceMessageIds() {
        byte[] head = new byte[9];
        head[0] = 1;
        byte[] host = new byte[6];
        new SecureRandom().nextBytes(host);
        System.arraycopy(host, 0, head, 1, 6);
        long pid = ProcessHandle.current().pid();
        head[7] = (byte) (pid >>> 8);
        head[8] = (byte) pid;
        this.prefix = HEX.formatHex(head);
    }

    String next() {
        long seconds = System.currentTimeMillis() / 1000 - EPOCH_SECONDS;
        int seq = sequence.getAndIncrement();
        byte[] tail = new byte[8];
        for (int i = 0; i < 4; i++) {
            tail[i] = (byte) (seconds >>> (24 - 8 * i));
            tail[4 + i] = (byte) (seq >>> (24 - 8 * i));
        }
        return prefix + HEX.formatHex(tail);
    }
}
