package io.gantry.dataplane.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamsEndpointsTest {
    @Test
    void severalProxiesAreReadInTheControlPlanesFormAndWithCommas() {
        assertEquals(List.of("10.0.0.1:8081", "10.0.0.2:8081"), Upstreams.endpoints("10.0.0.1:8081;10.0.0.2:8081"));
        assertEquals(List.of("10.0.0.1:8081", "10.0.0.2:8081"), Upstreams.endpoints("10.0.0.1:8081, 10.0.0.2:8081"));
        assertEquals(List.of("127.0.0.1:8081"), Upstreams.endpoints("127.0.0.1:8081"));
    }
}
