package io.gantry.dataplane.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.dataplane.GatewayConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceSettingsTest {
    @Test
    void onByDefaultWithSixtyFourKiEvents() {
        TraceSettings s = GatewayConfig.fromEnv(Map.of()).trace();
        assertTrue(s.enabled());
        assertEquals(65_536, s.bufferEvents());
        assertEquals(64L * 1024 * 1024, s.bufferBytes());
        assertFalse(GatewayConfig.forTests().trace().enabled(), "tests turn it on where a trace topic exists");
    }

    @Test
    void fromTheEnvironment() {
        TraceSettings s = GatewayConfig.fromEnv(Map.of("GANTRY_TRACE_ENABLED", "false", "GANTRY_TRACE_BUFFER_EVENTS", "100000")).trace();
        assertFalse(s.enabled());
        assertEquals(100_000, s.bufferEvents());
        assertTrue(TraceSettings.fromEnv(Map.of("GANTRY_TRACE_ENABLED", "TRUE")).enabled());
        assertThrows(IllegalArgumentException.class, () -> TraceSettings.fromEnv(Map.of("GANTRY_TRACE_ENABLED", "yes")));
        assertThrows(IllegalArgumentException.class, () -> TraceSettings.fromEnv(Map.of("GANTRY_TRACE_BUFFER_EVENTS", "many")));
        assertThrows(IllegalArgumentException.class, () -> TraceSettings.fromEnv(Map.of("GANTRY_TRACE_BUFFER_EVENTS", "0")));
    }

    @Test
    void theWithersKeepTheTraceSettings() {
        GatewayConfig c = GatewayConfig.forTests().withTrace(TraceSettings.DEFAULTS).withPlaintextPort(0).withIoThreads(2)
                .withAdvertisedEndpoint("h:1").withConfigEndpoint("cp:1", "t");
        assertTrue(c.trace().enabled());
    }
}
