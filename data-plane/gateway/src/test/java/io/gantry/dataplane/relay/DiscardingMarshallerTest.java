package io.gantry.dataplane.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class DiscardingMarshallerTest {
    private static final byte[] BYTES = new byte[20_000];

    static {
        for (int i = 0; i < BYTES.length; i++) {
            BYTES[i] = (byte) i;
        }
    }

    /** A stream whose available() says {@code claimed}, whatever is really left. */
    private static InputStream claiming(int claimed) {
        return new FilterInputStream(new ByteArrayInputStream(BYTES)) {
            @Override
            public int available() {
                return claimed;
            }
        };
    }

    @Test
    void readsEveryByteWhateverAvailableSays() throws IOException {
        assertArrayEquals(BYTES, DiscardingMarshaller.readFully(new ByteArrayInputStream(BYTES)), "exact");
        assertArrayEquals(BYTES, DiscardingMarshaller.readFully(claiming(0)), "unknown");
        assertArrayEquals(BYTES, DiscardingMarshaller.readFully(claiming(1000)), "too little");
        assertArrayEquals(BYTES, DiscardingMarshaller.readFully(claiming(BYTES.length + 5)), "too much");
        assertArrayEquals(new byte[0], DiscardingMarshaller.readFully(new ByteArrayInputStream(new byte[0])), "empty");
    }
}
